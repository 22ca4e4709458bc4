# The province figure of bench/run.sh (issue 13), sourced by it: its helpers (want, add,
# ratio, cpu_ticks, rss_kib), WORK, PIDS and TB_BUILD are the harness's.  Not run on its own.

# ---- a province's broker tier at idle ------------------------------------------------------------
# One broker per city of 江西 (data/jiangxi-counties.csv), each with its share
# of the fleet held by one bench-fleet generator; 30 s of heartbeats measured
# from 5 s after every node is in.  The tier's CPU and RSS are the brokers'
# own; the generators' CPU over their 90 s is reported beside them.
if want fleet; then
    FB=${TB_BENCH_FLEET_BUILD:-$TB_BUILD}
    total=${TB_BENCH_FLEET:-23947}
    mapfile -t cities < <(tail -n +2 "$TB_SOURCE/data/jiangxi-counties.csv" | cut -d, -f3 | sort -u)
    per=$(((total + ${#cities[@]} - 1) / ${#cities[@]}))
    echo "# fleet: $total nodes over ${#cities[@]} brokers (one per city), $per each" >&2
    ulimit -n "$(ulimit -Hn)" 2>/dev/null
    [ "$(ulimit -n)" -ge $((2 * per + 100)) ] || echo "# fd limit $(ulimit -n) is below $((2 * per + 100)): raise it" >&2
    declare -a BPIDS=() GPIDS=()
    # CurveZMQ as real nodes: each city's broker its own key directory, every
    # node its own key pair on that broker's allow-list.
    for c in "${cities[@]}"; do
        rm -rf "$WORK/fleet-keys-$c"
        "$TB_BUILD/bench/bench-fleet" --make-keys "$WORK/fleet-keys-$c" "$c" "$per" ||
            { echo "# fleet keys for $c failed" >&2; exit 1; }
    done
    for c in "${cities[@]}"; do
        TONGBAN_BROKER_RATE=10000000 "$FB/broker/tongban-broker" serve --broker "ipc://$WORK/fleet-$c.sock" \
            --keys "$WORK/fleet-keys-$c" >"$WORK/fleet-broker-$c.log" 2>&1 &
        BPIDS+=($!)
        PIDS+=($!)
    done
    # The small-fleet broker: the same binary with no nodes of its own (its
    # own key directory, which bench-broker --against fills once), measured
    # while the fleet runs (the same load on the machine) and, a fresh one,
    # once the fleet has stopped.
    lone() {
        rm -rf "$WORK/$1-keys"
        "$TB_BUILD/bench/bench-fleet" --make-keys "$WORK/$1-keys" 3608 1 >/dev/null 2>&1
        TONGBAN_BROKER_RATE=10000000 "$FB/broker/tongban-broker" serve --broker "ipc://$WORK/$1.sock" \
            --keys "$WORK/$1-keys" >"$WORK/$1-broker.log" 2>&1 &
        lone_pid=$!
        PIDS+=($lone_pid)
        sleep 1
    }
    lone lone
    fleet_secs=90
    for c in "${cities[@]}"; do
        "$TB_BUILD/bench/bench-fleet" "ipc://$WORK/fleet-$c.sock" "$c" "$per" "$fleet_secs" "$WORK/fleet-keys-$c" \
            >"$WORK/fleet-gen-$c.out" 2>&1 &
        GPIDS+=($!)
        PIDS+=($!)
    done
    # The generators connect 128 handshakes at a time each and say when all
    # are in; measure from 5 s after the last (their fleet_secs start then too).
    t0=$(date +%s)
    while [ "$(cat "$WORK"/fleet-gen-*.out 2>/dev/null | grep -c '^fleet connected=')" -lt ${#cities[@]} ] &&
        [ $(($(date +%s) - t0)) -lt 320 ]; do sleep 1; done
    echo "# fleet: $(cat "$WORK"/fleet-gen-*.out | sed -n 's/^fleet connected=\([0-9]*\).*/\1/p' | paste -sd+ | bc) nodes in after $(($(date +%s) - t0)) s" >&2
    tin=$(date +%s)
    sleep 5
    b0=0
    for p in "${BPIDS[@]}"; do b0=$((b0 + $(cpu_ticks "$p"))); done
    sleep 30
    b1=0 rss=0
    for p in "${BPIDS[@]}"; do
        b1=$((b1 + $(cpu_ticks "$p")))
        rss=$((rss + $(rss_kib "$p")))
    done
    # A message still routed: the broker traffic through the first city's
    # broker while its fleet stays connected, then, the fleet still running,
    # through the broker of no nodes (the small-fleet rate), the same CURVE
    # pairs.  Both under the same load: on 2 cores the fleet's generators and
    # brokers take a third of the machine (0.4-0.6 core on 2026-12-02), which
    # a baseline measured after them never shared.  Printed beside: the
    # broker of no nodes again once the fleet has stopped.
    msgs=${TB_BENCH_MESSAGES:-100000}
    against() { "$FB/bench/bench-broker" --against "ipc://$WORK/$1.sock" "$WORK/$2" "$msgs" 300 4 2>/dev/null |
        sed -n 's/^against: \([0-9]*\).*/\1/p'; }
    loaded=$(against "fleet-${cities[0]}" "fleet-keys-${cities[0]}")
    small=$(against lone lone-keys)
    left=$(($(date +%s) - tin))
    wait "${GPIDS[@]}"
    gcpu=$(cat "$WORK"/fleet-gen-*.out | sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p' | paste -sd+ | bc)
    answers=$(cat "$WORK"/fleet-gen-*.out | sed -n 's/.*answers=\([0-9]*\).*/\1/p' | paste -sd+ | bc)
    kill "${BPIDS[@]}" 2>/dev/null
    wait "${BPIDS[@]}" 2>/dev/null
    kill "$lone_pid" 2>/dev/null
    wait "$lone_pid" 2>/dev/null
    lone quiet
    quiet=$(against quiet quiet-keys)
    kill "$lone_pid" 2>/dev/null
    wait "$lone_pid" 2>/dev/null
    # The generators beat for fleet_secs from the moment all were in; both
    # measurements must have ended before that, or "small" ran on a lighter machine.
    [ "$left" -lt $((fleet_secs - 5)) ] || echo "# fleet: the routed measurements ran past the fleet's $fleet_secs s" >&2
    if [ -n "$loaded" ] && [ -n "$small" ]; then
        add "province: a message routed through a city broker holding its $per idle nodes (msg/s, 300 B, CURVE)" \
            "$loaded" "$small (the same broker binary, no nodes of its own, the fleet running; ${quiet:-?} once it stopped)" \
            "$(ratio "$loaded" "$small")" ">= 0.9x"
    else
        add "province: a message routed with the fleet connected" "failed" "${small:--}" "-" ">= 0.9x"
    fi
    hz=$(getconf CLK_TCK)
    add "province broker tier at idle, CURVE on: $total nodes, ${#cities[@]} brokers (CPU cores, RSS)" \
        "$(printf '%.3f' "$(echo "scale=4; ($b1 - $b0) / $hz / 30" | bc)") core, $((rss / 1024)) MiB" \
        "generators: $(printf '%.3f' "$(echo "scale=4; ${gcpu:-0} / $fleet_secs" | bc)") core; ${answers:-0} broker answers in $fleet_secs s" \
        "-" "< 0.2 core and < 1 GiB"
fi
