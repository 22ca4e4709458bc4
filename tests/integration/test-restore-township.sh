#!/usr/bin/env bash
# A replaced township store (issue 9), seen from the county, end to end with
# real processes and a real PostgreSQL: the township relayed a village's case
# and had county messages it never acknowledged when its store was lost.  It
# starts on a new store (a new epoch): the county resets their link (cursor
# to 0, its unacknowledged outbox renumbered from 1) instead of jamming, so a
# new walk-in reaches the county, what the county had queued reaches the new
# store, and the county's later events do too.
#
# Before the county has heard the new store's epoch, it sends it what it had
# queued for the old one, with the old store's cursor as its ack.
# That ack counts the old store's messages: taken, it deleted the new
# store's walk-ins from its outbox unsent and the county, once reset, waited
# for a seq 1 that never came (the CI failure of 2026-12-02; a race until
# then).  The new store drops an envelope naming the old epoch
# (Envelope.receiver_epoch) and answers with its own.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
doubled() { tb_psql "$PGDIR" -c "SELECT count(*) - count(DISTINCT (origin_node, origin_seq)) FROM case_events"; }
cursor() { tb_psql "$PGDIR" -c "SELECT cursor FROM link_in WHERE peer='$TOWN'"; }

start_one_of_each

# The old store: the township relays a village's consultation (its link to
# the county moves past 1) and mints no event id of its own (a new store
# without `restore` would mint the same ids again: the county refuses a
# reused id, test-restore.sh).
a=$(vil log --client 赵六 --phone 13912340000 --item ZX001 --reply 已当场答复)
reached() { [ -n "$(cstate "$a" state)" ]; }
ok "case a reaches the county" tb_wait_for 30 reached
ok "the county's cursor for the township moved" test "$(cursor)" -ge 1
eq "the old store minted no id of its own" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE origin_node='$TOWN'")"
stop vil
# The township is away while the county queues a catalog version to it: the
# old store never acknowledges it.
stop town
cp "$TB_SOURCE/data/catalog.csv" "$WORK/catalog-v1.csv"
echo 'XX001,测试新增事项,township,promised,3,5,居民身份证:core;申请表:noncore' >>"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" county catalog import "$WORK/catalog-v1.csv"
queued() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM outbox WHERE peer='$TOWN'")" -ge 1 ]; }
ok "the county holds it for the township" tb_wait_for 30 queued
cepoch=$(tb_psql "$PGDIR" -c "SELECT epoch FROM link_epoch WHERE peer='$TOWN'")
eq "the county knows the township's epoch" "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT epoch FROM store_epoch")" "$cepoch"
old_cursor=$(cursor)
rm -f "$WORK/t/$TOWN.db" "$WORK/t/$TOWN.db-wal" "$WORK/t/$TOWN.db-shm"
# The new store starts deaf to the county: everything it sends is lost (the
# test hooks' fault injection), so the county, running all along, goes on
# retransmitting what it had queued for the old store with the old store's
# cursor as its ack.  Walk-ins at the new store, as many link seqs as that
# cursor (the old ack would cover them all), wait in its outbox meanwhile.
export TONGBAN_FAULT=seed=1,drop=1
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
unset TONGBAN_FAULT
ok "town is serving its new store" tb_wait_for 30 serving town 2
k=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证,住院发票原件,费用清单,出院小结,银行卡复印件)
more=()
for ((i = 1; i < old_cursor; i++)); do
    more+=("$(town register --client 赵六 --phone 13607961111 --item ZX001)")
done
for_old() { grep -q "sent (seq [0-9]*) to the store this one replaced" "$WORK/town.log"; }
ok "the new store drops what the county sends its old one" tb_wait_for 60 for_old
stop town
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "the new store's walk-in reaches the county" tb_wait_for 60 at_c "$k" prereview
for m in "${more[@]}"; do
    ok "... and $m too" tb_wait_for 30 at_c "$m" prereview
done
ok "the county logged the reset with both epochs" grep -Eq "township $TOWN has a new store \(epoch old [0-9a-f]{16} new [0-9a-f]{16}\)" "$WORK/county.log"
eq "the county knows the new epoch" "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT epoch FROM store_epoch")" \
    "$(tb_psql "$PGDIR" -c "SELECT epoch FROM link_epoch WHERE peer='$TOWN'")"
eq "... and keeps the old one as retired" "$cepoch" \
    "$(tb_psql "$PGDIR" -c "SELECT epoch FROM link_epoch_old WHERE peer='$TOWN'")"
# What the county queued for the old store reaches the new one, renumbered.
tcat() { [ "$(town items --json | jq .catalog_version)" = 1 ]; }
ok "the county's queued catalog version reaches the new store" tb_wait_for 60 tcat
# The county's later events reach the township.
ok "the window accepts the walk-in" town accept "$k"
ok "and forwards it" town forward "$k"
ok "the county holds it" tb_wait_for 30 at_c "$k" county
ok "the county decides it" county decide "$k" --grant
ok "the decision reaches the new store" tb_wait_for 30 at_t "$k" decided
drained() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM outbox WHERE peer='$TOWN'")" = 0 ]; }
ok "the new store acknowledged everything the county sent" tb_wait_for 30 drained
eq "nothing doubled at the county" 0 "$(doubled)"
eq "no event rejected" 0 "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE NOT folded")"
eq "nothing quarantined" 0 "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM quarantine")"
finish
