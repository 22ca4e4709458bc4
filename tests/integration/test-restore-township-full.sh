#!/usr/bin/env bash
# A replaced township PC restored from the county (issue 9, `tongban-township
# restore`), end to end with real processes and a real PostgreSQL.  The
# township has cases in several states (walk-ins, village cases forwarded to
# the county, decided, one with a card), two signed account lists and a
# catalog version; one of its event ids the county never stored (a gap).
# Its store is lost while its village is offline; the new store asks the
# county, which answers from PostgreSQL.  Then: the township's events and
# cases equal the county's for its subtree (by content digest), the lost id
# is reported exactly, new work flows both ways with new ids (no reuse
# refusal), the village reconnects and continues, nothing is doubled or
# quarantined, and a second request from the same store is refused with
# nothing queued.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
source "$(dirname "$0")/restore-order.sh"
county_logins "$DB" && COUNTY_LOGIN=cty.sup # the county signs in (county_signin.c)
psql_() { tb_psql "$PGDIR" -c "$1"; }
SUB="(left(case_id, 9) = left('$TOWN', 9) OR case_id IN (SELECT case_id FROM cases WHERE holder = '$TOWN'))"
# Every event of the township's subtree: id and SHA-256 of its bytes.
county_events() {
    psql_ "SELECT origin_node || '/' || origin_seq || ' ' || encode(digest, 'hex') FROM case_events WHERE $SUB ORDER BY 1"
}
town_events() {
    python3 - "$WORK/t/$TOWN.db" <<'EOF'
import hashlib, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT origin_node, origin_seq, body FROM events")
print("\n".join(sorted(f"{o}/{s} {hashlib.sha256(b).hexdigest()}" for o, s, b in rows)))
EOF
}
county_cases() { psql_ "SELECT case_id || ' ' || state || ' ' || holder FROM cases WHERE $SUB ORDER BY case_id"; }
town_cases() { town cases --json | jq -r 'sort_by(.case_id) | .[] | "\(.case_id) \(.state) \(.holder)"'; }
doubled() { psql_ "SELECT count(*) - count(DISTINCT (origin_node, origin_seq)) FROM case_events"; }
high() { psql_ "SELECT coalesce(max(origin_seq), 0) FROM case_events WHERE origin_node = '$TOWN'"; }

# The answer in chunks of 3 events (many batches), the county's outbox to
# the township spilled beyond 4 messages in memory.
export TONGBAN_COUNTY_RESTORE_CHUNK=3 TONGBAN_COUNTY_MAX_QUEUE=4
start_one_of_each

