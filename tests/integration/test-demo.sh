#!/usr/bin/env bash
# The README's main job, deploy/demo.sh, run against this build in a temporary
# directory: it must finish, with every case at the county exactly once.
source "$(dirname "$0")/lib.sh"
need_pg # (the demo starts its own cluster; this only checks PostgreSQL is there)
tb_pg_stop "$PGDIR"
out=$(TB_DEMO_BUILD=$TB_BUILD TB_DEMO_DIR=$WORK/demo "$TB_SOURCE/deploy/demo.sh" 2>&1)
rc=$?
eq "deploy/demo.sh exits 0" 0 $rc
ok "all six cases reached the county" contains "$out" "全部 6 件已到达"
ok "the result came back and the case closed with a rating" contains "$out" "评价：      非常满意"
ok "no event duplicated" contains "$out" "duplicated events: 0"
decided_by() { grep -Eq '决定 .* wang\.back +准予' <<<"$out"; }
ok "the county's decision names the back office who signed in" decided_by
none_left() {
    local p
    for p in $(cat "$WORK/demo/pids"); do kill -0 "$p" 2>/dev/null && return 1; done
    [ ! -f "$WORK/demo/pg/data/postmaster.pid" ]
}
ok "it stopped everything it started" none_left
# (deploy/demo.sh waits for each process it stopped and names any that did not exit 0)
clean_exits() { ! grep -aq 'exited [0-9]*, not 0' <<<"$out"; }
ok "every process it started exited 0 on SIGTERM" clean_exits
[ $rc -eq 0 ] || echo "$out" | tail -30 | sed 's/^/# /'
finish
