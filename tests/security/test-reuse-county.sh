#!/usr/bin/env bash
# Issues 8 and 9 at the county: an event id (origin, origin_seq) that comes
# again with other content is refused (REJECT_REUSED_ID) and answered to its
# origin through the township, kept in a bounded quarantine, counted against
# the township, and raised as an alarm naming the township and the event, at
# most TB_RATELIMIT_LINES lines a minute; the same bytes again are consumed
# without a word and without being folded twice.  The township's own walk-in
# event 1 is reused by forge on the township's link (a flood of 1,005 copies,
# beyond the quarantine's 1,000 rows and the 60 answers a minute); the real
# daemons carry it over the real CURVE link.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
q() { tb_psql "$PGDIR" -c "$1" 2>/dev/null; }
county_has() { [ "$(q "SELECT count(*) FROM cases WHERE case_id='$1'")" = 1 ]; }

w=$(town register --client 周九 --phone 13207964444 --item GH001 --note 窗口)
eq "the walk-in is the township's event 1 (a LOGGED)" 1 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT type FROM events WHERE origin_node='$TOWN' AND origin_seq=1")"
sqlite3 "$WORK/t/$TOWN.db" "SELECT hex(body) FROM events WHERE origin_node='$TOWN' AND origin_seq=1" | xxd -r -p >"$WORK/event1"

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "the walk-in reaches the county" tb_wait_for 30 county_has "$w"
v0=$(q "SELECT version FROM cases WHERE case_id='$w'")
stop town

# The same bytes again, then other content under the same id, 1,005 times.
ok "forge: the township's event 1 again, the same bytes" "$TB_FORGE" "$WORK/t" $TOWN $COUNTY raw "$WORK/event1"
ok "forge: 1,005 notes as the township's event 1" "$TB_FORGE" "$WORK/t" $TOWN $COUNTY note "$w" 1 1005
last=$(town register --client 吴十 --phone 13307965555 --item GH001 --note 窗口)
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "the case after the forgeries reaches the county (the link moves on)" tb_wait_for 60 county_has "$last"

eq "the county keeps its event $TOWN/1: the walk-in's LOGGED" logged \
    "$(q "SELECT type_name FROM case_events WHERE origin_node='$TOWN' AND origin_seq=1")"
eq "the duplicate was not folded again (the case's version)" "$v0" \
    "$(q "SELECT version FROM cases WHERE case_id='$w'")"
line=$(grep -m1 "township $TOWN: event $TOWN/1 came again with other content" "$WORK/county.log")
ok "the county's alarm names the township and the event" test -n "$line"
re='stored sha256 ([0-9a-f]{64}), new sha256 ([0-9a-f]{64})'
digests_differ() { [[ $line =~ $re ]] && [ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]; }
ok "the alarm gives two different digests" digests_differ
eq "the stored digest in the alarm is the one stored with the event" \
    "$(q "SELECT encode(digest, 'hex') FROM case_events WHERE origin_node='$TOWN' AND origin_seq=1")" \
    "$([[ $line =~ $re ]] && echo "${BASH_REMATCH[1]}")"
alarms=$(grep -c "came again with other content" "$WORK/county.log")
ok "the alarm is rate-limited: $alarms lines for 1,005 reuses (at most 10 a minute)" \
    test "$alarms" -ge 1 -a "$alarms" -le 20
eq "the same bytes again raised no alarm, no quarantine row, no answer: 1,005 rows, all reuses" \
    "1005 1005" "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE why LIKE 'an event id reused%') FROM quarantine WHERE peer='$TOWN'")"
eq "the quarantine keeps whole bodies for 1,000 rows, then a prefix with length and digest" \
    "1000 5" "$(q "SELECT count(*) FILTER (WHERE why NOT LIKE '%kept]') || ' ' || count(*) FILTER (WHERE why ~ '\[[0-9]+ bytes, sha256 [0-9a-f]{64}; first 256 kept\]$') FROM quarantine WHERE peer='$TOWN'")"
eq "every reuse counted against the township" 1005 "$(q "SELECT value FROM counters WHERE name='refused $TOWN'")"
answered=$(q "SELECT count(*) FROM case_events WHERE origin_node='$COUNTY' AND type_name='rejected' AND case_id='$w'")
unanswered=$(q "SELECT coalesce((SELECT value FROM counters WHERE name='unanswered $TOWN'), 0)")
eq "every reuse answered or counted unanswered" 1005 $((answered + unanswered))
ok "answers are limited: $answered answered (60 a minute)" test "$answered" -ge 60 -a "$answered" -le 120
eq "each answer is REJECT_REUSED_ID (8) for $TOWN/1" "$answered" \
    "$(q "SELECT count(*) FROM case_events WHERE origin_node='$COUNTY' AND type_name='rejected' AND case_id='$w' AND reason = '事件编号已用于其他内容'")"
town_answered() { [ "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE origin_node='$COUNTY' AND case_id='$w' AND type=18")" = "$answered" ]; }
ok "every answer reaches the township" tb_wait_for 30 town_answered
in_inbox() { town inbox --json | jq -e --arg id "$w" '[.[] | select(.case_id == $id)] | length == 1' >/dev/null; }
ok "the township's walk-in stands (the answer names other bytes)" in_inbox
eq "the township's event 1 is still applied" 1 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT folded FROM events WHERE origin_node='$TOWN' AND origin_seq=1")"
finish
