#!/usr/bin/env bash
# Seeded schedules of kill -9, SIGTERM and restart (broker, county, townships,
# villages, PostgreSQL) over real processes, with link messages dropped,
# duplicated and delayed, and daemons restarted armed to kill themselves at the
# fault hook between a commit and its acks (crash_after_commit), while agents
# log cases and township and county staff move them on.  Ends with an exact
# reconciliation by content (county.sh) and every daemon's exit checked.
#
#   TB_FAULT_SEED      first seed (default: from the clock; printed either way)
#   TB_FAULT_SCHEDULES how many schedules (default 2; seeds SEED, SEED+1, ...)
#   TB_FAULT_SECONDS   planned length of each schedule (default 20)
# A soak run of about an hour: TB_FAULT_SECONDS=600 TB_FAULT_SCHEDULES=4 (a planned
# 600 s schedule takes about 17 min of wall time on 2 cores).
# Replay a failure with the seed it printed: TB_FAULT_SEED=N TB_FAULT_SCHEDULES=1.
#
# Each schedule is a deterministic function of its seed (a MINSTD generator in
# this file, not bash's $RANDOM, whose algorithm changed between versions): the
# chaos plan (pause 0.5-2 s, then kill -9 (6 in 10), SIGTERM (2 in 10) or a
# PostgreSQL immediate shutdown (2 in 10); a victim is down 0-1.5 s, PostgreSQL
# 0-0.9 s; one restart in three is armed with crash_after_commit=1..4), the
# agents' plan (a case at a village every 100-400 ms) and the staff's plan (a
# look at one township's inbox or at the county's cases every 200-1000 ms,
# moving up to 3 cases a step on).  Their digest is printed: a replay prints
# the same one.  Process timing is not deterministic; the schedule is.
#
# Floors per schedule (10 each in the default run): at least 5 kill -9 by the
# test (the plan guarantees it) and 5 staff commands that succeeded.  A victim
# found dead that was not armed is a failure (a daemon died by itself), not a
# kill; so is one dead at the end of a schedule.  Every successful staff command
# is recorded (case, type, actor) and must be at the county exactly once; a
# failed one must be a legitimate refusal (STAFF_REFUSAL below), and a certain
# refusal must have left no event.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg
county_logins "$DB" || { echo "Bail out! cannot add the county staff accounts"; exit 1; }

seed0=${TB_FAULT_SEED:-$(date +%s)}
schedules=${TB_FAULT_SCHEDULES:-2}
secs=${TB_FAULT_SECONDS:-20}
KILL_FLOOR=5 STAFF_FLOOR=5
kills=0 hook_kills=0 pg_restarts=0 terms=0 bad_terms=0 died=0 staff_total=0
targets=(broker county "${TOWNS[@]}" "${VILLAGES[@]}")
# What a staff command may legitimately answer under chaos (LANG=en).  Certain:
# the step was refused and nothing changed.  Uncertain (county commands only):
# the county's database went away mid-command (the step may or may not have
# been recorded; county_command() reports a lost result as "local store failed").
# A county command refused by the daemon carries the daemon's words (its
# language, Chinese here): a cut-off command the daemon still carried out later
# makes a next step on that case refused as moved on.
STAFF_REFUSAL='illegal step|does not hold the case|not running or did not answer|locked by another program|当前状态不允许此操作|本节点不是该件的当前经办方'
STAFF_UNCERTAIN='connect|server closed the connection|terminating connection|database system is|no connection|local store failed'
: >"$WORK/ids"
: >"$WORK/staff-ok"
: >"$WORK/staff-refused"
: >"$WORK/staff-uncertain"
: >"$WORK/staff-bad"
: >"$WORK/log-bad"

# The generator: MINSTD (x = x * 48271 mod 2^31-1), exact in bash arithmetic.
# rnd N sets R to a number in [0, N).
rng_seed() { RNG=$(($1 % 2147483646 + 1)); }
rnd() {
    RNG=$((RNG * 48271 % 2147483647))
    R=$((RNG % $1))
}

