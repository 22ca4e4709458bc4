#!/usr/bin/env bash
# Deadlines across the 2026 National Day holiday, on an injected clock, with
# real processes and a real PostgreSQL, whatever the date of the run.
#
# The official schedule (data/holidays-cn-2026.csv): 09-25..09-27 off (中秋),
# 10-01..10-07 off (国庆), and two make-up workdays (调休): Sunday 09-20 and
# Saturday 10-10.  Every daemon and command reads "now" from the file
# $TONGBAN_TEST_CLOCK (common/tb_log.h), which the test moves forward while
# they run.  Cases start before the holiday, inside it and on both make-up
# workdays; the pre-review limit (2 working days from 签收), promised and
# legal limits from 受理, a 待补正 notice and its supplement, a 挂起 at the
# township and one at the county, and the cards (yellow when due within one
# working day, red once overdue) are checked at every tier -- the village
# ledger, the township inbox (its cases list for a case the county holds),
# the county's cases -- against workday.py, a working-day count written
# independently of the C calendar.  Last, a malformed test clock is refused.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)

CLOCK=$WORK/clock
TODAY=""
# clock_at "YYYY-MM-DD HH:MM": set the injected clock (China Standard Time).
# Written aside and renamed, so no reader ever sees half a number.
clock_at() {
    date -d "$1 +0800" +%s%3N >"$CLOCK.new" && mv "$CLOCK.new" "$CLOCK"
    TODAY=${1:0:10}
    echo "# clock: $1 CST ($(date -d "$TODAY" +%A))"
}
clock_at "2026-09-20 10:00"
export TONGBAN_TEST_CLOCK=$CLOCK
wd() { python3 "$TB_SOURCE/tests/integration/workday.py" "$TB_SOURCE/data/holidays-cn-2026.csv" "$@"; }

# The cases whose clock is checked, in order; for each, its label, the
# oracle's arguments for its due day ("paused" while its clock is stopped),
# and "county" when the county holds it (the township's inbox does not list it).
CASES=()
declare -A NAME=() EXPECT=() HELD=()
watch() { CASES+=("$1"); NAME[$1]=$2; }
unwatch() {
    local c keep=()
    for c in "${CASES[@]}"; do [ "$c" = "$1" ] || keep+=("$c"); done
    CASES=("${keep[@]}")
}
expect() { local c=$1; shift; EXPECT[$c]="$*"; }

# check_all LABEL: every watched case, at every tier, shows the oracle's due
# day and the oracle's card for today.
check_all() {
    local label=$1 vj tj ti cj c want card j tier got
    vj=$(vil ledger --json) ti=$(town inbox --json) tj=$(town cases --json) cj=$(county cases --json)
    for c in "${CASES[@]}"; do
        if [ "${EXPECT[$c]}" = paused ]; then
            want=paused card=paused
        else
            want=$(wd ${EXPECT[$c]})
            card=$(wd card "$want" --today "$TODAY")
        fi
        for tier in village township county; do
            case $tier in
            village) j=$vj ;;
            township) [ "${HELD[$c]:-}" = county ] && j=$tj || j=$ti ;;
            county) j=$cj ;;
            esac
            got=$(jq -r --arg c "$c" '.[] | select(.case_id==$c) | "\(.due[0:10]) \(.card)"' <<<"$j")
            eq "$label: ${NAME[$c]} at the $tier: due $want, card ${card:-none}" "$want $card" "$got"
        done
    done
}

