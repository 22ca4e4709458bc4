#!/usr/bin/env bash
# The walking skeleton end to end, with real processes and a real PostgreSQL:
# cases logged offline reach the county exactly once, a township accepts one,
# the village sees it; garbage sent to the broker and to a node is dropped.
source "$(dirname "$0")/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county() { "$C" "$@" --place $COUNTY --db "$DB"; }

# 1. Two cases logged while nothing else runs (the broker is down).
id1=$(vil log --client 李四 --phone 13800138000 --item YB003 --note 住院报销)
id2=$(vil log --client 王五 --phone 0796-5321234 --item HJ001)
ok "first case id minted offline" matches "$id1" "^${VIL}-[0-9]{8}-0001$"
ok "second case id minted offline" matches "$id2" "^${VIL}-[0-9]{8}-0002$"
eq "ledger holds both cases" 2 "$(vil ledger --json | jq length)"
eq "both wait at the village as submitted" "submitted submitted" \
    "$(vil ledger --json | jq -r '[.[].state] | join(" ")')"

# 2. Start everything.
start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

logged_at_county() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE type_name='logged'")" = 2 ]; }
ok "both cases reach the county store" tb_wait_for 30 logged_at_county
in_prereview() { [ "$(county cases --json | jq -r '[.[].state] | join(" ")')" = "prereview prereview" ]; }
ok "the county sees both in pre-review at the township" tb_wait_for 30 in_prereview
# What an edge made, from its own store, against what the county stored: every
# event, in order, with its case, type and the digest of its body; a unique
# constraint cannot stand in for this (a reused seq with other content would
# pass it).  DB ORIGIN: the rows of events made at ORIGIN.
edge_events() { sqlite3 "$1" "SELECT origin_node, origin_seq, case_id, type, lower(hex(body)) FROM events WHERE origin_node='$2' ORDER BY origin_seq" | md5sum; }
county_events() { tb_psql "$PGDIR" -c "SELECT origin_node, origin_seq, case_id, type, encode(body, 'hex') FROM case_events WHERE origin_node='$1' ORDER BY origin_seq" | md5sum; }
reconciled() { [ "$(edge_events "$1" "$2")" = "$(county_events "$2")" ]; }
nevents() { sqlite3 "$1" "SELECT count(*) FROM events WHERE origin_node='$2'"; }
eq "the village made 4 events (logged and submitted, twice)" 4 "$(nevents "$WORK/v/$VIL.db" $VIL)"
ok "the county holds exactly the village's events, in order, same bodies" tb_wait_for 30 reconciled "$WORK/v/$VIL.db" $VIL
vil_cases() { sqlite3 "$WORK/v/$VIL.db" "SELECT case_id, client_name, client_phone, agent, item_code, note FROM cases ORDER BY 1"; }
county_cases() { tb_psql "$PGDIR" -c "SELECT case_id, client_name, client_phone, agent, item_code, note FROM cases ORDER BY 1"; }
eq "the county's cases are the village's ledger" "$(vil_cases)" "$(county_cases)"
eq "ledger fields reach the county" "李四|13800138000|张三|YB003|住院报销" \
    "$(tb_psql "$PGDIR" -c "SELECT client_name, client_phone, agent, item_code, note FROM cases WHERE case_id='$id1'")"

