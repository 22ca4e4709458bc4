#!/usr/bin/env bash
# The township window's screens in headless Chromium (tests/browser/township.py)
# with the whole chain running: broker, county (real PostgreSQL), township and
# village, each a real daemon.  A village logs a case on the command line; the
# window pre-reviews it in the browser and issues the one-time notice; the
# agent's village page shows the checklist and the agent supplements there;
# the window accepts (容缺) and forwards; the village page, never reloaded,
# shows the county's status.  The API refuses what it must.  Screenshots of
# every screen: build/browser-shots/township-*.png.
source "$(dirname "$0")/../integration/lib.sh"
need_pg
source "$TB_SOURCE/tests/integration/one-of-each.sh"
SHOTS=$TB_BUILD/browser-shots
mkdir -p "$SHOTS"
rm -f "$SHOTS"/township-*.png
freeport() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tport=$(freeport)
vport=$(freeport)
# The accounts, as the county would send them (test-signin.sh covers the sending).
"$TB_SEED" "$WORK/t" $TOWN 1 li.win 李窗口 window $TOWN 'Li-Chuang-Kou-1' aud.t 镇审计 auditor $TOWN 'Shen-Ji-Yuan-1' \
    >/dev/null && "$TB_SEED" "$WORK/v" $VIL 1 zhang.agent 张代办 agent $VIL 'Zhang-Dai-Ban-1' >/dev/null ||
    { echo "Bail out! cannot seed the accounts"; exit 1; }
VIL_LOGIN=zhang.agent VIL_PW=$(pwfile vil Zhang-Dai-Ban-1) TOWN_LOGIN=li.win TOWN_PW=$(pwfile town Li-Chuang-Kou-1)
start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t" --agent 窗口李 --service-phone 0796-5320000 \
    --http "127.0.0.1:$tport"
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --agent 张代办 --service-phone 0796-5321234 \
    --http "127.0.0.1:$vport"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/api/me")" = 401 ]; }
ok "the township serves its screens" tb_wait_for 30 up "$tport"
ok "the village serves its screens" tb_wait_for 30 up "$vport"
case_id=$(vil log --client 刘桂兰 --phone 13807961111 --item YB003 --materials 居民身份证)
ok "the village logged a county item" test -n "$case_id"
in_inbox() { town inbox --json | jq -e ".[] | select(.case_id==\"$case_id\" and .state==\"prereview\")" >/dev/null; }
ok "the case reaches the township's inbox" tb_wait_for 30 in_inbox
/usr/bin/python3 "$TB_SOURCE/tests/browser/township.py" "http://127.0.0.1:$tport" \
    "http://127.0.0.1:$vport" "$case_id" "$SHOTS" >"$WORK/browser.out" 2>&1
rc=$?
sed 's/^/# /' "$WORK/browser.out"
eq "every browser check passed (township.py)" 0 "$rc"
ok "a screenshot of every screen" test "$(ls "$SHOTS"/township-*.png 2>/dev/null | wc -l)" -ge 9
eq "the county holds the case" county "$(cstate "$case_id" state)"
steps() { town show "$case_id" --json | jq -r '[.history[].event] | join(" ")'; }
all_steps() { [ "$(steps)" = "logged submitted received notice supplemented pledged forwarded received" ]; }
ok "the command line sees what the page did, and the county's receipt" tb_wait_for 30 all_steps
refuse "a second township serve on a busy address" 1 "127.0.0.1:$tport" \
    "$T" serve --place $TOWN --data-dir "$WORK/t2" --agent 窗口李 --http "127.0.0.1:$tport"
stop vil
stop town
stop county
stop broker
finish
