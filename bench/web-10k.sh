#!/usr/bin/env bash
# The village and township screens at 10,000 cases (issue 10): fills a
# village's store and a township's with COUNT cases each (bench/web-10k-fill:
# tb_edge_log, as `log` and `register` do), seeds an account at each, starts
# both daemons' `serve` with their screens, and prints page load and API
# latency, p50/p99 (bench/web-10k.py).  Not a test: nothing is asserted.
#
#   bench/web-10k.sh BUILD [COUNT=10000] [ROUNDS=200]
set -euo pipefail
B=$(cd "${1:?usage: bench/web-10k.sh BUILD [COUNT] [ROUNDS]}" && pwd)
COUNT=${2:-10000} ROUNDS=${3:-200}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TOWN=360826100000 VIL=360826100001
WORK=$(mktemp -d /tmp/tb-web10k.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
export TONGBAN_BROKER=ipc://$WORK/broker.sock LANG=C.UTF-8 TONGBAN_KEYS=$WORK/keys
source "$SRC/deploy/lib.sh" # tb_keys_make: CurveZMQ keys as in the field (no broker runs here)
umask 077 # as the nodes keep their stores: the daemons refuse others' access
mkdir -p "$WORK/v" "$WORK/t"
tb_keys_make "$TONGBAN_KEYS" "$B" $TOWN $VIL >/dev/null
"$B/bench/web-10k-fill" "$WORK/v" $VIL "$COUNT"
"$B/bench/web-10k-fill" "$WORK/t" $TOWN "$COUNT"
"$B/tests/browser/seed-accounts" "$WORK/v" $VIL 1 bench.agent 压测代办 agent $VIL Bench-Agent-1 >/dev/null
"$B/tests/browser/seed-accounts" "$WORK/t" $TOWN 1 bench.win 压测窗口 window $TOWN Bench-Window-1 >/dev/null
freeport() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
vport=$(freeport) tport=$(freeport)
"$B/village-agent/tongban-village" serve --place $VIL --data-dir "$WORK/v" --agent 压测代办 \
    --http "127.0.0.1:$vport" >"$WORK/v.log" 2>&1 &
pids+=($!)
"$B/township-node/tongban-township" serve --place $TOWN --data-dir "$WORK/t" --agent 压测窗口 \
    --http "127.0.0.1:$tport" >"$WORK/t.log" 2>&1 &
pids+=($!)
for port in $vport $tport; do # a daemon that stopped: its log, and out
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { cat "$WORK"/*.log >&2; exit 1; }; done
    for _ in $(seq 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/me")" = 401 ] && break
        sleep 0.1
    done
done
echo "# $(git -C "$SRC" rev-parse --short HEAD) $(nproc) cores, $COUNT cases at each node, $ROUNDS rounds"
/usr/bin/python3 "$SRC/bench/web-10k.py" "http://127.0.0.1:$vport" "http://127.0.0.1:$tport" "$ROUNDS"
