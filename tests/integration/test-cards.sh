#!/usr/bin/env bash
# Supervision (电子监察, issue 11): the county's card timer on an injected
# clock, with real processes and a real PostgreSQL, around the 2026 National
# Day holiday (data/holidays-cn-2026.csv: 10-01..10-07 off, Sat 10-10 worked).
#
#   P  logged Mon 09-28, left in pre-review (2 working days: due Wed 09-30):
#      no card at 09-28 23:59:58, yellow at 09-29 00:00:00 exactly, red at
#      10-01 00:00; the red card reaches the township inbox and the village
#      ledger; accepted on 10-08, its card is cleared.
#   M  accepted Mon 09-28 (LD001, 3 working days: due Thu 10-08), suspended
#      09-29..10-09: no card on 09-30 (it would be yellow without the pause)
#      nor on 10-09 after resuming (it would be red); due Tue 10-13, so
#      yellow from Mon 10-12 00:00.
#   The limits are data: yellow_days 3 turns M yellow at once on 10-09.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)

CLOCK=$WORK/clock
# clock_at "YYYY-MM-DD HH:MM[:SS]": the injected clock (China Standard Time).
clock_at() {
    date -d "$1 +0800" +%s%3N >"$CLOCK.new" && mv "$CLOCK.new" "$CLOCK"
    echo "# clock: $1 CST"
}
clock_at "2026-09-28 10:00"
export TONGBAN_TEST_CLOCK=$CLOCK
# open_card CASE: "level kind" of the case's open card at the county, or "".
open_card() { county cards --open --json | jq -r --arg c "$1" '.[] | select(.case_id==$c) | "\(.level) \(.kind)"'; }
card_is() { [ "$(open_card "$1")" = "$2" ]; }
# raised_day CASE LEVEL: the CST day the case's card of that level was raised.
raised_day() {
    county cards --json | jq -r --arg c "$1" --arg l "$2" \
        '.[] | select(.case_id==$c and .level==$l) | .raised_ms / 1000 + 28800 | floor | todate[0:19]'
}
inbox_card() { town inbox --json | jq -r --arg c "$1" '.[] | select(.case_id==$c) | .county_card'; }
ledger_card() { vil ledger --json | jq -r --arg c "$1" '.[] | select(.case_id==$c) | .county_card'; }

start broker "$BROKER" serve
# The county's safety poll of the intake set to ~3 hours: every staff
# command and limit change below reaches it by LISTEN/NOTIFY or not at all.
start county env TONGBAN_TEST_INTAKE_TICKS=100000 "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

FULL_LD=居民身份证,解除劳动合同证明
P=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials $FULL_LD)
M=$(vil log --client 赵六 --phone 13607961111 --item LD001 --materials $FULL_LD)
ok "P: in pre-review at every tier" tb_wait_for 30 at_all "$P" prereview
ok "M: in pre-review at every tier" tb_wait_for 30 at_all "$M" prereview
ok "M: accepted" town accept "$M"
ok "M: accepted at every tier" tb_wait_for 30 at_all "$M" accepted
eq "the limits start at issue 11's defaults" "circulate_days=5 complaint_accept_days=5 complaint_days=13 consult_days=3 prereview_days=2 rectify_days=15 reply_days=3 revisit_days=1 urge_days=1 yellow_days=1" \
    "$(county limits list --json | jq -r '[.[] | "\(.name)=\(.days)"] | join(" ")')"
eq "Mon 09-28: no card yet" "[]" "$(county cards --json | jq -c .)"

