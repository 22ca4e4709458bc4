# A small county for the fault tests (sourced after tests/integration/lib.sh):
# broker, county, two townships with two villages each, restartable one by one.
COUNTY=360826000000
TOWNS=(360826100000 360826102000)
VILLAGES=(360826100001 360826100002 360826102001 360826102200)
export TONGBAN_BROKER=ipc://$WORK/broker.sock
declare -A PID STARTED

# Every daemon logs to $WORK/NAME.log, so finish() reads them all for sanitizer reports.
# ARMED[name]=1: started with crash_after_commit in TONGBAN_FAULT (it will kill itself).
# LOGMARK[name]: lines in its log before this run (what it says afterwards is its own).
declare -A ARMED LOGMARK

# run NAME: (re)start one process by name: broker, county, a township or a village code.
# TB_WRAP (e.g. "valgrind --error-exitcode=99") is put in front of each daemon.
run() {
    local name=$1
    local wrap=(${TB_WRAP:-})
    LOGMARK[$name]=$(cat "$WORK/$name.log" 2>/dev/null | wc -l)
    case $name in
    broker) "${wrap[@]}" "$BROKER" serve >>"$WORK/broker.log" 2>&1 & ;;
    county) "${wrap[@]}" "$C" serve --place $COUNTY --db "$DB" >>"$WORK/county.log" 2>&1 & ;;
    *000) "${wrap[@]}" "$T" serve --place "$name" --data-dir "$WORK/$name" >>"$WORK/$name.log" 2>&1 & ;;
    *) "${wrap[@]}" "$V" serve --place "$name" --data-dir "$WORK/$name" >>"$WORK/$name.log" 2>&1 & ;;
    esac
    PID[$name]=$!
    PIDS+=($!)
    STARTED[$name]=${EPOCHREALTIME/./}
    if [[ ${TONGBAN_FAULT:-} == *crash_after_commit=* ]]; then ARMED[$name]=1; else ARMED[$name]=0; fi
}

# term NAME: SIGTERM a daemon, but never in the first second after it was
# started: a signal that lands before a process reaches main() kills it by
# the default action (exit 143) whatever the daemon does, so a "polite stop"
# that early tests the kernel, not the daemon (seen when a daemon found dead
# was restarted in the same chaos step that stops it).
term() {
    local name=$1 age
    age=$(((${EPOCHREALTIME/./} - ${STARTED[$name]:-0}) / 1000))
    [ "$age" -lt 1000 ] && sleep "0.$(printf '%03d' $((1000 - age)))"
    kill -TERM "${PID[$name]}"
}

kill9() {
    local name=$1
    [ -n "${PID[$name]:-}" ] && kill -9 "${PID[$name]}" 2>/dev/null
    wait "${PID[$name]}" 2>/dev/null
    PID[$name]=""
}

alive() { [ -n "${PID[$1]:-}" ] && kill -0 "${PID[$1]}" 2>/dev/null; }

# hooked NAME: this run of NAME killed itself at the fault hook (crash_after_commit).
hooked() {
    [ "${ARMED[$1]:-0}" = 1 ] &&
        tail -n +"$((LOGMARK[$1] + 1))" "$WORK/$1.log" | grep -q "fault injection: SIGKILL after commit"
}


# stop_all: SIGTERM every daemon; each must still be running and exit 0.
stop_all() {
    local n rc
    for n in "${VILLAGES[@]}" "${TOWNS[@]}" county broker; do
        [ -n "${PID[$n]:-}" ] || continue
        if alive "$n"; then
            term "$n"
            wait "${PID[$n]}"
            rc=$?
            eq "$n exits 0 on SIGTERM" 0 "$rc"
        else
            wait "${PID[$n]}"
            rc=$?
            eq "$n still running before its stop (it exited $rc by itself)" running "exited $rc"
        fi
        PID[$n]=""
    done
}

vlog() {  # vlog VILLAGE CLIENT: log one case, print its id
    "$V" log --place "$1" --data-dir "$WORK/$1" --agent 测试员 --client "$2" \
        --phone 13800138000 --item YB003
}

sq() { sqlite3 -bail -cmd ".timeout 5000" "$WORK/$1/$1.db" "$2"; }

# All outboxes empty and every link quiet: nothing left to deliver.  One look
# at every store is not atomic: a message can move on between two of them (the
# county's outbox drains into a township after that township was looked at),
# so a look counts only when it finds every outbox empty and no outbox seq
# assigned anywhere since the look before it (the seqs only grow, so equal sums
# mean no node enqueued in between, and nothing was in flight).
quiet() {
    local n one snap="" prev
    local q="SELECT (SELECT count(*) FROM outbox) || ':' || (SELECT coalesce(sum(last), 0) FROM link_out)"
    for n in "${VILLAGES[@]}" "${TOWNS[@]}"; do
        [ -f "$WORK/$n/$n.db" ] || continue
        one=$(sq "$n" "$q") && [ "${one%%:*}" = 0 ] || return 1
        snap+="$one "
    done
    one=$(tb_psql "$PGDIR" -c "$q" 2>/dev/null) && [ "${one%%:*}" = 0 ] || return 1
    snap+=$one
    prev=$(cat "$WORK/quiet.prev" 2>/dev/null)
    echo "$snap" >"$WORK/quiet.prev"
    [ "$snap" = "$prev" ]
}

