#!/usr/bin/env bash
# The 好差评 loop (issue 11, migration 012) through the real processes, on an
# injected clock around the 2026 National Day holiday (10-01..10-07 off, Sat
# 10-10 worked).  Four immediate township items (YB001) are decided by the
# township 桥头…(TOWN), delivered and rated at the village on Mon 09-28:
#   A 不满意      a 差评: a rectification owned by the township that decided it;
#                 回访 due Tue 09-29 (1 working day), 整改 due Fri 10-23 (15
#                 working days: 09-29, 09-30, 10-08, 10-09, 10-10 (调休), 10-12..16,
#                 10-19..23); not revisited by then: a red revisit card on Wed
#                 09-30 00:00, cleared by the 回访; then 整改 and the 追评.
#   B 非常满意, D 满意   no rectification.
#   C 非常不满意  a 差评, appealed as 恶意差评 and approved by a county
#                 supervisor: out of the rates, its card cleared.
# The rates in `report --json`, by hand: before the appeal 4 rated, 2
# satisfied, 2 bad (满意率 0.5, 差评率 0.5); after it 3 rated, 2 satisfied,
# 1 bad (0.6667, 0.3333); 回访率 and 差评整改率 over A alone: 1.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)

CLOCK=$WORK/clock
clock_at() {
    date -d "$1 +0800" +%s%3N >"$CLOCK.new" && mv "$CLOCK.new" "$CLOCK"
    echo "# clock: $1 CST"
}
clock_at "2026-09-28 10:00"
export TONGBAN_TEST_CLOCK=$CLOCK
sql() { tb_psql "$PGDIR" -c "$1"; }
rect() { county ratings show "$1" --json | jq -r "$2"; }
revisit_card() { county cards --json | jq -r --arg c "$1" '[.[] | select(.case_id==$c and .kind=="revisit")] | map("\(.level) \(if .cleared_ms == 0 then "open" else .cleared_why end)") | join(",")'; }
history_has() { "$1" show "$2" --json | jq -e --arg e "$3" '.history | map(select(.event == $e)) | length > 0' >/dev/null; }

start broker "$BROKER" serve
start county env TONGBAN_TEST_INTAKE_TICKS=100000 "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

# case_rated LEVEL: a YB001 case through to delivery, rated LEVEL at the village; prints its id.
case_rated() {
    local id
    id=$(delivered) && vil rate "$id" --rating "$1" --comment "$2" >/dev/null && echo "$id"
}
KA=$(case_rated 不满意 "窗口让我跑了两趟")
KB=$(case_rated 非常满意 很快)
KC=$(case_rated 非常不满意 态度差)
KD=$(case_rated 满意 好)
ok "four cases rated at the village" test -n "$KA" -a -n "$KB" -a -n "$KC" -a -n "$KD"
ok "the ratings reach the county" tb_wait_for 30 eval '[ "$(cstate "$KD" rating)" = 4 ]'

ok "A: the 差评 opened a rectification at the county" tb_wait_for 10 eval 'county ratings show "$KA" --json >/dev/null 2>&1'
eq "only the two 差评 have one" "$KA $KC" "$(county ratings list --json | jq -r '[.[].case_id] | sort | join(" ")')"
eq "A: owned by the township that decided it (谁办理、谁负责), at the village, named" \
    "$TOWN village true 2 窗口让我跑了两趟" "$(rect "$KA" '"\(.owner) \(.channel) \(.named) \(.rating) \(.comment)"')"
ok "A: its deadlines are counted by the daemon" tb_wait_for 10 eval '[ "$(rect "$KA" .revisit_due_ms)" != 0 ]'
ok "C: likewise" tb_wait_for 10 eval '[ "$(rect "$KC" .revisit_due_ms)" != 0 ]'
cst() { date -u -d "@$(($1 / 1000 + 28800))" +'%Y-%m-%d %H:%M:%S'; }
eq "A: 回访 due at the end of Tue 09-29 (1 working day)" "2026-09-29 23:59:59" "$(cst "$(rect "$KA" .revisit_due_ms)")"
eq "A: 整改 due at the end of Fri 10-23 (15 working days across the holiday)" "2026-10-23 23:59:59" \
    "$(cst "$(rect "$KA" .rectify_due_ms)")"
