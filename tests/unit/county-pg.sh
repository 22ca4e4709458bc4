#!/bin/bash
# Runs test-county (its first argument) against a throwaway PostgreSQL
# cluster started with deploy/lib.sh's tb_pg_start, as the integration tests
# do (need_pg).  Missing PostgreSQL is a failure, not a skip.
set -u
source "$TB_SOURCE/deploy/lib.sh"
exe=$1
if [ ! -x "$TB_PG_BIN/initdb" ]; then
    echo "Bail out! PostgreSQL 15 server binaries not installed ($TB_PG_BIN): run tests/run.sh, which installs them"
    exit 1
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "Bail out! running as root but there is no postgres user"
    exit 1
fi
WORK=$(mktemp -d /tmp/tongban-county-pg.XXXXXX)
chmod 755 "$WORK"
trap 'tb_pg_stop "$WORK/pg"; rm -rf "$WORK"' EXIT
DB=$(tb_pg_start "$WORK/pg") || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
"$exe" "$DB"
