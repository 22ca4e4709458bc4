#!/usr/bin/env bash
# A county staff command runs exactly once (issue 9, "a county staff command
# can run twice when the command connection drops mid-batch").  A command is
# a county_commands row the command line inserts and then watches until the
# daemon has applied it.  When the command line's PostgreSQL connection drops
# after its INSERT (here: pg_terminate_backend while it waits), it must not
# report a failure for a command the daemon then applies anyway: the person,
# told it failed, types it again and the step happens twice (here a 督办
# order, which may be issued again, so the rules do not catch the second).
# It reconnects and follows its own row by the key it chose before the
# INSERT (an INSERT repeated after a lost commit finds that row).  And the
# daemon's side: a batch marks a command done only while the command is still
# taken by the connection that took it, so a command retaken after that
# connection was given up cannot be applied by both.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
psql_c() { tb_psql "$PGDIR" -c "$1"; }
orders() { psql_c "SELECT count(*) FROM case_events WHERE case_id='$1' AND type_name='supervised'"; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "town is serving" tb_wait_for 30 serving town
k=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证)
ok "a walk-in case reaches the county" tb_wait_for 30 at_c "$k" prereview
due=$(TZ=Asia/Shanghai date -d "+20 days" +%F)
ok "a first order is issued" county supervise "$k" --due "$due" --text 第一次督办
eq "one order" 1 "$(orders "$k")"

# The daemon is down: the command waits in county_commands ('new').
stop county
county supervise "$k" --due "$due" --text 第二次督办 >"$WORK/cmd.out" 2>"$WORK/cmd.err" &
cli=$!
waiting() { [ "$(psql_c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT status, error FROM county_commands%'")" -ge 1 ]; }
ok "the command waits for the daemon" tb_wait_for 10 waiting
# Its connection drops (the server ends it), then the daemon comes back.
eq "the command's connection is ended" t \
    "$(psql_c "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'SELECT status, error FROM county_commands%' AND pid <> pg_backend_pid()")"
start county "$C" serve --place $COUNTY --db "$DB"
wait $cli
rc=$?
eq "the command reports what happened: done (exit 0)" 0 "$rc"
if [ "$rc" -ne 0 ]; then
    echo "# it said: $(cat "$WORK/cmd.err")"
    # Told it failed, the person types it again.
    county supervise "$k" --due "$due" --text 第二次督办 >/dev/null 2>&1
fi
ok "the command was applied" tb_wait_for 10 test "$(psql_c "SELECT count(*) FROM county_commands WHERE status = 'done'")" = 2
eq "exactly one more order (two in all)" 2 "$(orders "$k")"
eq "no command left waiting" 0 "$(psql_c "SELECT count(*) FROM county_commands WHERE status IN ('new', 'taken')")"

# The daemon's side, the statement its batch ends a command with: a batch of
# a connection given up (the daemon reconnected and took the command again,
# under a new number) cannot mark it, so that batch rolls back with the
# event it made.
stop county
psql_c "INSERT INTO county_commands(case_id, type, actor, status, taken_by, idem_key)
        VALUES ('$k', 5, '审批王', 'taken', 1002, 'k-guard')" >/dev/null
guard=$(psql_c "SELECT id FROM county_commands WHERE idem_key = 'k-guard'")
out=$(psql_c "CALL county_command_done($guard, 'done', '', 1001)" 2>&1)
ok "a batch of an earlier take cannot mark the command" contains "$out" "no longer taken"
eq "the command is still taken under the new number" "taken 1002" \
    "$(psql_c "SELECT status || ' ' || taken_by FROM county_commands WHERE id = $guard")"
psql_c "CALL county_command_done($guard, 'done', '', 1002)" >/dev/null
eq "the batch of the take that holds it can" done "$(psql_c "SELECT status FROM county_commands WHERE id = $guard")"
eq "every command the daemon took has its own number" \
    "$(psql_c "SELECT count(*) FROM county_commands WHERE idem_key <> 'k-guard'")" \
    "$(psql_c "SELECT count(DISTINCT taken_by) FROM county_commands WHERE idem_key <> 'k-guard' AND taken_by > 0")"
finish
