#!/usr/bin/env bash
# The worst moment to die: right after a batch committed and before its acks
# left.  The county and a township are killed exactly there (fault hook
# crash_after_commit), restarted, and every event still lands exactly once.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg
: >"$WORK/ids"
T0=${TOWNS[0]}

run broker
TONGBAN_FAULT=crash_after_commit=2 run county
TONGBAN_FAULT=crash_after_commit=3 run "$T0"
for n in "${TOWNS[@]:1}" "${VILLAGES[@]}"; do run "$n"; done
for i in $(seq 1 12); do
    for v in "${VILLAGES[@]}"; do vlog "$v" "客户$i" >>"$WORK/ids"; done
    sleep 0.1
done
died() { ! alive "$1"; }
ok "the county died right after a commit" tb_wait_for 30 died county
ok "township $T0 died right after a commit" tb_wait_for 30 died "$T0"
ok "it was the fault hook (county)" grep -q "SIGKILL after commit 2" "$WORK/county.log"
ok "it was the fault hook (township)" grep -q "SIGKILL after commit 3" "$WORK/$T0.log"
run county
run "$T0"
reconcile "$WORK/ids" 120
stop_all
finish