# The boundary, both ways: one second before 09-29 nothing, at 00:00 yellow.
clock_at "2026-09-28 23:59:57"
sleep 1.5 # the timer runs at least every 0.5 s on the test clock
eq "P: no card at 09-28 23:59:58 (pre-review due Wed 09-30)" "" "$(open_card "$P")"
clock_at "2026-09-29 00:00:00"
ok "P: a yellow pre-review card at 09-29 00:00" tb_wait_for 10 card_is "$P" "yellow prereview"
eq "P: raised on 09-29 itself" "2026-09-29T00:00:0" "$(raised_day "$P" yellow | cut -c1-18)"
eq "M: no card on 09-29 (promised limit due Thu 10-08)" "" "$(open_card "$M")"
ok "P: the yellow card reaches the township inbox" tb_wait_for 10 eval '[ "$(inbox_card "$P")" = yellow ]'

clock_at "2026-09-29 10:00"
ok "M: suspended for a site survey" town suspend "$M" --basis survey
ok "M: suspended at the county" tb_wait_for 30 eval '[ "$(cstate "$M" state)" = suspended ]'
# Without the pause M (due 10-08, the next working day after 09-30) would turn yellow now.
clock_at "2026-09-30 00:00"
sleep 1.5
eq "M: no card while its clock is paused" "" "$(open_card "$M")"
eq "P: still yellow on 09-30, its due day" "yellow prereview" "$(open_card "$P")"

clock_at "2026-10-01 00:00"
ok "P: red once the pre-review is overdue" tb_wait_for 10 card_is "$P" "red prereview"
eq "P: the yellow card was cleared by the red one" "red" \
    "$(county cards --json | jq -r --arg c "$P" '.[] | select(.case_id==$c and .level=="yellow") | .cleared_why')"
ok "P: the red card reaches the township inbox" tb_wait_for 10 eval '[ "$(inbox_card "$P")" = red ]'
ok "P: the red card reaches the village ledger" tb_wait_for 10 eval '[ "$(ledger_card "$P")" = red ]'
ok "P: the township's inbox listing marks it" eval 'town inbox | grep -q "县级红牌\|county: RED"'
ok "P: the card is in the case's history at the township" \
    eval 'town show "$P" --json | jq -e ".history | map(select(.event == \"card_raised\")) | length == 2" >/dev/null'
ok "P: and in the county's" eval 'county show "$P" --json | jq -e ".history | map(select(.event == \"card_raised\")) | length == 2" >/dev/null'
eq "P: the card did not change the case's state" prereview "$(cstate "$P" state)"

clock_at "2026-10-08 09:00"
ok "P: accepted after the holiday" town accept "$P"
ok "P: its card is cleared at the county" tb_wait_for 10 eval '[ -z "$(open_card "$P")" ]'
eq "P: cleared because it was accepted" accepted \
    "$(county cards --json | jq -r --arg c "$P" '.[] | select(.case_id==$c and .level=="red") | .cleared_why')"
# Cleared by the batch that applied the acceptance, not by a later scan: the
# two events share their transaction's now() (stored_at).
eq "P: cleared in the same transaction as its acceptance" 1 \
    "$(tb_psql "$PGDIR" -c "SELECT count(DISTINCT stored_at) FROM case_events WHERE case_id = '$P' AND type_name IN ('accepted', 'card_cleared')")"
ok "P: and the township inbox drops the mark" tb_wait_for 10 eval '[ -z "$(inbox_card "$P")" ]'
ok "P: and the village ledger" tb_wait_for 10 eval '[ -z "$(ledger_card "$P")" ]'

clock_at "2026-10-09 09:00"
ok "M: resumed" town resume "$M"
ok "M: accepted again at the county" tb_wait_for 30 eval '[ "$(cstate "$M" state)" = accepted ]'
clock_at "2026-10-09 10:00"
sleep 1.5
eq "M: no card on 10-09 (the pause moved its due day to Tue 10-13)" "" "$(open_card "$M")"