# plan SEED: write the three plans of one schedule to $WORK/plan.{chaos,agents,staff}.
plan() {
    local seed=$1 t n k gap kind victim down arm
    rng_seed "$((seed * 3 + 1))"
    t=0 n=0 k=0
    : >"$WORK/plan.chaos"
    # Past the planned length, steps go on as kill -9 until the floor is met.
    while [ $t -lt $((secs * 1000)) ] || [ $k -lt $KILL_FLOOR ]; do
        rnd 1501 && gap=$((500 + R))
        rnd 10 && kind=$R
        rnd ${#targets[@]} && victim=${targets[$R]}
        rnd 1501 && down=$R
        rnd 3 && arm=0
        [ $R = 0 ] && rnd 4 && arm=$((1 + R))
        [ "$victim" = broker ] && arm=0 # the broker has no store, so no commit
        [ $t -ge $((secs * 1000)) ] && kind=9
        if [ "$kind" -le 1 ]; then
            kind=pg victim=pg arm=0 down=$((down * 900 / 1500))
        elif [ "$kind" -le 3 ]; then
            kind=term
        else
            kind=kill9 k=$((k + 1))
        fi
        echo "$gap $kind $victim $down $arm" >>"$WORK/plan.chaos"
        t=$((t + gap + down)) n=$((n + 1))
    done
    rng_seed "$((seed * 3 + 2))"
    t=0
    : >"$WORK/plan.agents"
    while [ $t -lt $((secs * 1000)) ]; do
        rnd 301 && gap=$((100 + R))
        rnd ${#VILLAGES[@]} && echo "$gap ${VILLAGES[$R]}" >>"$WORK/plan.agents"
        t=$((t + gap))
    done
    rng_seed "$((seed * 3 + 3))"
    t=0
    : >"$WORK/plan.staff"
    while [ $t -lt $((secs * 1000)) ]; do
        rnd 801 && gap=$((200 + R))
        rnd 3 && echo "$gap $R" >>"$WORK/plan.staff"
        t=$((t + gap))
    done
}

nap_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# staff_do CASE TYPE ACTOR COMMAND...: run one staff command and record how it ended.
staff_do() {
    local case_id=$1 type=$2 actor=$3 out rc
    shift 3
    out=$(LANG=en timeout 60 "$@" 2>&1)
    rc=$?
    out=${out//$'\n'/ | } # one record a line
    if [ $rc = 0 ]; then
        printf '%s\t%s\t%s\n' "$case_id" "$type" "$actor" >>"$WORK/staff-ok"
    elif [ $rc = 1 ] && [[ $out =~ $STAFF_REFUSAL ]]; then
        printf '%s\t%s\t%s\t%s\n' "$case_id" "$type" "$actor" "$out" >>"$WORK/staff-refused"
    elif [ $rc = 1 ] && [ "$1" = "$C" ] && [[ $out =~ $STAFF_UNCERTAIN ]]; then
        printf '%s\t%s\t%s\t%s\n' "$case_id" "$type" "$actor" "$out" >>"$WORK/staff-uncertain"
    else
        printf '%s\t%s\t%s\texit %s: %s\n' "$case_id" "$type" "$actor" "$rc" "$out" >>"$WORK/staff-bad"
    fi
}

# The window staff at township TOWN: accept or forward what its inbox holds.
township_staff() {
    local t=$1 id state
    while read -r id state; do
        n=$((n + 1))
        case $state in
        prereview) staff_do "$id" accepted "窗口-$s-$n" "$T" accept "$id" --place "$t" \
            --data-dir "$WORK/$t" --agent "窗口-$s-$n" ;;
        accepted) staff_do "$id" forwarded "窗口-$s-$n" "$T" forward "$id" --place "$t" \
            --data-dir "$WORK/$t" --agent "窗口-$s-$n" ;;
        esac
    done < <(LANG=en "$T" inbox --place "$t" --data-dir "$WORK/$t" --json 2>>"$WORK/staff-list.log" |
        jq -r '.[] | select(.holder == "'"$t"'" and (.state == "prereview" or .state == "accepted"))
            | .case_id + " " + .state' | head -3)
}

# The county's staff: decide (or now and then suspend), resume, issue the result.
# They sign in as cty.sup (county_logins); each step's --reason is unique, as
# the window's actor is, so a step recorded twice shows.
county_staff() {
    local id state a
    while read -r id state; do
        n=$((n + 1))
        a="县审批-$s-$n"
        case $state in
        county)
            if [ $((n % 4)) = 0 ]; then
                staff_do "$id" suspended "$a" "$C" suspend "$id" --basis survey --reason "$a" --place $COUNTY --db "$DB" --login cty.sup
            else
                staff_do "$id" decided "$a" "$C" decide "$id" --grant --reason "$a" --place $COUNTY --db "$DB" --login cty.sup
            fi
            ;;
        suspended) staff_do "$id" resumed "$a" "$C" resume "$id" --reason "$a" --place $COUNTY --db "$DB" --login cty.sup ;;
        decided) staff_do "$id" result "$a" "$C" result "$id" --reason "$a" --place $COUNTY --db "$DB" --login cty.sup ;;
        esac
    done < <(LANG=en timeout 30 "$C" cases --place $COUNTY --db "$DB" --json 2>>"$WORK/staff-list.log" |
        jq -r '.[] | select(.state == "county" or .state == "suspended" or .state == "decided")
            | .case_id + " " + .state' | head -3)
}

