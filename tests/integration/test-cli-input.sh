#!/usr/bin/env bash
# Bad input at the keyboard, village agent and broker: every command refuses a
# missing argument, an unknown option and a malformed value with its exact exit
# status (2: the command line is wrong; 1: the input is refused) and a clear
# message (Chinese, English with LANG=en), and writes nothing to the store.
source "$(dirname "$0")/lib.sh"
export TONGBAN_DATA_DIR=$WORK/v TONGBAN_AGENT=张三
VIL=360826100001
LONG=$(head -c 2001 /dev/zero | tr '\0' a)
BAD=$'\xff\xfe'

# Everything the village's store holds: events (with their bodies), cases,
# what is queued to peers, the counters.
store() {
    local db=$WORK/v/$VIL.db
    [ -f "$db" ] || return 0
    sqlite3 "$db" "SELECT origin_node, origin_seq, case_id, type, actor, hex(body) FROM events ORDER BY 1, 2;
                   SELECT case_id, hex(fold) FROM cases ORDER BY 1; SELECT count(*) FROM link_out;
                   SELECT * FROM counters ORDER BY 1" | md5sum
}
REFUSE_PROBE=store

id=$("$V" log --place $VIL --client 李四 --phone 13800138000 --item YB003)
ok "a good entry is logged" matches "$id" "^${VIL}-[0-9]{8}-0001$"
NOCASE=$VIL-20260101-9999
vil() { "$V" "$@" --place $VIL; }

# log
refuse "log: empty client name" 1 "群众姓名不能为空" vil log --client "" --phone 13800138000 --item YB003
refuse "log: blank client name" 1 "群众姓名不能为空" vil log --client "   " --phone 13800138000 --item YB003
refuse "log: client name over 64 bytes" 1 "错误：群众姓名过长（最多 64 字节）" vil log --client "$(head -c 65 /dev/zero | tr '\0' a)" --phone 13800138000 --item YB003
refuse "log: malformed phone" 1 "联系电话格式错误" vil log --client 李四 --phone 12345 --item YB003
refuse "log: phone with letters" 1 "联系电话格式错误" vil log --client 李四 --phone 1380013800a --item YB003
refuse "log: unknown item" 1 "事项编码不在事项目录中：NOPE" vil log --client 李四 --phone 13800138000 --item NOPE
refuse "log: unknown material" 1 "该材料不在本事项的材料清单中：YB003" vil log --client 李四 --phone 13800138000 --item YB003 --materials 结婚证
refuse "log: unknown place" 2 "区划代码不在本县区划数据中" "$V" log --place 360826100999 --client 李四 --phone 13800138000 --item YB003
refuse "log: malformed place" 2 "区划代码格式错误" "$V" log --place 3608 --client 李四 --phone 13800138000 --item YB003
refuse "log: a township code where a village is needed" 2 "本节点区划代码 360826100000 是乡镇代码，这里需要一个村（社区）代码" "$V" log --place 360826100000 --client 李四 --phone 13800138000 --item YB003
refuse "log: invalid UTF-8 in a name" 2 "选项 --client 的内容不是有效的 UTF-8 文字" vil log --client "$BAD" --phone 13800138000 --item YB003
refuse "log: invalid UTF-8 in a note" 2 "选项 --note 的内容不是有效的 UTF-8 文字" vil log --client 李四 --phone 13800138000 --item YB003 --note "$BAD"
refuse "log: a control character in a note" 2 "选项 --note 的内容含控制字符 U+0001（第 2 个字符）" vil log --client 李四 --phone 13800138000 --item YB003 --note $'a\x01b'
refuse "log: oversized note" 2 "选项 --note 的内容过长（最多 2000 字节）" vil log --client 李四 --phone 13800138000 --item YB003 --note "$LONG"
refuse "log: consultation without its reply" 1 "咨询和帮扶必须登记答复（--reply）" vil log --client 李四 --phone 13800138000 --item ZX001
refuse "log: missing required option" 2 "用法：tongban-village log --client" vil log --client 李四 --item YB003
refuse "log: an argument it does not take" 2 "多余的参数：x" vil log x --client 李四 --phone 13800138000 --item YB003
refuse "log: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" vil log --client 李四 --phone 13800138000 --item YB003 --bogus 1
refuse "log: option without its value" 2 "无法识别的选项或缺少选项值：--item" "$V" log --place $VIL --client 李四 --phone 13800138000 --item
refuse "log: English with LANG=en" 1 "malformed phone" env LANG=en "$V" log --place $VIL --client 李四 --phone 12345 --item YB003
refuse "log: English unknown item" 1 "service item code not in the catalog: NOPE" env LANG=en "$V" log --place $VIL --client 李四 --phone 13800138000 --item NOPE
refuse "log: English invalid UTF-8" 2 "the value of --client is not valid UTF-8 text" env LANG=en "$V" log --place $VIL --client "$BAD" --phone 13800138000 --item YB003

