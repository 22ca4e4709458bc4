#!/usr/bin/env bash
# One order (issue 9), end to end with real processes and a real PostgreSQL:
# a village's step and a county's step on one case cross, and so do a
# township's own step on a walk-in and the county's.  Each edge logs its own
# step first (it is offline while the county's step is made); the county
# applies its own first.  Once the county's confirmation (StatusUpdate.folded)
# has come down, every tier's fold of each case is the county's byte for
# byte: the SHA-256 of cases.fold in the village's and the township's SQLite
# and in the county's PostgreSQL are equal.  Every tier also records, for
# each event, the catalog version it was checked under (here version 1,
# imported by the county before the cases were logged).
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
at_tc() { at_t "$1" "$2" && at_c "$1" "$2"; }
sfold() { sqlite3 "$1" "SELECT lower(hex(fold)) FROM cases WHERE case_id='$2'" | xxd -r -p | sha256sum | cut -c1-64; }
vfold() { sfold "$WORK/v/$VIL.db" "$1"; }
tfold() { sfold "$WORK/t/$TOWN.db" "$1"; }
cfold() { tb_psql "$PGDIR" -c "SELECT encode(sha256(fold), 'hex') FROM cases WHERE case_id='$1'"; }
cversion() { tb_psql "$PGDIR" -c "SELECT version FROM cases WHERE case_id='$1'"; }
sversion() { sqlite3 "$1" "SELECT version FROM cases WHERE case_id='$2'"; }
# The county's version of the case reached the store's fold and its confirmation.
caught_up() { [ "$(sversion "$1" "$2")" = "$(cversion "$2")" ] &&
    [ "$(sqlite3 "$1" "SELECT county_version FROM cases WHERE case_id='$2'")" = "$(cversion "$2")" ]; }

start_one_of_each

# Catalog version 1 in force everywhere before the cases below are logged
# (the county sends versions to the townships it has a link with: a
# consultation makes it).
z=$(vil log --client 赵六 --phone 13912340000 --item ZX001 --reply 已当场答复)
reached() { [ -n "$(cstate "$z" state)" ]; }
ok "a consultation reaches the county" tb_wait_for 30 reached
cp "$TB_SOURCE/data/catalog.csv" "$WORK/catalog-v1.csv"
echo 'XX001,测试新增事项,township,promised,3,5,居民身份证:core;申请表:noncore' >>"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" county catalog import "$WORK/catalog-v1.csv"
vcat() { [ "$(vil items --json | jq .catalog_version)" = 1 ]; }
ok "catalog version 1 reaches the village" tb_wait_for 60 vcat

# 1. A village's case at the county.
c=$(vil log --client 王五 --phone 13912345678 --item YB003 --materials 居民身份证,住院发票原件,费用清单,出院小结)
ok "village case: in pre-review" tb_wait_for 30 at_tc "$c" prereview
ok "village case: the township accepts" town accept "$c"
ok "village case: the township forwards it" town forward "$c"
ok "village case: at the county" tb_wait_for 30 at_c "$c" county
atv() { [ "$(vstate "$c" state)" = county ]; }
ok "village case: the village sees it at the county" tb_wait_for 30 atv

# The village PC is off: the agent withdraws the case (the resident asked),
# while county staff suspend it for a site survey.
stop vil
ok "village case: the agent withdraws it offline" vil withdraw "$c" --reason 群众不再申请
eq "village case: the village folded its own step" withdrawn "$(vstate "$c" state)"
ok "village case: the county suspends it" county suspend "$c" --basis survey
ok "village case: suspended at the township" tb_wait_for 30 at_t "$c" suspended
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
ok "village case: the county applied the withdrawal after its suspension" tb_wait_for 30 at_c "$c" withdrawn
eq "village case: the county's order" "logged submitted received accepted forwarded received suspended withdrawn" \
    "$(tb_psql "$PGDIR" -c "SELECT string_agg(type_name, ' ' ORDER BY id) FROM case_events WHERE case_id='$c' AND folded")"
ok "village case: the village has the county's confirmation" tb_wait_for 30 caught_up "$WORK/v/$VIL.db" "$c"
ok "village case: the township has it" tb_wait_for 30 caught_up "$WORK/t/$TOWN.db" "$c"
eq "village case: the village's fold is the county's" "$(cfold "$c")" "$(vfold "$c")"
eq "village case: the township's fold is the county's" "$(cfold "$c")" "$(tfold "$c")"
eq "village case: the suspension folds at the village" 1 \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT folded FROM events WHERE case_id='$c' AND type=11")"

# 2. A walk-in at the township, crossing the county the same way.
k=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials 居民身份证,住院发票原件,费用清单,出院小结,银行卡复印件)
ok "walk-in: in pre-review" tb_wait_for 30 at_tc "$k" prereview
ok "walk-in: accepted" town accept "$k"
ok "walk-in: forwarded" town forward "$k"
ok "walk-in: at the county" tb_wait_for 30 at_tc "$k" county
stop town
ok "walk-in: the window withdraws it offline" town withdraw "$k" --reason 群众不再申请
ok "walk-in: the county suspends it" county suspend "$k" --basis hearing
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
ok "walk-in: the county applied the withdrawal after its suspension" tb_wait_for 30 at_c "$k" withdrawn
ok "walk-in: the township has the county's confirmation" tb_wait_for 30 caught_up "$WORK/t/$TOWN.db" "$k"
eq "walk-in: the township's fold is the county's" "$(cfold "$k")" "$(tfold "$k")"

# Each stored event keeps the catalog version it was checked under.
eq "the county checked every event under catalog version 1" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE case_id IN ('$c', '$k') AND catalog_version <> 1")"
eq "the village recorded every event under catalog version 1" 0 \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM events WHERE case_id='$c' AND catalog_version <> 1")"
eq "the township recorded every event under catalog version 1" 0 \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE case_id IN ('$c', '$k') AND catalog_version <> 1")"
finish
