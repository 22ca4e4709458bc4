#!/usr/bin/env bash
# A village offline for a (simulated) week logs 2,000 entries; meanwhile the
# other villages, the township and the county work normally, and PostgreSQL
# goes away for a while.  On reconnection everything arrives, in order.
#   TB_OUTAGE_ENTRIES  entries logged offline (default 2000)
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg
: >"$WORK/ids"
N=${TB_OUTAGE_ENTRIES:-2000}
AWAY=${VILLAGES[0]}
OTHER=${VILLAGES[1]}
T0=${TOWNS[0]}
# A tiny in-memory queue at the county, so its outbox spills to the table and is
# read back while the townships catch up: one message.  (8 until the county sent
# a batch's status updates to a township as one StatusList: the catch-up's
# 2,000 cases then made a few dozen messages, and 8 unacked at once came only
# now and then.)
TONGBAN_DEBUG=1 TONGBAN_COUNTY_MAX_QUEUE=1 run county
for n in broker "${TOWNS[@]}" "${VILLAGES[@]:1}"; do run "$n"; done

# A week away: N entries logged with no daemon (no network) at that village.
start_log=$SECONDS
# Two at a time (two agents at one desk): half the wall time, and the ledger's
# writers meet as they would.  A failed entry shows in the count below.
export -f vlog
export V WORK AWAY
seq 1 "$N" | xargs -P 2 -I{} bash -c 'vlog "$AWAY" "离线{}"' >>"$WORK/ids" || true
echo "# logged $N entries offline in $((SECONDS - start_log)) s"
eq "all $N entries are in the offline ledger" "$N" "$(sq "$AWAY" "SELECT count(*) FROM cases")"

# Meanwhile the others work: a case from another village is accepted by the township.
id=$(vlog "$OTHER" 在线客户)
echo "$id" >>"$WORK/ids"
town_has() { [ "$("$T" show "$id" --place "$T0" --data-dir "$WORK/$T0" --json 2>/dev/null | jq -r .state)" = prereview ]; }
ok "another village's case reaches the township during the outage" tb_wait_for 30 town_has
ok "the township accepts it" "$T" accept "$id" --place "$T0" --data-dir "$WORK/$T0" --agent 窗口
printf '%s\taccepted\t窗口\n' "$id" >"$WORK/staff-ok"
accepted() { [ "$("$V" show "$id" --place "$OTHER" --data-dir "$WORK/$OTHER" --json | jq -r .county_state)" = accepted ]; }
ok "and the county's status comes back to that village" tb_wait_for 30 accepted

# PostgreSQL away for 5 s: the county keeps running and catches up.
tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null
sleep 1
id2=$(vlog "$OTHER" 库停时客户)
echo "$id2" >>"$WORK/ids"
sleep 5
ok "the county keeps running while PostgreSQL is down" alive county
tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PGDIR'" start >/dev/null
in_county() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id = '$id2'")" = 1 ]; }
ok "the case logged while PostgreSQL was down reaches it" tb_wait_for 60 in_county

# The village comes back.
t0=$SECONDS
run "$AWAY"
all_in() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$AWAY'")" = "$N" ]; }
ok "all $N entries reach the county" tb_wait_for 300 all_in
echo "# catch-up of $N entries ($((N * 2)) events) took $((SECONDS - t0)) s"
reconcile "$WORK/ids" 300
ok "the county's outbox spilled to its table and was read back" grep -q "read back" "$WORK/county.log"
echo "# the county read its outbox back $(grep -c "read back" "$WORK/county.log") time(s)"
stop_all
finish