# legal_all CASE ARGS...: the legal limit at every tier is the oracle's `wd ARGS...`.
legal_all() {
    local c=$1 want
    shift
    want=$(wd "$@")
    eq "${NAME[$c]}: legal limit $want at the village" "$want" "$(vstate "$c" legal_due | cut -c1-10)"
    eq "${NAME[$c]}: legal limit $want at the township" "$want" "$(tstate "$c" legal_due | cut -c1-10)"
    eq "${NAME[$c]}: legal limit $want at the county" "$want" "$(tb_psql "$PGDIR" -c "SELECT to_char(legal_due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') FROM cases WHERE case_id='$c'")"
}

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

FULL_LD=居民身份证,解除劳动合同证明 FULL_YB=居民身份证,户口簿

# Sunday 09-20, a make-up workday: an immediate item (即办件, limit 0)
# accepted that day is due that same day.
W=$(vil log --client 李秀英 --phone 13807961234 --item YB001 --materials $FULL_YB)
ok "the case id carries the injected day" matches "$W" "^${VIL}-20260920-0001$"
watch "$W" "W (logged Sun 09-20, make-up)"
ok "W: in pre-review at every tier" tb_wait_for 30 at_all "$W" prereview
expect "$W" 2 --from 2026-09-20
check_all "Sun 09-20"
ok "W: accepted on the make-up Sunday" town accept "$W"
ok "W: accepted at every tier" tb_wait_for 30 at_all "$W" accepted
expect "$W" 0 --from 2026-09-20
check_all "Sun 09-20, accepted"
eq "W: an immediate item accepted on a make-up workday is due that day" 2026-09-20 "$(vstate "$W" due | cut -c1-10)"
ok "W: decided" town decide "$W" --grant
ok "W: its result at every tier" tb_wait_for 30 at_all "$W" result
unwatch "$W"

# Monday 09-28: M, a promised township item (LD001: 3 working days, legal 5), accepted.
clock_at "2026-09-28 10:00"
M=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials $FULL_LD)
watch "$M" "M (accepted Mon 09-28, suspended over the holiday)"
ok "M: in pre-review" tb_wait_for 30 at_all "$M" prereview
ok "M: accepted" town accept "$M"
ok "M: accepted at every tier" tb_wait_for 30 at_all "$M" accepted
expect "$M" 3 --from 2026-09-28
check_all "Mon 09-28"
legal_all "$M" 5 --from 2026-09-28

# Tuesday 09-29: N (a county item with materials missing) and Q arrive; M is suspended (挂起).
clock_at "2026-09-29 10:00"
N=$(vil log --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证)
watch "$N" "N (arrived Tue 09-29, 待补正 over the holiday)"
Q=$(vil log --client 钱七 --phone 13507962222 --item LD001 --materials $FULL_LD)
watch "$Q" "Q (accepted Wed 09-30)"
ok "N: in pre-review" tb_wait_for 30 at_all "$N" prereview
ok "Q: in pre-review" tb_wait_for 30 at_all "$Q" prereview
expect "$N" 2 --from 2026-09-29
expect "$Q" 2 --from 2026-09-29
ok "M: suspended for a site survey" town suspend "$M" --basis survey
ok "M: suspended at every tier" tb_wait_for 30 at_all "$M" suspended
expect "$M" paused
check_all "Tue 09-29"

# Wednesday 09-30, the last working day before the holiday: N gets its
# one-time notice (the clock stops), Q is accepted, P arrives.
clock_at "2026-09-30 10:00"
ok "N: one-time notice" town notice "$N" --missing 住院发票原件,费用清单,出院小结,银行卡复印件
ok "N: awaiting materials at every tier" tb_wait_for 30 at_all "$N" supplement
expect "$N" paused
ok "Q: accepted the day before the holiday" town accept "$Q"
ok "Q: accepted at every tier" tb_wait_for 30 at_all "$Q" accepted
expect "$Q" 3 --from 2026-09-30
P=$(vil log --client 孙八 --phone 13307963333 --item LD001 --materials $FULL_LD)
watch "$P" "P (arrived Wed 09-30, never handled)"
ok "P: in pre-review" tb_wait_for 30 at_all "$P" prereview
expect "$P" 2 --from 2026-09-30
check_all "Wed 09-30"
legal_all "$Q" 5 --from 2026-09-30

