#!/usr/bin/env bash
# The resident's 追评 (RATING_FOLLOWUP, EventType 40; issue 11) through the
# real processes: once per case, only after the first rating, taken at the
# village (the agent's ledger), at the township's window or by the county
# (`ratings followup`), carried over the links like RATED; at the county it
# lands on the case's row and, for a 差评, on its rectification with an audit
# row (migration 018), written from the event alone.
#   K  a village case rated 不满意 at the village; the county revisits and
#      rectifies (立行立改); the village takes the 追评 (满意, with the four
#      indicators); the township and the county fold it; ratings show has it.
#   W  a walk-in at the window rated 非常不满意 there, rectified; the window
#      takes the 追评; channel window.
#   G  a village case rated 满意 (no rectification): the county takes the
#      追评 for the resident while the village is offline, and the village,
#      not knowing, takes one too.  The township refuses the village's second
#      with REJECTED (once only); the village shows 被退回 and, folded again,
#      the county's 追评.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
sql() { tb_psql "$PGDIR" -c "$1"; }
rect() { county ratings show "$1" --json | jq -r "$2"; }
detail() { "$1" show "$2" --json | jq -r '.history[] | select(.event == "rating_followup") | .detail'; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

K=$(delivered)
ok "K: delivered" test -n "$K"

vprobe() { vil show "$K" --json | jq -c '[.history | length, .rating, .followup]'; }
REFUSE_PROBE=vprobe
refuse "K: no 追评 before the rating" 1 "当前状态不允许此操作：$K" vil followup "$K" --rating 满意
refuse "K: a 追评 needs its level" 2 "--rating" vil followup "$K"
REFUSE_PROBE=
ok "K: rated 不满意 at the village" vil rate "$K" --rating 不满意 --comment 跑了两趟
ok "K: the county opened its rectification" tb_wait_for 30 eval 'county ratings show "$K" --json >/dev/null 2>&1'
ok "K: 回访 and 整改 at the county" sh -c "'$C' ratings revisit '$K' --text 已回访 --place $COUNTY --db '$DB' --login cty.sup >/dev/null && '$C' ratings rectify '$K' --outcome 立行立改 --text 已整改 --place $COUNTY --db '$DB' --login cty.sup >/dev/null"
REFUSE_PROBE=vprobe
refuse "K: a 追评 level out of range" 1 "非常不满意" vil followup "$K" --rating 6
REFUSE_PROBE=
ok "K: the 追评 at the village, with the four indicators" \
    vil followup "$K" --rating 满意 --comment 整改后一次办好 --overall 4 --efficiency 4 --skill 5 --attitude 4
eq "K: the village's ledger shows it" "4 满意 整改后一次办好" "$(vil show "$K" --json | jq -r '"\(.followup) \(.followup_label) \(.followup_comment)"')"
eq "K: the village's history says it" "满意（整体满意度 满意、服务效率 满意、服务水平 非常满意、服务态度 满意）" "$(detail vil "$K")"
ok "K: it reaches the county's rectification" tb_wait_for 30 eval \
    '[ "$(rect "$K" '"'"'"\(.outcome) \(.followup) \(.followup_comment)"'"'"')" = "immediate 4 整改后一次办好" ]'
eq "K: the first rating stays" "2" "$(rect "$K" .rating)"
eq "K: the county's case row, channel village" "4 整改后一次办好 village" \
    "$(sql "SELECT concat_ws(' ', followup, followup_comment, followup_channel) FROM cases WHERE case_id = '$K'")"
eq "K: audited, by the agent" "followup 张代办 4 整改后一次办好" \
    "$(sql "SELECT concat_ws(' ', action, actor, detail) FROM rating_audit WHERE case_id = '$K' AND action = 'followup'")"
eq "K: the county's timeline shows it as the village's" "$(detail vil "$K")" "$(detail county "$K")"
ok "K: the township folded it" tb_wait_for 30 eval '[ "$(tstate "$K" followup)" = 4 ]'
REFUSE_PROBE=vprobe
refuse "K: a second 追评 at the village" 1 "此操作每件只能做一次" vil followup "$K" --rating 非常满意
REFUSE_PROBE=
refuse "K: a second 追评 by the county" 1 "每件只能追评一次" county ratings followup "$K" --rating 非常满意

# At the window: a walk-in rated 差评 there, rectified, its 追评 at the window.
W=$(town register --client 王五 --phone 13912345678 --item YB001 --materials 居民身份证,户口簿)
ok "W: accepted, granted, delivered, rated 非常不满意 at the window" sh -c "'$T' accept '$W' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' decide '$W' --grant --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' deliver '$W' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' rate '$W' --rating 非常不满意 --comment 态度差 --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null"
ok "W: its rectification at the county" tb_wait_for 30 eval 'county ratings show "$W" --json >/dev/null 2>&1'
refuse "W: the county keeps the loop's order: 整改 before its 追评" 1 "整改后才能追评" county ratings followup "$W" --rating 满意
ok "W: 回访 and 整改 (解释说明)" sh -c "'$C' ratings revisit '$W' --text 已回访 --place $COUNTY --db '$DB' --login cty.sup >/dev/null && '$C' ratings rectify '$W' --outcome 解释说明 --text 已说明 --place $COUNTY --db '$DB' --login cty.sup >/dev/null"
ok "W: the 追评 at the window" town followup "$W" --rating 基本满意 --comment 说明清楚了
ok "W: it reaches the rectification" tb_wait_for 30 eval '[ "$(rect "$W" .followup)" = 3 ]'
eq "W: channel window, audited by the window" "3 window 窗口李" \
    "$(sql "SELECT concat_ws(' ', c.followup, c.followup_channel, a.actor) FROM cases c JOIN rating_audit a USING (case_id) WHERE case_id = '$W' AND a.action = 'followup'")"

# G: two 追评 at once.  The county's goes down; the village's, taken offline, is refused.
G=$(delivered)
ok "G: rated 满意 at the village" vil rate "$G" --rating 满意
ok "G: the rating reaches the county" tb_wait_for 30 eval '[ "$(cstate "$G" rating)" = 4 ]'
stop vil
ok "G: the county takes a 追评 for the resident (no 差评: no rectification)" county ratings followup "$G" --rating 非常满意 --text 电话回访时追评
ok "G: the township folds the county's" tb_wait_for 30 eval '[ "$(tstate "$G" followup)" = 5 ]'
ok "G: the village, offline, takes one too" vil followup "$G" --rating 基本满意
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
ok "G: the village's is answered REJECTED and shown 被退回" tb_wait_for 30 eval \
    '[ "$(vstate "$G" returned)" = true ]'
eq "G: with the reason in Chinese" "此操作每件只能做一次" "$(vstate "$G" returned_reason | grep -o 此操作每件只能做一次)"
ok "G: the village folds the county's 追评 instead" tb_wait_for 30 eval '[ "$(vstate "$G" followup)" = 5 ]'
eq "G: the county keeps its own" "5 county" \
    "$(sql "SELECT concat_ws(' ', followup, followup_channel) FROM cases WHERE case_id = '$G'")"
eq "G: no rectification, so no audit row" 0 "$(sql "SELECT count(*) FROM rating_audit WHERE case_id = '$G'")"
stop vil
stop town
stop county
stop broker
finish
