#!/usr/bin/env bash
# A whole county on this machine: a throwaway PostgreSQL cluster, the broker,
# the county node of 泰和县, two townships and three villages; cases logged
# offline in the villages travel to the county, township staff accept and
# forward them, and the status comes back to every village ledger.
#
#   deploy/demo.sh          run the scenario, print what each tier sees, stop everything
#   deploy/demo.sh --keep   leave the county running afterwards, until Ctrl-C
#   deploy/demo.sh --county the whole of 泰和县 as real processes: broker, county,
#                           26 townships, 322 villages (data/), a load generator
#                           logging at a busy county's peak, and every few seconds
#                           what the county sees; Ctrl-C stops everything.
#                           TB_DEMO_RATE cases/s (default 1: 26 townships at 500+
#                           a day in an 8-hour day, ~100k a month, is 0.45/s),
#                           TB_DEMO_EVERY seconds between reports (default 5),
#                           TB_DEMO_SECONDS stop by itself after that long.
#
# Safe to rerun: it stops what an earlier run left and starts afresh.  As root
# it installs what is missing with apt-get; PostgreSQL runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

KEEP=0 MODE=demo
[ "${1:-}" = "--keep" ] && KEEP=1
[ "${1:-}" = "--county" ] && MODE=county
started=$SECONDS
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# TB_DEMO_BUILD: use this build directory as it is (the test suite runs the
# demo this way); TB_DEMO_DIR: where it keeps its cluster, stores and logs.
if [ -n "${TB_DEMO_BUILD:-}" ]; then
    B=$TB_DEMO_BUILD
else
    step "安装依赖并编译 / installing dependencies and building"
    tb_install_deps
    tb_build build
    B=$PWD/build
fi
V=$B/village-agent/tongban-village
T=$B/township-node/tongban-township
C=$B/county-node/tongban-county

RUN=${TB_DEMO_DIR:-/tmp/tongban-demo}
PIDS=()
NAMES=()
stop_all() {
    trap - EXIT INT TERM
    step "停止全部进程 / stopping everything"
    local p rc bad=0
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    # Each must stop cleanly on SIGTERM: a crash or a sanitizer abort is a failure.
    local i
    for i in "${!PIDS[@]}"; do
        p=${PIDS[$i]} rc=0
        wait "$p" || rc=$?
        [ $rc -eq 0 ] && continue
        echo "process $p (${NAMES[$i]}) exited $rc, not 0; the end of $RUN/${NAMES[$i]}.log:"
        tail -n 40 "$RUN/${NAMES[$i]}.log" 2>/dev/null | sed 's/^/    /'
        bad=1
    done
    tb_pg_stop "$RUN/pg"
    echo "logs: $RUN/*.log"
    [ $bad -eq 0 ] || exit 1
}
# Leftovers of an earlier run (killed, or still running with --keep).
if [ -f "$RUN/pids" ]; then xargs -r kill -TERM <"$RUN/pids" 2>/dev/null || true; sleep 1; fi
tb_pg_stop "$RUN/pg"
rm -rf "$RUN"
mkdir -p "$RUN"
chmod 755 "$RUN"
trap stop_all EXIT INT TERM

step "启动临时 PostgreSQL 集群 / starting a throwaway PostgreSQL cluster"
DB=$(tb_pg_start "$RUN/pg")
echo "$DB"

export TONGBAN_BROKER=ipc://$RUN/broker.sock
COUNTY=360826000000

