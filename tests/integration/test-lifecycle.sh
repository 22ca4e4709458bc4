#!/usr/bin/env bash
# The case lifecycle end to end, with real processes and a real PostgreSQL:
# one case of each kind (immediate township item, promised township item,
# county item with supplement and 容缺, refused, withdrawn, suspended and
# resumed, walk-in) walks through village, township and county; every tier's
# view and deadline is checked, bad steps are refused with the rule and change
# nothing, and an event the county rejects corrects the village's view.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
# wait_all CASE STATE: every tier shows the case in STATE.
at_tc() { [ "$(tstate "$1" state)" = "$2" ] && [ "$(cstate "$1" state)" = "$2" ]; }
# Every daemon and command runs on a fixed injected clock (TONGBAN_TEST_CLOCK,
# common/tb_log.h): Tuesday 2026-09-29 10:00 CST, the day before the National
# Day holiday (10-01..10-07 off, Saturday 10-10 a make-up workday), so every
# limit below crosses the holiday whatever the date of the run.
date -d "2026-09-29 10:00 +0800" +%s%3N >"$WORK/clock"
export TONGBAN_TEST_CLOCK=$WORK/clock
# Working-day deadlines computed here independently (workday.py reads the same
# injected clock): N working days after the CST day of now.
workday_after() { python3 "$TB_SOURCE/tests/integration/workday.py" "$TB_SOURCE/data/holidays-cn-2026.csv" "$@"; }
eq "deadlines: the injected day is Tue 2026-09-29" 2026-09-29 "$(workday_after today)"
eq "deadlines: 2 working days from it cross the holiday" 2026-10-08 "$(workday_after 2)"
eq "deadlines: 10 working days from it count the make-up Saturday" 2026-10-19 "$(workday_after 10)"
# The events each local tier made on a case: a refused step adds none (syncing
# only brings the other tiers' events, so this is stable while daemons run).
own_events() {
    local n
    n=$(vil show "$1" --json 2>/dev/null | jq -c "[.history[] | select(.origin==\"$VIL\")] | length")
    echo "${n:-0}"
    n=$(town show "$1" --json 2>/dev/null | jq -c "[.history[] | select(.origin==\"$TOWN\")] | length")
    echo "${n:-0}"
    tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE case_id='$1' AND origin_node='$COUNTY'"
}
# A refused step adds no event at any tier and logs no new case: lib.sh's
# refuse probes this for the case named in REFUSE_CASE.
lc_probe() {
    own_events "$REFUSE_CASE"
    vil ledger --json | jq length
}
REFUSE_PROBE=lc_probe

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

# 1. Immediate township item (即办件, 马上办): accepted and decided at once, result back, delivered, rated.
a=$(vil log --client 李秀英 --phone 13807961234 --item YB001 --materials 居民身份证,户口簿)
ok "immediate: arrives in pre-review at every tier" tb_wait_for 30 at_all "$a" prereview
eq "immediate: pre-review due in 2 working days" "$(workday_after 2)" "$(tstate "$a" due | cut -c1-10)"
ok "immediate: township accepts" town accept "$a"
ok "immediate: township decides, result issued at once" town decide "$a" --grant
ok "immediate: the village holds the result" tb_wait_for 30 at_all "$a" result
eq "immediate: history at the township" "logged submitted received accepted decided result" \
    "$(town show "$a" --json | jq -r '[.history[].event] | join(" ")')"
ok "immediate: village delivers" vil deliver "$a"
ok "immediate: village rates 非常满意" vil rate "$a" --rating 非常满意 --comment 很快
REFUSE_CASE=$a refuse "immediate: one rating per case (一事一评)" 1 "此操作每件只能做一次（一次性告知、一事一评）：$a" vil rate "$a" --rating 满意
ok "immediate: closed at every tier" tb_wait_for 30 at_all "$a" closed
rated() { [ "$(cstate "$a" rating)" = 5 ]; }
ok "immediate: the county has the rating" tb_wait_for 30 rated
eq "immediate: rating comment at the county" "很快" "$(tb_psql "$PGDIR" -c "SELECT rating_comment FROM cases WHERE case_id='$a'")"
ok "immediate: the county records the completion time" test -n "$(tb_psql "$PGDIR" -c "SELECT completion_time FROM cases WHERE case_id='$a'")"

