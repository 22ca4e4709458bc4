# A small county for the fault tests (sourced after tests/integration/lib.sh):
# broker, county, two townships with two villages each, restartable one by one.
COUNTY=360826000000
TOWNS=(360826100000 360826102000)
VILLAGES=(360826100001 360826100002 360826102001 360826102200)
export TONGBAN_BROKER=ipc://$WORK/broker.sock
declare -A PID

# run NAME: (re)start one process by name: broker, county, a township or a village code.
# TB_WRAP (e.g. "valgrind --error-exitcode=99") is put in front of each daemon.
run() {
    local name=$1
    local wrap=(${TB_WRAP:-})
    case $name in
    broker) "${wrap[@]}" "$BROKER" serve >>"$WORK/broker.log" 2>&1 & ;;
    county) "${wrap[@]}" "$C" serve --place $COUNTY --db "$DB" >>"$WORK/county.log" 2>&1 & ;;
    *000) "${wrap[@]}" "$T" serve --place "$name" --data-dir "$WORK/$name" >>"$WORK/$name.log" 2>&1 & ;;
    *) "${wrap[@]}" "$V" serve --place "$name" --data-dir "$WORK/$name" >>"$WORK/$name.log" 2>&1 & ;;
    esac
    PID[$name]=$!
    PIDS+=($!)
}

kill9() {
    local name=$1
    [ -n "${PID[$name]:-}" ] && kill -9 "${PID[$name]}" 2>/dev/null
    wait "${PID[$name]}" 2>/dev/null
    PID[$name]=""
}

alive() { [ -n "${PID[$1]:-}" ] && kill -0 "${PID[$1]}" 2>/dev/null; }

run_all() {
    for n in broker county "${TOWNS[@]}" "${VILLAGES[@]}"; do alive "$n" || run "$n"; done
}

stop_all() {
    for n in "${VILLAGES[@]}" "${TOWNS[@]}" county broker; do
        if alive "$n"; then kill -TERM "${PID[$n]}"; wait "${PID[$n]}" 2>/dev/null; fi
        PID[$n]=""
    done
}

vlog() {  # vlog VILLAGE CLIENT: log one case, print its id
    "$V" log --place "$1" --data-dir "$WORK/$1" --agent 测试员 --client "$2" \
        --phone 13800138000 --item YB003
}

sq() { sqlite3 -bail -cmd ".timeout 5000" "$WORK/$1/$1.db" "$2"; }

# All outboxes empty and every link quiet: nothing left to deliver.
quiet() {
    local n
    for n in "${VILLAGES[@]}" "${TOWNS[@]}"; do
        [ -f "$WORK/$n/$n.db" ] || continue
        [ "$(sq "$n" "SELECT count(*) FROM outbox")" = 0 ] || return 1
    done
    [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM outbox" 2>/dev/null)" = 0 ]
}

# reconcile IDS_FILE: every id printed by `log` and every event minted at the
# edges is in the county exactly once, in order, and every tier agrees.
reconcile() {
    local ids=$1 n missing
    ok "everything delivered (all outboxes empty)" tb_wait_for "${2:-180}" quiet
    : >"$WORK/edge-events"
    for n in "${VILLAGES[@]}" "${TOWNS[@]}"; do
        [ -f "$WORK/$n/$n.db" ] || continue
        sq "$n" "SELECT origin_node || '/' || origin_seq FROM events WHERE origin_node = '$n'" >>"$WORK/edge-events"
    done
    sort -o "$WORK/edge-events" "$WORK/edge-events"
    tb_psql "$PGDIR" -c "SELECT origin_node || '/' || origin_seq FROM case_events WHERE origin_node <> '$COUNTY'" |
        sort >"$WORK/county-events"
    missing=$(comm -23 "$WORK/edge-events" "$WORK/county-events" | wc -l)
    eq "events minted at the edges missing at the county" 0 "$missing"
    eq "events at the county that no edge minted" 0 "$(comm -13 "$WORK/edge-events" "$WORK/county-events" | wc -l)"
    eq "events at the edges = events at the county" "$(wc -l <"$WORK/edge-events")" "$(wc -l <"$WORK/county-events")"
    eq "events stored twice at the county" 0 \
        "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM (SELECT 1 FROM case_events GROUP BY origin_node, origin_seq HAVING count(*) > 1) d")"
    eq "cases logged twice at the county" 0 \
        "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM (SELECT 1 FROM case_events WHERE type_name = 'logged' GROUP BY case_id HAVING count(*) > 1) d")"
    eq "events stored out of order per case and origin" 0 \
        "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM (SELECT origin_seq < lag(origin_seq) OVER (PARTITION BY case_id, origin_node ORDER BY id) AS bad FROM case_events) x WHERE bad")"
    eq "events the county could not fold" 0 "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE NOT folded")"
    tb_psql "$PGDIR" -c "SELECT case_id FROM cases" | sort >"$WORK/county-cases"
    sort -u "$ids" >"$WORK/printed-ids"
    eq "printed case ids missing at the county" 0 "$(comm -23 "$WORK/printed-ids" "$WORK/county-cases" | wc -l)"
    # Every tier's view of each case agrees with the county's.
    tb_psql "$PGDIR" -c "SELECT case_id || '|' || state || '|' || holder FROM cases" | sort >"$WORK/county-view"
    for n in "${VILLAGES[@]}" "${TOWNS[@]}"; do
        [ -f "$WORK/$n/$n.db" ] || continue
        sq "$n" "SELECT case_id || '|' || state || '|' || holder FROM cases" | sort >"$WORK/view-$n"
        eq "$n's view agrees with the county" 0 "$(comm -23 "$WORK/view-$n" "$WORK/county-view" | wc -l)"
    done
    echo "# $(wc -l <"$WORK/county-events") edge events, $(wc -l <"$WORK/county-cases") cases reconciled"
}