# Saturday 10-03, inside the holiday: H (immediate) arrives and is accepted;
# I (a county item, HJ002: 3 working days, legal 10) arrives.
clock_at "2026-10-03 10:00"
H=$(vil log --client 周九 --phone 13207964444 --item YB001 --materials $FULL_YB)
watch "$H" "H (arrived and accepted Sat 10-03, holiday)"
I=$(vil log --client 吴十 --phone 13107965555 --item HJ002 --materials 出生医学证明,父母户口簿,父母结婚证)
watch "$I" "I (arrived Sat 10-03, accepted Mon 10-05, suspended at the county)"
ok "H: in pre-review" tb_wait_for 30 at_all "$H" prereview
ok "I: in pre-review" tb_wait_for 30 at_all "$I" prereview
expect "$H" 2 --from 2026-10-03
expect "$I" 2 --from 2026-10-03
check_all "Sat 10-03, arrived in the holiday"
ok "H: accepted in the holiday" town accept "$H"
ok "H: accepted at every tier" tb_wait_for 30 at_all "$H" accepted
expect "$H" 0 --from 2026-10-03
check_all "Sat 10-03"
eq "H: an immediate item accepted in the holiday is due on the first working day after it" \
    2026-10-08 "$(vstate "$H" due | cut -c1-10)"

# Monday 10-05, inside the holiday: I is accepted and forwarded to the county.
clock_at "2026-10-05 10:00"
ok "I: accepted in the holiday" town accept "$I"
ok "I: forwarded" town forward "$I"
ok "I: the county holds it" tb_wait_for 30 at_all "$I" county
HELD[$I]=county
expect "$I" 3 --from 2026-10-05
check_all "Mon 10-05"
legal_all "$I" 10 --from 2026-10-05

# Thursday 10-08, the first working day after the holiday.
clock_at "2026-10-08 10:00"
check_all "Thu 10-08"
ok "H: decided" town decide "$H" --grant
ok "H: its result at every tier" tb_wait_for 30 at_all "$H" result
unwatch "$H"

# Friday 10-09: N's materials arrive (the clock runs again, the days it
# touched not counted), M resumes, the county suspends I.
clock_at "2026-10-09 10:00"
ok "N: the resident brings every material" vil supplement "$N" --materials 住院发票原件,费用清单,出院小结,银行卡复印件
ok "N: back in pre-review at every tier" tb_wait_for 30 at_all "$N" prereview
expect "$N" 2 --from 2026-09-29 --pause 2026-09-30..2026-10-09
ok "M: resumed" town resume "$M"
ok "M: accepted again at every tier" tb_wait_for 30 at_all "$M" accepted
expect "$M" 3 --from 2026-09-28 --pause 2026-09-29..2026-10-09
ok "I: the county suspends it for an appraisal" county suspend "$I" --basis appraisal
ok "I: suspended at every tier" tb_wait_for 30 at_all "$I" suspended
expect "$I" paused
check_all "Fri 10-09"
legal_all "$M" 5 --from 2026-09-28 --pause 2026-09-29..2026-10-09

# Saturday 10-10, a make-up workday: S arrives and is accepted (due that day).
clock_at "2026-10-10 10:00"
S=$(vil log --client 郑一 --phone 13007966666 --item YB001 --materials $FULL_YB)
ok "the case id carries the make-up Saturday" matches "$S" "^${VIL}-20261010-0001$"
watch "$S" "S (arrived and accepted Sat 10-10, make-up)"
ok "S: in pre-review" tb_wait_for 30 at_all "$S" prereview
expect "$S" 2 --from 2026-10-10
check_all "Sat 10-10, arrived on the make-up Saturday"
ok "S: accepted on the make-up Saturday" town accept "$S"
ok "S: accepted at every tier" tb_wait_for 30 at_all "$S" accepted
expect "$S" 0 --from 2026-10-10
check_all "Sat 10-10"

# Monday 10-12: the county resumes I.
clock_at "2026-10-12 10:00"
ok "I: the county resumes it" county resume "$I"
ok "I: back at the county" tb_wait_for 30 at_all "$I" county
expect "$I" 3 --from 2026-10-05 --pause 2026-10-09..2026-10-12
check_all "Mon 10-12"
legal_all "$I" 10 --from 2026-10-05 --pause 2026-10-09..2026-10-12

clock_at "2026-10-13 10:00"
check_all "Tue 10-13"