ok "the listing names the level in Chinese" eval 'county ratings list | grep -q "不满意.*未回访"'

R=(report --from 2026-09-01 --to 2026-10-31 --json)
rates() { county "${R[@]}" | jq -c '.total | [.rated, .satisfied, .bad, (.satisfied_rate*10000|round/10000), (.bad_rate*10000|round/10000), .revisit_rate, .rectify_rate]'; }
eq "rates before any step: 4 rated, 2 satisfied, 2 bad; nothing revisited" '[4,2,2,0.5,0.5,0,0]' "$(rates)"

# Bad input: a clear Chinese error, nothing written.
probe() { sql "SELECT count(*) FROM rating_audit"; sql "SELECT row_to_json(r) FROM rectifications r ORDER BY case_id"; }
REFUSE_PROBE=probe
refuse "a case without a 差评 has no rectification" 1 "该办件没有差评整改：$KB" county ratings revisit "$KB" --text 已电话回访
refuse "rectify before the 回访" 1 "请先回访再整改" county ratings rectify "$KA" --outcome 立行立改 --text 已整改
refuse "an unknown outcome" 1 "--outcome 须为 立行立改、限期整改 或 解释说明" county ratings rectify "$KA" --outcome 随便 --text x
refuse "a 回访 without its text" 1 "--text" county ratings revisit "$KA"
refuse "a follow-up rating before the rectification" 1 "整改后才能追评" county ratings followup "$KA" --rating 满意
refuse "a follow-up rating out of range" 1 "--rating 须为 1..5" county ratings followup "$KA" --rating 6
refuse "an appeal of an unknown kind" 1 "--kind 须为 误评 或 恶意差评" county ratings appeal "$KC" --kind 不服 --text x
refuse "a malformed case id" 1 "办件编号" county ratings show nonsense
REFUSE_PROBE=

# The 回访 deadline, both ways.
clock_at "2026-09-29 23:59:57"
sleep 1.5 # the card timer runs at least every 0.5 s on the test clock
eq "A: no card on its 回访 due day" "" "$(revisit_card "$KA")"
clock_at "2026-09-30 00:00:00"
ok "A: a red revisit card once the 回访 is overdue" tb_wait_for 10 eval '[ "$(revisit_card "$KA")" = "red open" ]'
ok "C: likewise" tb_wait_for 10 eval '[ "$(revisit_card "$KC")" = "red open" ]'
eq "A: the card names the owner" "$TOWN" "$(county cards --open --json | jq -r --arg c "$KA" '.[] | select(.case_id==$c) | .holder')"
ok "A: the card reaches the village's history" tb_wait_for 10 history_has vil "$KA" card_raised
eq "A: still closed" closed "$(cstate "$KA" state)"
clock_at "2026-09-30 00:00:02"
sleep 1.5
eq "A: one card, not one per scan" "red open" "$(revisit_card "$KA")"

clock_at "2026-09-30 09:00"
ok "A: 回访" county ratings revisit "$KA" --text 已电话回访，群众反映需两次跑腿
ok "A: the 回访 clears its card" tb_wait_for 10 eval '[ "$(revisit_card "$KA")" = "red revisited" ]'
ok "A: the clearing reaches the village's history" tb_wait_for 10 history_has vil "$KA" card_cleared
refuse "a second 回访" 1 "已回访过" county ratings revisit "$KA" --text again
ok "A: 整改, 立行立改" county ratings rectify "$KA" --outcome 立行立改 --text 已一次性告知所需材料
ok "A: 追评 of the fix" county ratings followup "$KA" --rating 满意 --text 改进了
refuse "a second 追评" 1 "每件只能追评一次" county ratings followup "$KA" --rating 非常满意
eq "A: the whole loop recorded" "immediate 4 改进了" "$(rect "$KA" '"\(.outcome) \(.followup) \(.followup_comment)"')"
eq "rates: A revisited and rectified" '[4,2,2,0.5,0.5,0.5,0.5]' "$(rates)"