# reap NAME: NAME is found dead.  Armed and killed at its fault hook: counted
# and fine.  Anything else: it died by itself, a failure.
reap() {
    local rc
    wait "${PID[$1]}"
    rc=$?
    if [ $rc = 137 ] && hooked "$1"; then
        hook_kills=$((hook_kills + 1))
        echo "# $1 killed itself at the fault hook (crash_after_commit)"
    else
        died=$((died + 1))
        echo "# $1 died by itself (exit $rc)"
    fi
    PID[$1]=""
}

# settle: every daemon found dead is reaped (and judged); a hooked one comes back unarmed.
settle() {
    local n
    for n in "${targets[@]}"; do
        if [ -n "${PID[$n]}" ] && ! alive "$n"; then
            reap "$n"
            TONGBAN_FAULT=$BASE_FAULT run "$n"
        fi
    done
}

# restart NAME ARM: bring NAME back, armed to die after commit ARM when ARM > 0.
restart() {
    if [ "$2" -gt 0 ]; then
        TONGBAN_FAULT="$BASE_FAULT,crash_after_commit=$2" run "$1"
    else
        TONGBAN_FAULT=$BASE_FAULT run "$1"
    fi
}

# replace_pc VILLAGE: the village's PC is replaced in the middle of the
# chaos (issue 9): killed, its store (the old disk, kept aside for the
# reconciliation) gone, serving again on a new store, and restored from its
# township by `tongban-village restore` in the background while the chaos
# goes on; its agents wait until the restore answered.
LOST=${VILLAGES[0]}
replace_pc() {
    local v=$1
    exec 8>"$WORK/replace.lock"
    flock -x 8
    touch "$WORK/replacing-$v"
    flock -u 8
    exec 8>&-
    kill9 "$v"
    kills=$((kills + 1))
    # The agent logs one more case while the PC is dying: it never leaves it.
    vlog "$v" 遗失客户 >>"$WORK/ids"
    mkdir -p "$WORK/old-disk"
    cp "$WORK/$v/$v.db" "$WORK/old-disk/$v.db"
    [ -f "$WORK/$v/$v.db-wal" ] && cp "$WORK/$v/$v.db-wal" "$WORK/old-disk/$v.db-wal"
    rm -f "$WORK/$v/$v.db" "$WORK/$v/$v.db-wal" "$WORK/$v/$v.db-shm"
    echo "# $v: PC replaced (store deleted), restoring from its township"
    TONGBAN_FAULT=$BASE_FAULT run "$v"
    (
        LANG=en "$V" restore --place "$v" --data-dir "$WORK/$v" --wait 600 --json \
            >"$WORK/restore-$v.json" 2>"$WORK/restore-$v.err"
        echo $? >"$WORK/restore-$v.rc"
        rm -f "$WORK/replacing-$v"
    ) &
    restoring=$!
}
restoring=""

