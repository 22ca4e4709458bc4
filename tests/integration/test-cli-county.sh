#!/usr/bin/env bash
# Bad input at the county: every command of tongban-county refuses a missing
# argument, an unknown option and a malformed value with its exact exit status
# (2: the command line is wrong; 1: the input is refused) and a clear message,
# and writes nothing to PostgreSQL.  No staff step is taken without a sign-in
# (exit 3; county-node/county_signin.c, tests in test-county-signin.sh).
source "$(dirname "$0")/lib.sh"
need_pg
source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" || { echo "Bail out! cannot add the county staff accounts"; exit 1; }
export TONGBAN_PLACE=$COUNTY TONGBAN_DB=$DB TONGBAN_LOGIN=cty.back
BAD=$'\xff\xfe'
LONG=$(head -c 2001 /dev/zero | tr '\0' a)
NOCASE=$TOWN-20260101-9999

# Everything the county's store holds that a command could change.
pgstate() {
    tb_psql "$PGDIR" -c "SELECT origin_node, origin_seq, case_id, type_name, md5(body) FROM case_events ORDER BY 1, 2" \
        -c "SELECT case_id, state, md5(fold) FROM cases ORDER BY 1" \
        -c "SELECT count(*) FROM county_commands" \
        -c "SELECT count(*) FROM catalog_versions" -c "SELECT count(*) FROM calendar_versions" 2>&1 | md5sum
}
REFUSE_PROBE=pgstate

eq "migrate creates the schema" "数据库结构已是最新" "$("$C" migrate)"
# A county item registered at the window, accepted and forwarded: the county holds it.
start broker "$BROKER" serve
start county "$C" serve
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
k=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证,住院发票原件,费用清单,出院小结,银行卡复印件)
ok "the window accepts a county item" town accept "$k"
ok "and forwards it" town forward "$k"
at_county() { [ "$(cstate "$k" state)" = county ]; }
ok "the county holds it" tb_wait_for 30 at_county
# Its times are the window's milliseconds (the batch turns each into a timestamp).
ms() { tb_psql "$PGDIR" -c "SELECT (extract(epoch FROM $1) * 1000)::bigint FROM $2 WHERE case_id = '$k'"; }
eq "the county's accept time is the window's" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT accept_time_ms FROM cases WHERE case_id = '$k'")" "$(ms accept_time cases)"
eq "the county's event times are the window's" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT origin_seq, at_ms FROM events WHERE case_id = '$k' AND origin_node = '$TOWN' ORDER BY 1")" \
    "$(tb_psql "$PGDIR" -F '|' -c "SELECT origin_seq, (extract(epoch FROM at) * 1000)::bigint FROM case_events
        WHERE case_id = '$k' AND origin_node = '$TOWN' ORDER BY 1")"

# No sign-in: every staff step is refused before anything is asked of the county node.
for c in decide result suspend resume; do
    refuse "$c: no login" 3 "县级改动须以本人账号签到：--login" env -u TONGBAN_LOGIN "$C" $c "$k" --grant --basis survey
    refuse "$c: --agent instead of a login" 3 "县级不以 --agent 记录经办人：请用 --login" \
        env -u TONGBAN_LOGIN "$C" $c "$k" --grant --basis survey --agent 审批王
done
refuse "decide: an actor that is not UTF-8" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" "$C" decide "$k" --grant --agent "$BAD"
refuse "decide: an overlong actor" 2 "经办人姓名（--agent、TONGBAN_AGENT 或配置文件中的 agent）须为一行 UTF-8 文字，不超过 64 字节" env TONGBAN_AGENT="$(head -c 65 /dev/zero | tr '\0' a)" "$C" decide "$k" --grant
refuse "no login, in English" 3 "error: a change at the county needs your own sign-in: --login LOGIN" \
    env -u TONGBAN_LOGIN LANG=en "$C" decide "$k" --grant

# Every step: missing case, malformed case id, unknown case, unknown option, a second case.
for c in decide result suspend resume; do
    refuse "$c: missing case" 2 "用法：tongban-county <命令>" "$C" $c
    refuse "$c: malformed case id" 2 "办件编号格式错误：abc" "$C" $c abc --grant --basis survey
    refuse "$c: unknown case" 1 "没有这个办件：$NOCASE" "$C" $c $NOCASE --grant --basis survey
    refuse "$c: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$C" $c "$k" --bogus
    refuse "$c: two cases" 2 "用法：tongban-county <命令>" "$C" $c "$k" $NOCASE
    refuse "$c: invalid UTF-8 reason" 2 "选项 --reason 的内容不是有效的 UTF-8 文字" "$C" $c "$k" --reason "$BAD"
    refuse "$c: oversized reason" 2 "选项 --reason 的内容过长（最多 2000 字节）" "$C" $c "$k" --reason "$LONG"
