#!/usr/bin/env bash
# A whole county on this machine: a throwaway PostgreSQL cluster, the broker,
# the county node of 泰和县, two townships and three villages; cases logged
# offline in the villages travel to the county, township staff accept and
# forward them, and the status comes back to every village ledger.
#
#   deploy/demo.sh          run the scenario, print what each tier sees, stop everything
#   deploy/demo.sh --keep   leave the county running afterwards, until Ctrl-C
#
# Safe to rerun: it stops what an earlier run left and starts afresh.  As root
# it installs what is missing with apt-get; PostgreSQL runs as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/lib.sh

KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
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
stop_all() {
    trap - EXIT INT TERM
    step "停止全部进程 / stopping everything"
    local p rc bad=0
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    # Each must stop cleanly on SIGTERM: a crash or a sanitizer abort is a failure.
    for p in "${PIDS[@]}"; do
        rc=0
        wait "$p" || rc=$?
        [ $rc -eq 0 ] || { echo "process $p exited $rc, not 0 (see $RUN/*.log)"; bad=1; }
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
TOWNS=(360826100000 360826102000)                 # 澄江镇, 桥头镇
VILLAGES=(360826100001 360826100002 360826102001) # 文田社区, 白凤社区, 桥头镇居委会

step "生成 CurveZMQ 密钥与准入名单 / CurveZMQ keys and the county's allow-list"
export TONGBAN_KEYS=$RUN/keys
tb_keys_make "$TONGBAN_KEYS" "$B" $COUNTY "${TOWNS[@]}" "${VILLAGES[@]}"
"$C" keys list
AGENTS=(刘代办 陈代办 王代办)
vil() { local code=$1; shift; "$V" "$@" --place "$code" --data-dir "$RUN/$code"; }
town() { local code=$1; shift; "$T" "$@" --place "$code" --data-dir "$RUN/$code" --agent 窗口周; }
start() { local name=$1; shift; "$@" >"$RUN/$name.log" 2>&1 & PIDS+=($!); echo $! >>"$RUN/pids"; }

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
county() { "$C" "$@" --place $COUNTY --db "$DB" --agent 审批科王; }
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
