# Shared shell functions for deploy/demo.sh and tests/run.sh (sourced, not run).
# Everything here is safe to run again.

TB_DEB_PACKAGES="meson ninja-build pkg-config gcc clang libclang-rt-14-dev protobuf-c-compiler libprotobuf-c-dev
 libzmq3-dev libuv1-dev libsqlite3-dev libpq-dev postgresql-15 libinih-dev libjansson-dev libmicrohttpd-dev
 libcmocka-dev libsodium-dev libjs-chart.js python3 python3-zmq jq bc bsdextrautils iproute2 procps sqlite3"

# What only the tests need on top: a real browser for the screens (suite browser), in
# Chinese as the users run it (chromium-l10n: without it date inputs read mm/dd/yyyy).
TB_TEST_DEB_PACKAGES="chromium chromium-l10n chromium-driver fonts-noto-cjk python3-selenium python3-protobuf protobuf-compiler"

# Install what is missing (apt-get as root; otherwise say what to install):
# TB_DEB_PACKAGES and the extra packages given as arguments.
tb_install_deps() {
    local missing=()
    for p in $TB_DEB_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
        return 1
    fi
    echo "==> installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configure and build into $1 with extra meson options (-Dname=value) after it.
# An existing build directory is reconfigured (meson configure) when one of the
# options given has another value there, e.g. a build/ made without
# -Dtest_hooks=true (by deploy/demo.sh) that tests/run.sh then needs with it.
tb_build() {
    local dir=$1 opt cur stale=0
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log" >&2; return 1; }
    elif [ $# -gt 0 ]; then
        for opt in "$@"; do
            [[ $opt == -D*=* ]] || { stale=1; continue; }
            opt=${opt#-D}
            cur=$(meson introspect "$dir" --buildoptions |
                jq -r --arg k "${opt%%=*}" '.[] | select(.name == $k) | .value | if type == "array" then join(",") else tostring end')
            [ "$cur" = "${opt#*=}" ] || stale=1
        done
        # An option the tree added since the directory was set up is unknown
        # to `meson configure` until meson has read the new tree: reconfigure.
        if [ $stale -eq 1 ]; then
            meson configure "$dir" "$@" >"$dir.setup.log" 2>&1 ||
                meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1 ||
                { cat "$dir.setup.log" >&2; return 1; }
        fi
    fi
    # Quiet when it works; the compiler's words when it does not.
    ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -n 60 "$dir.ninja.log" >&2; return 1; }
}

# tb_keys_make DIR BUILD PLACE...: CurveZMQ keys for a county on one machine:
# the broker's key pair (tongban-broker keygen), one per place (tongban-<tier>
# keygen) and the county's allow-list binding each key to its place
# (tongban-county keys allow).  Keys already in DIR are kept.  On real
# machines each node makes its own key and sends only its .pub to the county,
# and gets only broker.pub back.
tb_keys_make() {
    local dir=$1 b=$2 p bin
    shift 2
    mkdir -p "$dir" && chmod 700 "$dir" || return 1
    [ -f "$dir/broker.key" ] || "$b/broker/tongban-broker" keygen --keys "$dir" >/dev/null || return 1
    [ -f "$dir/allow.list" ] || : >"$dir/allow.list"
    # The county's data-signing key; on real machines county.sign.pub is
    # installed next to broker.pub at every township and village.
    [ -f "$dir/county.sign" ] || "$b/county-node/tongban-county" signkey --keys "$dir" >/dev/null 2>&1 || return 1
    for p in "$@"; do
        case $p in
        *000000) bin=$b/county-node/tongban-county ;;
        *000) bin=$b/township-node/tongban-township ;;
        *) bin=$b/village-agent/tongban-village ;;
        esac
        [ -f "$dir/$p.key" ] || "$bin" keygen --place "$p" --keys "$dir" >/dev/null 2>&1 || return 1
        "$b/county-node/tongban-county" keys allow "$p" "$dir/$p.pub" --keys "$dir" || return 1
    done
}

TB_PG_BIN=${TB_PG_BIN:-/usr/lib/postgresql/15/bin}

# Run a command as the unprivileged owner of the cluster (postgres when we are root).
tb_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Start a throwaway PostgreSQL cluster in directory $1 (created; must be new or ours),
# listening only on a Unix socket in $1.  Prints the libpq connection string.
#
# Authentication is peer (the kernel says who connects), never trust: the
# directory holding the socket is 0700 and owned by the cluster's owner, so no
# other local user can reach the socket at all, and of those who can (the owner
# and root) pg_ident.conf maps only the owner, postgres and root onto the
# tongban role.  Root is mapped because the demo and the tests run the county
# daemon and psql as root; no password file is needed.  An existing cluster
# gets the same pg_hba.conf and pg_ident.conf at every start, so one made by an
# older lib.sh with trust auth is closed too.  Errors are logged terse: a
# DETAIL line ("Failing row contains (…)") would quote a resident's phone.
#
# Text compares bytewise (LC_COLLATE C; LC_CTYPE stays C.UTF-8): the same
# order as C.UTF-8's for UTF-8 text (by code point), without strcoll: the
# county's keys are text (case ids, place codes), and comparing them in its
# indexes under C.UTF-8 was a tenth of PostgreSQL's CPU in the walk-in
# ingest (issue 13).  A cluster made before keeps its collation.
tb_pg_start() {
    local dir=$1 owner
    owner=$(id -un)
    [ "$(id -u)" -eq 0 ] && owner=postgres
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 0700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        tb_as_pg "$TB_PG_BIN/initdb" -D "$dir/data" -U tongban --auth=peer -E UTF8 \
            --locale=C.UTF-8 --lc-collate=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    fi
    tb_as_pg sh -c 'printf "%s\n" "local all all peer map=tongban" >"$1/pg_hba.conf" &&
        printf "tongban %s tongban\n" "$2" root postgres >"$1/pg_ident.conf"' \
        sh "$dir/data" "$owner" || return 1
    tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c unix_socket_permissions=0700 -c log_error_verbosity=terse -c fsync=on" \
        start >/dev/null || { tail -20 "$dir/postgres.log" >&2; return 1; }
    tb_as_pg "$TB_PG_BIN/psql" -h "$dir" -U tongban -d postgres -qtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'tongban'" | grep -q 1 ||
        tb_as_pg "$TB_PG_BIN/createdb" -h "$dir" -U tongban tongban
    echo "host=$dir user=tongban dbname=tongban"
}

tb_pg_stop() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] &&
        tb_as_pg "$TB_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

# psql against cluster $1 with the rest as arguments.
tb_psql() {
    local dir=$1
    shift
    "$TB_PG_BIN/psql" -h "$dir" -U tongban -d tongban -qtAX "$@"
}

# Wait up to $1 seconds for the command after it to succeed.
tb_wait_for() {
    local secs=$1
    shift
    local end=$((SECONDS + secs))
    until "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}
