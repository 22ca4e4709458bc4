#!/usr/bin/env bash
# People (issue 8): the county's accounts and the audit, on a real PostgreSQL.
# Every account command and every refusal (exit status, words, nothing
# written), the stored rate limit of `account check`, the audit trail of
# changes and of `show`, the audit's append-only triggers, and no password in
# clear anywhere: output, logs, the database.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
export TONGBAN_PLACE=$COUNTY TONGBAN_DB=$DB
PW1='Qiu-ju-2026!' PW2='Zhang-San-Li-Si' PW3='Yun-Nan-88' BAD1='guess-0001'
ME="os:$(id -un)"
acct() { "$C" account "$@"; }
sql() { tb_psql "$PGDIR" -c "$1"; }
# Everything the accounts can change, for "nothing written".
pgstate() {
    tb_psql "$PGDIR" -c "SELECT login, name, role, scope, enabled, pw_hash, version FROM accounts ORDER BY 1" \
        -c "SELECT count(*) FROM account_audit" -c "SELECT count(*) FROM view_audit" \
        -c "SELECT count(*) FROM login_failures" 2>&1 | md5sum
}
REFUSE_PROBE=pgstate
eq "migrate creates the schema" "数据库结构已是最新" "$("$C" migrate)"

# --- add, with the password on stdin (never argv, never the environment)
eq "add a county supervisor" "已添加账号：wang.sup" \
    "$(printf '%s\n' "$PW1" | acct add wang.sup --name 王督办 --role supervisor --scope $COUNTY)"
eq "add a township window" "已添加账号：li.win" \
    "$(printf '%s\n' "$PW2" | acct add li.win --name 李窗口 --role window --scope $TOWN)"
eq "add a village agent" "已添加账号：zhang.agent" \
    "$(printf '%s\n' "$PW3" | acct add zhang.agent --name 张代办 --role agent --scope $VIL)"
eq "add an auditor at the county" "account added: audit1" \
    "$(printf '%s\n' "$PW3" | LANG=en acct add audit1 --name 审计员 --role auditor --scope $COUNTY)"
eq "the hash is Argon2id" "4" "$(sql "SELECT count(*) FROM accounts WHERE pw_hash LIKE '\$argon2id\$v=19\$m=65536,t=2,p=1\$%'")"
eq "list: four accounts" "共 4 个账号" "$(acct list | tail -n 1)"
eq "list --json: roles and scopes" "auditor $COUNTY,window $TOWN,supervisor $COUNTY,agent $VIL" \
    "$(acct list --json | jq -r '[.[] | "\(.role) \(.scope)"] | join(",")')"
eq "list shows the role's label and the place" "1" "$(acct list | grep -c "^li.win .*李窗口  乡镇窗口  $TOWN")"

# --- refusals: exact status, the words, nothing written
refuse "unknown role" 1 "未知角色" sh -c "echo '$PW1' | '$C' account add a1 --name 甲 --role boss --scope $COUNTY"
refuse "unknown role (English)" 1 "unknown role (supervisor, backoffice, window, agent, auditor): boss" \
    sh -c "echo '$PW1' | LANG=en '$C' account add a1 --name 甲 --role boss --scope $COUNTY"