# 申诉复核: the township appeals C, a county supervisor approves.
ok "C: the township appeals (恶意差评)" county ratings appeal "$KC" --kind 恶意差评 --text 当事人与窗口人员有私人纠纷
refuse "a second appeal" 1 "每件差评只能申诉一次" county ratings appeal "$KC" --kind 误评 --text again
refuse "a review by back office, not a supervisor: exit 3" 3 "须由县级督办签到办理" county_as cty.back ratings review "$KC" --approve --text 同意
printf '%s\n' 'Qiu-ju-2026!' | "$C" account add win1 --name 窗口 --role window --scope $TOWN --place $COUNTY --db "$DB" >/dev/null
ACCT_PW=$(pwfile acct 'Qiu-ju-2026!')
refuse "a review by a window account: exit 3" 3 "账号 win1（乡镇窗口）不能办理「ratings review」" \
    env TONGBAN_PASSWORD_FILE="$ACCT_PW" "$C" ratings review "$KC" --approve --text 同意 --place $COUNTY --db "$DB" --login win1
ok "a county supervisor account" sh -c "printf '%s\n' 'Qiu-ju-2026!' | '$C' account add sup1 --name 督查张 --role supervisor --scope $COUNTY --place $COUNTY --db '$DB'"
refuse "a review with no appeal" 1 "没有待复核的申诉" env TONGBAN_PASSWORD_FILE="$ACCT_PW" "$C" ratings review "$KA" --approve --text x --place $COUNTY --db "$DB" --login sup1
refuse "a review says approve or refuse" 1 "--approve 或 --refuse" env TONGBAN_PASSWORD_FILE="$ACCT_PW" "$C" ratings review "$KC" --approve --refuse --text x --place $COUNTY --db "$DB" --login sup1
ok "C: the supervisor approves the appeal" env TONGBAN_PASSWORD_FILE="$ACCT_PW" "$C" ratings review "$KC" --approve --text 经核实属恶意差评 --place $COUNTY --db "$DB" --login sup1
eq "C: approved, by sup1" "approved sup1 malicious" "$(rect "$KC" '"\(.appeal) \(.reviewed_by) \(.appeal_kind)"')"
ok "C: its revisit card is cleared" tb_wait_for 10 eval '[ "$(revisit_card "$KC")" = "red appeal" ]'
eq "rates: C out of them (3 rated, 2 satisfied, 1 bad)" '[3,2,1,0.6667,0.3333,1,1]' "$(rates)"
eq "the case keeps its rating" 1 "$(cstate "$KC" rating)"
eq "every step audited, in order" "revisit rectify followup appeal review" \
    "$(sql "SELECT string_agg(action, ' ' ORDER BY id) FROM rating_audit")"
eq "the audit names who" "cty.sup cty.sup cty.sup cty.sup sup1" "$(sql "SELECT string_agg(actor, ' ' ORDER BY id) FROM rating_audit")"
refuse "the audit is append-only" 1 "append-only" tb_psql "$PGDIR" -v ON_ERROR_STOP=1 -c "DELETE FROM rating_audit"
eq "open rectifications: none (A rectified, C removed)" "[]" "$(county ratings list --open --json | jq -c '[.[].case_id]')"
eq "the limits are data" "rectify_days=15 revisit_days=1" \
    "$(county limits list --json | jq -r '[.[] | select(.name | test("^re[cv]")) | "\(.name)=\(.days)"] | join(" ")')"
finish
