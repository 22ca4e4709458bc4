#!/usr/bin/env bash
# Complaints (投诉, issue 11) through the real processes, a real PostgreSQL
# and an injected clock around the 2026 National Day holiday
# (data/holidays-cn-2026.csv: 10-01..10-07 off, Sat 10-10 worked):
#   the village files for a resident; the county accepts and assigns it to
#   the township; the township answers; the county revisits; the resident is
#   still dissatisfied: 重办; the answer is late: a red card of kind
#   complaint, cleared by the answer; revisit and close; 问责; a second
#   complaint (咨询) declined; bad input refused in Chinese with nothing
#   written; the board's filters.
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
# cp ID FIELD: a field of complaint ID as the county lists it.
cp() { county complaint list --state all --json | jq -r --argjson i "$1" ".[] | select(.id==\$i) | .$2"; }
cp_is() { [ "$(cp "$1" "$2")" = "$3" ]; }
# has_event NODE CASE EVENT: the case's history at that tier holds the event.
has_event() { "$1" show "$2" --json | jq -e --arg e "$3" '.history | map(select(.event == $e)) | length > 0' >/dev/null; }
# complaint_card: "level open|why-cleared" of the newest complaint card at the county.
complaint_card() { county cards --json | jq -r '.[] | select(.kind=="complaint") | "\(.level) \(if .cleared_ms == 0 then "open" else .cleared_why end)"' | tail -1; }

start broker "$BROKER" serve
start county env TONGBAN_TEST_INTAKE_TICKS=100000 "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

A=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "A: in pre-review at every tier" tb_wait_for 30 at_all "$A" prereview
eq "the complaint limits are data, issue 11's defaults" \
    "complaint_accept_days=5 complaint_days=13 consult_days=3 revisit_days=1" \
    "$(county limits list --json | jq -r '[.[] | select(.name | test("complaint|consult|revisit")) | "\(.name)=\(.days)"] | join(" ")')"

eq "no complaint yet: the county's list is empty (and sorts nothing)" "[]" "$(county complaint list --state all --json | jq -c .)"

# --- the village files it ---
vil_history() { vil show "$A" --json | jq -c '.history | length'; }
REFUSE_PROBE=vil_history
refuse "the village: an unknown kind is refused" 1 "投诉 或 咨询" vil complain "$A" --kind 表扬 --text 很好
refuse "the village: a complaint without text is refused" 1 "错误" vil complain "$A" --text " "
refuse "the village: text over 2000 bytes is refused" 2 "过长" vil complain "$A" --text "$(printf '投%.0s' {1..700})"
refuse "the village: a case it did not log is refused" 1 "没有这个办件" vil complain 360826100001-20260928-9999 --text 推诿
REFUSE_PROBE=
ok "the village files a complaint for the resident" vil complain "$A" --text "窗口推诿，材料一次没说清"
refuse "the village: one open complaint per case" 1 "已有未办结的投诉" vil complain "$A" --text 再投诉
ok "the county has it, to accept" tb_wait_for 30 eval '[ "$(county complaint list --json | jq length)" = 1 ]'
ID=$(county complaint list --json | jq -r '.[0].id')
eq "filed by the village, kind 投诉, state filed" "$VIL complaint filed 投诉" \
    "$(cp "$ID" filed_by) $(cp "$ID" kind) $(cp "$ID" state) $(cp "$ID" kind_label)"
eq "受理 due within 5 working days: Sat 10-10 (the holiday skipped)" "2026-10-10T23:59:59" \
    "$(cp "$ID" due_ms | jq -r '. / 1000 + 28800 | floor | todate[0:19]')"
eq "the case's own state is untouched" prereview "$(cstate "$A" state)"

# --- bad input at the county: clear Chinese, nothing written ---
show_id() { county complaint show "$ID" --json | jq -c .; }
REFUSE_PROBE=show_id
refuse "an unknown complaint" 1 "没有编号为 999 的投诉" county complaint accept 999
refuse "not a number" 1 "投诉编号须为正整数" county complaint accept abc
refuse "a step out of turn (close before 受理)" 1 "当前为「待受理」，不能办结" county complaint close "$ID"
refuse "a reply before assignment" 1 "当前为「待受理」，不能反馈" county complaint reply "$ID" --text 已处理
refuse "decline without a reason" 2 "用法" county complaint decline "$ID"
refuse "a text too long" 2 "过长" county complaint decline "$ID" --text "$(printf '投%.0s' {1..700})"
refuse "a file on an unknown case" 1 "没有这个办件" county complaint file 360826100001-20260928-9999 --text 推诿
refuse "a file while one is open" 1 "已有未办结的投诉" county complaint file "$A" --text 再投诉
refuse "an unknown state filter" 1 "没有这个状态" county complaint list --state nope
REFUSE_PROBE=

ok "受理" county complaint accept "$ID"
REFUSE_PROBE=show_id
refuse "assign to a village (wrong place)" 1 "流转对象须为 county" county complaint assign "$ID" --to $VIL
refuse "assign to another county's township" 1 "流转对象须为 county" county complaint assign "$ID" --to 360827100000
refuse "the township may not answer before it is assigned" 1 "没有流转给本单位待反馈的投诉" town complaint-reply "$A" --text 已处理
REFUSE_PROBE=
eq "accepted; handling due in 13 working days: Wed 10-21" "accepted 2026-10-21T23:59:59" \
    "$(cp "$ID" state) $(cp "$ID" due_ms | jq -r '. / 1000 + 28800 | floor | todate[0:19]')"
