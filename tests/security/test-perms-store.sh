#!/usr/bin/env bash
# Issue 8, private stores: the village's and the township's SQLite stores are
# made 0600 in a 0700 directory, a local non-owner (nobody) cannot read them,
# and a node refuses to use a data directory or store file that group or
# others can reach, naming the path and the chmod to run, writing nothing.
if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root: it runs commands as the local user nobody (runuser)"
    exit 77
fi
source "$TB_SOURCE/tests/integration/lib.sh"

COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
export TONGBAN_BROKER=ipc://$WORK/broker.sock
vil() { "$V" "$@" --place $VIL --agent 张三; }
town() { "$T" "$@" --place $TOWN --agent 窗口李; }
mode() { stat -c %a "$1"; }
as_nobody() { runuser -u nobody -- "$@" >/dev/null 2>&1; }

# 1. Made by the commands: 0700 and 0600, also the WAL files of a running node.
vil log --data-dir "$WORK/v" --client 李四 --phone 13800138000 --item YB003 >/dev/null
town register --data-dir "$WORK/t" --client 周九 --phone 13207964444 --item GH001 >/dev/null
eq "village data dir 0700" 700 "$(mode "$WORK/v")"
eq "village store 0600" 600 "$(mode "$WORK/v/$VIL.db")"
eq "township data dir 0700" 700 "$(mode "$WORK/t")"
eq "township store 0600" 600 "$(mode "$WORK/t/$TOWN.db")"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
wal() { [ -f "$WORK/v/$VIL.db-wal" ]; }
ok "the running village has its WAL" tb_wait_for 10 wal
eq "its WAL and shared memory files 0600" "600 600" "$(mode "$WORK/v/$VIL.db-wal") $(mode "$WORK/v/$VIL.db-shm")"
stop vil

# 2. A local non-owner reads nothing, even where a directory above is opened
#    by mistake: the files themselves are the owner's.
chmod 755 "$WORK/v" "$WORK/t"
ok "nobody cannot read the village store" bash -c "! runuser -u nobody -- cat '$WORK/v/$VIL.db' >/dev/null 2>&1"
ok "nobody cannot open the village store with sqlite3" bash -c "! runuser -u nobody -- sqlite3 '$WORK/v/$VIL.db' 'SELECT client_phone FROM cases' >/dev/null 2>&1"
ok "nobody cannot read the township store" bash -c "! runuser -u nobody -- cat '$WORK/t/$TOWN.db' >/dev/null 2>&1"
ok "(nobody can enter the opened directory: the test means something)" as_nobody ls "$WORK/v"

# 3. The node refuses such a directory, naming it and the chmod.
REFUSE_PROBE="sqlite3 $WORK/v/$VIL.db .dump"
refuse "village log refuses a 0755 data dir" 1 "错误：数据目录 $WORK/v 的权限为 0755，本机其他用户可以进入：请运行 chmod 700 $WORK/v" \
    vil log --data-dir "$WORK/v" --client 王五 --phone 13900139000 --item YB003
refuse "village serve refuses it too" 1 "请运行 chmod 700 $WORK/v" timeout 10 "$V" serve --place $VIL --data-dir "$WORK/v"
refuse "village ledger refuses it too" 1 "请运行 chmod 700 $WORK/v" vil ledger --data-dir "$WORK/v"
REFUSE_PROBE="sqlite3 $WORK/t/$TOWN.db .dump"
refuse "township serve refuses a 0755 data dir (English)" 1 "error: the data directory $WORK/t has mode 0755, so other local users can enter it: run chmod 700 $WORK/t" \
    env LANG=en timeout 10 "$T" serve --place $TOWN --data-dir "$WORK/t"
chmod 700 "$WORK/v" "$WORK/t"

# 4. A store file others can read (copied in, or made under an old umask).
chmod 644 "$WORK/v/$VIL.db"
REFUSE_PROBE="sqlite3 $WORK/v/$VIL.db .dump"
refuse "village serve refuses a 0644 store" 1 "错误：本地数据文件 $WORK/v/$VIL.db 的权限为 0644，本机其他用户可以读取：请运行 chmod 600 $WORK/v/$VIL.db" \
    timeout 10 "$V" serve --place $VIL --data-dir "$WORK/v"
chmod 600 "$WORK/v/$VIL.db"
chmod 640 "$WORK/t/$TOWN.db"
REFUSE_PROBE="sqlite3 $WORK/t/$TOWN.db .dump"
refuse "township register refuses a group-readable store" 1 "请运行 chmod 600 $WORK/t/$TOWN.db" \
    town register --data-dir "$WORK/t" --client 吴十 --phone 13307965555 --item GH001
chmod 600 "$WORK/t/$TOWN.db"
REFUSE_PROBE=

# 5. An operator's own directory, made 0755 before the first command: refused,
#    and nothing is created in it.
mkdir -m 755 "$WORK/pre"
refuse "a new store in a pre-made 0755 directory is refused" 1 "请运行 chmod 700 $WORK/pre" \
    vil log --data-dir "$WORK/pre" --client 王五 --phone 13900139000 --item YB003
eq "nothing was created there" "" "$(ls -A "$WORK/pre")"
chmod 700 "$WORK/pre"
ok "after the chmod the same command works" vil log --data-dir "$WORK/pre" --client 王五 --phone 13900139000 --item YB003
eq "and its store is 0600" 600 "$(mode "$WORK/pre/$VIL.db")"
ok "the fixed stores work again" vil ledger --data-dir "$WORK/v"
finish