# 3. The township accepts the first; the village sees it.
eq "township inbox lists both" 2 "$(town inbox --json | jq length)"
ok "township accepts the first case" town accept "$id1"
village_accepted() { [ "$(vil ledger --json | jq -r ".[] | select(.case_id==\"$id1\") | .state")" = accepted ]; }
ok "the village ledger shows it accepted" tb_wait_for 30 village_accepted
county_accepted() { [ "$(vil ledger --json | jq -r ".[] | select(.case_id==\"$id1\") | .county_state")" = accepted ]; }
ok "the county's confirmation reaches the village" tb_wait_for 30 county_accepted

# 4. Forwarded to the county, which confirms receipt; the village sees it too.
ok "township forwards the first case to the county" town forward "$id1"
village_county() { [ "$(vil ledger --json | jq -r ".[] | select(.case_id==\"$id1\") | .state")" = county ]; }
ok "the village sees the county holding it" tb_wait_for 30 village_county
eq "county holds it" "county|$COUNTY" \
    "$(tb_psql "$PGDIR" -c "SELECT state, holder FROM cases WHERE case_id='$id1'")"
eq "history at the village: every step, in order" "logged submitted received accepted forwarded received" \
    "$(vil show "$id1" --json | jq -r '[.history[].event] | join(" ")')"
eq "history at the county: every step" 6 "$(county show "$id1" --json | jq '.history | length')"
town_events() { sqlite3 "$WORK/t/$TOWN.db" "SELECT origin_seq, case_id, type, hex(body) FROM events ORDER BY 1" | md5sum; }
REFUSE_PROBE=town_events
refuse "illegal step refused at the township (accept a case the county holds)" 1 "本节点不是该件的当前经办方，不能操作：$id1" town accept "$id1"
REFUSE_PROBE=

ok "no message was dropped in normal operation" bash -c "! grep -q dropped $WORK/*.log"

# 5. (tb-inject speaks CURVE with a key the county allowed for 360826100099,
# a village code the shipped data does not have.)
"$V" keygen --place 360826100099 >/dev/null 2>&1 &&
    "$C" keys allow 360826100099 "$TONGBAN_KEYS/360826100099.pub" ||
    echo "Bail out! cannot make a key for tb-inject"
ok "the broker reloads the allow-list with the new key" tb_wait_for 10 grep -q "allow-list .* reloaded" "$WORK/broker.log"
# A well-formed envelope whose sender field lies about who sent it: dropped.
drops() { grep -c "dropped a message" "$WORK/town.log"; }
before=$(drops)
"$INJECT" "$TONGBAN_BROKER" 360826100099 str:$TOWN env:$VIL,$TOWN,1
spoof_dropped() { [ "$(drops)" -gt "$before" ]; }
ok "an envelope claiming another sender is dropped by the township" tb_wait_for 10 spoof_dropped
ok "the drop line names the peer and the reason" grep -q \
    "dropped a message from 360826100099 (2 frames): envelope sender is not the connection's place" \
    "$WORK/town.log"
eq "the spoofed message changed nothing at the township" 2 "$(town cases --json | jq length)"

# 6. Garbage to the broker and, through it, to a node: logged, dropped, still serving.
"$INJECT" "$TONGBAN_BROKER" - rand:300
"$INJECT" "$TONGBAN_BROKER" 360826100099 str:$TOWN rand:5000
"$INJECT" "$TONGBAN_BROKER" 360826100099 str:$TOWN hex:0801 rand:20
"$INJECT" "$TONGBAN_BROKER" 360826100099 str:notacode rand:10
"$INJECT" "$TONGBAN_BROKER" 360826100099 str:000000000000
ok "the broker logged the malformed messages" tb_wait_for 10 grep -q "dropped a malformed" "$WORK/broker.log"
town_dropped() { grep -q "dropped a message" "$WORK/town.log"; }
ok "the township logged the garbage envelopes and dropped them" tb_wait_for 10 town_dropped
id3=$(vil log --client 赵六 --phone 13912345678 --item LD001)
third_at_county() { [ "$(tb_psql "$PGDIR" -c "SELECT state FROM cases WHERE case_id='$id3'")" = prereview ]; }
ok "after the garbage, a new case still flows to the county" tb_wait_for 30 third_at_county
reconciled_all() { reconciled "$WORK/v/$VIL.db" $VIL && reconciled "$WORK/t/$TOWN.db" $TOWN; }
ok "at the end the county holds every event the village and the township made" tb_wait_for 30 reconciled_all
eq "the township made 5 events (received thrice, accepted, forwarded)" 5 "$(nevents "$WORK/t/$TOWN.db" $TOWN)"

# 7. SIGTERM: every daemon is still running and exits cleanly.
for p in vil town county broker; do stop $p; done
finish