for ((s = 0; s < schedules; s++)); do
    seed=$((seed0 + s))
    plan "$seed"
    digest=$(cat "$WORK"/plan.{chaos,agents,staff} | sha256sum | cut -c1-16)
    echo "# schedule $((s + 1))/$schedules: seed $seed, plan $digest: $(wc -l <"$WORK/plan.chaos") chaos steps" \
        "($(grep -c ' kill9 ' "$WORK/plan.chaos") kill -9, $(grep -c ' term ' "$WORK/plan.chaos") SIGTERM," \
        "$(grep -c ' pg ' "$WORK/plan.chaos") PostgreSQL, $(awk '$5 > 0' "$WORK/plan.chaos" | wc -l) armed restarts)" \
        "(replay: TB_FAULT_SEED=$seed TB_FAULT_SCHEDULES=1)"
    cp "$WORK/plan.chaos" "$WORK/plan.chaos.$seed"
    BASE_FAULT="seed=$seed,drop=0.05,dup=0.05,delay=0.05"
    export TONGBAN_FAULT=$BASE_FAULT
    if [ $s = 0 ]; then
        for n in "${targets[@]}"; do run "$n"; done
    fi
    staff_before=$(wc -l <"$WORK/staff-ok")
    # The agents.
    (
        i=0
        while read -r gap v; do
            nap_ms "$gap"
            # No agent works at a village while its PC is being replaced
            # (the lock: none is half-way through a log when the store goes).
            out=$(
                {
                    flock -s 9
                    [ -e "$WORK/replacing-$v" ] && exit 3
                    LANG=en "$V" log --place "$v" --data-dir "$WORK/$v" --agent 测试员 \
                        --client "客户$s-$i" --phone 13800138000 --item YB003 2>&1
                } 9>"$WORK/replace.lock"
            )
            rc=$?
            if [ $rc = 3 ]; then
                :
            elif [ $rc = 0 ]; then
                echo "$out" >>"$WORK/ids"
            elif [ $rc != 1 ] || ! [[ $out =~ "locked by another program" ]]; then
                echo "$v 客户$s-$i: exit $rc: $out" >>"$WORK/log-bad"
            fi
            i=$((i + 1))
        done <"$WORK/plan.agents"
    ) &
    agents=$!
    # The staff.
    (
        n=0
        while read -r gap tier; do
            nap_ms "$gap"
            if [ "$tier" = 2 ]; then county_staff; else township_staff "${TOWNS[$tier]}"; fi
        done <"$WORK/plan.staff"
    ) &
    staff=$!
    # The chaos.
    step=0 half=$(($(wc -l <"$WORK/plan.chaos") / 2))
    while read -r gap kind victim down arm; do
        nap_ms "$gap"
        settle
        step=$((step + 1))
        [ $s = 0 ] && [ $step = "$half" ] && replace_pc "$LOST"
        case $kind in
        pg)
            tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
            nap_ms "$down"
            tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
                -o "-c listen_addresses='' -c unix_socket_directories='$PGDIR'" start >/dev/null
            pg_restarts=$((pg_restarts + 1))
            ;;
        *)
            if ! alive "$victim"; then
                reap "$victim" # armed and hooked since settle, or died by itself
            elif [ "$kind" = term ]; then
                # A polite stop: it must finish its batch and exit 0.
                term "$victim"
                wait "${PID[$victim]}"
                rc=$?
                terms=$((terms + 1))
                [ $rc -eq 0 ] || { bad_terms=$((bad_terms + 1)); echo "# $victim exited $rc on SIGTERM"; }
                PID[$victim]=""
            else
                kill9 "$victim"
                kills=$((kills + 1))
            fi
            nap_ms "$down"
            restart "$victim" "$arm"
            ;;
        esac
    done <"$WORK/plan.chaos"
    wait $agents $staff
    # End of the schedule: nothing found dead is brought back silently; the
    # armed that did not fire yet are stopped (exit 0) and come back unarmed.
    settle
    for n in "${targets[@]}"; do
        if [ "${ARMED[$n]}" = 1 ] && ! alive "$n"; then
            reap "$n"
            TONGBAN_FAULT=$BASE_FAULT run "$n"
        elif [ "${ARMED[$n]}" = 1 ]; then
            term "$n"
            wait "${PID[$n]}"
            rc=$?
            terms=$((terms + 1))
            [ $rc -eq 0 ] || { bad_terms=$((bad_terms + 1)); echo "# $n exited $rc on SIGTERM"; }
            TONGBAN_FAULT=$BASE_FAULT run "$n"
        fi
    done
    staff_now=$(($(wc -l <"$WORK/staff-ok") - staff_before))
    staff_total=$((staff_total + staff_now))
    ok "schedule $((s + 1)): at least $STAFF_FLOOR staff commands succeeded ($staff_now)" [ "$staff_now" -ge $STAFF_FLOOR ]
done
logged=$(sort -u "$WORK/ids" | wc -l)
echo "# $schedules schedule(s) of ${secs}s from seed $seed0: $kills kill -9, $hook_kills kills at the fault hook," \
    "$terms SIGTERM, $pg_restarts PostgreSQL crash-restarts, $logged cases logged, $staff_total staff commands" \
    "($(wc -l <"$WORK/staff-refused") refused, $(wc -l <"$WORK/staff-uncertain") cut off by PostgreSQL)"
