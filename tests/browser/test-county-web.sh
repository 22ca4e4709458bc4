#!/usr/bin/env bash
# The county supervisors' dashboard in headless Chromium (tests/browser/county.py)
# over the statistics scenario (tests/integration/stats-national-day-2026.sql) and a case
# accepted today, with the real broker and county daemon.  Screenshots of
# every screen: build/browser-shots/county-*.png.
source "$(dirname "$0")/../integration/lib.sh"
need_pg
COUNTY=360826000000
export TONGBAN_PLACE=$COUNTY TONGBAN_DB=$DB TONGBAN_BROKER=ipc://$WORK/broker.sock
SHOTS=$TB_BUILD/browser-shots
mkdir -p "$SHOTS"
rm -f "$SHOTS"/county-*.png
PW='Jian-Cha-2026!'
eq "migrate" "数据库结构已是最新" "$("$C" migrate)"
# The daemon before the scenario: its rows, written by SQL with no fold
# behind them, stay out of the daemon's memory (it would supervise them).
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start broker "$BROKER" serve
start county "$C" serve --http "127.0.0.1:$port"
up() { /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2)" 2>/dev/null; }
ok "the county serves its dashboard" tb_wait_for 30 up
serving() { grep -q "serving\|ready\|listening" "$WORK/county.log"; }
ok "the county loaded its cases" tb_wait_for 30 serving
ok "load the scenario" tb_psql "$PGDIR" -f "$TB_SOURCE/tests/integration/stats-national-day-2026.sql"
printf '%s\n' "$PW" | "$C" account add sup --name 王督办 --role supervisor --scope $COUNTY >/dev/null
# A case logged and accepted now, at a village of 澄江镇 (through the trigger, as the county writes it).
today_case() {
    tb_psql "$PGDIR" -c "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code,
        note, accept_time, state, holder, pending, version, updated_at)
        VALUES ('360826100001-' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-$1',
        '360826100001', '李四', '13900000000', '张代办', 'NB001', '', now(), 'prereview',
        '360826100000', '', 1, now())" \
        -c "UPDATE cases SET state = 'accepted', updated_at = now(), due_at = now() + interval '14 days'
            WHERE case_id LIKE '%-$1'"
}
ok "a case accepted today" today_case 0901
# A complaint filed now by the village about a scenario case (issue 11): the
# COMPLAINED event as the county stores it, its Item packed by hand
# (tongban.proto: Item.event 1; origin 1, seq 2, case 3, type 4 = 30, actor 5,
# at_ms 6, reason 9, complaint_kind 40).
complaint_hex() {
    /usr/bin/python3 - "$1" <<'PY'
import sys, time
def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def field(num, wire, payload):
    return varint(num << 3 | wire) + (varint(len(payload)) + payload if wire == 2 else payload)
s = lambda num, text: field(num, 2, text.encode())
ev = (s(1, "360826100001") + field(2, 0, varint(900)) + s(3, sys.argv[1]) + field(4, 0, varint(30))
      + s(5, "张代办") + field(6, 0, varint(int(time.time() * 1000))) + s(9, "窗口推诿，材料一次没说清")
      + s(40, "complaint"))
print(field(1, 2, ev).hex())
PY
}
file_complaint() {
    tb_psql "$PGDIR" -c "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name,
        actor, at, target, reason, via, folded, body) VALUES ('360826100001', 900, '$1', 30,
        'complained', '张代办', now(), '', '窗口推诿，材料一次没说清', '360826100000', true,
        decode('$(complaint_hex "$1")', 'hex'))"
}
ok "a complaint filed about a scenario case" file_complaint 360826102001-20260925-0001
eq "the county reads it back as an open complaint" "filed 360826102001-20260925-0001" \
    "$("$C" complaint list --json | jq -r '.[0] | "\(.state) \(.case_id)"')"
export -f today_case tb_psql
export PGDIR TB_PG_BIN
/usr/bin/python3 "$TB_SOURCE/tests/browser/county.py" "http://127.0.0.1:$port" sup "$PW" "$SHOTS" \
    "today_case 0902" >"$WORK/browser.out" 2>&1
rc=$?
sed 's/^/# /' "$WORK/browser.out"
eq "every browser check passed (county.py)" 0 "$rc"
ok "a screenshot of every screen" test "$(ls "$SHOTS"/county-*.png 2>/dev/null | wc -l)" -ge 7
refuse "a second county serve on a busy address" 1 "127.0.0.1:$port" \
    "$C" serve --http "127.0.0.1:$port"
stop county
stop broker
finish
