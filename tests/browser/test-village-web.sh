#!/usr/bin/env bash
# The village agent's screens in headless Chromium (tests/browser/village.py):
# a real tongban-village serve on a loopback port; the agent logs a case
# through the form (bad input first), prints the receipt, finds it in the
# ledger, opens its timeline, adds a note, prints the monthly ledger; the API
# refuses what it must.  Screenshots of every screen: build/browser-shots/.
source "$(dirname "$0")/../integration/lib.sh"
VIL=360826100001
SHOTS=$TB_BUILD/browser-shots
mkdir -p "$SHOTS"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The agent's account, as the county would send it (test-signin.sh covers the sending).
"$TB_SEED" "$WORK/v" $VIL 1 wang.agent 王代办 agent $VIL 'Wang-Dai-Ban-1' >/dev/null ||
    { echo "Bail out! cannot seed the accounts"; exit 1; }
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --agent 王代办 --service-phone 0796-5321234 \
    --broker "ipc://$WORK/broker.sock" --http "127.0.0.1:$port"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/me")" = 401 ]; }
ok "the village serves its screens" tb_wait_for 30 up
/usr/bin/python3 "$TB_SOURCE/tests/browser/village.py" "http://127.0.0.1:$port" "$SHOTS" >"$WORK/browser.out" 2>&1
rc=$?
sed 's/^/# /' "$WORK/browser.out"
eq "every browser check passed (village.py)" 0 "$rc"
eq "every change from the screens names the signed-in agent" "wang.agent" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT group_concat(DISTINCT actor) FROM events WHERE origin_node='$VIL'")"
eq "the case views are in the audit under the agent's login" true \
    "$("$V" audit --place $VIL --data-dir "$WORK/v" --json | jq '[.[] | select(.what == "view" and .login == "wang.agent")] | length > 0')"
ok "a screenshot of every screen" test "$(ls "$SHOTS"/village-*.png 2>/dev/null | wc -l)" -ge 7
# The same address twice: the second serve says so and stops.
refuse "a second serve on a busy address" 1 "127.0.0.1:$port" \
    "$V" serve --place $VIL --data-dir "$WORK/v2" --agent 王代办 --broker "ipc://$WORK/broker.sock" \
    --http "127.0.0.1:$port"
refuse "a malformed --http address" 1 "not-an-address" \
    "$V" serve --place $VIL --data-dir "$WORK/v3" --agent 王代办 --broker "ipc://$WORK/broker.sock" \
    --http not-an-address
stop vil
finish
