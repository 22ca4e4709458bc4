#!/usr/bin/env bash
# Issues 8 and 9: a gap in a village's events is an alarm at the township, but
# an event the township refused (and answered) came: it is consumed, and the
# village's next event is no gap.  Before, "events 3..3 never came" followed
# every refusal.  A refused event beyond a real gap still raises the alarm.
# 30 more gaps and their refusals are 10 lines a minute about the village.  The refused events are a village's notes on another village's case (not
# entitled), put on its link by forge with the village's own next id.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001 OTHER=360826100002
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
other="$OTHER-20261201-0001"

a=$(vil log --client 王五 --phone 13900139000 --item YB003 --note 住院)
eq "the village's events so far: 1 and 2" 2 "$(sqlite3 "$WORK/v/$VIL.db" "SELECT max(origin_seq) FROM events WHERE origin_node='$VIL'")"
ok "forge: the village's event 3, a note on another village's case" "$TB_FORGE" "$WORK/v" $VIL $TOWN note "$other" next
b=$(vil log --client 吴十 --phone 13307965555 --item YB003 --note 住院)
eq "the village's next events are 4 and 5" 5 "$(sqlite3 "$WORK/v/$VIL.db" "SELECT max(origin_seq) FROM events WHERE origin_node='$VIL'")"
ok "forge: a note on another village's case as the village's event 100" "$TB_FORGE" "$WORK/v" $VIL $TOWN note "$other" 100
for n in $(seq 102 2 160); do "$TB_FORGE" "$WORK/v" $VIL $TOWN note "$other" $n || echo "# forge $n failed"; done
c=$(vil log --client 郑十一 --phone 13307966666 --item YB003 --note 住院)

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

county_has() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'" 2>/dev/null)" = 1 ]; }
ok "the last case reaches the county" tb_wait_for 30 county_has "$c"
eq "the 32 forged notes refused at the township and counted" 32 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT value FROM counters WHERE name='refused $VIL'")"
eq "all answered to the village (REJECTED, not entitled)" 32 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE origin_node='$TOWN' AND type=18")"
ok "no gap alarm for the refused event 3" bash -c "! grep -q 'village $VIL: event 4 follows 2' '$WORK/town.log'"
ok "the real gap before the refused event 100 is an alarm" \
    grep -q "village $VIL: event 100 follows 5: events 6..99 never came" "$WORK/town.log"
eq "the lines about the village are rate-limited: 10 for 32 refusals and 31 gaps" 10 \
    "$(grep -cE "village $VIL: event|message from $VIL refused" "$WORK/town.log")"
eq "... half of them gap alarms (a gap line, then its refusal's)" 5 "$(grep -c 'never came' "$WORK/town.log")"
finish