# The steps: supplement, deliver, rate, withdraw, note.
for c in supplement deliver rate withdraw note; do
    refuse "$c: missing case" 2 "用法：tongban-village $c 办件编号" vil $c
    refuse "$c: malformed case id" 2 "办件编号格式错误：abc（应为 区划代码-日期-序号" vil $c abc --materials 费用清单 --rating 5 --reason x
    refuse "$c: unknown case" 1 "没有这个办件：$NOCASE" vil $c $NOCASE --materials 费用清单 --rating 5 --reason x
    refuse "$c: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" vil $c "$id" --bogus
    refuse "$c: two cases" 2 "多余的参数：$NOCASE" vil $c "$id" $NOCASE
done
refuse "supplement: missing --materials" 2 "用法：tongban-village supplement 办件编号 --materials …" vil supplement "$id"
refuse "supplement: invalid UTF-8 material" 2 "选项 --materials 的内容不是有效的 UTF-8 文字" vil supplement "$id" --materials "$BAD"
refuse "supplement: oversized list" 2 "选项 --materials 的内容过长" vil supplement "$id" --materials "$LONG"
refuse "rate: missing --rating" 2 "用法：tongban-village rate 办件编号 --rating …" vil rate "$id"
refuse "rate: bad rating" 1 "取值无效（评价等级、挂起依据、决定或日期）：6（可用：非常满意" vil rate "$id" --rating 6
refuse "rate: bad rating word" 1 "取值无效（评价等级、挂起依据、决定或日期）：很好" vil rate "$id" --rating 很好
refuse "rate: invalid UTF-8 comment" 2 "选项 --comment 的内容不是有效的 UTF-8 文字" vil rate "$id" --rating 5 --comment "$BAD"
refuse "rate: oversized comment" 2 "选项 --comment 的内容过长" vil rate "$id" --rating 5 --comment "$LONG"
refuse "rate: not yet closed" 1 "当前状态不允许此操作：$id" vil rate "$id" --rating 5
refuse "withdraw: invalid UTF-8 reason" 2 "选项 --reason 的内容不是有效的 UTF-8 文字" vil withdraw "$id" --reason "$BAD"
refuse "withdraw: oversized reason" 2 "选项 --reason 的内容过长" vil withdraw "$id" --reason "$LONG"
refuse "note: missing --reason" 2 "用法：tongban-village note 办件编号 --reason …" vil note "$id"
refuse "note: invalid UTF-8" 2 "选项 --reason 的内容不是有效的 UTF-8 文字" vil note "$id" --reason "$BAD"
refuse "note: oversized" 2 "选项 --reason 的内容过长" vil note "$id" --reason "$LONG"
refuse "deliver: no result yet" 1 "当前状态不允许此操作：$id" vil deliver "$id"

# The step with no actor is refused, and says how to set it; so is an empty one.
agent_msg="缺少设置：经办人姓名。请使用 --agent 值，或设置环境变量 TONGBAN_AGENT"
refuse "log: missing agent says how to set it" 1 "$agent_msg" env -u TONGBAN_AGENT "$V" log --place $VIL --client 李四 --phone 13800138000 --item YB003
refuse "log: empty --agent" 1 "$agent_msg" vil log --client 李四 --phone 13800138000 --item YB003 --agent ""
refuse "note: missing agent" 1 "$agent_msg" env -u TONGBAN_AGENT "$V" note "$id" --reason x --place $VIL
refuse "log: an agent that is not UTF-8" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" vil log --client 李四 --phone 13800138000 --item YB003 --agent "$BAD"
refuse "note: an overlong agent" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" vil note "$id" --reason x --agent "$(head -c 65 /dev/zero | tr '\0' a)"
refuse "missing agent in English" 1 "missing setting: the name of the person at the keyboard. Give --agent VALUE, or set TONGBAN_AGENT" env -u TONGBAN_AGENT LANG=en "$V" note "$id" --reason x --place $VIL

