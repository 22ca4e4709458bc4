#!/usr/bin/env bash
# Issue 8, the throwaway PostgreSQL of the demo and the tests (deploy/lib.sh
# tb_pg_start): peer authentication, never trust, on a socket directory only
# its owner can enter.  A local non-owner (nobody) cannot reach the socket, so
# cannot become a superuser and run COPY … TO PROGRAM; root (the county
# daemon, psql in the tests) still connects as the tongban role.
if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP needs root: it runs commands as the local user nobody (runuser)"
    exit 77
fi
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

ok "root connects as tongban (peer, mapped)" test "$(psql "$DB" -qtAXc 'SELECT current_user')" = tongban
ok "the cluster's owner connects as tongban" test "$(tb_as_pg psql "$DB" -qtAXc 'SELECT current_user')" = tongban
eq "the socket directory is the owner's alone" "700 postgres" "$(stat -c '%a %U' "$PGDIR")"
no_trust() { ! grep -v '^[[:space:]]*#' "$PGDIR/data/pg_hba.conf" | grep -qw trust; }
ok "pg_hba.conf has no trust line" no_trust
ok "pg_hba.conf has no host line (socket only)" bash -c "! grep -qE '^[[:space:]]*host' '$PGDIR/data/pg_hba.conf'"
out=$(runuser -u nobody -- psql "$DB" -qtAXc "SELECT 1" 2>&1)
rc=$?
ok "nobody cannot connect" test "$rc" -ne 0
ok "nobody is stopped at the socket: permission denied" contains "$out" "Permission denied"
out=$(runuser -u nobody -- psql "host=$PGDIR user=postgres dbname=postgres" -qtAXc "COPY (SELECT 1) TO PROGRAM 'id'" 2>&1)
ok "nobody cannot run a program through COPY TO PROGRAM" contains "$out" "Permission denied"
ok "no other role: a wrong user name is refused for root too" bash -c "! psql 'host=$PGDIR user=postgres dbname=tongban' -qtAXc 'SELECT 1' >/dev/null 2>&1"
ok "the county daemon's migrations run over it" "$C" migrate --place 360826000000 --db "$DB"
# Its text compares bytewise (issue 13: strcoll in every index comparison), its characters UTF-8.
eq "the cluster's collation is C, its ctype C.UTF-8" "C C.UTF-8" \
    "$(psql "$DB" -qtAXc "SELECT datcollate || ' ' || datctype FROM pg_database WHERE datname = current_database()")"
finish