# A walk-in consultation first: the county distributes data to the
# townships it has a link with.
g=$(town register --client 孙八 --phone 13912340001 --item ZX001 --reply 已答复)
greached() { [ -n "$(cstate "$g" state)" ]; }
ok "g (walk-in consultation) at the county" tb_wait_for 30 greached
# Account lists for the township and its village (signed chains), a catalog
# version with a new item.
PW='Zhang-San-Li-Si'
add() { printf '%s\n' "$PW" | county account add "$1" --name "$2" --role "$3" --scope "$4" >/dev/null; }
ok "add window staff" add wang.window 王窗口 window $TOWN
ok "add a village agent" add zhang.agent 张代办 agent $VIL
# The township's newest version of each list.  How many versions there are
# depends on timing: the county snapshots between batches, so the two adds
# make one version of the township's list (which holds its villages'
# accounts too) or two.
town_lists() {
    sqlite3 "$WORK/t/$TOWN.db" "SELECT kind || ' ' || max(version) FROM data_versions
        WHERE kind IN ('accounts/$TOWN', 'accounts/$VIL') GROUP BY kind ORDER BY kind"
}
lists() { [ "$(town_lists | wc -l)" = 2 ]; }
ok "the township has both lists" tb_wait_for 60 lists
vlist() { [ "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM data_versions WHERE kind = 'accounts/$VIL'")" = 1 ]; }
ok "the village has its list" tb_wait_for 60 vlist
TOWN_LOGIN=wang.window TOWN_PW=$(pwfile town "$PW")
VIL_LOGIN=zhang.agent VIL_PW=$(pwfile vil "$PW")
cp "$TB_SOURCE/data/catalog.csv" "$WORK/catalog-v1.csv"
echo 'XX001,测试新增事项,township,promised,3,5,居民身份证:core;申请表:noncore' >>"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" county catalog import "$WORK/catalog-v1.csv"
tcat() { [ "$(town items --json | jq .catalog_version)" = 1 ]; }
ok "the township is on catalog version 1" tb_wait_for 60 tcat

# Cases in several states.
FULL_YB=居民身份证,住院发票原件,费用清单,出院小结,银行卡复印件
w1=$(town register --client 赵六 --phone 13607961111 --item YB003 --materials $FULL_YB)
ok "w1 (walk-in) accepted" town accept "$w1"
ok "w1 forwarded" town forward "$w1"
ok "w1 at the county" tb_wait_for 30 at_c "$w1" county
ok "the county decides w1" county decide "$w1" --grant
ok "w1 decided at the township" tb_wait_for 30 at_t "$w1" decided
w2=$(town register --client 钱七 --phone 13507962222 --item XX001 --materials 居民身份证)
ok "w2 (walk-in on catalog v1) accepted" town accept "$w2"
v1=$(vil log --client 王五 --phone 13912345678 --item YB003 --materials $FULL_YB)
ok "v1 (village) in pre-review at the township" tb_wait_for 30 at_t "$v1" prereview
ok "v1 accepted" town accept "$v1"
ok "v1 forwarded to the county" town forward "$v1"
ok "v1 at the county" tb_wait_for 30 at_c "$v1" county
v2=$(vil log --client 李秀英 --phone 13807961234 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "v2 in pre-review at the township" tb_wait_for 30 at_t "$v2" prereview
ok "v2 accepted" town accept "$v2"
ok "yellow cards from 5 working days before the deadline" county limits set yellow_days 5
card() { [ "$(psql_ "SELECT count(*) FROM case_events WHERE case_id = '$v2' AND type_name = 'card_raised'")" -ge 1 ]; }
ok "v2 has a card" tb_wait_for 30 card
c=$(vil log --client 周九 --phone 13912340002 --item ZX001 --reply 已当场答复)
reached() { [ -n "$(cstate "$c" state)" ]; }
ok "c (village consultation) at the county" tb_wait_for 30 reached
synced() { [ "$(county_cases)" = "$(town_cases)" ] && [ "$(county_events)" = "$(town_events)" ]; }
ok "the township sees what the county sees" tb_wait_for 30 synced
# The county never stored one of the township's ids: g's (its only event),
# as if it had been lost on the way (the county is stopped meanwhile, so
# its memory follows).  The restore reports it, exactly.
gseq=$(psql_ "SELECT origin_seq FROM case_events WHERE case_id = '$g'")
stop county
ok "forget g at the county" psql_ "DELETE FROM case_events WHERE case_id = '$g'; DELETE FROM cases WHERE case_id = '$g'"
start county "$C" serve --place $COUNTY --db "$DB"
# The village is offline; the township's PC dies; the county decides v1
# meanwhile: the decision waits in the county's outbox, reaches the new
# store before v1's history and is taken again in the answer's order.
stop vil
stop town
ok "the county decides v1" county decide "$v1" --grant
queued() { [ "$(psql_ "SELECT count(*) FROM outbox WHERE peer = '$TOWN'")" -ge 1 ]; }
ok "the decision waits for the township" tb_wait_for 30 queued
# ... and so does catalog version 2: the new store gets it before the
# answer's chain from version 1 (taken from the answer, not refused).
cp "$WORK/catalog-v1.csv" "$WORK/catalog-v2.csv"
echo 'XX002,测试新增事项二,township,promised,3,5,居民身份证:core' >>"$WORK/catalog-v2.csv"
ok "the county imports catalog version 2" county catalog import "$WORK/catalog-v2.csv"
v2queued() { [ "$(psql_ "SELECT version FROM data_sent WHERE peer = '$TOWN' AND kind = 'catalog'")" = 2 ]; }
ok "catalog version 2 waits for the township" tb_wait_for 30 v2queued
hwm=$(high)
# The county's newest snapshot of each list: what the restored store must hold.
lists_before=$(psql_ "SELECT 'accounts/' || scope || ' ' || max(version) FROM account_snapshots
    WHERE scope IN ('$TOWN', '$VIL') GROUP BY scope ORDER BY scope")
events_before=$(county_events)
cases_before=$(county_cases)
rm -f "$WORK/t/$TOWN.db" "$WORK/t/$TOWN.db-wal" "$WORK/t/$TOWN.db-shm"

# The new PC: restore asked before serve (the window can do nothing until
# the answer is in), then serve.  The county is down at first: the village
# reconnects and submits a case while the restore is pending, and the
# township confirms it only once the answer says where its ids continue.
unset TOWN_LOGIN TOWN_PW
refuse "restore queues the request and says to start serve" 1 "请启动 tongban-township serve" town restore --wait 1
tprobe() { sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events; SELECT count(*) FROM outbox"; }
REFUSE_PROBE=tprobe refuse "no walk-in before the answer" 1 "正在从县里恢复" \
    town register --client 吴十 --phone 13607963333 --item YB003 --materials $FULL_YB
stop county
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
d0=$(vil log --client 冯十二 --phone 13912340004 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "d0 reaches the restoring township" tb_wait_for 30 at_t "$d0" submitted
eq "... which mints no id of its own" 0 "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM events WHERE origin_node = '$TOWN'")"
start county "$C" serve --place $COUNTY --db "$DB"
out=$(town restore --wait 120 --json)
ok "restore answers" test -n "$out"
eq "restored: the origin_seq high-water mark" "$hwm" "$(jq .origin_seq <<<"$out")"
eq "restored: the lost id, exactly" "[$gseq]" "$(jq -c .lost <<<"$out")"
# (d0 reached the county before the answer's last chunk: one case more)
eq "restored: the cases" "$(($(wc -l <<<"$cases_before") + 1))" "$(jq .cases <<<"$out")"
ok "restored: every event the county had (and d0's)" test "$(jq .events <<<"$out")" -gt "$(wc -l <<<"$events_before")"
eq "every event the county had is back (by digest)" "" "$(comm -23 <(echo "$events_before") <(town_events))"
ok "the township's events and cases are the county's" tb_wait_for 30 synced
# The county's answer names each case's folded ids (case_events in id
# order): the restored township folds in the county's order from the first event.
restored_order "$WORK/t/$TOWN.db" "$w1" "$w2" "$v1" "$v2"
eq "v1's decision reached the new store" decided "$(tstate "$v1" state)"
eq "v2's card is in the township's inbox" yellow "$(town inbox --json | jq -r --arg c "$v2" '.[] | select(.case_id==$c) | .county_card')"
eq "the township is on catalog version 2" 2 "$(town items --json | jq .catalog_version)"
eq "both account lists are back, each at the county's newest version" "$lists_before" "$(town_lists)"
eq "... and two lists they are" 2 "$(town_lists | wc -l)"
ok "the county logged the answer" grep -q "township $TOWN's lost store answered (queued): " "$WORK/county.log"
ok "the township logged the restore" grep -q "store restored from the county: " "$WORK/town.log"
ok "the report names the lost id" contains "$(town restore --wait 1)" "$gseq"

# New work: a walk-in continues after the high-water mark and reaches the
# county exactly once; the window signs in with the restored list.
TOWN_LOGIN=wang.window TOWN_PW=$(pwfile town2 "$PW")
k=$(town register --client 吴十 --phone 13607963333 --item YB003 --materials $FULL_YB)
ok "the new walk-in reaches the county" tb_wait_for 30 at_c "$k" prereview
eq "its id continues after the high-water mark" 1 \
    "$(psql_ "SELECT count(*) FROM case_events WHERE case_id = '$k' AND origin_node = '$TOWN' AND origin_seq > $hwm")"
ok "the window accepts k" town accept "$k"
ok "and forwards it" town forward "$k"
ok "k at the county" tb_wait_for 30 at_c "$k" county
ok "the county decides k" county decide "$k" --grant
ok "the decision reaches the township" tb_wait_for 30 at_t "$k" decided
# The village (reconnected: the township's new epoch reset their link) continues.
ok "d0 confirmed after the answer" tb_wait_for 30 at_c "$d0" prereview
eq "... by a RECEIVED after the high-water mark" 1 \
    "$(psql_ "SELECT count(*) FROM case_events WHERE case_id = '$d0' AND type_name = 'received' AND origin_node = '$TOWN' AND origin_seq > $hwm")"
ok "d0 in pre-review at the village" tb_wait_for 30 at_v "$d0" prereview
ok "the restored township tells the village of v1's decision" tb_wait_for 60 at_v "$v1" decided
d=$(vil log --client 郑十一 --phone 13912340003 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "the village's new case reaches the township" tb_wait_for 30 at_t "$d" prereview
ok "... and the county" tb_wait_for 30 at_c "$d" prereview
ok "the window accepts it" town accept "$d"
ok "its status reaches the village" tb_wait_for 30 at_v "$d" accepted
ok "a step on a restored village case reaches the county" vil note "$v2" --reason 恢复后补记
notes() { [ "$(psql_ "SELECT count(*) FROM case_events WHERE case_id = '$v2' AND type_name = 'note'")" = 1 ]; }
ok "... and is stored there once" tb_wait_for 30 notes
ok "the township and the county agree after new work" tb_wait_for 30 synced
eq "nothing doubled at the county" 0 "$(doubled)"
eq "no event rejected" 0 "$(psql_ "SELECT count(*) FROM case_events WHERE NOT folded")"
eq "no id refused as reused" 0 "$(psql_ "SELECT count(*) FROM counters WHERE name LIKE 'refused %'")"
eq "nothing quarantined at the county" 0 "$(psql_ "SELECT count(*) FROM quarantine")"
eq "nothing quarantined at the township" 0 "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM quarantine")"
eq "nothing quarantined at the village" 0 "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM quarantine")"

# The same store asks again (its request put in its outbox by hand: the
# command asks once per store): refused, counted, nothing queued.
drained() { [ "$(psql_ "SELECT count(*) FROM outbox WHERE peer = '$TOWN'")" = 0 ]; }
ok "the county's outbox to the township is drained" tb_wait_for 30 drained
stop vil
stop town
last=$(psql_ "SELECT last FROM link_out WHERE peer = '$TOWN'")
req=$(printf '220e0a0c%s' "$(printf '%s' $TOWN | xxd -p)")
ok "a second request in the township's outbox" sqlite3 "$WORK/t/$TOWN.db" \
    "INSERT INTO outbox(peer, seq, body) SELECT '$COUNTY', last + 1, x'$req' FROM link_out WHERE peer = '$COUNTY'; UPDATE link_out SET last = last + 1 WHERE peer = '$COUNTY'"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
refused() { [ "$(psql_ "SELECT count(*) FROM quarantine WHERE peer = '$TOWN' AND why LIKE 'restore asked again%'")" = 1 ]; }
ok "the second request is refused" tb_wait_for 30 refused
sent() { [ "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM outbox WHERE peer = '$COUNTY'")" = 0 ]; }
ok "... once the township sent it" tb_wait_for 30 sent
eq "... counted" 1 "$(psql_ "SELECT value FROM counters WHERE name = 'refused $TOWN'")"
eq "... and nothing queued" "$last" "$(psql_ "SELECT last FROM link_out WHERE peer = '$TOWN'")"
eq "one restore answered for the store" 1 "$(psql_ "SELECT count(*) FROM township_restores WHERE peer = '$TOWN' AND answered_at IS NOT NULL")"
finish
