#!/usr/bin/env bash
# The dashboard's card board and its ratings view in headless Chromium
# (tests/browser/county_board.py), with the real broker, county, township and
# village on an injected clock: a 差评 given at the village opens a
# rectification that shows in 好差评; once its 回访 is overdue the red card
# appears on the board without a reload, within 5 s.  Screenshots:
# build/browser-shots/county-board-*.png.
source "$(dirname "$0")/../integration/lib.sh"
need_pg
source "$TB_SOURCE/tests/integration/one-of-each.sh"
SHOTS=$TB_BUILD/browser-shots
mkdir -p "$SHOTS"
rm -f "$SHOTS"/county-board-*.png
PW='Jian-Cha-2026!'
CLOCK=$WORK/clock
clock_at() { date -d "$1 +0800" +%s%3N >"$CLOCK.new" && mv "$CLOCK.new" "$CLOCK"; }
clock_at "2026-09-28 10:00"
export TONGBAN_TEST_CLOCK=$CLOCK
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start broker "$BROKER" serve
start county env TONGBAN_TEST_INTAKE_TICKS=100000 "$C" serve --place $COUNTY --db "$DB" --http "127.0.0.1:$port"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
printf '%s\n' "$PW" | "$C" account add sup --name 王督办 --role supervisor --scope $COUNTY --place $COUNTY --db "$DB" >/dev/null
K=$(vil log --client 李秀英 --phone 13807961234 --item YB001 --materials 居民身份证,户口簿)
ok "a case in pre-review at every tier" tb_wait_for 30 at_all "$K" prereview
ok "accepted and decided at the township" eval 'town accept "$K" && town decide "$K" --grant'
ok "the result is at the village" tb_wait_for 30 at_all "$K" result
ok "delivered and rated 不满意 at the village" eval 'vil deliver "$K" && vil rate "$K" --rating 不满意 --comment 等了很久'
ok "the rectification is open at the county" tb_wait_for 30 eval 'county ratings show "$K" >/dev/null 2>&1'
/usr/bin/python3 "$TB_SOURCE/tests/browser/county_board.py" "http://127.0.0.1:$port" sup "$PW" "$SHOTS" \
    "$K" "$CLOCK" "$(date -d '2026-09-30 00:00 +0800' +%s%3N)" >"$WORK/browser.out" 2>&1
rc=$?
sed 's/^/# /' "$WORK/browser.out"
eq "every browser check passed (county_board.py)" 0 "$rc"
ok "screenshots of both views" test "$(ls "$SHOTS"/county-board-*.png 2>/dev/null | wc -l)" -ge 3
finish