# ---- --county: the whole county -----------------------------------------------------------------
county_mode() {
    mapfile -t TOWNS < <(tail -n +2 data/taihe-townships.csv | cut -d, -f1 | sed 's/$/000/')
    mapfile -t VILLAGES < <(tail -n +2 data/taihe-villages.csv | cut -d, -f1)
    step "CurveZMQ 密钥与准入名单 / keys and the allow-list for all ${#TOWNS[@]} townships and ${#VILLAGES[@]} villages"
    # One process for 350 key pairs (the same files as keygen and keys allow).
    export TONGBAN_KEYS=$RUN/keys
    /usr/bin/python3 tests/integration/curve-keys.py "$TONGBAN_KEYS" data >/dev/null
    "$C" signkey --keys "$TONGBAN_KEYS" >/dev/null 2>&1
    step "启动全县 / starting the broker, the county, ${#TOWNS[@]} townships, ${#VILLAGES[@]} villages"
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    start broker deploy/supervise.sh "$B/broker/tongban-broker" serve
    start county "$C" serve --place $COUNTY --db "$DB"
    local t v
    for t in "${TOWNS[@]}"; do start "$t" "$T" serve --place "$t" --data-dir "$RUN/$t"; done
    # No screens: 322 villages on one machine would all want 127.0.0.1:8401.
    for v in "${VILLAGES[@]}"; do
        start "$v" "$V" serve --place "$v" --data-dir "$RUN/$v" --http off
    done
    local items=(LD001 HJ001 YL001 SJ001 LD001 HJ001) names=(李秀英 王建国 张桂兰 刘德明 陈美华 杨志强)
    local rate=${TB_DEMO_RATE:-1}
    echo "all $((2 + ${#TOWNS[@]} + ${#VILLAGES[@]})) processes started in $((SECONDS - started)) s;" \
        "load: $rate case(s)/s logged at random villages with tongban-village log"
    # The load generator: a village agent somewhere logs a walk-in case.
    gen() {
        trap 'exit 0' TERM
        local n=0 gap
        gap=$(echo "scale=3; 1 / $rate" | bc)
        while :; do
            local v=${VILLAGES[RANDOM % ${#VILLAGES[@]}]} k=$((RANDOM % 6))
            "$V" log --place "$v" --data-dir "$RUN/$v" --agent 代办员 --client "${names[$k]}" \
                --phone 1380796$(printf %04d $((RANDOM % 10000))) --item "${items[$k]}" \
                >>"$RUN/load.log" 2>&1 || true
            n=$((n + 1))
            sleep "$gap"
        done
    }
    start load gen
    local every=${TB_DEMO_EVERY:-5} until=$((SECONDS + ${TB_DEMO_SECONDS:-999999999}))
    while [ $SECONDS -lt $until ]; do
        sleep "$every"
        step "$(date +%T) 县里看到的 / what the county sees (logged so far: $(grep -c . "$RUN/load.log" 2>/dev/null || echo 0))"
        tb_psql "$RUN/pg" -c "SELECT CASE WHEN holder LIKE '%000000' THEN 'county' WHEN holder LIKE '%000'
                THEN 'township' ELSE 'village' END AS tier, state, count(*) FROM cases GROUP BY 1, 2
                ORDER BY 1, 2" | column -t -s'|' | sed 's/^/  cases  /'
        echo "  events at the county: $(tb_psql "$RUN/pg" -c "SELECT count(*) FROM case_events")"
        # Backlog per link: unacknowledged messages in each sender's outbox.
        tb_psql "$RUN/pg" -c "SELECT peer, last - acked FROM link_out WHERE last > acked ORDER BY 2 DESC
                LIMIT 5" | sed 's/|/ /; s/^/  backlog county -> /'
        /usr/bin/python3 - "$RUN" "${TOWNS[@]}" -- "${VILLAGES[@]}" <<'PY'
import sqlite3, sys
run, args = sys.argv[1], sys.argv[2:]
towns, villages = args[:args.index("--")], args[args.index("--") + 1:]
def backlog(code):
    try:
        db = sqlite3.connect(f"file:{run}/{code}/{code}.db?mode=ro", uri=True, timeout=0.2)
        rows = db.execute("SELECT peer, last - acked FROM link_out").fetchall()
        db.close()
        return rows
    except sqlite3.Error:
        return []
up = [(t, p, n) for t in towns for p, n in backlog(t) if n > 0]
vil = [(v, p, n) for v in villages for p, n in backlog(v) if n > 0]
for t, p, n in sorted(up, key=lambda r: -r[2])[:5]:
    print(f"  backlog {t} -> {p} {n}")
print(f"  backlog townships: {sum(r[2] for r in up)} message(s) on {len(up)} link(s); "
      f"villages: {sum(r[2] for r in vil)} on {len(vil)} link(s)")
PY
    done
}
TOWNS=(360826100000 360826102000)                 # 澄江镇, 桥头镇
VILLAGES=(360826100001 360826100002 360826102001) # 文田社区, 白凤社区, 桥头镇居委会

start() {
    local name=$1; shift
    "$@" >"$RUN/$name.log" 2>&1 &
    PIDS+=($!) NAMES+=("$name")
    echo $! >>"$RUN/pids"
}
if [ $MODE = county ]; then
    county_mode
    exit 0
fi

step "生成 CurveZMQ 密钥与准入名单 / CurveZMQ keys and the county's allow-list"
export TONGBAN_KEYS=$RUN/keys
tb_keys_make "$TONGBAN_KEYS" "$B" $COUNTY "${TOWNS[@]}" "${VILLAGES[@]}"
"$C" keys list
AGENTS=(刘代办 陈代办 王代办)
vil() { local code=$1; shift; "$V" "$@" --place "$code" --data-dir "$RUN/$code"; }
town() { local code=$1; shift; "$T" "$@" --place "$code" --data-dir "$RUN/$code" --agent 窗口周; }

step "村代办员离线登记（此时尚无网络）/ village agents log cases offline"
clients=(李秀英 王建国 张桂兰 刘德明 陈美华 杨志强)
phones=(13807961234 13979612345 0796-5321234 15970612345 13607961111 18979622222)
items=(YB003 LD001 HJ001 YL001 SJ001 ZX001)
n=0
for i in 0 1 2; do
    for k in 0 1; do
        reply=()
        [ "${items[$n]}" = ZX001 ] && reply=(--reply "已当面解答：携带身份证到乡镇窗口办理")
        [ "${items[$n]}" = YB003 ] && reply=(--materials 居民身份证,住院发票原件,费用清单,出院小结)
        id=$(vil "${VILLAGES[$i]}" log --agent "${AGENTS[$i]}" --client "${clients[$n]}" \
            --phone "${phones[$n]}" --item "${items[$n]}" "${reply[@]}")
        echo "  ${VILLAGES[$i]}  ${clients[$n]}  ${items[$n]}  →  $id"
        n=$((n + 1))
    done
done

step "启动消息代理、县、乡镇、村节点 / starting broker, county, townships, villages"
# The broker under a supervisor that restarts it if it dies (deploy/supervise.sh).
start broker deploy/supervise.sh "$B/broker/tongban-broker" serve
start county "$C" serve --place $COUNTY --db "$DB"
# Each township serves its window's screens on a port of its own too (8402 is
# the default: two on one machine would collide).
for i in "${!TOWNS[@]}"; do
    t=${TOWNS[$i]}
    start "$t" "$T" serve --place "$t" --data-dir "$RUN/$t" --http "127.0.0.1:$((8421 + i))"
    echo "  $t 乡镇窗口网页 / window's screens: http://127.0.0.1:$((8421 + i))/"
done
# Each village serves its agent's screens on a port of its own (one village
# per PC in the field, where 127.0.0.1:8401 is the default).
for i in "${!VILLAGES[@]}"; do
    v=${VILLAGES[$i]}
    start "$v" "$V" serve --place "$v" --data-dir "$RUN/$v" --agent "${AGENTS[$i]}" \
        --http "127.0.0.1:$((8411 + i))"
    echo "  $v 代办点网页 / agent's screens: http://127.0.0.1:$((8411 + i))/"
done

expected=$(for v in "${VILLAGES[@]}"; do vil "$v" ledger --json | jq length; done | paste -sd+ | bc)
at_county() { [ "$("$C" cases --place $COUNTY --db "$DB" --json | jq length)" = "$expected" ]; }
tb_wait_for 60 at_county || { echo "cases did not reach the county in 60 s; see $RUN/*.log"; exit 1; }
step "县级权威库：全部 $expected 件已到达 / the county store has all $expected cases"
"$C" cases --place $COUNTY --db "$DB"

step "乡镇窗口办理 / township window staff at work"
for t in "${TOWNS[@]}"; do
    echo "--- $t 待办 / inbox"
    town "$t" inbox
done
first=$(town "${TOWNS[0]}" inbox --json | jq -r '.[] | select(.item_code=="YB003") | .case_id')
second=$(town "${TOWNS[0]}" inbox --json | jq -r '.[] | select(.item_code=="LD001") | .case_id')
third=$(town "${TOWNS[1]}" inbox --json | jq -r '.[] | select(.item_code=="SJ001") | .case_id')
town "${TOWNS[0]}" accept "$first"
town "${TOWNS[0]}" forward "$first"
town "${TOWNS[0]}" accept "$second"
town "${TOWNS[1]}" accept "$third"
town "${TOWNS[1]}" forward "$third"

back() { [ "$(vil "${VILLAGES[0]}" show "$first" --json | jq -r .state)" = county ] &&
    [ "$(vil "${VILLAGES[2]}" show "$third" --json | jq -r .county_state)" = county ]; }
tb_wait_for 60 back || { echo "status did not come back in 60 s; see $RUN/*.log"; exit 1; }

step "状态回传到各村台账 / the status is back in every village ledger"
for v in "${VILLAGES[@]}"; do
    echo "--- $v 台账 / ledger"
    vil "$v" ledger
done
step "县级决定、出件，村代办员送达，群众评价 / the county decides, the result goes back, the agent delivers, the resident rates"
# The county takes no free-text --agent: its operator makes the first
# accounts (account add, the password on stdin here, typed without echo at a
# terminal), and county staff sign in with --login, the password typed or in
# a file only they can read (TONGBAN_PASSWORD_FILE, mode 0600).
DEMO_PW=demo-county-2026
printf '%s\n' "$DEMO_PW" | "$C" account add zhao.sup --name 赵督办 --role supervisor --scope $COUNTY --place $COUNTY --db "$DB"
printf '%s\n' "$DEMO_PW" | "$C" account add wang.back --name 王审批 --role backoffice --scope $COUNTY --place $COUNTY --db "$DB"
(umask 077 && printf '%s\n' "$DEMO_PW" >"$RUN/county.pw")
county() { TONGBAN_PASSWORD_FILE=$RUN/county.pw "$C" "$@" --place $COUNTY --db "$DB" --login wang.back; }
county decide "$first" --grant --reason "材料齐全，符合报销条件"
county result "$first"
ready() { [ "$(vil "${VILLAGES[0]}" show "$first" --json | jq -r .holder)" = "${VILLAGES[0]}" ]; }
tb_wait_for 60 ready || { echo "the result did not reach the village in 60 s"; exit 1; }
vil "${VILLAGES[0]}" deliver "$first" --agent "${AGENTS[0]}"
vil "${VILLAGES[0]}" rate "$first" --rating 非常满意 --comment "不用跑县城就办好了" --agent "${AGENTS[0]}"
closed() { [ "$("$C" cases --place $COUNTY --db "$DB" --json | jq -r ".[] | select(.case_id==\"$first\") | .state")" = closed ]; }
tb_wait_for 60 closed || { echo "the county did not see the case closed in 60 s"; exit 1; }

step "一件的全部办理过程 / one case's whole history, at the village and at the county"
vil "${VILLAGES[0]}" show "$first"
echo
"$C" show "$first" --place $COUNTY --db "$DB"
step "县级库中事件数 / events in the county store"
tb_psql "$RUN/pg" -c "SELECT type_name, count(*) FROM case_events GROUP BY 1 ORDER BY 1" | column -t -s'|'
dup=$(tb_psql "$RUN/pg" -c "SELECT count(*) FROM (SELECT 1 FROM case_events GROUP BY origin_node, origin_seq HAVING count(*) > 1) d")
echo "duplicated events: $dup"
echo "demo took $((SECONDS - started)) s"

if [ $KEEP = 1 ]; then
    step "县域节点保持运行，按 Ctrl-C 停止 / running; Ctrl-C stops everything"
    echo "try: TONGBAN_BROKER=$TONGBAN_BROKER $V ledger --place ${VILLAGES[0]} --data-dir $RUN/${VILLAGES[0]}"
    wait
fi
