#!/usr/bin/env bash
# The worst moment to die: right after a batch committed and before its acks
# left.  The county, a township and a village are killed exactly there (fault
# hook crash_after_commit, in every daemon with a store: tb_sqlink at the edges,
# the county's batch; the broker stores nothing), restarted, and every event
# still lands exactly once.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg
: >"$WORK/ids"
T0=${TOWNS[0]}
V0=${VILLAGES[0]}

run broker
TONGBAN_FAULT=crash_after_commit=2 run county
TONGBAN_FAULT=crash_after_commit=3 run "$T0"
TONGBAN_FAULT=crash_after_commit=2 run "$V0"
for n in "${TOWNS[@]:1}" "${VILLAGES[@]:1}"; do run "$n"; done
for i in $(seq 1 12); do
    for v in "${VILLAGES[@]}"; do vlog "$v" "客户$i" >>"$WORK/ids"; done
    sleep 0.1
done
died() { ! alive "$1"; }
ok "the county died right after a commit" tb_wait_for 30 died county
ok "township $T0 died right after a commit" tb_wait_for 30 died "$T0"
ok "it was the fault hook (county)" grep -q "SIGKILL after commit 2" "$WORK/county.log"
ok "it was the fault hook (township)" grep -q "SIGKILL after commit 3" "$WORK/$T0.log"
# restart NAME: it must have died by itself; one still running (its check above
# failed) is killed, so the test goes on instead of waiting for it forever.
restart() {
    alive "$1" && kill -9 "${PID[$1]}"
    wait "${PID[$1]}"
    eq "$1 was killed by SIGKILL" 137 $?
    run "$1"
}
restart county
restart "$T0"
# The village commits when its township acks what it sent.  Whether the acks
# for the first cases all came in one batch before the township died depends
# on timing, so the village logs more cases (one every half second) until its
# second commit kills it: each brings new acks, hence a new commit.
for i in $(seq 1 60); do
    alive "$V0" || break
    vlog "$V0" "后来$i" >>"$WORK/ids"
    sleep 0.5
done
ok "village $V0 died right after a commit" tb_wait_for 5 died "$V0"
ok "it was the fault hook (village)" grep -q "SIGKILL after commit 2" "$WORK/$V0.log"
restart "$V0"
reconcile "$WORK/ids" 120
stop_all
finish