refuse "a scope of another county" 1 "范围不是本县的区划" sh -c "echo '$PW1' | '$C' account add a1 --name 甲 --role supervisor --scope 360827000000"
refuse "a scope not in the place data" 1 "范围不是本县的区划" sh -c "echo '$PW1' | '$C' account add a1 --name 甲 --role window --scope 360826999000"
refuse "a scope that is not a code" 1 "the scope is not a place of this county" sh -c "echo '$PW1' | LANG=en '$C' account add a1 --name 甲 --role window --scope town"
refuse "an agent scoped to a township" 1 "角色与范围的层级不符" sh -c "echo '$PW1' | '$C' account add a1 --name 甲 --role agent --scope $TOWN"
refuse "a window scoped to the county" 1 "角色与范围的层级不符" sh -c "echo '$PW1' | '$C' account add a1 --name 甲 --role window --scope $COUNTY"
refuse "a supervisor scoped to a village" 1 "the role does not fit the scope's level" sh -c "echo '$PW1' | LANG=en '$C' account add a1 --name 甲 --role supervisor --scope $VIL"
refuse "an auditor scoped to a village" 1 "角色与范围的层级不符" sh -c "echo '$PW1' | '$C' account add a1 --name 甲 --role auditor --scope $VIL"
refuse "a duplicate login" 1 "登录名已存在：li.win" sh -c "echo '$PW1' | '$C' account add li.win --name 甲 --role window --scope $TOWN"
refuse "a bad login" 1 "登录名须为 1 至 32 个小写字母" sh -c "echo '$PW1' | '$C' account add 'Li Win' --name 甲 --role window --scope $TOWN"
refuse "an empty name" 1 "" sh -c "echo '$PW1' | '$C' account add a1 --name '' --role window --scope $TOWN"
refuse "a password of 7 characters" 1 "密码太弱" sh -c "echo 'abcd123' | '$C' account add a1 --name 甲 --role window --scope $TOWN"
refuse "a password of only digits" 1 "not only digits" sh -c "echo '1234567890' | LANG=en '$C' account add a1 --name 甲 --role window --scope $TOWN"
refuse "a password with a control character" 1 "密码太弱" sh -c "printf 'abc\001defgh\n' | '$C' account add a1 --name 甲 --role window --scope $TOWN"
refuse "a password of 300 bytes" 1 "密码太弱" sh -c "head -c 300 /dev/zero | tr '\0' a | '$C' account add a1 --name 甲 --role window --scope $TOWN"
refuse "no password on stdin" 1 "没有读到密码" sh -c "'$C' account add a1 --name 甲 --role window --scope $TOWN </dev/null"
refuse "no password in argv" 2 "--password" "$C" account add a1 --name 甲 --role window --scope $TOWN --password "$PW1"
refuse "add without a role" 2 "用法" "$C" account add a1 --name 甲 --scope $TOWN
refuse "an unknown subcommand" 2 "用法" "$C" account remove li.win
refuse "disable an unknown login" 1 "没有这个登录名：nobody" "$C" account disable nobody
refuse "enable an unknown login" 1 "没有这个登录名" "$C" account enable nobody
refuse "passwd of an unknown login" 1 "no such login: nobody" sh -c "echo '$PW2' | LANG=en '$C' account passwd nobody"
refuse "passwd: a weak new password" 1 "密码太弱" sh -c "echo 12345678 | '$C' account passwd li.win"
refuse "audit: a malformed date" 1 "日期应为 YYYY-MM-DD：2026-13-01" "$C" audit --since 2026-13-01

# --- check: exit 0 or 1
ok "check: the right password" sh -c "echo '$PW2' | '$C' account check li.win"
REFUSE_PROBE=""
refuse "check: a wrong password" 1 "登录名或密码错误：li.win" sh -c "echo '$BAD1' | '$C' account check li.win"
refuse "check: an unknown login says the same" 1 "登录名或密码错误：nobody" sh -c "echo '$BAD1' | '$C' account check nobody"
eq "the right password clears the failures" "0" \
    "$(echo "$PW2" | acct check li.win >/dev/null; sql "SELECT count(*) FROM login_failures WHERE login = 'li.win'")"

# --- disable, enable, passwd
eq "disable" "已停用账号：zhang.agent" "$(acct disable zhang.agent)"
refuse "check: a disabled account" 1 "账号已停用" sh -c "echo '$PW3' | '$C' account check zhang.agent"
eq "list shows it disabled" "1" "$(acct list | grep -c '^zhang.agent .*停用')"
eq "enable" "已启用账号：zhang.agent" "$(acct enable zhang.agent)"
ok "check: enabled again" sh -c "echo '$PW3' | '$C' account check zhang.agent"
v1=$(sql "SELECT version FROM accounts WHERE login = 'li.win'")
eq "passwd" "已更改密码：li.win" "$(echo "$PW1" | acct passwd li.win)"
v2=$(sql "SELECT version FROM accounts WHERE login = 'li.win'")
ok "a change takes a newer version ($v1 -> $v2)" test "$v2" -gt "$v1"
refuse "check: the old password no longer" 1 "登录名或密码错误" sh -c "echo '$PW2' | '$C' account check li.win"
ok "check: the new password" sh -c "echo '$PW1' | '$C' account check li.win"

# --- at a terminal: asked twice, never echoed
TTY=$TB_SOURCE/tests/integration/tty-password.py
out=$(/usr/bin/python3 "$TTY" "$PW2,$PW2" "$C" account passwd li.win)
eq "passwd at a terminal: asked twice, done" "0 1 1" \
    "$? $(grep -c '^密码：' <<<"$out") $(grep -c '再输一次：' <<<"$out")"
eq "the terminal never echoed the password" "0" "$(grep -cF -- "$PW2" <<<"$out")"
ok "check: the password typed at the terminal" sh -c "echo '$PW2' | '$C' account check li.win"
out=$(/usr/bin/python3 "$TTY" "$PW1,$PW3" "$C" account passwd li.win)
eq "two different passwords at a terminal: refused" "1 1" "$? $(grep -c '两次输入的密码不同' <<<"$out")"
ok "and the password did not change" sh -c "echo '$PW2' | '$C' account check li.win"
out=$(/usr/bin/python3 "$TTY" "$PW2" "$C" account check li.win)
eq "check at a terminal asks once" "0 0" "$? $(grep -c '再输一次' <<<"$out")"

