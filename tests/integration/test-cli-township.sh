#!/usr/bin/env bash
# Bad input at the township window: every command of tongban-township refuses
# a missing argument, an unknown option and a malformed value with its exact
# exit status (2: the command line is wrong; 1: the input is refused) and a
# clear message, and writes nothing to the township's store.  No step is taken
# without an actor (who took it is part of the record).
source "$(dirname "$0")/lib.sh"
TOWN=360826100000
export TONGBAN_DATA_DIR=$WORK/t TONGBAN_AGENT=窗口李 TONGBAN_PLACE=$TOWN
LONG=$(head -c 2001 /dev/zero | tr '\0' a)
BAD=$'\xff\xfe'
NOCASE=$TOWN-20260101-9999

store() {
    local db=$WORK/t/$TOWN.db
    [ -f "$db" ] || return 0
    sqlite3 "$db" "SELECT origin_node, origin_seq, case_id, type, actor, hex(body) FROM events ORDER BY 1, 2;
                   SELECT case_id, hex(fold) FROM cases ORDER BY 1; SELECT count(*) FROM link_out;
                   SELECT * FROM counters ORDER BY 1" | md5sum
}
REFUSE_PROBE=store

w=$("$T" register --client 周九 --phone 13207964444 --item GH001 --materials 居民身份证,户口簿)
ok "a walk-in case is registered" matches "$w" "^${TOWN}-[0-9]{8}-0001$"
a=$("$T" register --client 吴十 --phone 13107965555 --item GH001 --materials 居民身份证,户口簿)
ok "a second one is accepted" "$T" accept "$a"
eq "their actor is recorded" 窗口李 "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT group_concat(DISTINCT actor) FROM events")"
events=$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events")

# No actor: every staff step is refused, says how to set it, writes nothing.
agent_msg="缺少设置：经办人姓名。请使用 --agent 值，或设置环境变量 TONGBAN_AGENT，或在配置文件（--config 或 TONGBAN_CONFIG 指定）中写 \"agent = 值\""
refuse "register: no actor" 1 "$agent_msg" env -u TONGBAN_AGENT "$T" register --client 周九 --phone 13207964444 --item GH001
refuse "register: an empty --agent" 1 "$agent_msg" "$T" register --client 周九 --phone 13207964444 --item GH001 --agent ""
refuse "register: no actor, in English" 1 "missing setting: the name of the person at the keyboard. Give --agent VALUE, or set TONGBAN_AGENT" \
    env -u TONGBAN_AGENT LANG=en "$T" register --client 周九 --phone 13207964444 --item GH001
for c in notice supplement accept refuse decide forward suspend resume result deliver rate withdraw note; do
    refuse "$c: no actor" 1 "$agent_msg" env -u TONGBAN_AGENT "$T" $c "$w" --missing 户口簿 --materials 户口簿 --reason x --grant --basis survey --rating 5
done
refuse "accept: an empty TONGBAN_AGENT is no actor" 1 "$agent_msg" env TONGBAN_AGENT= "$T" accept "$w"
refuse "accept: an overlong actor" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" "$T" accept "$w" --agent "$(head -c 65 /dev/zero | tr '\0' a)"
refuse "accept: an actor that is not UTF-8" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" "$T" accept "$w" --agent "$BAD"
refuse "register: an actor of two lines" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" "$T" register --client 周九 --phone 13207964444 --item GH001 --agent $'窗口\n李'
refuse "an actor that is not UTF-8, in English" 2 "the name of the person at the keyboard (--agent, TONGBAN_AGENT or agent in the config file) must be one line of UTF-8 text, at most 64 bytes" env LANG=en TONGBAN_AGENT="$BAD" "$T" accept "$w"

# The listings: inbox, cases, items, show, and serve.
for c in inbox cases items serve; do
    refuse "$c: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$T" $c --bogus
    refuse "$c: an argument it does not take" 2 "用法：tongban-township $c（详见 --help）" "$T" $c x
    refuse "$c: malformed place" 2 "本节点区划代码 3608 无效：区划代码格式错误" "$T" $c --place 3608
    refuse "$c: a village code where a township is needed" 2 "本节点区划代码 360826100001 是村（社区）代码，这里需要一个乡镇代码" "$T" $c --place 360826100001
    refuse "$c: a place not in the data" 2 "区划代码不在本县区划数据中" "$T" $c --place 360826199000
