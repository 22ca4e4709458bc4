#!/usr/bin/env bash
# Issue 8, authority on every message: what a node is not entitled to send is
# refused at the node it reaches, counted per peer, and logged naming the
# peer; the link goes on.  Each forgery is put on the sender's link by forge
# (a stopped node's outbox, as the node itself queues), and the real daemons
# carry it over the real CURVE link:
#  - a village sends its township a REJECTED of the township's walk-in case
#    (that would take the case out of the township's inbox);
#  - a village sends its township a status update "closed" of that case;
#  - a township sends the county a status update (the county lists what it
#    refused per node: tongban-county refused);
#  - a township sends its village catalog version 4294967295 (that would
#    block every later version: only the next one, current + 1, is taken).
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county() { "$C" "$@" --place $COUNTY --db "$DB"; }

w=$(town register --client 周九 --phone 13207964444 --item GH001 --note 窗口)
first=$(vil log --client 王五 --phone 13900139000 --item YB003 --note 住院)
in_inbox() { town inbox --json | jq -e --arg id "$w" '[.[] | select(.case_id == $id)] | length == 1' >/dev/null; }
ok "the walk-in case is in the township's inbox" in_inbox

ok "forge: the village's REJECTED of the walk-in" "$TB_FORGE" "$WORK/v" $VIL $TOWN rejected "$w" $COUNTY
ok "forge: the village's status 'closed' of the walk-in" "$TB_FORGE" "$WORK/v" $VIL $TOWN status "$w" closed 99
ok "forge: the township's status 'closed' of its walk-in, to the county" "$TB_FORGE" "$WORK/t" $TOWN $COUNTY status "$w" closed 99
ok "forge: the township's catalog version 4294967295" "$TB_FORGE" "$WORK/t" $TOWN $VIL data catalog 4294967295 "$TB_SOURCE/data/catalog.csv"
last=$(vil log --client 吴十 --phone 13307965555 --item YB003 --note 住院)

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

county_has() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'" 2>/dev/null)" = 1 ]; }
ok "the village's case after the forgeries reaches the county" tb_wait_for 30 county_has "$last"
ok "the walk-in case is still in the township's inbox" in_inbox
eq "the township's copy of the walk-in is not closed" "" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT county_state FROM cases WHERE case_id='$w' AND county_state='closed'")"
eq "the township kept both forgeries aside" 2 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM quarantine WHERE peer='$VIL'")"
eq "the township counted them against the village" 2 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT value FROM counters WHERE name='refused $VIL'")"
ok "the township logged the refusal naming the village" grep -q "from $VIL.*refused" "$WORK/town.log"
eq "the county lists one message refused from the township" "1 townships send events only" \
    "$(county refused --json | jq -r --arg p $TOWN '.[] | select(.peer == $p) | "\(.refused) \(.last_why)"')"
ok "the county's text listing names the township" contains "$(county refused)" "$TOWN  拒收 1 条"

# The county's real version 1 reaches the village past the forged one.
grep -v '^HJ001,' "$TB_SOURCE/data/catalog.csv" >"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" contains "$(county catalog import "$WORK/catalog-v1.csv")" "已导入事项目录第 1 版"
vcat() { [ "$(vil items --json | jq .catalog_version)" = 1 ]; }
ok "the village is on catalog version 1" tb_wait_for 60 vcat
eq "the village never stored version 4294967295" 0 \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM data_versions WHERE version > 1")"
eq "the village counted it against its township" 1 \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT value FROM counters WHERE name='refused $TOWN'")"
ok "the village logged the refusal naming the township and both versions" \
    grep -q "from $TOWN.*catalog version 4294967295.*not the next one (1)" "$WORK/vil.log"

# Only the next version is taken, so the county sends each one in order: two
# imports while the county and the township are stopped (so the county
# finds both at once) reach the township and the village one by one.
stop town
stop county
sed 's/住院/住院治疗/' "$WORK/catalog-v1.csv" >"$WORK/catalog-v2.csv"
grep -v '^GH001,' "$WORK/catalog-v2.csv" >"$WORK/catalog-v3.csv"
ok "the county imports catalog version 2" contains "$(county catalog import "$WORK/catalog-v2.csv")" "已导入事项目录第 2 版"
ok "the county imports catalog version 3" contains "$(county catalog import "$WORK/catalog-v3.csv")" "已导入事项目录第 3 版"
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
vcat3() { [ "$(vil items --json | jq .catalog_version)" = 3 ]; }
ok "the village is on catalog version 3" tb_wait_for 60 vcat3
eq "the township stored versions 1, 2 and 3" "1 2 3" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT group_concat(version, ' ') FROM (SELECT version FROM data_versions WHERE kind='catalog' ORDER BY version)")"
finish