# The limits are data: 3 working days of warning makes M (due 10-13) yellow now.
ok "limits set yellow_days 3" county limits set yellow_days 3
ok "M: yellow once the threshold is 3 working days" tb_wait_for 10 card_is "$M" "yellow deadline"
ok "limits set yellow_days 1" county limits set yellow_days 1
ok "M: its card cleared again" tb_wait_for 10 eval '[ -z "$(open_card "$M")" ]'
limits_now() { county limits list --json | jq -c '[.[] | [.name, .days]]'; }
REFUSE_PROBE=limits_now
refuse "an unknown limit is refused" 1 "yellow_dayz" county limits set yellow_dayz 3
refuse "a limit of 0 days is refused" 1 "1..60" county limits set urge_days 0
refuse "a limit of 61 days is refused" 1 "1..60" county limits set urge_days 61
REFUSE_PROBE=
refuse "cards --level green is refused" 2 "cards [--json] [--level yellow|red]" county cards --level green

clock_at "2026-10-12 00:00"
ok "M: yellow from Mon 10-12 00:00 (due Tue 10-13)" tb_wait_for 10 card_is "$M" "yellow deadline"
eq "M: the card names the holder then" "$TOWN" \
    "$(county cards --open --json | jq -r --arg c "$M" '.[] | select(.case_id==$c) | .holder')"
eq "M: and the person of its last step" 窗口李 \
    "$(county cards --open --json | jq -r --arg c "$M" '.[] | select(.case_id==$c) | .responsible')"
eq "cards --level red lists only red ones" red \
    "$(county cards --level red --json | jq -r '[.[].level] | unique | join(",")')"
# 督办 on M's card: reply by Tue 10-13.  催办 the next working day (Wed 10-14
# 00:00); 通报 5 working days after the due day (10-14, 15, 16, 19, 20: Tue
# 10-20 00:00).  P gets an order too and its holder answers it (反馈).
sup_col() { tb_psql "$PGDIR" -c "SELECT coalesce(to_char($2 AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), '') FROM supervisions WHERE case_id = '$1' ORDER BY id DESC LIMIT 1"; }
history_has() { "$1" show "$2" --json | jq -e --arg e "$3" '.history | map(select(.event == $e)) | length > 0' >/dev/null; }
MCARD=$(county cards --open --json | jq -r --arg c "$M" '.[] | select(.case_id==$c) | .id')
clock_at "2026-10-12 10:00"
REFUSE_PROBE="sup_col $M issued_at"
refuse "supervise: a due day already past is refused" 1 "2026-10-09" county supervise --card "$MCARD" --due 2026-10-09 --text 请尽快办结
refuse "supervise: an unknown card is refused" 1 "99999" county supervise --card 99999 --due 2026-10-13 --text 请尽快办结
refuse "supervise: no text is refused" 2 "supervise" county supervise "$M" --due 2026-10-13
REFUSE_PROBE=
# The command waits at most 10 s for the daemon to take it (else it is
# withdrawn and refused), and the daemon's safety poll is ~3 hours away: its
# success is the proof that NOTIFY woke the daemon.  Nothing here is timed.
ok "supervise M's card, reply by 10-13 (the daemon woken by NOTIFY)" county supervise --card "$MCARD" --due 2026-10-13 --text 请于10月13日前办结并反馈
eq "M: the order is stored, addressed to its holder" "$TOWN" "$(tb_psql "$PGDIR" -c "SELECT holder FROM supervisions WHERE case_id = '$M'")"
eq "M: the order names the card" "$MCARD" "$(tb_psql "$PGDIR" -c "SELECT card_id FROM supervisions WHERE case_id = '$M'")"
ok "M: 督办 is in the county's history" history_has county "$M" supervised
ok "M: and reaches the township's" tb_wait_for 10 history_has town "$M" supervised
ok "M: and the village's" tb_wait_for 10 history_has vil "$M" supervised
clock_at "2026-10-13 23:59:57"
sleep 1.5
eq "M: no 催办 on the due day itself" "" "$(sup_col "$M" urged_at)"
clock_at "2026-10-14 00:00"
ok "M: 催办 the next working day" tb_wait_for 10 eval '[ -n "$(sup_col "$M" urged_at)" ]'
eq "M: urged at 10-14 00:00" "2026-10-14 00:00" "$(sup_col "$M" urged_at)"
ok "M: 催办 reaches the township's history" tb_wait_for 10 history_has town "$M" urged
clock_at "2026-10-19 23:59:57"
sleep 1.5
eq "M: no 通报 on the 4th working day after (Mon 10-19)" "" "$(sup_col "$M" circulated_at)"
clock_at "2026-10-20 00:00"
ok "M: 通报 on the 5th working day after the due day" tb_wait_for 10 eval '[ -n "$(sup_col "$M" circulated_at)" ]'
eq "M: circulated at 10-20 00:00" "2026-10-20 00:00" "$(sup_col "$M" circulated_at)"
ok "M: 通报 reaches the village's history" tb_wait_for 10 history_has vil "$M" circulated