done
refuse "decide: neither --grant nor --deny" 1 "请给出 --grant（准予）或 --deny（不予许可，须写 --reason）之一" "$C" decide "$k"
refuse "decide: both" 1 "请给出 --grant（准予）或 --deny（不予许可，须写 --reason）之一" "$C" decide "$k" --grant --deny
refuse "decide: deny without a reason" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$k" "$C" decide "$k" --deny
refuse "suspend: no basis" 1 "必须写明理由或依据（不予受理、不予许可、挂起）：$k" "$C" suspend "$k"
refuse "suspend: unknown basis" 1 "取值无效（评价等级、挂起依据、决定或日期）：$k" "$C" suspend "$k" --basis lunch
refuse "result: not decided" 1 "当前状态不允许此操作：$k" "$C" result "$k"
refuse "resume: not suspended" 1 "当前状态不允许此操作：$k" "$C" resume "$k"
refuse "English: deny without a reason" 1 "error: a written reason or basis is required (refusal, denial, suspension): $k" env LANG=en "$C" decide "$k" --deny

# cases, show, migrate, serve
for c in cases migrate serve; do
    refuse "$c: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$C" $c --bogus
    refuse "$c: an argument it does not take" 2 "用法：tongban-county <命令>" "$C" $c x
    refuse "$c: malformed place" 2 "本节点区划代码 3608 无效：区划代码格式错误" "$C" $c --place 3608
    refuse "$c: a township code where the county is needed" 2 "本节点区划代码 $TOWN 是乡镇代码，这里需要一个县代码" "$C" $c --place $TOWN
done
refuse "serve: a malformed broker endpoint" 1 "错误：县级节点停止（消息代理 nonsense）：" "$C" serve --broker nonsense
refuse "cases: PostgreSQL not there" 1 "无法连接 PostgreSQL：" "$C" cases --db "host=$WORK/nopg port=1"
refuse "cases: malformed connection string" 1 "无法连接 PostgreSQL：" "$C" cases --db "nonsense"
refuse "show: missing case" 2 "用法：tongban-county <命令>" "$C" show
refuse "show: malformed case id" 2 "办件编号格式错误：abc" "$C" show abc
refuse "show: unknown case" 1 "没有这个办件：$NOCASE" "$C" show $NOCASE
refuse "show: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$C" show "$k" --bogus
refuse "no place set: says how" 2 "缺少设置：本节点的12位区划代码。请使用 --place 值" env -u TONGBAN_PLACE "$C" cases

# catalog and calendar: import FILE, list
printf 'code,name,level,kind,promised_days,legal_days,materials\nAA1,x,province,immediate,0,0,\n' >"$WORK/bad-catalog.csv"
printf "date,kind,holiday\n2026-02-30,off,x\n" >"$WORK/bad-calendar.csv"
printf "date,kind,holiday\n2026-10-01,off,\xff\n" >"$WORK/bad-utf8.csv"
head -c 300000 /dev/zero | tr '\0' a >"$WORK/huge.csv"
for d in catalog calendar; do
    refuse "$d: no subcommand" 2 "用法：tongban-county <命令>" "$C" $d
    refuse "$d: unknown subcommand" 2 "用法：tongban-county <命令>" "$C" $d export
    refuse "$d import: missing file" 2 "用法：tongban-county <命令>" "$C" $d import
    refuse "$d import: two files" 2 "用法：tongban-county <命令>" "$C" $d import a b
    refuse "$d import: no such file" 1 "错误：无法读取 $WORK/none.csv：" "$C" $d import "$WORK/none.csv"
    refuse "$d import: malformed" 1 "数据文件格式错误：$WORK/bad-$d.csv 第 2 行" "$C" $d import "$WORK/bad-$d.csv"
    refuse "$d import: too big to send" 1 "错误：文件过大，无法下发（最多约 " "$C" $d import "$WORK/huge.csv"
    refuse "$d import: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$C" $d import "$WORK/bad-$d.csv" --bogus
    refuse "$d list: unknown option" 2 "无法识别的选项或缺少选项值：--bogus" "$C" $d list --bogus
    refuse "$d list: an argument it does not take" 2 "用法：tongban-county <命令>" "$C" $d list x
done
refuse "calendar import: invalid UTF-8" 1 "数据文件格式错误：$WORK/bad-utf8.csv 第 2 行" "$C" calendar import "$WORK/bad-utf8.csv"
refuse "catalog import: the calendar is not a catalog" 1 "数据文件格式错误：$TB_SOURCE/data/holidays-cn-2026.csv 第 1 行" "$C" catalog import "$TB_SOURCE/data/holidays-cn-2026.csv"
refuse "unknown command" 2 "未知命令：accept" "$C" accept "$k"
refuse "no command" 2 "用法：tongban-county <命令>" "$C"
# The good paths beside them exit 0 and say nothing on stderr.
clean() { local err; err=$("$@" 2>&1 >/dev/null) && [ -z "$err" ]; }
for c in "cases" "cases --json" "show $k" "show $k --json" "catalog list" "catalog list --json" "calendar list" "calendar list --json" "migrate"; do
    ok "$c: exits 0, nothing on stderr" clean "$C" $c
done
eq "the county still holds the case, unchanged" county "$(cstate "$k" state)"
finish