# ledger, show, items, serve
for c in ledger items serve; do
    refuse "$c: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" vil $c --bogus
    refuse "$c: an argument it does not take" 2 "多余的参数：x" vil $c x
    refuse "$c: malformed place" 2 "区划代码格式错误" "$V" $c --place 12
done
refuse "serve: a malformed broker endpoint" 1 "错误：同步服务停止（消息代理 nonsense）：" vil serve --broker nonsense
refuse "show: missing case" 2 "用法：tongban-village show 办件编号" vil show
refuse "show: malformed case id" 2 "办件编号格式错误：abc" vil show abc
refuse "show: unknown case" 1 "没有这个办件：$NOCASE" vil show $NOCASE
refuse "show: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" vil show "$id" --bogus
refuse "ledger: missing place says how to set it" 2 "缺少设置：本节点的12位区划代码。请使用 --place 值，或设置环境变量 TONGBAN_PLACE，或" env -u TONGBAN_PLACE "$V" ledger
refuse "unknown command" 2 "未知命令：decide" vil decide "$id" --grant
refuse "no command" 2 "用法：tongban-village <命令>" "$V"

# The broker: one command, serve.
refuse "broker: unknown command" 2 "未知命令：run" "$BROKER" run
refuse "broker: no command" 2 "用法：tongban-broker serve" "$BROKER"
refuse "broker serve: unknown option" 2 "无法识别的选项：--bogus" "$BROKER" serve --bogus
refuse "broker serve: option without its value" 2 "选项 --broker 缺少值" "$BROKER" serve --broker
refuse "broker serve: an argument it does not take" 2 "多余的参数：x" "$BROKER" serve x
refuse "broker serve: malformed endpoint" 1 "无法绑定 nonsense" "$BROKER" serve --broker nonsense
refuse "broker serve: unreadable config" 2 "无法读取配置文件 $WORK/none.ini" "$BROKER" serve --config "$WORK/none.ini"
refuse "broker serve: English" 2 "unknown option: --bogus" env LANG=en "$BROKER" serve --bogus
# Numeric knobs in the environment: junk is refused with the variable and its range named.
refuse "broker serve: junk in TONGBAN_BROKER_RATE" 2 "环境变量 TONGBAN_BROKER_RATE 的值“5O0”无效：应为 1 到 10000000 之间的整数（不设置则为 20000）" env TONGBAN_BROKER_RATE=5O0 "$BROKER" serve
refuse "broker serve: TONGBAN_BROKER_MAX_CONN of 0" 2 "环境变量 TONGBAN_BROKER_MAX_CONN 的值“0”无效" env TONGBAN_BROKER_MAX_CONN=0 "$BROKER" serve
refuse "broker serve: English, a negative TONGBAN_BROKER_MAX_RSS_MB" 2 "environment variable TONGBAN_BROKER_MAX_RSS_MB: \"-5\" is not valid: it must be a whole number from 16 to 4194304 (unset: 1024)" env LANG=en TONGBAN_BROKER_MAX_RSS_MB=-5 "$BROKER" serve
refuse "village: a malformed TONGBAN_HEARTBEAT_MS" 2 "环境变量 TONGBAN_HEARTBEAT_MS 的值“10s”无效：应为 1000 到 60000 之间的整数（不设置则为 10000）" env TONGBAN_HEARTBEAT_MS=10s "$V" ledger --place $VIL

# Help: each binary's own, on stdout, exit 0.
help_is() { local out; out=$("$1" --help 2>/dev/null) && [[ $out == *"$2"* ]]; }
ok "village help" help_is "$V" "log --client 姓名 --phone 电话 --item 事项编码"
ok "township help" help_is "$T" "register --client 姓名 --phone 电话 --item 事项编码"
ok "county help" help_is "$C" "catalog import 文件"
ok "broker help" help_is "$BROKER" "用法：tongban-broker serve [--broker 端点]"
help_en() { local out; out=$(LANG=en "$1" --help 2>/dev/null) && [[ $out == *"$2"* ]]; }
ok "village help in English" help_en "$V" "usage: tongban-village <command>"
eq "events at the end: only the good entry's" "1 2" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(DISTINCT case_id), count(*) FROM events" | tr '|' ' ')"
finish
