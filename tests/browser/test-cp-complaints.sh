#!/usr/bin/env bash
# Complaints (投诉, issue 11) at the screens, with the whole chain running
# (broker, county on PostgreSQL, township, village, each a real daemon):
# the village agent files one on the case's page (cp_complaints.py village),
# the county accepts it and assigns it to the township on its command line,
# the window sees it on its 投诉 screen, marked ours to answer, and answers
# through the 反馈 form (cp_complaints.py township); the county's
# `complaint show` has the answer.  Screenshots: build/browser-shots/cp-*.png.
source "$(dirname "$0")/../integration/lib.sh"
need_pg
source "$TB_SOURCE/tests/integration/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
SHOTS=$TB_BUILD/browser-shots
mkdir -p "$SHOTS"
rm -f "$SHOTS"/cp-*.png
freeport() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tport=$(freeport)
vport=$(freeport)
"$TB_SEED" "$WORK/t" $TOWN 1 li.win 李窗口 window $TOWN 'Li-Chuang-Kou-1' aud.t 镇审计 auditor $TOWN 'Shen-Ji-Yuan-1' \
    >/dev/null && "$TB_SEED" "$WORK/v" $VIL 1 zhang.agent 张代办 agent $VIL 'Zhang-Dai-Ban-1' >/dev/null ||
    { echo "Bail out! cannot seed the accounts"; exit 1; }
# Both nodes hold account lists: their command lines sign in (common/tb_signin_cli.h).
VIL_LOGIN=zhang.agent VIL_PW=$(pwfile vil Zhang-Dai-Ban-1) TOWN_LOGIN=li.win TOWN_PW=$(pwfile town Li-Chuang-Kou-1)
start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t" --agent 窗口李 --http "127.0.0.1:$tport"
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --agent 张代办 --http "127.0.0.1:$vport"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/api/me")" = 401 ]; }
ok "the township serves its screens" tb_wait_for 30 up "$tport"
ok "the village serves its screens" tb_wait_for 30 up "$vport"
A=$(vil log --client 刘桂兰 --phone 13807961111 --item YB003 --materials 居民身份证)
ok "the village logged a case" test -n "$A"
browser() {
    /usr/bin/python3 "$TB_SOURCE/tests/browser/cp_complaints.py" "$@" "$A" "$SHOTS" >"$WORK/$1.out" 2>&1
    local rc=$?
    sed 's/^/# /' "$WORK/$1.out"
    eq "every browser check passed (cp_complaints.py $1)" 0 "$rc"
}
browser village "http://127.0.0.1:$vport"
cpf() { county complaint list --state all --json | jq -r ".[] | select(.case_id==\"$A\") | .$1"; }
ok "the county has the village's complaint" tb_wait_for 30 eval '[ "$(cpf state)" = filed ]'
ID=$(cpf id)
ok "受理" county complaint accept "$ID"
ok "流转 to the township" county complaint assign "$ID" --to $TOWN
assigned() { town show "$A" --json | jq -e '[.history[].event] | index("complaint_assigned")' >/dev/null; }
ok "the township has the assignment" tb_wait_for 30 assigned
browser township "http://127.0.0.1:$tport"
replied() { county complaint show "$ID" --json | jq -e '.state == "replied"' >/dev/null; }
ok "the county has the window's answer" tb_wait_for 30 replied
eq "the county's complaint show has the reply's words" "已约谈窗口人员，向群众一次说清所需材料" \
    "$(county complaint show "$ID" --json | jq -r .reply)"
ok "screenshots of the screens" test "$(ls "$SHOTS"/cp-*.png 2>/dev/null | wc -l)" -ge 5
stop vil
stop town
stop county
stop broker
finish
