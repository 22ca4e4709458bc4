#!/usr/bin/env bash
# A village's disk is full or its store is locked: `log` fails with a clear
# error and writes nothing; the daemon keeps running and syncs afterwards:
# the county, started once the errors are over, receives exactly what the
# village minted (the exact reconciliation of county.sh).
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/county.sh"
need_pg
VIL=${VILLAGES[0]}
: >"$WORK/ids"
count() { sq "$VIL" "SELECT count(*) FROM cases"; }
events() { sq "$VIL" "SELECT count(*) FROM events"; }

id=$(vlog "$VIL" 张三)
echo "$id" >>"$WORK/ids"
ok "a case is logged" matches "$id" "^$VIL-"
run broker
run "$VIL"
sleep 1

# 1. Locked: another program holds the write lock longer than the 5 s busy timeout.
mkfifo "$WORK/lockfifo"
sqlite3 "$WORK/$VIL/$VIL.db" <"$WORK/lockfifo" >/dev/null 2>&1 &
locker=$!
exec 7>"$WORK/lockfifo"
echo "BEGIN EXCLUSIVE; INSERT INTO counters VALUES('lock', 1);" >&7
sleep 0.5
before=$(events)
err=$(vlog "$VIL" 李四 2>&1 >/dev/null)
rc=$?
eq "log while locked exits non-zero" 1 $rc
ok "log while locked says so, in Chinese" contains "$err" "本地数据库正被其他程序占用"
err_en=$(LANG=en vlog "$VIL" 李四 2>&1 >/dev/null)
ok "and in English" contains "$err_en" "locked by another program"
echo "ROLLBACK;" >&7
exec 7>&-
wait $locker
eq "nothing half-written while locked" "$before" "$(events)"
ok "the village daemon survived the lock" alive "$VIL"

# 2. Disk full: the file size limit stands in for a full disk (SQLite sees EFBIG).
before=$(events)
cases_before=$(count)
err=$(trap '' XFSZ; ulimit -f 1; vlog "$VIL" 王五 2>&1 >/dev/null)
rc=$?
ok "log on a full disk exits non-zero" [ $rc -ne 0 ]
ok "log on a full disk says so" contains "$err" "磁盘已满"
eq "nothing half-written on a full disk" "$before" "$(events)"
eq "no case added on a full disk" "$cases_before" "$(count)"
ok "the store is intact" test "$(sq "$VIL" "PRAGMA integrity_check")" = ok

# 3. Afterwards everything works: a new case is logged and the old ones are still queued.
id2=$(vlog "$VIL" 赵六)
echo "$id2" >>"$WORK/ids"
ok "a case is logged after the errors" matches "$id2" "^$VIL-[0-9]{8}-0002$"
ok "the village daemon is still running" alive "$VIL"

# 4. It syncs: the rest of the county comes up and everything arrives, exactly.
for n in county "${TOWNS[@]}" "${VILLAGES[@]:1}"; do run "$n"; done
reconcile "$WORK/ids" 60
eq "the county has the village's two cases" 2 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE origin = '$VIL'")"
stop_all
finish
