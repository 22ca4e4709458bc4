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

# CurveZMQ on for every daemon a test starts: one key directory for the test
# with the broker's key pair, a key pair for every place of the shipped data
# and an allow-list binding each key to its place (curve-keys.py).
export TONGBAN_KEYS=$WORK/keys
/usr/bin/python3 "$TB_SOURCE/tests/integration/curve-keys.py" "$TONGBAN_KEYS" "$TB_SOURCE/data" ||
    { echo "Bail out! cannot make the CurveZMQ keys (python3-zmq missing? tests/run.sh installs it)"; exit 1; }
# The county's data-signing key (county.sign), its public half pinned by every node.
"$C" signkey --keys "$TONGBAN_KEYS" >/dev/null 2>&1 ||
    { echo "Bail out! cannot make the county's signing key"; exit 1; }

# Every sanitizer report of every process the test starts (daemons and the
# commands a test types alike, even when their stderr is thrown away) lands in
# a file $WORK/sanitizer.PID; finish() fails the test on any of them.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$WORK/sanitizer"
# Every village and township would serve its screens on the same default
# port: off unless a test asks for them (--http).
export TONGBAN_HTTP=${TONGBAN_HTTP:-off}
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$WORK/sanitizer"
SANITIZER_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|ThreadSanitizer'

# Daemons a test started with start() and has not stopped itself: name -> pid.
declare -A DAEMONS=()
stopped_daemons=0

TB_MAIN_SHELL=$BASHPID
cleanup() {
    local p
    # Only the test's own shell cleans up: a subshell (an agent loop, a
    # process substitution) that ends must not stop the test's daemons.
    if [ "$BASHPID" != "$TB_MAIN_SHELL" ]; then
        echo "# (cleanup skipped in subshell $BASHPID)" >&2
        return
    fi
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "$PGDIR" ] && tb_pg_stop "$PGDIR"
    if [ "$failures" -eq 0 ] && [ "${finished:-0}" = 1 ]; then rm -rf "$WORK"; else echo "# kept $WORK for inspection"; fi
}
trap cleanup EXIT

# pwfile NAME PASSWORD: a password file for a command-line sign-in
# (TONGBAN_PASSWORD_FILE, common/tb_signin_cli.h), mode 0600; prints its path.
pwfile() {
    (umask 077 && printf '%s\n' "$2" >"$WORK/$1.pw") && echo "$WORK/$1.pw"
}

# county_logins DB [COUNTY]: the county's staff, made as an operator makes
# them (account add): cty.sup (supervisor) and cty.back (back office), with
# the password in $COUNTY_PW (a pwfile), which TONGBAN_PASSWORD_FILE names
# from now on.  A county step then signs in with --login cty.sup (or
# cty.back): the county records no free-text --agent (county-node/county_signin.c).
COUNTY_STAFF_PW=county-staff-2026
county_logins() {
    local db=$1 place=${2:-360826000000} login name role
    while read -r login name role; do
        printf '%s\n' "$COUNTY_STAFF_PW" | "$C" account add "$login" --name "$name" --role "$role" \
            --scope "$place" --place "$place" --db "$db" >/dev/null || return 1
    done <<<$'cty.sup 县督办 supervisor\ncty.back 县后台 backoffice'
    COUNTY_PW=$(pwfile county-staff "$COUNTY_STAFF_PW") && export TONGBAN_PASSWORD_FILE=$COUNTY_PW
}

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

# sanitizer_clean: no sanitizer report from any process of this test, neither
# in its own file nor in any log under $WORK.  Prints what it found.
sanitizer_clean() {
    local f found=0
    for f in "$WORK"/sanitizer.*; do
        [ -e "$f" ] || continue
        found=1
        echo "# sanitizer report $f:"
        head -n 40 "$f" | sed 's/^/#   /'
    done
    while IFS= read -r f; do
        found=1
        echo "# sanitizer report in $f:"
        grep -E -m 5 "$SANITIZER_RE" "$f" | sed 's/^/#   /'
    done < <(grep -rlE --include='*.log' "$SANITIZER_RE" "$WORK" 2>/dev/null)
    [ $found -eq 0 ]
}

# stop NAME: SIGTERM a daemon started with start(); it must exit 0.
stop() {
    local name=$1 pid rc
    pid=${DAEMONS[$name]:-}
    if [ -z "$pid" ]; then
        eq "$name was running to be stopped" running absent
        return
    fi
    unset "DAEMONS[$name]"
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"
        rc=$?
        eq "$name still running before its stop (it exited $rc by itself)" running "exited $rc"
        return
    fi
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    eq "$name exits 0 on SIGTERM" 0 "$rc"
    stopped_daemons=$((stopped_daemons + 1))
}

# forget NAME: a daemon the test killed on purpose (kill -9) is not checked at the end.
forget() { unset "DAEMONS[$1]"; }

finish() {
    local n
    # Every daemon still registered must still be running and stop cleanly.
    for n in "${!DAEMONS[@]}"; do stop "$n"; done
    ok "no sanitizer report from any process" sanitizer_clean
    finished=1
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
    DAEMONS[$name]=$!
    eval "PID_$name=$!"
}

# need_pg: a throwaway cluster in $WORK/pg, its connection string in $DB.
# tests/run.sh installs PostgreSQL 15, so its absence is a failure, not a skip.
need_pg() {
    if [ ! -x "$TB_PG_BIN/initdb" ]; then
        echo "Bail out! PostgreSQL 15 server binaries not installed ($TB_PG_BIN): run tests/run.sh, which installs them"
        exit 1
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "Bail out! running as root but there is no postgres user (apt-get install postgresql-15 makes it)"
        exit 1
    fi
    PGDIR=$WORK/pg
    DB=$(tb_pg_start "$PGDIR") || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
}

# refuse DESCRIPTION STATUS TEXT COMMAND...: the command exits with exactly
# STATUS, prints TEXT on stderr, and (when the test sets REFUSE_PROBE to a
# command printing the state that must not change) changes nothing.
REFUSE_PROBE=${REFUSE_PROBE:-}
refuse() {
    local what=$1 want=$2 text=$3
    shift 3
    local before="" after="" err rc
    [ -n "$REFUSE_PROBE" ] && before=$($REFUSE_PROBE)
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    [ -n "$REFUSE_PROBE" ] && after=$($REFUSE_PROBE)
    checks=$((checks + 1))
    if [ "$rc" -eq "$want" ] && [[ "$err" == *"$text"* ]] && [ "$before" == "$after" ]; then
        echo "ok $checks - $what"
    else
        echo "not ok $checks - $what: exit $rc (want $want), stderr '$err' (want '$text'), state '$before' -> '$after'"
        failures=$((failures + 1))
    fi
}

matches() { [[ $1 =~ $2 ]]; }        # matches STRING REGEX
contains() { [[ $1 == *"$2"* ]]; }   # contains STRING TEXT
