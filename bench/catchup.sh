#!/usr/bin/env bash
# End-to-end catch-up of one village with a backlog (issue 7's measure): N
# cases logged with no daemon running at one village (each case is two events),
# then broker, county and township are started, then the village; the clock
# runs from the village's start until every one of its 2N events is in the
# county's case_events.  Not a meson test: performance is measured, never
# asserted (bench/README.md).
#   bench/catchup.sh BUILD_DIR [N]      (N: cases, default 10000)
# Needs a build with the project's binaries and PostgreSQL 15 (tests/run.sh
# installs it).  Prints the logging time, the catch-up time and events/s.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [CASES]" >&2; exit 2; }
export TB_BUILD=$(cd "$1" && pwd)
export TB_SOURCE=$(cd "$(dirname "$0")/.." && pwd)
export LANG=C.UTF-8
N=${2:-10000}
source "$TB_SOURCE/tests/integration/lib.sh"
source "$TB_SOURCE/tests/fault/county.sh"
need_pg
AWAY=${VILLAGES[0]}
TOWN=${TOWNS[0]}

t=$(date +%s.%N)
for i in $(seq 1 "$N"); do vlog "$AWAY" "离线$i" >/dev/null || { echo "log $i failed" >&2; exit 1; }; done
echo "# logged $N cases offline in $(echo "$(date +%s.%N) - $t" | bc) s"

run broker
run county
run "$TOWN"
county_up() { grep -q "serving\|ready\|listening" "$WORK/county.log"; }
tb_wait_for 60 county_up || sleep 2
sleep 1
events() { tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE origin_node = '$AWAY'"; }
t0=$(date +%s.%N)
run "$AWAY"
all_in() { [ "$(events)" = "$((2 * N))" ]; }
if ! tb_wait_for 900 all_in; then
    echo "only $(events) of $((2 * N)) events arrived in 900 s" >&2
    stop_all
    exit 1
fi
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "# catch-up of $N cases ($((2 * N)) events) took $secs s: $(echo "scale=0; 2 * $N / $secs" | bc) events/s"
stop_all
finished=1
