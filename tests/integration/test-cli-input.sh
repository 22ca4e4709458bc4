#!/usr/bin/env bash
# Bad input at the keyboard: a clear message (Chinese, English with LANG=en),
# a non-zero exit, and nothing written.
source "$(dirname "$0")/lib.sh"
export TONGBAN_DATA_DIR=$WORK/v TONGBAN_AGENT=张三
VIL=360826100001

count() { "$V" ledger --place $VIL --json | jq length; }
id=$("$V" log --place $VIL --client 李四 --phone 13800138000 --item YB003)
ok "a good entry is logged" matches "$id" "^${VIL}-[0-9]{8}-0001$"

# refuse DESCRIPTION EXPECTED-TEXT COMMAND...: non-zero exit, the text on stderr, nothing written.
refuse() {
    local what=$1 text=$2
    shift 2
    local before err rc
    before=$(count)
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    checks=$((checks + 1))
    if [ $rc -ne 0 ] && [[ "$err" == *"$text"* ]] && [ "$(count)" = "$before" ]; then
        echo "ok $checks - $what"
    else
        echo "not ok $checks - $what: exit $rc, stderr '$err', cases $before -> $(count)"
        failures=$((failures + 1))
    fi
}

refuse "empty client name" "群众姓名不能为空" "$V" log --place $VIL --client "" --phone 13800138000 --item YB003
refuse "blank client name" "群众姓名不能为空" "$V" log --place $VIL --client "   " --phone 13800138000 --item YB003
refuse "malformed phone" "联系电话格式错误" "$V" log --place $VIL --client 李四 --phone 12345 --item YB003
refuse "phone with letters" "联系电话格式错误" "$V" log --place $VIL --client 李四 --phone 1380013800a --item YB003
refuse "unknown item" "事项编码不在事项目录中：NOPE" "$V" log --place $VIL --client 李四 --phone 13800138000 --item NOPE
refuse "unknown place" "区划代码不在本县区划数据中" "$V" log --place 360826100999 --client 李四 --phone 13800138000 --item YB003
refuse "malformed place" "区划代码格式错误" "$V" log --place 3608 --client 李四 --phone 13800138000 --item YB003
refuse "a township code where a village is needed" "村（社区）" "$V" log --place 360826100000 --client 李四 --phone 13800138000 --item YB003
refuse "invalid UTF-8 in a name" "群众姓名" "$V" log --place $VIL --client $'\xff\xfe' --phone 13800138000 --item YB003
refuse "missing required option" "用法" "$V" log --place $VIL --client 李四 --item YB003
refuse "unknown option" "无法识别的选项" "$V" log --place $VIL --bogus 1
refuse "English with LANG=en" "malformed phone" env LANG=en "$V" log --place $VIL --client 李四 --phone 12345 --item YB003
refuse "English unknown item" "service item code not in the catalog: NOPE" env LANG=en "$V" log --place $VIL --client 李四 --phone 13800138000 --item NOPE
refuse "unknown case at show" "没有这个办件" "$V" show --place $VIL 360826100001-20260101-9999

# Nothing configured: the message names what is missing and how to set it.
err=$(env -u TONGBAN_DATA_DIR "$V" ledger 2>&1)
ok "missing place: says how to set it" contains "$err" "TONGBAN_PLACE，或"
err=$(env -u TONGBAN_AGENT "$V" log --place $VIL --client 李四 --phone 13800138000 --item YB003 2>&1)
ok "missing agent: says how to set it" contains "$err" "TONGBAN_AGENT"

# Township staff: an unknown case, and a step on a case it does not hold.
err=$("$T" accept 360826100001-20260101-0001 --place 360826100000 --data-dir "$WORK/t" 2>&1)
eq "township: unknown case refused with non-zero exit" 1 $?
ok "township: unknown case named" contains "$err" "没有这个办件：360826100001-20260101-0001"
ok "help is there for a newcomer" contains "$("$V" --help; "$T" --help; "$C" --help; "$BROKER" --help)" "log --client"
finish