ok "流转 to the township" county complaint assign "$ID" --to $TOWN
eq "being handled by 桥头镇's unit" "assigned $TOWN" "$(cp "$ID" state) $(cp "$ID" unit)"
ok "the township has the assignment in the case's history" tb_wait_for 30 has_event town "$A" complaint_assigned
ok "so has the village" tb_wait_for 30 has_event vil "$A" complaint_assigned

# --- the township answers; the county revisits; 重办 ---
clock_at "2026-09-29 10:00"
ok "the township answers (办理反馈)" town complaint-reply "$A" --text "已约谈窗口人员，向群众一次说清所需材料"
ok "the county has the answer" tb_wait_for 30 cp_is "$ID" state replied
eq "the answer is stored" "已约谈窗口人员，向群众一次说清所需材料" "$(cp "$ID" reply)"
eq "回访 due the working day after: Wed 09-30" "2026-09-30T23:59:59" \
    "$(cp "$ID" due_ms | jq -r '. / 1000 + 28800 | floor | todate[0:19]')"
refuse "a second answer is out of turn" 1 "没有流转给本单位待反馈的投诉" town complaint-reply "$A" --text 再答
ok "回访" county complaint revisit "$ID" --text "群众仍不满意：材料清单仍未给全"
ok "重办: back to the township" county complaint redo "$ID" --text "请重新办理并书面告知"
eq "assigned again, one redo, due 13 working days after the redo: Thu 10-22" "assigned 1 2026-10-22T23:59:59" \
    "$(cp "$ID" state) $(cp "$ID" redos) $(cp "$ID" due_ms | jq -r '. / 1000 + 28800 | floor | todate[0:19]')"

# --- overdue: a red card of kind complaint, on the card timer ---
clock_at "2026-10-22 23:59:58"
sleep 1.5
eq "no card on its due day" "" "$(complaint_card)"
clock_at "2026-10-23 00:00:00"
ok "a red complaint card once the redo is overdue" tb_wait_for 10 eval '[ "$(complaint_card)" = "red open" ]'
eq "the board marks it overdue" true "$(cp "$ID" overdue)"
ok "the card reaches the township's history" tb_wait_for 10 has_event town "$A" card_raised
ok "the township answers again" town complaint-reply "$A" --text "已书面告知全部材料"
ok "the card is cleared by the answer" tb_wait_for 10 eval '[ "$(complaint_card)" = "red replied" ]'
clock_at "2026-10-26 09:00"
ok "回访 again" county complaint revisit "$ID" --text 群众满意
ok "办结" county complaint close "$ID"
ok "问责 recorded" county complaint fault "$ID" --text "窗口未一次性告知" --party $TOWN
eq "closed, one fault" "closed 1" "$(cp "$ID" state) $(cp "$ID" faults)"
ok "the close reaches the village" tb_wait_for 30 has_event vil "$A" complaint_closed
eq "no open complaint left" 0 "$(county complaint list --json | jq length)"

# --- a second one, a consultation, declined ---
ok "the county files a 咨询 on the same case" county complaint file "$A" --kind 咨询 --text "想了解补办流程"
ID2=$(county complaint list --json | jq -r '.[0].id')
eq "a new complaint, of kind consult" "consult filed" "$(cp "$ID2" kind) $(cp "$ID2" state)"
ok "不予受理" county complaint decline "$ID2" --text "属一般咨询，已当场答复"
eq "declined" declined "$(cp "$ID2" state)"
refuse "a declined complaint cannot be assigned" 1 "当前为「不予受理」，不能流转" county complaint assign "$ID2" --to $TOWN

# --- the board's filters and the history ---
eq "both in 桥头镇" 2 "$(county complaint list --state all --township $TOWN --json | jq length)"
eq "none in another township" 0 "$(county complaint list --state all --township 360826101000 --json | jq length)"
eq "one declined" "$ID2" "$(county complaint list --state declined --json | jq -r '.[].id')"
ok "show lists the flow" eval 'county complaint show "$ID" | grep -q "投诉重办"'
eq "every step is an event in the case's history at the county" \
    "complained complaint_accepted complaint_assigned complaint_replied complaint_revisited complaint_redone complaint_replied complaint_revisited complaint_closed complaint_fault complained complaint_declined" \
    "$(county show "$A" --json | jq -r '[.history[] | select(.event | startswith("complain")) | .event] | join(" ")')"
eq "the case's own state never moved" prereview "$(cstate "$A" state)"

# --- statistics: complaints by outcome, in report and the API ---
eq "report --json: complaints by outcome over the range" \
    '{"filed":2,"open":0,"overdue":0,"declined":1,"closed":1,"closed_after_redo":1,"redone":1,"faults":1}' \
    "$(county report --from 2026-09-01 --to 2026-10-31 --json | jq -c .complaints_by_outcome)"
eq "none filed in August" 0 "$(county report --from 2026-08-01 --to 2026-08-31 --json | jq .complaints_by_outcome.filed)"
ok "report: the line in words" eval 'county report --from 2026-09-01 --to 2026-10-31 | grep -q "投诉（按结果）：登记 2，办理中 0（超期 0），办结 1（其中重办后办结 1），不予受理 1"'

finish
