#!/usr/bin/env bash
# Issue 8, free text: a control character, a C1 control, DEL, a bidi override
# or isolate, a line break in a one-line field, or text of nothing but
# zero-width characters is refused in every text field a person types, at
# the village, the township and the county, with a message that names the
# field and the character (Chinese; English with LANG=en), and nothing is
# written to any store.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county() { "$C" "$@" --place $COUNTY --db "$DB" --login cty.sup; } # refused before any sign-in

C1=$'\xc2\x9b'     # U+009B CSI, a terminal's escape in one character
RLO=$'\xe2\x80\xae' # U+202E right-to-left override
LRI=$'\xe2\x81\xa6' # U+2066 left-to-right isolate
PDI=$'\xe2\x81\xa9' # U+2069 pop directional isolate
ZW=$'\xe2\x80\x8b'  # U+200B zero-width space
ESC=$'\x1b' DEL=$'\x7f' NL=$'\n'

# Cases to act on: one at the village, one walk-in at the township, and the
# county's schema (migrate) so that a county command could write.
vid=$(vil log --client 李四 --phone 13800138000 --item YB003)
ok "a good village case is logged" matches "$vid" "^${VIL}-[0-9]{8}-0001$"
tid=$(town register --client 周九 --phone 13207964444 --item GH001)
ok "a good township walk-in is registered" matches "$tid" "^${TOWN}-[0-9]{8}-0001$"
ok "the county store is set up" county migrate

# Everything any tier holds: every table of both SQLite stores and the county's.
stores() {
    {
        sqlite3 "$WORK/v/$VIL.db" .dump
        sqlite3 "$WORK/t/$TOWN.db" .dump
        tb_psql "$PGDIR" -c "SELECT * FROM case_events ORDER BY 1" -c "SELECT * FROM cases" \
            -c "SELECT * FROM county_commands"
    } | md5sum
}
REFUSE_PROBE=stores

# --- the village agent
refuse "village log: C1 in the client's name" 2 "选项 --client 的内容含 C1 控制字符 U+009B（第 2 个字符）" \
    vil log --client "李${C1}四" --phone 13800138000 --item YB003
refuse "village log: a line break in the client's name" 1 "错误：群众姓名须为一行，不能含换行符或制表符 U+000A（第 2 个字符）" \
    vil log --client "李${NL}四" --phone 13800138000 --item YB003
refuse "village log: a tab in the client's name" 1 "错误：群众姓名须为一行，不能含换行符或制表符 U+0009（第 3 个字符）" \
    vil log --client $'李四\t' --phone 13800138000 --item YB003
refuse "village log: a client's name of zero-width spaces" 2 "选项 --client 的内容只有零宽字符，看起来是空的" \
    vil log --client "${ZW}${ZW}" --phone 13800138000 --item YB003
refuse "village log: a bidi override in the client's name" 2 "选项 --client 的内容含双向文字控制符 U+202E（第 2 个字符），它会改变文字的显示顺序" \
    vil log --client "李${RLO}四" --phone 13800138000 --item YB003
refuse "village log: a bidi override in the note" 2 "选项 --note 的内容含双向文字控制符 U+202E（第 3 个字符）" \
    vil log --client 李四 --phone 13800138000 --item YB003 --note "准予${RLO}予准"
refuse "village log: an isolate in the note" 2 "选项 --note 的内容含双向文字控制符 U+2066（第 1 个字符）" \
    vil log --client 李四 --phone 13800138000 --item YB003 --note "${LRI}x${PDI}"
refuse "village log: ESC in the note" 2 "选项 --note 的内容含控制字符 U+001B（第 2 个字符）" \
    vil log --client 李四 --phone 13800138000 --item YB003 --note "a${ESC}[2J"
refuse "village log: DEL in the note" 2 "选项 --note 的内容含控制字符 U+007F（第 2 个字符）" \
    vil log --client 李四 --phone 13800138000 --item YB003 --note "a${DEL}"
refuse "village log: C1 in the note" 2 "选项 --note 的内容含 C1 控制字符 U+009B（第 3 个字符）" \
    vil log --client 李四 --phone 13800138000 --item YB003 --note "决定${C1}2J"
refuse "village log: a note of zero-width spaces" 2 "选项 --note 的内容只有零宽字符，看起来是空的" \
    vil log --client 李四 --phone 13800138000 --item YB003 --note "$ZW"
refuse "village log: C1 in a consultation's reply" 2 "选项 --reply 的内容含 C1 控制字符 U+009B（第 1 个字符）" \
    vil log --client 李四 --phone 13800138000 --item ZX001 --reply "${C1}已答复"
