#!/usr/bin/env bash
# The dashboard's overview and one statistics query over 1,000,000 stored
# cases (issue 11): p50/p99 of the API's answer time, measured through
# `tongban-county serve --http` (its own thread and connection).
#
#   bench/stats-1m.sh [BUILD_DIR [OTHER_COUNTY_BINARY]]      (default: build)
#
# With OTHER_COUNTY_BINARY (e.g. a copy of main's tongban-county), both are
# measured on the same loaded store in alternating turns, BUILD_DIR's first:
# TB_STATS_PAIRS turns each (default 2).  TB_STATS_N requests per query
# (default 40).  TB_STATS_VACUUM=1: VACUUM the loaded store first;
# TB_STATS_SETTLE=1: time again after the deadline sweep and a VACUUM (both
# below).  Both binaries must want the same schema (the store is migrated by
# BUILD_DIR's).
#
# A throwaway PostgreSQL cluster in /tmp (removed at the end; the data never
# enters the repository).  The cases are made by one INSERT ... SELECT over
# generate_series (below): a year of cases over the 322 villages of 泰和县,
# 70 % closed, 10 % handled, 10 % in pre-review, 10 % refused, five items of
# the four kinds.  Prints the load time, the table's size and the latencies.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OTHER=${2:-}
source "$ROOT/deploy/lib.sh"
C=$BUILD/county-node/tongban-county
W=$(mktemp -d /tmp/tongban-bench-stats.XXXXXX)
chmod 755 "$W"
PIDS=()
CPID=
cleanup() {
    for p in "${PIDS[@]}" $CPID; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    tb_pg_stop "$W/pg"
    rm -rf "$W"
}
trap cleanup EXIT
DB=$(tb_pg_start "$W/pg")
export TONGBAN_PLACE=360826000000 TONGBAN_DB=$DB TONGBAN_BROKER=ipc://$W/broker.sock
export TONGBAN_KEYS=$W/keys
/usr/bin/python3 "$ROOT/tests/integration/curve-keys.py" "$TONGBAN_KEYS" "$ROOT/data" >/dev/null
"$C" signkey --keys "$TONGBAN_KEYS" >/dev/null
"$C" migrate >/dev/null
cat >"$W/load.sql" <<SQL
CREATE TEMP TABLE v (code text, name text, street text, p text, c text, a text);
\copy v FROM '$ROOT/data/taihe-villages.csv' CSV HEADER
CREATE TEMP TABLE vv AS SELECT (row_number() OVER (ORDER BY code) - 1)::int AS i, code FROM v;
\timing on
INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note, accept_time,
                  state, holder, pending, version, updated_at, stat_accepted_at, stat_due_at,
                  due_at, completion_time, rating)
SELECT vv.code || '-' || to_char(t, 'YYYYMMDD') || '-' || lpad(g::text, 7, '0'), vv.code,
       '张三', '13800000000', 'agent' || (g % 500),
       (ARRAY['NB001', 'JS001', 'ZX001', 'BF001', 'YB003'])[1 + (g / 10) % 5], '', t,
       CASE WHEN g % 10 < 7 THEN 'closed' WHEN g % 10 = 7 THEN 'accepted'
            WHEN g % 10 = 8 THEN 'prereview' ELSE 'refused' END,
       substr(vv.code, 1, 9) || '000', '', 3, t,
       CASE WHEN g % 10 < 8 THEN t + interval '1 day' END,
       CASE WHEN g % 10 < 8 THEN t + interval '15 days' END,
       CASE WHEN g % 10 = 7 THEN t + interval '15 days' END,
       CASE WHEN g % 10 < 7 THEN t + (g % 20) * interval '1 day' END,
       CASE WHEN g % 10 < 7 THEN g % 6 ELSE 0 END