# --- the rate limit: 5 failures in 15 minutes, stored; then not even the right password
for i in 1 2 3 4 5; do echo "$BAD1" | acct check wang.sup 2>/dev/null; done
refuse "locked after 5 failures, the right password too" 1 "失败次数过多" sh -c "echo '$PW1' | '$C' account check wang.sup"
eq "a refusal while locked stores no failure" "5" "$(sql "SELECT count(*) FROM login_failures WHERE login = 'wang.sup'")"
refuse "other logins are not locked by it" 0 "" sh -c "echo '$PW3' | '$C' account check audit1"
for i in 1 2 3 4 5; do echo "$BAD1" | acct check ghost 2>/dev/null; done
refuse "an unknown login is locked the same way" 1 "失败次数过多" sh -c "echo '$BAD1' | '$C' account check ghost"
sql "UPDATE login_failures SET at = at - interval '16 minutes' WHERE login = 'wang.sup'"
ok "15 minutes later the right password works" sh -c "echo '$PW1' | '$C' account check wang.sup"

# --- the audit of changes
eq "every change is in the audit with who made it" \
    "$ME add wang.sup supervisor $COUNTY|$ME add li.win window $TOWN|$ME add zhang.agent agent $VIL|$ME add audit1 auditor $COUNTY|$ME disable zhang.agent |$ME enable zhang.agent |$ME passwd li.win |$ME passwd li.win " \
    "$("$C" audit --json | jq -r '[.[] | "\(.actor) \(.action) \(.target) \(.detail)"] | join("|")')"
eq "audit --login names one account's changes" "add disable enable" \
    "$("$C" audit --login zhang.agent --json | jq -r '[.[].action] | join(" ")')"
# --since is a day in China time (the county's).
eq "audit --since tomorrow: nothing" "共 0 条" "$("$C" audit --since "$(TZ=Asia/Shanghai date -d tomorrow +%F)")"
eq "audit --since today: all 8" "共 8 条" "$("$C" audit --since "$(TZ=Asia/Shanghai date +%F)" | tail -n 1)"

# --- show records who viewed the case's personal data
start broker "$BROKER" serve
start county "$C" serve
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
# li.win's list reaches the township once it links: its steps sign in.
TOWN_LOGIN=li.win TOWN_PW=$(pwfile town "$PW2")
k=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证,住院发票原件,费用清单,出院小结,银行卡复印件)
ok "the window accepts a county item" town accept "$k"
ok "and forwards it" town forward "$k"
at_county() { [ "$(cstate "$k" state)" = county ]; }
ok "the county holds it" tb_wait_for 30 at_county
ok "show" "$C" show "$k"
ok "show --json" "$C" show "$k" --json
eq "both views are in the audit" "$ME view $k show|$ME view $k show" \
    "$("$C" audit --case "$k" --json | jq -r '[.[] | "\(.actor) \(.action) \(.target) \(.detail)"] | join("|")')"
eq "audit --case leaves out the account changes" "共 2 条" "$("$C" audit --case "$k" | tail -n 1)"
REFUSE_PROBE=pgstate
refuse "show of an unknown case records nothing" 1 "没有这个办件" "$C" show $TOWN-20260101-9999
REFUSE_PROBE=""
# No record, no view: with the audit failing, show prints nothing of the case.
sql "CREATE FUNCTION no_views() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RAISE EXCEPTION 'audit down'; END\$\$;
     CREATE TRIGGER no_views BEFORE INSERT ON view_audit FOR EACH ROW EXECUTE FUNCTION no_views()"
refuse "a view that cannot be recorded: exit 1" 1 "错误" "$C" show "$k"
eq "a view that cannot be recorded is not shown" "" "$("$C" show "$k" 2>/dev/null)"
sql "DROP TRIGGER no_views ON view_audit"
stop town
stop county
stop broker

# --- append-only in the database
for t in account_audit view_audit; do
    refuse "UPDATE $t is refused by the database" 1 "append-only" tb_psql "$PGDIR" -c "UPDATE $t SET actor = 'x'"
    refuse "DELETE FROM $t is refused by the database" 1 "append-only" tb_psql "$PGDIR" -c "DELETE FROM $t"
    refuse "TRUNCATE $t is refused by the database" 1 "append-only" tb_psql "$PGDIR" -c "TRUNCATE $t"
done
eq "audit_record_view() records a view" "1" "$(sql "SELECT count(*) FROM (SELECT audit_record_view('x', 'c', 'screen')) s")"

# --- no password in clear: output, logs, the whole database
all=$({ acct list; acct list --json; "$C" audit; "$C" audit --json
    "$TB_PG_BIN/pg_dump" -h "$PGDIR" -U tongban tongban; cat "$WORK"/*.log "$PGDIR"/*.log 2>/dev/null; } 2>&1)
for p in "$PW1" "$PW2" "$PW3" "$BAD1"; do
    eq "no password in any listing, log or the database: ${p:0:3}..." "0" "$(printf '%s' "$all" | grep -cF -- "$p")"
done
ok "the dump did hold the accounts" grep -q 'argon2id' <<<"$all"
finish