ok "at least $((KILL_FLOOR * schedules)) kill -9 ($kills)" [ "$kills" -ge $((KILL_FLOOR * schedules)) ]
eq "daemons that died by themselves" 0 "$died"
eq "every daemon stopped with SIGTERM under load exited 0" 0 "$bad_terms"
ok "cases were logged during the chaos" [ "$logged" -gt 0 ]
eq "staff commands that failed without a legitimate refusal" 0 "$(wc -l <"$WORK/staff-bad")"
sed 's/^/#   /' "$WORK/staff-bad" | head -20
eq "log commands that failed without a legitimate refusal" 0 "$(wc -l <"$WORK/log-bad")"
sed 's/^/#   /' "$WORK/log-bad" | head -20
sed 's/^/#   refused: /' "$WORK/staff-refused" | head -5
sed 's/^/#   cut off: /' "$WORK/staff-uncertain" | head -5
[ -n "$restoring" ] && wait "$restoring"
eq "$LOST: restore answered" 0 "$(cat "$WORK/restore-$LOST.rc" 2>/dev/null || echo none)"
sed 's/^/#   restore: /' "$WORK/restore-$LOST.json" "$WORK/restore-$LOST.err"
high=$(jq .origin_seq "$WORK/restore-$LOST.json")
# What existed only on the old disk: its own events after the high-water mark
# (and any the restore named lost below it) are exactly those the county
# never saw, by content (the new store numbers its events on from the
# high-water mark, so the ids of the lost events are taken again by new
# ones; the old store's copies can never come in: its epoch is retired).
old() { sqlite3 -bail "$WORK/old-disk/$LOST.db" "$1"; }
lost_ids=$(jq -r '.lost[]' "$WORK/restore-$LOST.json" | paste -sd, -)
old "SELECT origin_seq FROM events WHERE origin_node = '$LOST'
    AND (origin_seq > $high OR origin_seq IN (${lost_ids:-0})) ORDER BY 1" >"$WORK/lost-said"
ok "quiet before counting what was lost" tb_wait_for 240 quiet
tb_psql "$PGDIR" -c "SELECT origin_seq || ' ' || encode(body, 'hex') FROM case_events WHERE origin_node = '$LOST'" |
    sort >"$WORK/lost-county"
old "SELECT origin_seq || ' ' || lower(hex(body)) FROM events WHERE origin_node = '$LOST'" | sort |
    comm -23 - "$WORK/lost-county" | cut -d' ' -f1 | sort -n >"$WORK/lost-real"
eq "$LOST: events only on the lost disk are those the restore said" "$(cat "$WORK/lost-said")" "$(cat "$WORK/lost-real")"
echo "# $LOST: $(wc -l <"$WORK/lost-real") event(s) existed only on the lost disk (origin_seq > $high)"
ok "$LOST: the case logged as the PC died is among them" [ "$(wc -l <"$WORK/lost-real")" -ge 1 ]
eq "$LOST: the case logged as the PC died is nowhere upstream" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE client_name = '遗失客户'")"
# Its printed id is a case at the county only if a new case took the id again.
old "SELECT DISTINCT case_id FROM events WHERE origin_node = '$LOST' AND type = 1
    AND (origin_seq > $high OR origin_seq IN (${lost_ids:-0}))" | sort >"$WORK/lost-cases"
tb_psql "$PGDIR" -c "SELECT case_id FROM cases" | sort >"$WORK/county-cases-now"
sort -u "$WORK/ids" | comm -23 - "$WORK/county-cases-now" >"$WORK/ids-missing"
eq "$LOST: printed ids missing at the county that were not lost with the disk" "" \
    "$(comm -23 "$WORK/ids-missing" "$WORK/lost-cases" | paste -sd, -)"
grep -v -x -F -f "$WORK/ids-missing" "$WORK/ids" >"$WORK/ids.kept" || true
mv "$WORK/ids.kept" "$WORK/ids"
reconcile "$WORK/ids" 240
# A staff command refused for certain changed nothing at the county.
cut -f3 "$WORK/staff-refused" | sort >"$WORK/refused-actors"
tb_psql "$PGDIR" -c "SELECT actor FROM case_events UNION ALL SELECT reason FROM case_events" |
    sort >"$WORK/county-actors"
eq "events at the county from a staff command that was refused" 0 \
    "$(comm -12 "$WORK/refused-actors" "$WORK/county-actors" | wc -l)"
# Those cut off by PostgreSQL may or may not have been recorded, but not twice.
eq "staff commands (actors and the county's reasons are unique) at the county more than once" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM (SELECT m FROM (SELECT actor AS m FROM case_events
        WHERE actor LIKE '窗口-%' UNION ALL SELECT reason FROM case_events WHERE reason LIKE '县审批-%') x
        GROUP BY m HAVING count(*) > 1) d")"
for n in "${targets[@]}"; do
    ok "$n still running at the end" alive "$n"
done
stop_all
finish