# The digest of one event in case_events over the canonical projection that
# both stores keep (tests/fault/reconcile.py computes the same at the edges).
DIGEST_SQL="encode(sha256(convert_to(concat_ws(E'\\x1f', case_id, type::text, actor,
    (round(extract(epoch FROM at) * 1000))::bigint::text, target, reason, detail), 'UTF8')
    || '\\x1e'::bytea || body), 'hex')"

# reconcile IDS_FILE [SECONDS]: once nothing is left to deliver, every event
# every village and township minted is at the county with the same content,
# in the same order per origin; the county's own events are at the township
# of their case; every staff command recorded in $WORK/staff-ok (case, type,
# actor) is at the county exactly once; every printed id is a case there, and
# every tier's view agrees.  Case ids listed in $WORK/excluded are those the
# test made the county refuse: they must be in its quarantine instead.
# (No check for an (origin, seq) stored twice: UNIQUE (origin_node, origin_seq)
# in case_events forbids it, so such a check could not fail.)
reconcile() {
    local ids=$1 n desc want got
    ok "everything delivered (all outboxes empty)" tb_wait_for "${2:-180}" quiet
    # Who took a step, as staff-ok names it: the actor, except that a county
    # step's actor is the signed-in login (the same for every one), so the
    # chaos test marks it with a unique --reason instead (县审批-...).
    tb_psql "$PGDIR" -F $'\t' -c "SELECT origin_node, origin_seq, case_id, type, type_name,
        CASE WHEN reason LIKE '县审批-%' THEN reason ELSE actor END, $DIGEST_SQL
        FROM case_events ORDER BY id" >"$WORK/county-events"
    tb_psql "$PGDIR" -c "SELECT encode(sha256(body), 'hex') FROM quarantine" >"$WORK/county-quarantine"
    while IFS=$'\t' read -r desc want got; do
        if [ "${desc:0:1}" = "#" ]; then echo "$desc"; else eq "$desc" "$want" "$got"; fi
    done < <(python3 "$TB_SOURCE/tests/fault/reconcile.py" "$WORK" "$COUNTY" "$WORK/county-events" \
        "$WORK/county-quarantine" "$WORK/staff-ok" "$WORK/excluded" "${VILLAGES[@]}" "${TOWNS[@]}" ||
        printf 'reconcile.py ran\t0\t%s\n' $?)
    eq "cases logged twice at the county (under two origin seqs)" 0 \
        "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM (SELECT 1 FROM case_events WHERE type_name = 'logged' GROUP BY case_id HAVING count(*) > 1) d")"
    eq "events the county could not fold" 0 "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE NOT folded")"
    tb_psql "$PGDIR" -c "SELECT case_id FROM cases" | sort >"$WORK/county-cases"
    sort -u "$ids" >"$WORK/printed-ids"
    if [ -f "$WORK/excluded" ]; then
        sort "$WORK/excluded" | comm -23 "$WORK/printed-ids" - >"$WORK/printed-ids.kept"
        mv "$WORK/printed-ids.kept" "$WORK/printed-ids"
    fi
    eq "printed case ids missing at the county" 0 "$(comm -23 "$WORK/printed-ids" "$WORK/county-cases" | wc -l)"
    # Every tier's view of each case agrees with the county's.
    tb_psql "$PGDIR" -c "SELECT case_id || '|' || state || '|' || holder FROM cases" | sort >"$WORK/county-view"
    for n in "${VILLAGES[@]}" "${TOWNS[@]}"; do
        [ -f "$WORK/$n/$n.db" ] || continue
        sq "$n" "SELECT case_id || '|' || state || '|' || holder FROM cases" | sort >"$WORK/view-$n"
        if [ -f "$WORK/excluded" ]; then
            grep -v -F -f "$WORK/excluded" "$WORK/view-$n" >"$WORK/view-$n.kept"
            mv "$WORK/view-$n.kept" "$WORK/view-$n"
        fi
        eq "$n's view agrees with the county" 0 "$(comm -23 "$WORK/view-$n" "$WORK/county-view" | wc -l)"
    done
    echo "# $(wc -l <"$WORK/county-events") events at the county, $(wc -l <"$WORK/county-cases") cases reconciled"
}
