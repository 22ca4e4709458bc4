#!/usr/bin/env bash
# Issue 9, "the contract, written": a village written in Python from
# proto/README.md and proto/tongban.proto only (village.py: /usr/bin/python3,
# Debian's python3-zmq and python3-protobuf, Python code generated here with
# protoc --python_out), its CurveZMQ key made with pyzmq and admitted with
# `tongban-county keys allow`, against the real broker, township and county
# (PostgreSQL).  It logs and submits a case and gets RECEIVED and the county's
# status back; retransmits, resends an acked seq, sends out of order and a
# duplicate event; sends malformed items and a reused id and gets each
# answered with REJECTED and the right code.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100002
PY=/usr/bin/python3

# The contract's Python code, generated from the .proto at test time.
mkdir -p "$WORK/py"
ok "protoc --python_out generates the contract" \
    protoc --proto_path="$TB_SOURCE/proto" --python_out="$WORK/py" "$TB_SOURCE/proto/tongban.proto"
# The heartbeat's announced interval (proto/README.md section 3) is field 5,
# a uint32.  This village announces none and beats every second: the broker
# keeps it present as an older node (5 s), and it runs to the end below.
eq "the contract's Heartbeat.interval_ms is field 5, a uint32" "5 13" "$($PY -c "
import sys; sys.path.insert(0, '$WORK/py'); import tongban_pb2 as pb
f = pb.Heartbeat.DESCRIPTOR.fields_by_name['interval_ms']; print(f.number, f.type)")"

# A key pair the stranger makes itself; the county admits its public key.
mkdir -m 700 -p "$WORK/pykeys"
cp "$TONGBAN_KEYS/broker.pub" "$WORK/pykeys/"
ok "pyzmq makes the village's key pair" $PY -c "
import zmq, os
pub, sec = zmq.curve_keypair()
open(os.path.join('$WORK/pykeys', '$VIL.key'), 'wb').write(sec + b'\n')
open(os.path.join('$WORK/pykeys', '$VIL.pub'), 'wb').write(pub + b'\n')"
ok "the county revokes the place's old key" "$C" keys revoke $VIL
ok "the county allows the stranger's key" "$C" keys allow $VIL "$(cat "$WORK/pykeys/$VIL.pub")"

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"

ok "the Python village runs to the end" timeout 300 $PY "$TB_SOURCE/tests/conformance/village.py" \
    "$WORK/py" "$WORK/pykeys" $VIL $TOWN "$TONGBAN_BROKER" "$WORK/seen"
seen() { sed -n "s/^$1 //p" "$WORK/seen"; }
sed 's/^/# seen: /' "$WORK/seen"

eq "the LOGGED and SUBMITTED are acked" 2 "$(seen logged_acked)"
eq "the township confirms receipt (RECEIVED)" $TOWN "$(seen received_from)"
eq "the county's status: prereview" prereview "$(seen status_state)"
eq "the county's status as a number (CaseState)" CASE_STATE_PREREVIEW "$(seen status_code)"
eq "the county's status: the township holds it" $TOWN "$(seen status_holder)"
eq "a message lost on its first send arrives by retransmission" yes "$(seen retransmitted_acked)"
eq "an acked seq sent again is acked again" 3 "$(seen dup_link_reacked)"
eq "a seq beyond the next is not taken" yes "$(seen gap_held)"
eq "then both are applied in order" yes "$(seen gap_applied)"
eq "the same event again under a new seq is consumed" yes "$(seen dup_event_acked)"
eq "... and not refused" no "$(seen dup_event_rejected)"
eq "a rating with three of the four indicators: REJECTED by the township, malformed" \
    "REJECT_MALFORMED $TOWN yes match" \
    "$(seen indicators_code) $(seen indicators_by) $(seen indicators_reason) $(seen indicators_digest)"