clock_at "2026-10-20 10:00"
refuse "reply: a case with no order is refused" 1 "$P" town reply "$P" --text 已办结
ok "supervise P, reply by 10-21" county supervise "$P" --due 2026-10-21 --text 请说明进度
ok "P: the order reaches the township" tb_wait_for 10 history_has town "$P" supervised
ok "P: the township answers (反馈)" town reply "$P" --text 材料已齐，10月22日办结
ok "P: the county records the reply" tb_wait_for 10 eval '[ -n "$(sup_col "$P" replied_at)" ]'
eq "P: with its text" "材料已齐，10月22日办结" "$(tb_psql "$PGDIR" -c "SELECT reply FROM supervisions WHERE case_id = '$P'")"
clock_at "2026-10-22 10:00"
sleep 1.5
eq "P: an answered order is not urged" "" "$(sup_col "$P" urged_at)"
eq "P: the reply did not change the case's state" accepted "$(cstate "$P" state)"
# 亮牌 in the statistics: the cards raised above on the injected clock, by
# the month each was raised and the township holding the case then (both
# cases at 澄江镇 the whole time).  September: P yellow (pre-review) 09-29.
# October: P red (pre-review) 10-01; P and M yellow on 10-09 (yellow_days 3)
# and again on 10-12; P red on 10-13 (due Mon 10-12: LD001's 3 working days
# from 10-08 are 10-09, Sat 10-10, 10-12; raised at the first tick after the
# clock jumped to 23:59:57), M red 10-14.  8 cards: 5 yellow, 3 red, as listed.
cards_by() { "$C" report --from 2026-09-01 --to 2026-10-31 "$@" --place $COUNTY --db "$DB" --json; }
county cards --json | jq -r '.[] | "# card \(.id) \(.level) \(.kind) \(.case_id) \(.holder) \(.raised_ms / 1000 + 28800 | floor | todate[0:16])"'
eq "report: 8 cards raised, as many as listed" "$(county cards --json | jq -c '[length, (map(select(.level == "yellow")) | length), (map(select(.level == "red")) | length)]')" \
    "$(cards_by | jq -c '.total | [.cards, .cards_yellow, .cards_red]')"
eq "report: 亮牌 by month of raising and the township holding the case" \
    "[[\"$TOWN\",\"2026-09\",1,0],[\"$TOWN\",\"2026-10\",4,3]]" \
    "$(cards_by --by township --month | jq -c '[.rows[] | [.unit, .period, .cards_yellow, .cards_red]]')"
eq "report: the day P turned red" '[0,1]' \
    "$("$C" report --from 2026-10-01 --to 2026-10-01 --place $COUNTY --db "$DB" --json | jq -c '.total | [.cards_yellow, .cards_red]')"
# The card timer is armed for boundaries, never for an instant already past:
# the county did a few hundred batches in this test, not millions (it once
# spun on a stale 催办 boundary).
stop county
batches=$(sed -n 's/.*stopped after \([0-9]*\) batch.*/\1/p' "$WORK/county.log" | tail -1)
echo "# county batches: $batches"
ok "the county did not spin ($batches batches)" test "${batches:-999999}" -lt 5000
finish
