#!/usr/bin/env bash
# Issue 8: a village's event id (origin, origin_seq) that comes again with
# other content, and a gap in a village's events, are alarms at the township:
# an ERROR line naming the village, with both SHA-256 digests for the first
# (the new one refused, kept aside, counted), the missing range for the
# second; never a silent drop.  The forgeries are put on the village's link by
# forge; the real daemons carry them.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }

a=$(vil log --client 王五 --phone 13900139000 --item YB003 --note 住院)
eq "the village's events so far: 1 and 2" 2 "$(sqlite3 "$WORK/v/$VIL.db" "SELECT max(origin_seq) FROM events WHERE origin_node='$VIL'")"
ok "forge: a note that reuses the village's event 1" "$TB_FORGE" "$WORK/v" $VIL $TOWN note "$a" 1
ok "forge: a note as the village's event 100" "$TB_FORGE" "$WORK/v" $VIL $TOWN note "$a" 100
b=$(vil log --client 吴十 --phone 13307965555 --item YB003 --note 住院)

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

county_has() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'" 2>/dev/null)" = 1 ]; }
ok "the case after the forgeries reaches the county" tb_wait_for 30 county_has "$b"
line=$(grep "village $VIL: event $VIL/1 came again with other content" "$WORK/town.log")
ok "the township's alarm names the village and the event" test -n "$line"
re='stored sha256 ([0-9a-f]{64}), new sha256 ([0-9a-f]{64})'
digests_differ() { [[ $line =~ $re ]] && [ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]; }
ok "the alarm gives two different digests" digests_differ
eq "the township kept its first event 1 (the LOGGED)" 1 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT type FROM events WHERE origin_node='$VIL' AND origin_seq=1")"
eq "the reuse kept aside and counted against the village" "1 1" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM quarantine WHERE peer='$VIL' AND why LIKE 'an event id reused%'") $(sqlite3 "$WORK/t/$TOWN.db" "SELECT value FROM counters WHERE name='refused $VIL'")"
ok "the gap is an alarm naming the village and the missing events" \
    grep -q "village $VIL: event 100 follows 2: events 3..99 never came" "$WORK/town.log"
finish