eq "times in seconds: REJECTED, bad time" REJECT_BAD_TIME "$(seen seconds_code)"
eq "a malformed phone: REJECTED, bad phone" REJECT_BAD_PHONE "$(seen phone_code)"
eq "a case id without zero padding: REJECTED, bad case id" REJECT_BAD_CASE_ID "$(seen caseid_code)"
eq "... naming no case" '""' "$(seen caseid_case)"
eq "another village's case: REJECTED, not entitled" REJECT_NOT_ENTITLED "$(seen entitled_code)"
eq "an item not in the catalog: REJECTED by the county" "REJECT_UNKNOWN_ITEM $COUNTY" \
    "$(seen item_code) $(seen item_by)"
eq "a handover to another township: REJECTED by the county, wrong target" \
    "REJECT_WRONG_TARGET $COUNTY" "$(seen target_code) $(seen target_by)"
eq "a reused event id: REJECTED, reused id" REJECT_REUSED_ID "$(seen reused_code)"
eq "every REJECTED names the refused bytes' SHA-256" "match match match match match match match" \
    "$(for n in seconds phone caseid entitled item target reused; do seen ${n}_digest; done | xargs)"
eq "every REJECTED has its reason in words" "yes yes yes yes yes yes yes" \
    "$(for n in seconds phone caseid entitled item target reused; do seen ${n}_reason; done | xargs)"
eq "the township answered the township's refusals" "$TOWN $TOWN $TOWN $TOWN $TOWN" \
    "$(for n in seconds phone caseid entitled reused; do seen ${n}_by; done | xargs)"
eq "everything the village sent was consumed (acked)" yes "$(seen all_acked)"
eq "an envelope of version 0 is not taken" no "$(seen version0_acked)"
ok "... and its drop line names the village and the reason" grep -q \
    "dropped a message from $VIL (2 frames): envelope version is not 1" "$WORK/town.log"

eq "a flood of 100 refused items is consumed" yes "$(seen flood_acked)"
answered=$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE type = 18 AND origin_node = '$TOWN'")
unanswered=$(sqlite3 "$WORK/t/$TOWN.db" "SELECT value FROM counters WHERE name = 'unanswered $VIL'")
echo "# flood: ${answered} answered, ${unanswered} only counted, $(seen flood_seconds) s"
# 106 refused at the township: seconds, phone, caseid, entitled, reused, indicators, the flood's 100.
eq "every refused item is answered or counted as unanswered" 106 "$((answered + ${unanswered:-0}))"
eq "the village heard every answer the township made" "$answered" "$(seen flood_answers)"
ok "the answers are limited: at most 60 in a minute (two minutes at most here)" \
    test "$answered" -le 120 -a "${unanswered:-0}" -gt 0
a=$(seen case_a)
eq "the county holds the case as the Python village logged it" "prereview $TOWN" \
    "$(tb_psql "$PGDIR" -c "SELECT state || ' ' || holder FROM cases WHERE case_id='$a'")"
eq "a complaint (EVENT_COMPLAINED) is consumed" yes "$(seen complaint_acked)"
eq "... and not refused" no "$(seen complaint_rejected)"
eq "a second complaint while one is open is consumed" yes "$(seen complaint2_acked)"
eq "... and answered with REJECTED, out of state, by the county" "REJECT_OUT_OF_STATE $COUNTY" \
    "$(seen complaint2_code) $(seen complaint2_by)"
eq "... naming the refused bytes, with the county's words" "match yes" \
    "$(seen complaint2_digest) $(seen complaint2_words)"
eq "the county has it as a complaint to accept, filed by the village" "$a filed $VIL complaint" \
    "$("$C" complaint list --place $COUNTY --db "$DB" --json | jq -r '.[0] | "\(.case_id) \(.state) \(.filed_by) \(.kind)"')"
eq "the township counted every refused item against the village" 106 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT value FROM counters WHERE name='refused $VIL'")"
ok "the township's drop lines name the village and the reason" \
    grep -q "message from $VIL refused: 电话号码格式不符\|message from $VIL refused: bad phone" "$WORK/town.log"
ok "the reuse alarm names the village and both digests" \
    grep -qE "village $VIL: event $VIL/1 came again with other content \(stored sha256 [0-9a-f]{64}, new sha256 [0-9a-f]{64}\)" "$WORK/town.log"
ok "the refused events were consumed: no gap alarm after them" \
    bash -c "! grep -q 'village $VIL: .* never came' '$WORK/town.log'"
finish