done
refuse "serve: a malformed broker endpoint" 1 "错误：乡镇节点停止（消息代理 nonsense）：" "$T" serve --broker nonsense
refuse "show: missing case" 2 "用法：tongban-township show 办件编号（详见 --help）" "$T" show
refuse "show: malformed case id" 2 "办件编号格式错误：abc" "$T" show abc
refuse "show: unknown case" 1 "没有这个办件：$NOCASE" "$T" show $NOCASE
refuse "show: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$T" show "$w" --bogus
refuse "no place set: says how" 2 "缺少设置：本节点的12位区划代码。请使用 --place 值" env -u TONGBAN_PLACE "$T" inbox

# register
reg() { "$T" register "$@"; }
refuse "register: missing --phone" 2 "用法：tongban-township register --client 姓名 --phone 电话 --item 事项编码" reg --client 周九 --item GH001
refuse "register: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" reg --client 周九 --phone 13207964444 --item GH001 --bogus
refuse "register: an argument it does not take" 2 "用法：tongban-township register（详见 --help）" reg x --client 周九 --phone 13207964444 --item GH001
refuse "register: malformed phone" 1 "联系电话格式错误（11位手机号或带区号的固定电话）：123" reg --client 周九 --phone 123 --item GH001
refuse "register: empty name" 1 "错误：群众姓名不能为空" reg --client " " --phone 13207964444 --item GH001
refuse "register: unknown item" 1 "事项编码不在事项目录中：NOPE" reg --client 周九 --phone 13207964444 --item NOPE
refuse "register: unknown material" 1 "该材料不在本事项的材料清单中：GH001" reg --client 周九 --phone 13207964444 --item GH001 --materials 结婚证
refuse "register: consultation without reply" 1 "咨询和帮扶必须登记答复（--reply）：ZX001" reg --client 周九 --phone 13207964444 --item ZX001
refuse "register: invalid UTF-8 name" 2 "选项 --client 的内容不是有效的 UTF-8 文字" reg --client "$BAD" --phone 13207964444 --item GH001
refuse "register: oversized note" 2 "选项 --note 的内容过长（最多 2000 字节）" reg --client 周九 --phone 13207964444 --item GH001 --note "$LONG"
refuse "register: invalid UTF-8 reply" 2 "选项 --reply 的内容不是有效的 UTF-8 文字" reg --client 周九 --phone 13207964444 --item ZX001 --reply "$BAD"
refuse "register: English" 1 "malformed phone (11-digit mobile or landline with area code): 123" env LANG=en "$T" register --client 周九 --phone 123 --item GH001

# Every step: missing case, malformed case id, unknown case, unknown option, a second case.
for c in notice supplement accept refuse decide forward suspend resume result deliver rate withdraw note; do
    refuse "$c: missing case" 2 "用法：tongban-township $c 办件编号" "$T" $c
    refuse "$c: malformed case id" 2 "办件编号格式错误：abc" "$T" $c abc --missing 户口簿 --materials 户口簿 --reason x --grant --basis survey --rating 5
    refuse "$c: unknown case" 1 "没有这个办件：$NOCASE" "$T" $c $NOCASE --missing 户口簿 --materials 户口簿 --reason x --grant --basis survey --rating 5
    refuse "$c: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$T" $c "$w" --bogus
    refuse "$c: two cases" 2 "用法：tongban-township $c 办件编号" "$T" $c "$w" $NOCASE
