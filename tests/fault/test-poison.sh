#!/usr/bin/env bash
# A message the county's store refuses on its data (a "poison" message) must
# not hold its link back for ever: the county finds it by applying one message
# per batch, quarantines it, and everything after it still arrives.
# The refusal is injected with the county's test hook TONGBAN_TEST_POISON_CASE.
# Ends with the exact reconciliation, the poisoned case excluded: its event
# must be in the county's quarantine byte for byte, and nowhere else there.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg
VIL=${VILLAGES[0]}
day=$(TZ=Asia/Shanghai date +%Y%m%d)
poison=$VIL-$day-0003
: >"$WORK/ids"
for i in 1 2 3 4 5 6; do vlog "$VIL" "客户$i" >>"$WORK/ids"; done
eq "the poisoned case is one of ours" "$poison" "$(sed -n 3p "$WORK/ids")"
TONGBAN_TEST_POISON_CASE=$poison run county
sleep 0.5
for n in broker "${TOWNS[@]}" "${VILLAGES[@]}"; do run "$n"; done

others_in() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$VIL'")" = 5 ]; }
ok "the five other cases reach the county" tb_wait_for 60 others_in
quarantined() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM quarantine WHERE why LIKE 'the store refused it%'")" -ge 1 ]; }
ok "the poisoned message is kept in the county's quarantine" tb_wait_for 30 quarantined
eq "the poisoned case is not in the projection" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id = '$poison'")"
ok "the county logged it" grep -q "quarantined" "$WORK/county.log"
# Later traffic on the same link still flows.
id=$(vlog "$VIL" 之后的客户)
later() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id = '$id'")" = 1 ]; }
ok "a case logged afterwards arrives" tb_wait_for 30 later
quiet_links() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM outbox")" = 0 ] &&
    [ "$(sq "${TOWNS[0]}" "SELECT count(*) FROM outbox")" = 0 ]; }
ok "and the links are quiet again" tb_wait_for 60 quiet_links
ok "the county kept running" alive county
echo "$poison" >"$WORK/excluded"
reconcile "$WORK/ids" 60
stop_all
finish
