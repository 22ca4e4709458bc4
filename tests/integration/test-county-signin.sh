#!/usr/bin/env bash
# Issue 8: the county's command line signs in (county-node/county_signin.c).
# Every step that changes a case, a complaint, a rating or the supervision
# limits takes --login and a password (TONGBAN_PASSWORD_FILE, 0600, or typed
# without echo), checked against the county's accounts with the dashboard's
# lockout; the role must fit the step and the case lie in the account's
# scope; the login is the actor in county_commands, in the case's events and
# in the audit.  Every refusal exits 3 and writes nothing.  A county without
# accounts takes no step until the operator adds the first supervisor.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
export TONGBAN_PLACE=$COUNTY TONGBAN_DB=$DB
unset TONGBAN_PASSWORD_FILE
PW=Shen-pi-2026 TOWN2=360826102000
sql() { tb_psql "$PGDIR" -c "$1"; }
add() { printf '%s\n' "$PW" | "$C" account add "$1" --name "$2" --role "$3" --scope "$4" >/dev/null; }
# as PWFILE ARGS... LOGIN: a county command signed in as LOGIN with the password in PWFILE.
as() { local f=$1 l=${!#}; set -- "${@:2:$#-2}"; TONGBAN_PASSWORD_FILE=$f "$C" "$@" --login "$l"; }
RIGHT=$(pwfile right "$PW") WRONG=$(pwfile wrong not-the-password-1)

# What a county step may change, and the audit: a refusal leaves all of it as it was.
pgstate() {
    tb_psql "$PGDIR" -c "SELECT origin_node, origin_seq, case_id, type, actor FROM case_events ORDER BY 1, 2" \
        -c "SELECT case_id, state FROM cases ORDER BY 1" -c "SELECT count(*) FROM county_commands" \
        -c "SELECT case_id, revisited_by, rectified_by, appeal, reviewed_by FROM rectifications ORDER BY 1" -c "SELECT name, days, changed_by FROM limits ORDER BY 1" \
        -c "SELECT count(*) FROM account_audit" | md5sum
}

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
start broker "$BROKER" serve
start county "$C" serve --http "127.0.0.1:$port"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
k=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证,住院发票原件,费用清单,出院小结,银行卡复印件)
ok "a county item is accepted and forwarded at the window" eval 'town accept "$k" >/dev/null && town forward "$k" >/dev/null'
at_county() { [ "$(cstate "$k" state)" = county ]; }
ok "the county holds it" tb_wait_for 30 at_county

# A fresh county: no account yet, so no step; the refusal says how to begin.
REFUSE_PROBE=pgstate
refuse "no account yet: --agent is refused, use --login" 3 "县级不以 --agent 记录经办人：请用 --login" \
    "$C" decide "$k" --grant --agent 审批王
refuse "no account yet: the operator adds the first supervisor" 3 "tongban-county account add" "$C" decide "$k" --grant
refuse "no account yet: any login is refused" 3 "签到失败：登录名或密码不对" as "$RIGHT" decide "$k" --grant zhao.sup

REFUSE_PROBE=
ok "the operator adds the first supervisor" add zhao.sup 赵督办 supervisor $COUNTY
ok "and a back office, an auditor, a window, and one more back office" eval \
    'add sun.bo 孙后台 backoffice $COUNTY && add li.aud 李审计 auditor $COUNTY && add zhou.win 周窗口 window $TOWN && add qian.bo 钱后台 backoffice $COUNTY && add lock.bo 郑后台 backoffice $COUNTY'
# No role of a county account is narrower than the county today; a back office
# whose scope is another township (as if edited in the store) shows the check.
ok "qian.bo's scope narrowed to another township in the store" sql "UPDATE accounts SET scope = '$TOWN2' WHERE login = 'qian.bo'"

REFUSE_PROBE=pgstate
refuse "--agent alone: exit 3, use --login" 3 "请用 --login 登录名" "$C" decide "$k" --grant --agent 审批王
refuse "no login at all: exit 3" 3 "县级改动须以本人账号签到" "$C" suspend "$k" --basis survey
refuse "a wrong password: exit 3" 3 "签到失败：登录名或密码不对" as "$WRONG" decide "$k" --grant sun.bo
refuse "an unknown login: the same words" 3 "签到失败：登录名或密码不对" as "$RIGHT" decide "$k" --grant nobody
refuse "an auditor may not decide" 3 "账号 li.aud（审计）不能办理「decide」" as "$RIGHT" decide "$k" --grant li.aud
refuse "window staff are not county staff" 3 "不能办理「suspend」" as "$RIGHT" suspend "$k" --basis survey zhou.win
refuse "back office may not supervise (督办)" 3 "须由县级督办签到办理" \
    as "$RIGHT" supervise "$k" --due 2099-12-31 --text 请加快办理 sun.bo
refuse "back office may not review an appeal (申诉复核)" 3 "不能办理「ratings review」" \
    as "$RIGHT" ratings review "$k" --approve --text 成立 sun.bo
refuse "back office may not set a supervision limit" 3 "不能办理「limits set」" as "$RIGHT" limits set revisit_days 2 sun.bo
refuse "a case outside the account's scope: exit 3" 3 "不在账号 qian.bo 的范围（$TOWN2）内" \
    as "$RIGHT" decide "$k" --grant qian.bo
refuse "no password file and no terminal: exit 3" 3 "没有密码" "$C" decide "$k" --grant --login sun.bo </dev/null
chmod 644 "$RIGHT"
refuse "a password file others can read: exit 3" 3 "chmod 600" as "$RIGHT" decide "$k" --grant sun.bo
chmod 600 "$RIGHT"
ok "a disabled account" "$C" account disable li.aud
refuse "a disabled account: exit 3, named" 3 "账号 li.aud 已停用" as "$RIGHT" decide "$k" --grant li.aud

# One lockout with the dashboard: four failures there and one here lock the
# login at both (COUNTY_FAIL_MAX 5); the right password is then refused too.
web() { /usr/bin/python3 "$TB_SOURCE/tests/integration/webreq.py" "$WORK/jar" POST "$URL/api/login" "$1" | head -1; }
up() { /usr/bin/python3 "$TB_SOURCE/tests/integration/webreq.py" "$WORK/nojar" GET "$URL/" >/dev/null 2>&1; }
ok "the dashboard is up" tb_wait_for 30 up
eq "four failed sign-ins at the dashboard" "401 401 401 401" \
    "$(for i in 1 2 3 4; do web '{"login":"lock.bo","password":"wrong-wrong"}'; done | paste -sd' ')"
refuse "a fifth failure on the command line" 3 "签到失败：登录名或密码不对" as "$WRONG" decide "$k" --grant lock.bo
refuse "locked on the command line, the right password too" 3 "账号 lock.bo 签到失败次数过多，已暂时锁定" \
    as "$RIGHT" decide "$k" --grant lock.bo
REFUSE_PROBE=
eq "locked at the dashboard as well" 423 "$(web '{"login":"lock.bo","password":"'"$PW"'"}')"

# Each step with the right role: the login is the actor everywhere.
ok "back office suspends" as "$RIGHT" suspend "$k" --basis survey sun.bo
ok "the supervisor resumes" as "$RIGHT" resume "$k" zhao.sup
ok "the supervisor supervises (督办)" as "$RIGHT" supervise "$k" --due 2099-12-31 --text 请加快办理 zhao.sup
ok "back office decides" as "$RIGHT" decide "$k" --grant sun.bo
ok "back office issues the result" as "$RIGHT" result "$k" sun.bo
actors() { "$C" show "$k" --json | jq -r '[.history[] | select(.origin == "'$COUNTY'" and .actor != "") | "\(.event) \(.actor)"] | join(",")'; }
eq "show --json: the county's steps name the logins" \
    "suspended sun.bo,resumed zhao.sup,supervised zhao.sup,decided sun.bo,result sun.bo" "$(actors)"
eq "county_commands: the logins" "sun.bo,zhao.sup,zhao.sup,sun.bo,sun.bo" \
    "$(sql "SELECT string_agg(actor, ',' ORDER BY id) FROM county_commands")"
eq "audit --case: each sign-in with its step" \
    "sun.bo signin suspend,zhao.sup signin resume,zhao.sup signin supervise,sun.bo signin decide,sun.bo signin result" \
    "$("$C" audit --case "$k" --json | jq -r '[.[] | select(.action == "signin") | "\(.actor) \(.action) \(.detail | split(" ")[0])"] | join(",")')"
ok "audit --login names the account's sign-ins" contains "$("$C" audit --login sun.bo)" "signin"
ok "the supervisor sets a limit" as "$RIGHT" limits set revisit_days 2 zhao.sup
eq "the limit names who changed it" "2 zhao.sup" \
    "$("$C" limits list --json | jq -r '.[] | select(.name == "revisit_days") | "\(.days) \(.changed_by)"')"
ok "the supervisor sets it back" as "$RIGHT" limits set revisit_days 1 zhao.sup

# Complaints: back office files one for a resident; only a supervisor accepts.
filed=$(as "$RIGHT" complaint file "$k" --text 办理太慢 sun.bo)
cid=$(sed -n 's/^投诉 \([0-9]*\)（.*：已登记.*/\1/p' <<<"$filed")
ok "back office files a complaint" matches "$cid" '^[0-9]+$'

REFUSE_PROBE=pgstate
refuse "back office may not accept it" 3 "须由县级督办签到办理" as "$RIGHT" complaint accept "$cid" sun.bo
REFUSE_PROBE=
ok "the supervisor accepts it" as "$RIGHT" complaint accept "$cid" zhao.sup
eq "the complaint's steps name the logins" "sun.bo zhao.sup" \
    "$("$C" complaint show "$cid" --json | jq -r '[.history[].actor] | join(" ")')"

# At a terminal: asked once, never echoed.
out=$(/usr/bin/python3 "$TB_SOURCE/tests/integration/tty-password.py" "$PW" "$C" complaint assign "$cid" \
    --to county --login zhao.sup)
eq "at a terminal: asked once, never echoed, done" "0 1 0" \
    "$? $(grep -c '^密码：' <<<"$out") $(grep -c -- "$PW" <<<"$out")"
ok "read-only commands need no sign-in" eval '"$C" cases >/dev/null && "$C" complaint list >/dev/null && "$C" ratings list >/dev/null && "$C" cards >/dev/null'
ok "show still records who viewed it" contains "$("$C" audit --case "$k")" "view"
finish
