#!/usr/bin/env bash
# The benchmark harness can still measure (issue 13).  bench/run.sh is not
# part of `meson test` and nothing here is timed or compared with a figure:
# this only checks that its programs run against today's binaries and print
# what run.sh reads.  From 2d1eea3 to 2026-12-02 the broker refused the
# harness's TONGBAN_BROKER_RATE (1,000,000,000, above its range) and exited,
# and the broker and province rows had no broker to measure; nobody saw it,
# as no test ran the harness's programs.
source "$(dirname "$0")/lib.sh"
B=$TB_BUILD/bench

# bench-machine: five numbers, each a positive decimal.
m=$("$B/bench-machine" "$WORK")
echo "# $m"
for k in syscall_ns wake_us wake_cpu_us fsync_us fsync_cpu_us; do
    v=$(sed -n "s/.* $k=\([0-9.]*\)\( .*\)\{0,1\}$/\1/p" <<<"$m")
    ok "bench-machine prints $k as a positive number ($v)" \
        matches "$v" '^([1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$'
done
refuse "bench-machine without its directory" 2 "usage: bench-machine WORKDIR" "$B/bench-machine"
refuse "bench-machine in a directory that does not exist" 1 "bench-machine: write and sync" \
    "$B/bench-machine" "$WORK/none"

# bench-broker against the real broker binary, as run.sh starts it (the rate
# limit lifted): every contender forwarded messages, the CURVE broker too.
# A broker that refuses to start leaves bench-broker waiting for it: bounded.
out=$(timeout 150 "$B/bench-broker" "$BROKER" 2000 300 1 2>&1)
eq "bench-broker finished" 0 $?
best=$(grep '^best:' <<<"$out")
echo "# $best"
brk=$(sed -n 's/.*tongban-broker CURVE \([0-9]*\) msg\/s.*/\1/p' <<<"$best")
ok "bench-broker measured tongban-broker with CURVE (${brk:-nothing})" test "${brk:-0}" -gt 0
bare=$(sed -n 's/.*bare ROUTER CURVE \([0-9]*\) msg\/s.*/\1/p' <<<"$best")
ok "bench-broker measured its CURVE baseline (${bare:-nothing})" test "${bare:-0}" -gt 0
# Every rate the harness gives a broker (its scripts and programs): the broker
# starts with it and listens.
rates=$(grep -rhoE 'TONGBAN_BROKER_RATE(=|", ")[0-9]+' "$TB_SOURCE/bench" | grep -oE '[0-9]+$' | sort -u)
ok "the harness sets TONGBAN_BROKER_RATE ($(echo $rates))" test -n "$rates"
for r in $rates; do
    TONGBAN_BROKER_RATE=$r "$BROKER" serve --broker "ipc://$WORK/b$r.sock" >"$WORK/b$r.log" 2>&1 &
    bp=$!
    PIDS+=("$bp")
    ok "a broker started with the harness's rate $r is listening" \
        tb_wait_for 20 grep -q listening "$WORK/b$r.log"
    kill "$bp"
    wait "$bp"
    eq "that broker exits 0 on SIGTERM" 0 $?
done
finish
