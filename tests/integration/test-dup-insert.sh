#!/usr/bin/env bash
# The county does not fold an event whose insert was a duplicate (issue 9,
# "the county folds again after a duplicate insert").  The county's batch
# inserted each event with ON CONFLICT (origin_node, origin_seq) DO NOTHING
# and folded it in memory, projected it and queued its status update
# whatever the insert did.  The id check before it (county_reuse.c) trusts
# memory: an id above the highest one memory holds from its origin is taken
# as new without a lookup.  When the store holds that id already (written by
# a batch of a connection the daemon gave up, still committing at the
# server; here: written by hand while the daemon runs), the insert did
# nothing and the fold happened all the same: a case projected from an event
# the store does not hold, its status sent down.  Now the insert refuses the
# id (no ON CONFLICT): the batch rolls back, memory is reloaded from the
# store, and the event is judged against what is stored (here: other content
# under a stored id, refused with REJECT_REUSED_ID).  The same for a case:
# a case row the store holds and memory does not (written by hand here) is
# not kept silently under the case memory folds from a new LOGGED (the
# insert had ON CONFLICT DO NOTHING until 2026-12-02): the batch rolls back,
# memory is reloaded, and the LOGGED is judged against the stored case.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
psql_c() { tb_psql "$PGDIR" -c "$1"; }

start_one_of_each
a=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "a first case reaches the county" tb_wait_for 30 at_c "$a" prereview
n=$(psql_c "SELECT max(origin_seq) FROM case_events WHERE origin_node = '$VIL'")
eq "the village's next event id is the one after the county's highest" "$n" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT max(origin_seq) FROM events WHERE origin_node = '$VIL'")"

# The store gets the village's next id, with other content, behind the daemon's back.
psql_c "INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at, target,
        reason, via, folded, body)
        SELECT origin_node, origin_seq + 1, case_id, type, type_name, actor, at, target, reason, via,
        false, body || '\\x00'::bytea FROM case_events WHERE origin_node = '$VIL' AND origin_seq = $n" >/dev/null

b=$(vil log --client 赵六 --phone 13607961111 --item LD001 --materials 居民身份证,解除劳动合同证明)
eq "the village's new case is its next event" "$((n + 1))" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT origin_seq FROM events WHERE case_id = '$b' AND type = 1")"
judged() { [ "$(psql_c "SELECT count(*) FROM cases WHERE case_id = '$b'") $(psql_c "SELECT count(*) FROM quarantine")" != "0 0" ]; }
ok "the county has judged the new case's event" tb_wait_for 30 judged
orphans="SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e
         WHERE e.case_id = c.case_id AND e.type = 1 AND e.folded)"
eq "no case projected from an event the store does not hold" 0 "$(psql_c "$orphans")"
eq "the event under a stored id with other content is refused (quarantine)" 1 \
    "$(psql_c "SELECT count(*) FROM quarantine WHERE why LIKE 'an event id reused%'")"
ok "the county lists no such case" \
    test "$(county cases --json | jq "[.[] | select(.case_id == \"$b\")] | length")" = 0
returned() { [ "$(vstate "$b" returned_reason)" = 事件编号已用于其他内容 ]; }
ok "the village is told (REJECTED: 被退回, the id reused)" tb_wait_for 30 returned
ok "the first case is untouched" at_c "$a" prereview

# The village's next case id (its case numbers run on; the day is b's), as a
# case row in the store behind the daemon's back.
c_id=$(printf '%s-%04d' "${b%-*}" "$((10#${b##*-} + 1))")
psql_c "INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note,
        accept_time, state, holder, pending, version, updated_at)
        VALUES ('$c_id', '$VIL', '手工录入', '13900000000', '张代办', 'LD001', '', now(),
        'prereview', '$TOWN', '', 1, now())" >/dev/null
c=$(vil log --client 孙七 --phone 13507962222 --item LD001 --materials 居民身份证,解除劳动合同证明)
eq "the village's next case has the id stored by hand (same day)" "$c_id" "$c"
cstored() { [ "$(psql_c "SELECT count(*) FROM case_events WHERE case_id = '$c' AND type = 1")" = 1 ]; }
ok "the county has stored the next case's LOGGED" tb_wait_for 30 cstored
eq "it is stored unfolded: the case was in the store" f \
    "$(psql_c "SELECT folded FROM case_events WHERE case_id = '$c' AND type = 1")"
eq "the stored case row keeps its client (not the LOGGED's)" 手工录入 \
    "$(psql_c "SELECT client_name FROM cases WHERE case_id = '$c'")"
ok "the batch that met the stored case rolled back (memory reloaded)" \
    grep -q "rolled back: .*cases_pkey" "$WORK/county.log"
finish
