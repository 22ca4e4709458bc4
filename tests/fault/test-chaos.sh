#!/usr/bin/env bash
# Randomized schedules of kill -9 and restarts (broker, county, townships,
# villages, PostgreSQL) over real processes, with messages dropped, duplicated
# and delayed in the link layer, while agents log cases and township staff
# accept and forward them.  Ends with an exact reconciliation.
#
#   TB_FAULT_SEED      first seed (default: from the clock; printed either way)
#   TB_FAULT_SCHEDULES how many schedules (default 2)
#   TB_FAULT_SECONDS   length of each schedule (default 20)
# Replay a failure with the seed it printed: TB_FAULT_SEED=N TB_FAULT_SCHEDULES=1.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg

seed0=${TB_FAULT_SEED:-$(date +%s)}
schedules=${TB_FAULT_SCHEDULES:-2}
secs=${TB_FAULT_SECONDS:-20}
kills=0 pg_restarts=0 logged=0 terms=0 bad_terms=0
targets=(broker county "${TOWNS[@]}" "${VILLAGES[@]}" pg)
: >"$WORK/ids"

for ((s = 0; s < schedules; s++)); do
    seed=$((seed0 + s))
    RANDOM=$seed
    echo "# schedule $((s + 1))/$schedules: seed $seed (replay: TB_FAULT_SEED=$seed TB_FAULT_SCHEDULES=1)"
    export TONGBAN_FAULT="seed=$seed,drop=0.05,dup=0.05,delay=0.05"
    run_all
    # The agents: log a case at a random village every 50-150 ms.
    (
        RANDOM=$((seed * 7))
        end=$((SECONDS + secs))
        i=0
        while [ $SECONDS -lt $end ]; do
            v=${VILLAGES[$((RANDOM % ${#VILLAGES[@]}))]}
            id=$(vlog "$v" "客户$s-$i" 2>>"$WORK/log-errors") && echo "$id" >>"$WORK/ids"
            i=$((i + 1))
            sleep "0.$((5 + RANDOM % 10))"
        done
    ) &
    agents=$!
    # The window staff: accept or forward what the inbox holds.
    (
        RANDOM=$((seed * 13))
        end=$((SECONDS + secs))
        while [ $SECONDS -lt $end ]; do
            t=${TOWNS[$((RANDOM % ${#TOWNS[@]}))]}
            "$T" inbox --place "$t" --data-dir "$WORK/$t" --json 2>/dev/null |
                jq -r '.[] | select(.holder == "'"$t"'") | .case_id + " " + .state' 2>/dev/null |
                head -3 | while read -r id state; do
                    case $state in
                    prereview) "$T" accept "$id" --place "$t" --data-dir "$WORK/$t" --agent 窗口 ;;
                    accepted) "$T" forward "$id" --place "$t" --data-dir "$WORK/$t" --agent 窗口 ;;
                    esac >/dev/null 2>&1
                done
            sleep "0.$((2 + RANDOM % 8))"
        done
    ) &
    staff=$!
    # The chaos: every 0.5-2 s kill something, bring it back 0-1.5 s later.
    end=$((SECONDS + secs))
    while [ $SECONDS -lt $end ]; do
        sleep "$((RANDOM % 2)).$((5 + RANDOM % 5))"
        victim=${targets[$((RANDOM % ${#targets[@]}))]}
        if [ "$victim" = pg ]; then
            tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
            sleep "0.$((RANDOM % 9))"
            tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
                -o "-c listen_addresses='' -c unix_socket_directories='$PGDIR'" start >/dev/null
            pg_restarts=$((pg_restarts + 1))
        elif [ $((RANDOM % 3)) = 0 ] && alive "$victim"; then
            # A polite stop now and then: it must finish its batch and exit 0.
            kill -TERM "${PID[$victim]}"
            wait "${PID[$victim]}"
            rc=$?
            terms=$((terms + 1))
            [ $rc -eq 0 ] || { bad_terms=$((bad_terms + 1)); echo "# $victim exited $rc on SIGTERM"; }
            PID[$victim]=""
            run "$victim"
        else
            kill9 "$victim"
            kills=$((kills + 1))
            sleep "0.$((RANDOM % 15))"
            run "$victim"
        fi
    done
    wait $agents $staff
    run_all
done
logged=$(sort -u "$WORK/ids" | wc -l)
echo "# $schedules schedule(s) of ${secs}s: $kills kill -9, $terms SIGTERM, $pg_restarts PostgreSQL crash-restarts, $logged cases logged"
eq "every daemon stopped with SIGTERM under load exited 0" 0 "$bad_terms"
ok "cases were logged during the chaos" [ "$logged" -gt 0 ]
reconcile "$WORK/ids" 240
for n in broker county "${TOWNS[@]}" "${VILLAGES[@]}"; do
    ok "$n still running at the end" alive "$n"
done
stop_all
finish
