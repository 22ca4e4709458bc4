#!/usr/bin/env bash
# supervise.sh COMMAND...: keep a daemon running.  The broker runs under it:
# libzmq 4.3.4 can abort under handover churn (`!_io_error`,
# stream_engine_base.cpp:331; libzmq #4364, #4767) and the broker's memory
# watchdog exits 75 on a message that never ends.  A restart loses nothing
# (every node keeps its outbox until acked end to end), so the supervisor
# restarts COMMAND whenever it dies of a signal or exits non-zero: after
# 0.2 s, or 2 s once it died 10 times within 10 s.  SIGTERM or SIGINT stops
# COMMAND (SIGTERM) and exits with its status.
child=0
stopping=0
on_term() {
    stopping=1
    [ "$child" -ne 0 ] && kill -TERM "$child" 2>/dev/null
}
trap on_term TERM INT
deaths=()
while :; do
    "$@" &
    child=$!
    rc=0
    wait "$child" || rc=$?
    if [ "$stopping" = 1 ]; then
        # The trapped signal interrupted wait (status 128+15): wait again for
        # the child's own status (127: it was already collected above).
        again=0
        wait "$child" || again=$?
        [ "$again" = 127 ] || rc=$again
        exit "$rc"
    fi
    [ "$rc" = 0 ] && exit 0
    now=$SECONDS
    deaths+=("$now")
    recent=0
    for t in "${deaths[@]}"; do [ $((now - t)) -lt 10 ] && recent=$((recent + 1)); done
    pause=0.2
    [ "$recent" -ge 10 ] && pause=2
    echo "supervise: $1 exited with status $rc; restarting in $pause s" >&2
    sleep "$pause" &
    wait $! || true
    kill $! 2>/dev/null
    [ "$stopping" = 1 ] && exit 0
done
