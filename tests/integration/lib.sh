# Shared by the integration tests (sourced).  Needs TB_BUILD and TB_SOURCE (set by meson).
set -u
source "$TB_SOURCE/deploy/lib.sh"

V=$TB_BUILD/village-agent/tongban-village
T=$TB_BUILD/township-node/tongban-township
C=$TB_BUILD/county-node/tongban-county
BROKER=$TB_BUILD/broker/tongban-broker
INJECT=$TB_BUILD/tests/integration/tb-inject

WORK=$(mktemp -d /tmp/tongban-test.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PGDIR=""
failures=0
checks=0

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "$PGDIR" ] && tb_pg_stop "$PGDIR"
    if [ "$failures" -eq 0 ]; then rm -rf "$WORK"; else echo "# kept $WORK for inspection"; fi
}
trap cleanup EXIT

ok() {  # ok DESCRIPTION COMMAND...
    local what=$1
    shift
    checks=$((checks + 1))
    if "$@"; then
        echo "ok $checks - $what"
    else
        echo "not ok $checks - $what"
        failures=$((failures + 1))
    fi
}

eq() {  # eq DESCRIPTION EXPECTED ACTUAL
    checks=$((checks + 1))
    if [ "$2" == "$3" ]; then
        echo "ok $checks - $1"
    else
        echo "not ok $checks - $1: expected '$2', got '$3'"
        failures=$((failures + 1))
    fi
}

finish() {
    echo "1..$checks"
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}

# Start a daemon in the background with its log in $WORK/NAME.log.
start() {
    local name=$1
    shift
    "$@" >>"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    eval "PID_$name=$!"
}

need_pg() {
    if [ ! -x "$TB_PG_BIN/initdb" ]; then
        echo "1..0 # SKIP PostgreSQL 15 server binaries not installed ($TB_PG_BIN)"
        exit 77
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "1..0 # SKIP running as root but there is no postgres user"
        exit 77
    fi
    PGDIR=$WORK/pg
    DB=$(tb_pg_start "$PGDIR") || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
}

matches() { [[ $1 =~ $2 ]]; }        # matches STRING REGEX
contains() { [[ $1 == *"$2"* ]]; }   # contains STRING TEXT