done
# ... and each step's own values.
refuse "notice: missing --missing" 2 "用法：tongban-township notice 办件编号 --missing …" "$T" notice "$w"
refuse "notice: unknown material" 1 "该材料不在本事项的材料清单中：$w" "$T" notice "$w" --missing 结婚证
refuse "notice: names no material" 1 "必须列出至少一项材料：$w" "$T" notice "$w" --missing ,
refuse "notice: invalid UTF-8" 2 "选项 --missing 的内容不是有效的 UTF-8 文字" "$T" notice "$w" --missing "$BAD"
refuse "supplement: missing --materials" 2 "用法：tongban-township supplement 办件编号 --materials …" "$T" supplement "$w"
refuse "supplement: oversized" 2 "选项 --materials 的内容过长" "$T" supplement "$w" --materials "$LONG"
refuse "accept: pledge without due date" 1 "容缺受理必须给出补交期限 --due 年-月-日" "$T" accept "$w" --pledge 建房设计图
refuse "accept: pledge with a bad date" 1 "容缺受理必须给出补交期限 --due 年-月-日" "$T" accept "$w" --pledge 建房设计图 --due 2026-13-01
refuse "accept: pledge with a non-date" 1 "容缺受理必须给出补交期限 --due 年-月-日" "$T" accept "$w" --pledge 建房设计图 --due tomorrow
refuse "accept: due date without a pledge" 1 "--due 是容缺受理的补交期限，须与 --pledge 材料,材料 一起给出" "$T" accept "$w" --due 2026-12-31
refuse "accept: pledge of a core material" 1 "核心材料不能容缺受理" "$T" accept "$w" --pledge 居民身份证 --due 2026-12-31
refuse "accept: pledge of an unknown material" 1 "该材料不在本事项的材料清单中：$w" "$T" accept "$w" --pledge 结婚证 --due 2026-12-31
refuse "refuse: no reason" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$w" "$T" refuse "$w"
refuse "refuse: invalid UTF-8 reason" 2 "选项 --reason 的内容不是有效的 UTF-8 文字" "$T" refuse "$w" --reason "$BAD"
refuse "decide: neither --grant nor --deny" 1 "请给出 --grant（准予）或 --deny（不予许可，须写 --reason）之一" "$T" decide "$w"
refuse "decide: both" 1 "请给出 --grant（准予）或 --deny（不予许可，须写 --reason）之一" "$T" decide "$w" --grant --deny
refuse "decide: before acceptance" 1 "当前状态不允许此操作：$w" "$T" decide "$w" --grant
refuse "forward: a township item" 1 "超出本节点的权限（层级或辖区不符）：$w" "$T" forward "$w"
refuse "suspend: no basis" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$a" "$T" suspend "$a"
refuse "suspend: unknown basis" 1 "取值无效（评价等级、挂起依据、决定或日期）：$a" "$T" suspend "$a" --basis lunch
refuse "decide: deny without a reason" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$a" "$T" decide "$a" --deny
refuse "resume: not suspended" 1 "当前状态不允许此操作：$w" "$T" resume "$w"
refuse "result: not decided" 1 "当前状态不允许此操作：$w" "$T" result "$w"
refuse "deliver: no result" 1 "当前状态不允许此操作：$w" "$T" deliver "$w"
refuse "rate: missing --rating" 2 "用法：tongban-township rate 办件编号 --rating …" "$T" rate "$w"
refuse "rate: bad rating" 1 "取值无效（评价等级、挂起依据、决定或日期）：9" "$T" rate "$w" --rating 9
refuse "rate: invalid UTF-8 comment" 2 "选项 --comment 的内容不是有效的 UTF-8 文字" "$T" rate "$w" --rating 5 --comment "$BAD"
refuse "withdraw: oversized reason" 2 "选项 --reason 的内容过长" "$T" withdraw "$w" --reason "$LONG"
refuse "note: missing --reason" 2 "用法：tongban-township note 办件编号 --reason …" "$T" note "$w"
refuse "note: a control character" 2 "选项 --reason 的内容含控制字符 U+0007（第 2 个字符）" "$T" note "$w" --reason $'a\x07'
refuse "unknown command" 2 "未知命令：log" "$T" log --client 周九
refuse "no command" 2 "用法：tongban-township <命令>" "$T"
refuse "English: unknown case" 1 "error: no such case: $NOCASE" env LANG=en "$T" accept $NOCASE
eq "events at the end: only the good steps'" "$events" "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events")"
finish
