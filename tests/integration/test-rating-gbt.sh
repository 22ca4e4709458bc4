#!/usr/bin/env bash
# The rating as GB/T 39735-2020 has it (issue 11), through the real processes:
# the five levels with the four offline indicators (整体满意度, 服务效率, 服务水平,
# 服务态度; all four or none) taken at the village and at the township's window
# with the same checks and the same Chinese words; the channel (village or
# window) set by the node that records it; carried over the links to the
# county, stored (migration 014), shown in the timeline and in `ratings show`
# (what /api/ratings lists).  A rating without indicators stays as it was.
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
sql() { tb_psql "$PGDIR" -c "$1"; }
ind() { sql "SELECT concat_ws(' ', rating, overall, efficiency, skill, attitude, channel, origin_node) FROM rating_indicators WHERE case_id = '$1'"; }
detail() { "$1" show "$2" --json | jq -r '.history[] | select(.event == "rated") | .detail'; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

# A YB001 case decided at the township and delivered at the village.
K=$(vil log --client 李秀英 --phone 13807961234 --item YB001 --materials 居民身份证,户口簿)
ok "K: in pre-review at every tier" tb_wait_for 30 at_all "$K" prereview
ok "K: accepted and granted" sh -c "'$T' accept '$K' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' decide '$K' --grant --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null"
ok "K: the result reaches the village" tb_wait_for 30 at_all "$K" result
ok "K: delivered" vil deliver "$K"

# Bad input: the same Chinese words, nothing written (the village's history).
vprobe() { vil show "$K" --json | jq -c '[.history | length, .rating]'; }
REFUSE_PROBE=vprobe
refuse "village: three indicators of four" 1 "四项评价指标（整体满意度、服务效率、服务水平、服务态度）须全部填写或全部不填" \
    vil rate "$K" --rating 不满意 --overall 2 --efficiency 2 --skill 3
refuse "village: an indicator out of range" 1 "服务态度须为 1..5 或 非常满意、满意、基本满意、不满意、非常不满意：6" \
    vil rate "$K" --rating 不满意 --overall 2 --efficiency 2 --skill 3 --attitude 6
refuse "village: an indicator that is no level" 1 "服务效率须为 1..5" \
    vil rate "$K" --rating 不满意 --overall 2 --efficiency 快 --skill 3 --attitude 1
REFUSE_PROBE=
ok "village: rated 不满意 with the four indicators (levels by name or number)" \
    vil rate "$K" --rating 不满意 --comment 跑了两趟 --overall 2 --efficiency 不满意 --skill 3 --attitude 1
eq "village: the history shows the indicators" "不满意（整体满意度 不满意、服务效率 不满意、服务水平 基本满意、服务态度 非常不满意）" \
    "$(detail vil "$K")"
ok "the rating reaches the county" tb_wait_for 30 eval '[ "$(cstate "$K" rating)" = 2 ]'
ok "the county stored the indicators, channel village" tb_wait_for 10 eval \
    '[ "$(ind "$K")" = "2 2 2 3 1 village $VIL" ]'
eq "the county's timeline shows them" "$(detail vil "$K")" "$(detail county "$K")"
ok "the 差评's rectification lists them (ratings show, /api/ratings)" tb_wait_for 10 eval \
    '[ "$(county ratings show "$K" --json 2>/dev/null | jq -c .indicators)" = "{\"overall\":2,\"efficiency\":2,\"skill\":3,\"attitude\":1}" ]'
refuse "one rating per case, indicators or not" 1 "" vil rate "$K" --rating 满意 --overall 4 --efficiency 4 --skill 4 --attitude 4

# At the window: a walk-in case rated there, the same checks; channel window.
W=$(town register --client 王五 --phone 13912345678 --item YB001 --materials 居民身份证,户口簿)
ok "W: logged at the window" test -n "$W"
ok "W: accepted, granted, delivered at the window" sh -c "'$T' accept '$W' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' decide '$W' --grant --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' deliver '$W' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null"
tprobe() { town show "$W" --json | jq -c '[.history | length, .rating]'; }
REFUSE_PROBE=tprobe
refuse "window: three indicators of four, the village's words" 1 "四项评价指标（整体满意度、服务效率、服务水平、服务态度）须全部填写或全部不填" \
    town rate "$W" --rating 满意 --overall 4 --skill 4 --attitude 5
refuse "window: an indicator out of range" 1 "整体满意度须为 1..5" \
    town rate "$W" --rating 满意 --overall 0 --efficiency 4 --skill 4 --attitude 5
REFUSE_PROBE=
ok "window: rated 满意 with the four indicators" town rate "$W" --rating 满意 --overall 5 --efficiency 4 --skill 4 --attitude 5
ok "the county stored them, channel window" tb_wait_for 30 eval \
    '[ "$(ind "$W")" = "4 5 4 4 5 window $TOWN" ]'

# Compatible: a rating without indicators is taken as before, nothing stored in 014's table.
P=$(town register --client 赵六 --phone 13607961111 --item YB001 --materials 居民身份证,户口簿)
ok "P: accepted, granted, delivered at the window" sh -c "'$T' accept '$P' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' decide '$P' --grant --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null && '$T' deliver '$P' --place $TOWN --data-dir '$WORK/t' --agent 窗口李 >/dev/null"
ok "P: rated without indicators" town rate "$P" --rating 非常满意 --comment 很快
ok "P: the rating reaches the county" tb_wait_for 30 eval '[ "$(cstate "$P" rating)" = 5 ]'
eq "P: no indicators stored" 0 "$(sql "SELECT count(*) FROM rating_indicators WHERE case_id = '$P'")"
eq "P: the timeline says the level alone" "非常满意" "$(detail county "$P")"
stop vil
stop town
stop county
stop broker
finish
