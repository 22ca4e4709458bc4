#!/usr/bin/env bash
# A complaint step out of turn (投诉, issue 11) through the real processes
# and a real PostgreSQL: each node checks the flow as its own store has it
# before it sends a step, but its store can be behind the county's.
#   1. the county reassigns a complaint to itself while the township is
#      offline; the window, still seeing it as its own, answers: the county
#      stores the answer unfolded and answers REJECTED (REJECT_NOT_HOLDER),
#      the township shows the case 被退回, the complaint stays the county's;
#   2. the county files a complaint while the village is offline; the
#      village, seeing none open, files one too: REJECTED
#      (REJECT_OUT_OF_STATE), 被退回 at the village, one complaint at the county;
#   3. two staff type the same step at once (both past the CLI's check): the
#      daemon lets the first through and refuses the second in Chinese.
# Refused events are consumed: later events on the same links still apply.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)

cpf() { county complaint list --state all --json | jq -r --arg c "$1" ".[] | select(.case_id==\$c) | .$2"; }
cp_is() { [ "$(cpf "$1" "$2")" = "$3" ]; }
has_event() { "$1" show "$2" --json | jq -e --arg e "$3" '.history | map(select(.event == $e)) | length > 0' >/dev/null; }
returned() { "$1" show "$2" --json | jq -r 'if .returned then .returned_reason else "" end'; }
is_returned() { [ -n "$(returned "$1" "$2")" ]; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

A=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials 居民身份证,解除劳动合同证明)
B=$(vil log --client 赵六 --phone 13912345679 --item LD001 --materials 居民身份证,解除劳动合同证明)
at_town() { [ "$(tstate "$1" state)" = prereview ] && [ "$(cstate "$1" state)" = prereview ]; }
ok "both cases reach the township and the county" tb_wait_for 30 eval 'at_town "$A" && at_town "$B"'

# --- 1. a reply from a unit the complaint is no longer assigned to ---
ok "the village files a complaint on A" vil complain "$A" --text "窗口推诿"
ok "the county has it" tb_wait_for 30 cp_is "$A" state filed
ID=$(cpf "$A" id)
ok "受理" county complaint accept "$ID"
ok "流转 to the township" county complaint assign "$ID" --to $TOWN
ok "the township has the assignment" tb_wait_for 30 has_event town "$A" complaint_assigned
stop town
ok "while the township is offline the county takes it back (流转 to itself)" \
    county complaint assign "$ID" --to county
ok "the window, offline, still sees it as its own and answers" \
    town complaint-reply "$A" --text "已约谈窗口人员"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "the answer comes back 被退回 at the township" tb_wait_for 30 is_returned town "$A"
eq "... with the county's words" "该投诉没有流转给本单位，应由责任单位反馈" "$(returned town "$A")"
eq "the complaint is still the county's to answer, with no answer" "assigned $COUNTY " \
    "$(cpf "$A" state) $(cpf "$A" unit) $(cpf "$A" reply)"
ok "the county answers it itself" county complaint reply "$ID" --text "县级已核实处理"
eq "replied by the county" "replied 县级已核实处理" "$(cpf "$A" state) $(cpf "$A" reply)"

# --- 2. a second COMPLAINED while one is open ---
stop vil
ok "while the village is offline the county files one on B" county complaint file "$B" --text "电话投诉"
ok "the village, offline, sees none open and files one too" vil complain "$B" --text "再次投诉"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
ok "the village's complaint comes back 被退回" tb_wait_for 30 is_returned vil "$B"
eq "... with the county's words" "办件已有未办结的投诉，请等县级办结后再登记" "$(returned vil "$B")"
eq "the county has one complaint on B, its own" "1 $COUNTY" \
    "$(county complaint list --state all --json | jq -r --arg c "$B" '[.[] | select(.case_id==$c)] | "\(length) \(.[0].filed_by)"')"
ok "the refused ids were consumed: the village's next step still applies" vil note "$B" --reason 已电话联系
ok "... and reaches the county" tb_wait_for 30 has_event county "$B" note

# --- 3. two staff type the same step at once ---
BID=$(cpf "$B" id)
stop county
# Both pass the CLI's check (nothing is committed yet) and wait for the daemon.
county complaint accept "$BID" >"$WORK/s1.out" 2>&1 &
p1=$!
county complaint accept "$BID" >"$WORK/s2.out" 2>&1 &
p2=$!
sleep 1
start county "$C" serve --place $COUNTY --db "$DB"
wait $p1
r1=$?
wait $p2
r2=$?
sed 's/^/# /' "$WORK/s1.out" "$WORK/s2.out"
eq "one of the two passes, the other is refused" "0 1" "$(printf '%s\n' $r1 $r2 | sort | tr '\n' ' ' | sed 's/ $//')"
ok "the refusal says so in Chinese" grep -q "可能已由他人办理" "$WORK/s1.out" "$WORK/s2.out"
eq "one 受理 in the case's history" 1 \
    "$(county show "$B" --json | jq '[.history[] | select(.event == "complaint_accepted")] | length')"
eq "accepted" accepted "$(cpf "$B" state)"

stop vil
stop town
stop county
stop broker
finish