FROM generate_series(1, 1000000) AS g
CROSS JOIN LATERAL (SELECT now() - (g % 365) * interval '1 day' - (g % 600) * interval '1 minute' AS t) tt
JOIN vv ON vv.i = g % 322;
\timing off
ANALYZE cases;
SELECT 'cases: ' || count(*) || ', table ' || pg_size_pretty(pg_total_relation_size('cases')) FROM cases;
SQL
echo "# loading 1,000,000 cases (generate_series, $W/load.sql)"
tb_psql "$W/pg" -f "$W/load.sql"
# A store a year old has been vacuumed many times over (autovacuum): its
# visibility map is set and its rows' hint bits written.  One just loaded has
# neither until autovacuum reaches it during the run, which index-only scans
# (migration 026's cases_not_due) notice.  TB_STATS_VACUUM=1 vacuums first,
# after one statistics query has made the county store its catalog and
# calendar for the per-day sums (migration 024: the load counted them with
# none, so that first query rebuilds every sum, leaving a dead row for each).
if [ "${TB_STATS_VACUUM:-0}" = 1 ]; then
    s=$SECONDS
    day=$(date +%F)
    "$C" report --from "$day" --to "$day" --json >/dev/null
    tb_psql "$W/pg" -c "VACUUM (ANALYZE) cases, case_day_sums, case_open_sums"
    echo "# vacuumed in $((SECONDS - s)) s (TB_STATS_VACUUM=1)"
fi
printf '%s\n' 'Bench-Mark-2026' | "$C" account add bench --name 压测 --role supervisor \
    --scope 360826000000 >/dev/null
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BUILD/broker/tongban-broker" serve >"$W/broker.log" 2>&1 &
PIDS+=($!)
# TB_STATS_SETTLE=1: the county's first deadline sweep over this synthetic
# store (a fifth of its cases open for up to a year) raises a card on every
# late one, 200,000 of them, which the overview and the statistics then count
# (and the sweep's updates leave the cases' visibility map to a VACUUM).  A
# real county raises its cards as the days go by.  So each turn also waits
# for the sweep to end (cards raised, then for 3 s the card count and the
# county's log unchanged and no other statement running: the sweep raises
# its cards in one transaction), vacuums, and times the queries again.
cards() { tb_psql "$W/pg" -c "SELECT count(*) FROM cards"; }
settled() {  # $last: what the previous look saw (turn() empties it)
    local now
    now="$(cards) $(wc -l <"$W/county.log") $(tb_psql "$W/pg" -c "SELECT count(*) FROM pg_stat_activity
        WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")"
    [ "$now" = "$last" ] && [ "${now%% *}" != 0 ] && [ "${now##* }" = 0 ] && return 0
    last=$now
    sleep 3
    return 1
}
# One turn: serve the dashboard with county binary $1, time the queries, stop it.
turn() {
    echo "# $1"
    "$1" serve --http "127.0.0.1:$port" >"$W/county.log" 2>&1 &
    CPID=$!
    tb_wait_for 60 /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2)" 2>/dev/null
    /usr/bin/python3 "$ROOT/bench/stats_latency.py" "http://127.0.0.1:$port" bench Bench-Mark-2026
    if [ "${TB_STATS_SETTLE:-0}" = 1 ]; then
        local s=$SECONDS
        last=
        tb_wait_for 1200 settled
        echo "# deadline sweep settled in $((SECONDS - s)) s more: $(cards) cards"
        tb_psql "$W/pg" -c "VACUUM (ANALYZE) cases, case_day_sums, case_open_sums, cards" >/dev/null
        echo "# after the sweep and VACUUM (TB_STATS_SETTLE=1)"
        /usr/bin/python3 "$ROOT/bench/stats_latency.py" "http://127.0.0.1:$port" bench Bench-Mark-2026
    fi
    kill "$CPID" && wait "$CPID" || true
    CPID=
}
if [ -z "$OTHER" ]; then
    turn "$C"
else
    for _ in $(seq "${TB_STATS_PAIRS:-2}"); do
        turn "$C"
        turn "$OTHER"
    done
fi