# The dates above, once by hand (the oracle could share a mistake with the C
# calendar; these cannot): yellow the working day before, red the day after.
eq "P: pre-review due Fri 10-09 (2 working days after Wed 09-30, the holiday skipped)" 2026-10-09 "$(wd 2 --from 2026-09-30)"
eq "Q: promised due on the make-up Saturday 10-10" 2026-10-10 "$(wd 3 --from 2026-09-30)"
eq "N: the notice's days not counted: due Mon 10-12" 2026-10-12 "$(wd 2 --from 2026-09-29 --pause 2026-09-30..2026-10-09)"
eq "M: the suspension's days not counted: due Tue 10-13" 2026-10-13 "$(wd 3 --from 2026-09-28 --pause 2026-09-29..2026-10-09)"
eq "the working day before a due day is yellow" yellow "$(wd card 2026-10-09 --today 2026-10-08)"
eq "on Fri 10-09 a case due Mon 10-12 is not yet yellow (Sat 10-10 is worked)" "" "$(wd card 2026-10-12 --today 2026-10-09)"
eq "the day after a due day is red" red "$(wd card 2026-10-09 --today 2026-10-10)"

# A malformed test clock is refused, never ignored: every binary exits 2
# naming the variable, and writes nothing.
printf '2026-10-13\n' >"$WORK/bad-clock"
ledger_now() { vil ledger --json | jq -c '[.[] | .case_id]'; }
REFUSE_PROBE=ledger_now
refuse "a date instead of milliseconds is refused by a command" 2 "TONGBAN_TEST_CLOCK=$WORK/bad-clock: malformed" \
    env TONGBAN_TEST_CLOCK="$WORK/bad-clock" "$V" log --place $VIL --data-dir "$WORK/v" --agent 张代办 \
    --client 李四 --phone 13800138000 --item YB001
REFUSE_PROBE=
printf '99\n' >"$WORK/small-clock"
refuse "an instant before 2000 is refused" 2 "TONGBAN_TEST_CLOCK=$WORK/small-clock: out of range" \
    env TONGBAN_TEST_CLOCK="$WORK/small-clock" "$T" inbox --place $TOWN --data-dir "$WORK/t"
refuse "a missing clock file is refused" 2 "TONGBAN_TEST_CLOCK=$WORK/no-clock: cannot open" \
    env TONGBAN_TEST_CLOCK="$WORK/no-clock" "$C" cases --place $COUNTY --db "$DB"
refuse "the county daemon refuses a malformed clock at start" 2 "TONGBAN_TEST_CLOCK=$WORK/bad-clock" \
    timeout 10 env TONGBAN_TEST_CLOCK="$WORK/bad-clock" "$C" serve --place $COUNTY --db "$DB"
refuse "the broker refuses a malformed clock at start" 2 "TONGBAN_TEST_CLOCK=$WORK/bad-clock" \
    timeout 10 env TONGBAN_TEST_CLOCK="$WORK/bad-clock" "$BROKER" serve --broker "ipc://$WORK/broker2.sock"
# A running daemon whose clock file turns bad stops at its next reading (its
# heartbeat reads the clock every second) rather than run on the real date.
cp "$CLOCK" "$WORK/clock2"
start vil2 env TONGBAN_TEST_CLOCK="$WORK/clock2" "$V" serve --place 360826100002 --data-dir "$WORK/v2"
sleep 1.5
ok "a second village runs on its own clock file" kill -0 "$PID_vil2"
printf 'soon\n' >"$WORK/clock2"
rc=0
for _ in $(seq 50); do kill -0 "$PID_vil2" 2>/dev/null || break; sleep 0.2; done
kill -KILL "$PID_vil2" 2>/dev/null # still running after 10 s: it ignored the bad clock
wait "$PID_vil2" || rc=$?
forget vil2
eq "the village exits 2 when its clock file turns malformed" 2 "$rc"
ok "its log names the variable and the file" grep -q "TONGBAN_TEST_CLOCK=$WORK/clock2: malformed: soon" "$WORK/vil2.log"
finish
