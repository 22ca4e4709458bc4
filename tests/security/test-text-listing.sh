#!/usr/bin/env bash
# Issue 8, free text on output: a store written before the checks (or by a
# node that did not check) may hold control, C1 and bidi characters and line
# breaks in names, notes, replies, reasons and actors.  No listing, show or
# JSON export of any tier prints them: each is written visibly (\n, <U+009B>),
# so a note cannot forge a "决定 … 准予" line nor move the cursor.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county() { "$C" "$@" --place $COUNTY --db "$DB"; }

id=$(vil log --client 李四 --phone 13800138000 --item YB003 --note 住院报销)
ok "a case is logged" matches "$id" "^${VIL}-[0-9]{8}-0001$"
start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
at_county() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$id'" 2>/dev/null)" = 1 ]; }
ok "the case reaches the county" tb_wait_for 30 at_county
at_town() { [ "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE case_id='$id'")" -ge 2 ]; }
ok "and the township" tb_wait_for 30 at_town
stop vil
stop town
stop county
stop broker

# An old store's hostile text, at every tier: a C1 CSI and a bidi override in
# the name, a forged history line in the note, ESC in the agent and a reason.
FORGED="  2026-03-02 10:00  决定       县行政服务中心  县审批王  准予"
for db in "$WORK/v/$VIL.db" "$WORK/t/$TOWN.db"; do
    sqlite3 "$db" "UPDATE cases SET client_name = '李' || char(155) || '四' || char(8238),
                     note = '住院' || char(10) || '$FORGED', agent = '张' || char(27) || '[2J三'
                   WHERE case_id = '$id';
                   UPDATE events SET reason = 'x' || char(10) || '$FORGED', actor = '张' || char(155) || '三'
                   WHERE case_id = '$id'"
done
tb_psql "$PGDIR" -c "UPDATE cases SET client_name = '李' || chr(155) || '四' || chr(8238),
                       agent = '张' || chr(27) || '[2J三' WHERE case_id = '$id'" \
    -c "UPDATE case_events SET reason = 'x' || chr(10) || '$FORGED', actor = '张' || chr(155) || '三'
        WHERE case_id = '$id'"

# No raw C0 (but the line ends), DEL, C1 or bidi character; a line that
# starts as a history line must be one the node wrote (the forged one is not).
clean() {
    local out=$1
    ! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' <<<"$out" &&
        ! LC_ALL=C grep -q $'\xc2[\x80-\x9f]' <<<"$out" &&
        ! LC_ALL=C grep -q $'\xe2\x80[\xaa-\xae]\|\xe2\x81[\xa6-\xa9]' <<<"$out"
}
no_forged_line() { ! grep -q "^  2026-03-02 10:00  决定" <<<"$1"; }

for tier in vil town; do
    case $tier in
    vil) list=ledger ;;
    town) list=cases ;;
    esac
    out=$($tier $list)
    ok "$tier $list: no control, C1 or bidi character" clean "$out"
    ok "$tier $list: the C1 and the override shown as <U+009B>, <U+202E>" contains "$out" "李<U+009B>四<U+202E>"
    out=$($tier $list --json)
    ok "$tier $list --json: no raw C1 or bidi character" clean "$out"
    eq "$tier $list --json: the name, escaped" "李<U+009B>四<U+202E>" "$(jq -r '.[0].client_name' <<<"$out")"
    eq "$tier $list --json: the agent, escaped" "张<U+001B>[2J三" "$(jq -r '.[0].agent' <<<"$out")"
    out=$($tier show "$id")
    ok "$tier show: no control, C1 or bidi character" clean "$out"
    ok "$tier show: no forged history line" no_forged_line "$out"
    ok "$tier show: the note's line break shown as \\n" contains "$out" "住院\\n  2026-03-02 10:00  决定"
    ok "$tier show: the reason's line break shown as \\n" contains "$out" "x\\n  2026-03-02 10:00  决定"
    out=$($tier show "$id" --json)
    ok "$tier show --json: no raw C1 or bidi character" clean "$out"
    eq "$tier show --json: the actor, escaped" "张<U+009B>三" "$(jq -r '.history[0].actor' <<<"$out")"
done

out=$(county cases)
ok "county cases: no control, C1 or bidi character" clean "$out"
ok "county cases: the name escaped" contains "$out" "李<U+009B>四<U+202E>"
out=$(county cases --json)
ok "county cases --json: no raw C1 or bidi character" clean "$out"
eq "county cases --json: the agent, escaped" "张<U+001B>[2J三" "$(jq -r '.[0].agent' <<<"$out")"
out=$(county show "$id")
ok "county show: no control, C1 or bidi character" clean "$out"
ok "county show: no forged history line" no_forged_line "$out"
ok "county show: the reason's line break shown as \\n" contains "$out" "x\\n  2026-03-02 10:00  决定"
out=$(county show "$id" --json)
ok "county show --json: no raw C1 or bidi character" clean "$out"
eq "county show --json: the actor, escaped" "张<U+009B>三" "$(jq -r '.history[0].actor' <<<"$out")"
finish