# 2. Promised township item (承诺件 LD001: 3 working days, legal 5).
b=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "promised: in pre-review" tb_wait_for 30 at_tc "$b" prereview
REFUSE_CASE=$b refuse "promised: the township may not escalate a township item" 1 "超出本节点的权限（层级或辖区不符）：$b" town forward "$b"
ok "promised: township accepts" town accept "$b"
ok "promised: accepted everywhere" tb_wait_for 30 at_all "$b" accepted
eq "promised: due in 3 working days at the township" "$(workday_after 3)" "$(tstate "$b" due | cut -c1-10)"
eq "promised: due in 3 working days at the village" "$(workday_after 3)" "$(vstate "$b" due | cut -c1-10)"
cdue() { [ "$(cstate "$1" due | cut -c1-10)" = "$2" ]; }
ok "promised: due in 3 working days at the county" tb_wait_for 30 cdue "$b" "$(workday_after 3)"
eq "promised: legal limit 5 working days" "$(workday_after 5)" "$(tb_psql "$PGDIR" -c "SELECT to_char(legal_due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') FROM cases WHERE case_id='$b'")"
REFUSE_CASE=$b refuse "promised: a village cannot decide" 2 "未知命令：decide" vil decide "$b" --grant
REFUSE_CASE=$b refuse "promised: deny needs a reason" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$b" town decide "$b" --deny
ok "promised: township grants" town decide "$b" --grant
ok "promised: decided everywhere" tb_wait_for 30 at_all "$b" decided
eq "promised: no clock after the decision" "-" "$(tstate "$b" due)"
ok "promised: township issues the result" town result "$b"
ok "promised: result at the village" tb_wait_for 30 at_all "$b" result
ok "promised: delivered" vil deliver "$b"

# 3. County item with one-time notice, supplement and 容缺.
c=$(vil log --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证 --note 住院报销)
ok "county item: in pre-review" tb_wait_for 30 at_tc "$c" prereview
REFUSE_CASE=$c refuse "notice naming a material not in the item's list" 1 "该材料不在本事项的材料清单中：$c" town notice "$c" --missing 结婚证
ok "county item: one-time notice of every missing material" town notice "$c" --missing 住院发票原件,费用清单,出院小结,银行卡复印件
ok "county item: awaiting materials at every tier" tb_wait_for 30 at_all "$c" supplement
REFUSE_CASE=$c refuse "a second notice (一次性告知)" 1 "此操作每件只能做一次（一次性告知、一事一评）：$c" town notice "$c" --missing 费用清单
eq "county item: the village ledger shows what to bring" "住院发票原件、费用清单、出院小结、银行卡复印件" "$(vstate "$c" to_bring)"
eq "county item: the clock is paused at the village" paused "$(vstate "$c" due)"
cpaused() { [ "$(cstate "$c" due)" = paused ]; }
ok "county item: the clock is paused at the county" tb_wait_for 30 cpaused
ok "county item: the resident brings three" vil supplement "$c" --materials 住院发票原件、费用清单、出院小结
v_one_left() { [ "$(tstate "$c" to_bring)" = 银行卡复印件 ]; }
ok "county item: the township sees one still missing" tb_wait_for 30 v_one_left
REFUSE_CASE=$c refuse "容缺 on a core material" 1 "核心材料不能容缺受理（容缺只适用于非核心材料）：$c" town accept "$c" --pledge 居民身份证 --due 2026-12-31
REFUSE_CASE=$c refuse "容缺 without a due date" 1 "容缺受理必须给出补交期限 --due 年-月-日" town accept "$c" --pledge 银行卡复印件
ok "county item: 容缺受理 for the non-core card copy" town accept "$c" --pledge 银行卡复印件 --due 2026-12-31
ok "county item: forwarded to the county" town forward "$c"
ok "county item: the county holds it" tb_wait_for 30 at_all "$c" county
eq "county item: due in 10 working days from 受理" "$(workday_after 10)" "$(vstate "$c" due | cut -c1-10)"
eq "county item: the village still must bring the card copy" "银行卡复印件" "$(vstate "$c" to_bring)"
REFUSE_CASE=$c refuse "the township cannot decide a case the county holds" 1 "本节点不是该件的当前经办方，不能操作：$c" town decide "$c" --grant
REFUSE_CASE=$c refuse "the county cannot decide while materials are owed" 1 "尚有待补材料，不能进行此操作：$c" county decide "$c" --grant
ok "county item: the resident brings the card copy" vil supplement "$c" --materials 银行卡复印件
nothing_owed() { [ -z "$(cstate "$c" to_bring)" ]; }
ok "county item: nothing owed at the county" tb_wait_for 30 nothing_owed
ok "county item: county suspends for a site survey" county suspend "$c" --basis survey
ok "county item: suspended everywhere" tb_wait_for 30 at_all "$c" suspended
eq "county item: clock paused while suspended" paused "$(vstate "$c" due)"
ok "county item: county resumes" county resume "$c"
ok "county item: back at the county" tb_wait_for 30 at_all "$c" county
ok "county item: county grants" county decide "$c" --grant
ok "county item: result issued" county result "$c"
ok "county item: the result reaches the village" tb_wait_for 30 at_all "$c" result
ok "county item: delivered" vil deliver "$c"
ok "county item: closed everywhere" tb_wait_for 30 at_all "$c" closed
eq "county item: the whole history at the county" "logged submitted received notice supplemented pledged forwarded received supplemented suspended resumed decided result delivered" \
    "$(county show "$c" --json | jq -r '[.history[].event] | join(" ")')"
eq "county item: history names the notice's materials" "一次性告知 住院发票原件、费用清单、出院小结、银行卡复印件" \
    "$(vil show "$c" --json | jq -r '.history[] | select(.event=="notice") | "\(.label) \(.detail)"')"

# 4. Refused (不予受理).
d=$(vil log --client 钱七 --phone 13507962222 --item HJ001)
ok "refused: in pre-review" tb_wait_for 30 at_tc "$d" prereview
REFUSE_CASE=$d refuse "refusal without a reason" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$d" town refuse "$d"
ok "refused: refused with a reason" town refuse "$d" --reason 非本县户籍
ok "refused: refused everywhere" tb_wait_for 30 at_all "$d" refused
ok "refused: the notice goes back (出件)" town result "$d"
ok "refused: back at the village" tb_wait_for 30 at_all "$d" result
ok "refused: reason in the village's history" contains "$(vil show "$d")" 非本县户籍

# 5. Withdrawn at the resident's request.
e=$(vil log --client 孙八 --phone 13307963333 --item LD003)
ok "withdrawn: in pre-review" tb_wait_for 30 at_tc "$e" prereview
ok "withdrawn: the village withdraws" vil withdraw "$e" --reason 群众不再申请
ok "withdrawn: withdrawn everywhere" tb_wait_for 30 at_all "$e" withdrawn
REFUSE_CASE=$e refuse "withdrawn: no step after withdrawal" 1 "当前状态不允许此操作：$e" town accept "$e"

# 6. Suspended and resumed at the township; walk-in registration.
f=$(town register --client 周九 --phone 13207964444 --item GH001 --materials 居民身份证,户口簿,宅基地申请表,村民会议意见)
ok "walk-in: case id of the township" matches "$f" "^${TOWN}-[0-9]{8}-0001$"
ok "walk-in: accepted at the window" town accept "$f"
REFUSE_CASE=$f refuse "suspend without a basis" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$f" town suspend "$f"
REFUSE_CASE=$f refuse "suspend with an unknown basis" 1 "取值无效（评价等级、挂起依据、决定或日期）：$f" town suspend "$f" --basis lunch
ok "walk-in: suspended for a hearing" town suspend "$f" --basis hearing
cf() { [ "$(cstate "$f" state)" = suspended ]; }
ok "walk-in: the county sees it suspended" tb_wait_for 30 cf
ok "walk-in: resumed" town resume "$f"
cf2() { [ "$(cstate "$f" state)" = accepted ]; }
ok "walk-in: the county sees it resumed" tb_wait_for 30 cf2
ok "walk-in: decided, result at the window, delivered" bash -c "$(declare -f town); T=$T WORK=$WORK TOWN=$TOWN; town decide $f --grant && town result $f && town deliver $f"
cf3() { [ "$(cstate "$f" state)" = closed ]; }
ok "walk-in: closed at the county" tb_wait_for 30 cf3

# 7. Consultation with its reply: closed at once.
g=$(vil log --client 吴十 --phone 13107965555 --item ZX001 --reply 医保政策已答复)
eq "consultation: closed at once" closed "$(vstate "$g" state)"
REFUSE_CASE=$g refuse "consultation without a reply" 1 "咨询和帮扶必须登记答复（--reply）：ZX001" vil log --client 吴十 --phone 13107965555 --item ZX001
cg() { [ "$(cstate "$g" state)" = closed ]; }
ok "consultation: reaches the county closed, with the reply" tb_wait_for 30 cg
eq "consultation: reply at the county" 医保政策已答复 "$(tb_psql "$PGDIR" -c "SELECT result FROM cases WHERE case_id='$g'")"

# 8. The county rejects a step the village took on stale information; the
#    village's view corrects itself.  The village is offline while the
#    township accepts and the county holds the case; the village then
#    withdraws (legal in its stale view); the county refuses it.
h=$(vil log --client 郑一 --phone 13007966666 --item SJ001 --materials 经营者居民身份证,经营场所证明,个体工商户登记申请书)
ok "rejection: in pre-review" tb_wait_for 30 at_all "$h" prereview
stop vil
ok "rejection: township accepts" town accept "$h"
REFUSE_CASE=$h refuse "rejection: the township may not decide a county item" 1 "error: beyond this node's authority (wrong level or place): $h" env LANG=en "$T" decide "$h" --grant --place $TOWN --data-dir "$WORK/t" --agent 窗口李
ok "rejection: township forwards" town forward "$h"
ch() { [ "$(cstate "$h" state)" = county ]; }
ok "rejection: the county holds it" tb_wait_for 30 ch
ok "rejection: county grants" county decide "$h" --grant
ok "rejection: the offline village withdraws (its view is stale)" vil withdraw "$h"
eq "rejection: locally withdrawn" withdrawn "$(vstate "$h" state)"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
vh() { [ "$(vstate "$h" state)" = decided ]; }
# The township backed off sending to the village while it was down (up to 30 s).
ok "rejection: the village's view corrects itself to the county's" tb_wait_for 90 vh
eq "rejection: the withdrawal is marked rejected in the village's history" "withdrawn false" \
    "$(vil show "$h" --json | jq -r '.history[] | select(.event=="withdrawn") | "\(.event) \(.folded)"')"
ok "rejection: the rule is named at the village" contains "$(vil show "$h")" "县级驳回"
eq "rejection: the county stored it, not applied" "f" \
    "$(tb_psql "$PGDIR" -c "SELECT folded FROM case_events WHERE case_id='$h' AND type_name='withdrawn'")"
eq "rejection: the county's state is unchanged" decided "$(cstate "$h" state)"

# 9. Cards: the county's deadline supervision sees none overdue yet; English works.
eq "no red card in the county" "" "$(county cases --json | jq -r '[.[] | select(.card=="red") | .case_id] | join(" ")')"
# ... and it would see one: a case whose due day is long past gets a red card.
tb_psql "$PGDIR" -c "UPDATE cases SET due_at = '2001-01-05 17:00+08', paused = false WHERE case_id='$h'" >/dev/null
eq "a case past its due day gets a red card in the county" "$h red" \
    "$(county cases --json | jq -r '.[] | select(.card != "") | "\(.case_id) \(.card)"')"
ok "English ledger" contains "$(LANG=en vil ledger)" "closed"
REFUSE_CASE=$a refuse "English error names the rule" 1 "error: this step is allowed once per case (one notice, one rating): $a" env LANG=en "$V" rate "$a" --rating 1 --place $VIL --data-dir "$WORK/v" --agent 张代办
finish
