#!/usr/bin/env bash
# Issue 9, "every refusal is answered", seen from the real village: its
# LOGGED carries a phone the township refuses (an older village's weaker
# check, made here by rewriting the queued bytes with the contract's Python
# code); the township answers with REJECTED instead of a silent quarantine,
# the village's ledger shows the case as 被退回 with the reason, and
# `tongban-village resend` logs it again, corrected, as a new case that
# reaches the county.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
mkdir -p "$WORK/py"
ok "protoc --python_out generates the contract" \
    protoc --proto_path="$TB_SOURCE/proto" --python_out="$WORK/py" "$TB_SOURCE/proto/tongban.proto"

a=$(vil log --client 王五 --phone 13900139000 --item YB003 --materials 居民身份证 --note 住院)
ok "the case is logged" test -n "$a"
REFUSE_PROBE="sqlite3 $WORK/v/$VIL.db 'SELECT count(*) FROM events'" \
    refuse "resend refuses a case that was not returned" 1 "$a" vil resend "$a"
# The LOGGED as an older village would have sent it: phone 12345678901.
ok "the queued LOGGED now carries a phone the township refuses" /usr/bin/python3 -c "
import sqlite3, sys
sys.path.insert(0, '$WORK/py')
import tongban_pb2 as pb
db = sqlite3.connect('$WORK/v/$VIL.db')
for table, where in (('events', 'origin_node = ? AND origin_seq = 1'), ('outbox', 'peer = ? AND seq = 1')):
    (body,) = db.execute('SELECT body FROM %s WHERE %s' % (table, where), ('$VIL' if table == 'events' else '$TOWN',)).fetchone()
    it = pb.Item(); it.ParseFromString(body)
    assert it.event.type == pb.EVENT_LOGGED
    it.event.ledger.client_phone = '12345678901'
    db.execute('UPDATE %s SET body = ? WHERE %s' % (table, where), (it.SerializeToString(), '$VIL' if table == 'events' else '$TOWN'))
db.commit()"

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

returned() { [ "$(vil ledger --json | jq -r --arg a "$1" '.[] | select(.case_id == $a) | .returned')" = true ]; }
ok "the village's ledger shows the case returned" tb_wait_for 30 returned "$a"
ok "... with the township's reason for its LOGGED" contains \
    "$(vil ledger --json | jq -r --arg a "$a" '.[] | select(.case_id == $a) | .returned_reason')" \
    "电话号码格式不符"
ok "the text ledger says 被退回 and why" contains "$(vil ledger)" "被退回：电话号码格式不符"
eq "the township answered instead of a silent quarantine" 1 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE type = 18 AND origin_node = '$TOWN'")"

b=$(vil resend "$a" --phone 13900139000)
ok "resend logs the corrected case as a new one" matches "$b" "^$VIL-[0-9]{8}-[0-9]{4}\$"
ok "... not under the old id" test "$b" != "$a"
county_state() { tb_psql "$PGDIR" -c "SELECT state FROM cases WHERE case_id='$1'" 2>/dev/null; }
prereview() { [ "$(county_state "$1")" = prereview ]; }
ok "the resent case reaches the county and the township holds it" tb_wait_for 30 prereview "$b"
eq "the resent case kept what was typed first" "王五 YB003 住院" \
    "$(tb_psql "$PGDIR" -c "SELECT client_name || ' ' || item_code || ' ' || note FROM cases WHERE case_id='$b'")"
eq "the returned case never reached the county" "" "$(county_state "$a")"
finish