refuse "village log: a bidi override in the agent's name" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节：它含双向文字控制符 U+202E（第 2 个字符）" \
    "$V" log --place $VIL --data-dir "$WORK/v" --agent "张${RLO}三" --client 李四 --phone 13800138000 --item YB003
refuse "village supplement: C1 in a material" 2 "选项 --materials 的内容含 C1 控制字符 U+009B（第 4 个字符）" \
    vil supplement "$vid" --materials "户口簿${C1}"
refuse "village rate: a bidi override in the comment" 2 "选项 --comment 的内容含双向文字控制符 U+202E（第 1 个字符）" \
    vil rate "$vid" --rating 5 --comment "${RLO}很好"
refuse "village withdraw: ESC in the reason" 2 "选项 --reason 的内容含控制字符 U+001B（第 1 个字符）" \
    vil withdraw "$vid" --reason "${ESC}]0;x"
refuse "village note: C1 in the note" 2 "选项 --reason 的内容含 C1 控制字符 U+009B（第 2 个字符）" \
    vil note "$vid" --reason "a${C1}"
refuse "village note: zero-width only" 2 "选项 --reason 的内容只有零宽字符，看起来是空的" \
    vil note "$vid" --reason "${ZW} ${ZW}"
refuse "village, in English: C1 in the note" 2 "the value of --note has the C1 control character U+009B (character 2)" \
    env LANG=en "$V" log --place $VIL --data-dir "$WORK/v" --agent 张三 --client 李四 --phone 13800138000 --item YB003 --note "a${C1}"
refuse "village, in English: a line break in the name" 1 "error: the client's name must be one line: it has the line break or tab U+000A (character 2)" \
    env LANG=en "$V" log --place $VIL --data-dir "$WORK/v" --agent 张三 --client "李${NL}四" --phone 13800138000 --item YB003

# --- the township window
refuse "township register: a bidi override in the client's name" 2 "选项 --client 的内容含双向文字控制符 U+202E（第 2 个字符）" \
    town register --client "周${RLO}九" --phone 13207964444 --item GH001
refuse "township register: a line break in the client's name" 1 "错误：群众姓名须为一行，不能含换行符或制表符 U+000A（第 2 个字符）" \
    town register --client "周${NL}九" --phone 13207964444 --item GH001
refuse "township register: C1 in the note" 2 "选项 --note 的内容含 C1 控制字符 U+009B（第 1 个字符）" \
    town register --client 周九 --phone 13207964444 --item GH001 --note "${C1}x"
refuse "township refuse: a bidi override in the reason" 2 "选项 --reason 的内容含双向文字控制符 U+202E（第 5 个字符）" \
    town refuse "$tid" --reason "材料不全${RLO}"
refuse "township notice: C1 in a missing material" 2 "选项 --missing 的内容含 C1 控制字符 U+009B（第 1 个字符）" \
    town notice "$tid" --missing "${C1}户口簿"
refuse "township decide: ESC in the reason" 2 "选项 --reason 的内容含控制字符 U+001B（第 1 个字符）" \
    town decide "$tid" --deny --reason "${ESC}[1A准予"
refuse "township suspend: DEL in the basis" 2 "选项 --basis 的内容含控制字符 U+007F（第 1 个字符）" \
    town suspend "$tid" --basis "${DEL}"
refuse "township rate: zero-width comment" 2 "选项 --comment 的内容只有零宽字符，看起来是空的" \
    town rate "$tid" --rating 5 --comment "$ZW"
refuse "township note: an isolate" 2 "选项 --reason 的内容含双向文字控制符 U+2066（第 1 个字符）" \
    town note "$tid" --reason "${LRI}x"
refuse "township: a C1 control in the agent's name" 2 "它含 C1 控制字符 U+009B（第 2 个字符）" \
    "$T" accept "$tid" --place $TOWN --data-dir "$WORK/t" --agent "李${C1}"

# --- the county back office
refuse "county decide: a bidi override in the reason" 2 "选项 --reason 的内容含双向文字控制符 U+202E（第 1 个字符）" \
    county decide "$tid" --deny --reason "${RLO}准予"
refuse "county decide: a line-forging ESC in the reason" 2 "选项 --reason 的内容含控制字符 U+001B（第 3 个字符）" \
    county decide "$tid" --deny --reason "不予${ESC}[2K决定 准予"
refuse "county suspend: C1 in the basis" 2 "选项 --basis 的内容含 C1 控制字符 U+009B（第 1 个字符）" \
    county suspend "$tid" --basis "${C1}"
refuse "county: zero-width agent" 2 "它只有零宽字符，看起来是空的" \
    "$C" decide "$tid" --grant --place $COUNTY --db "$DB" --agent "$ZW"
REFUSE_PROBE=
finish
