#!/usr/bin/env bash
# A replaced village PC (issue 9), end to end with real processes and a real
# PostgreSQL: a village with cases (one accepted at the window, one on a
# catalog version the county distributed) loses its store; it starts on a new
# one (a new epoch: the township resets their link instead of jamming) and
# `tongban-village restore` gets everything back through the township.  The
# restored ledger equals the county's, new cases flow with new ids, and no
# event is doubled anywhere.
source "$(dirname "$0")/lib.sh"
need_pg

source "$(dirname "$0")/one-of-each.sh"
source "$(dirname "$0")/restore-order.sh"
# The village's cases at the county and in the village ledger: id, state, holder.
county_view() {
    tb_psql "$PGDIR" -c "SELECT case_id || ' ' || state || ' ' || holder FROM cases WHERE origin = '$VIL' ORDER BY case_id"
}
vil_view() { vil ledger --json | jq -r 'sort_by(.case_id) | .[] | "\(.case_id) \(.state) \(.holder)"'; }
# Every event of the village's cases, as the county and the village hold them.
county_events() {
    tb_psql "$PGDIR" -c "SELECT origin_node || '/' || origin_seq FROM case_events WHERE case_id LIKE '$VIL-%' ORDER BY 1"
}
vil_events() { sqlite3 "$WORK/v/$VIL.db" "SELECT origin_node || '/' || origin_seq FROM events ORDER BY 1"; }
doubled() { tb_psql "$PGDIR" -c "SELECT count(*) - count(DISTINCT (origin_node, origin_seq)) FROM case_events"; }

# The village's accounts (two versions of its list: a village takes only the
# next one, so the whole chain must come back).
PW='Zhang-San-Li-Si'
add() { printf '%s\n' "$PW" | county account add "$1" --name "$2" --role agent --scope $VIL >/dev/null; }
logins() { sqlite3 "$WORK/v/$VIL.db" "SELECT body FROM data_versions WHERE kind='accounts/$VIL' ORDER BY version DESC LIMIT 1" | tail -n +2 | cut -f1 | grep -v '^$' | sort | paste -sd' '; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
VP=$(free_port)
signin() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{\"login\":\"$1\",\"password\":\"$PW\"}" "http://127.0.0.1:$VP/api/login"; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --http 127.0.0.1:$VP

a=$(vil log --client 王五 --phone 13912345678 --item LD001 --materials 居民身份证,解除劳动合同证明)
c=$(vil log --client 赵六 --phone 13912340000 --item ZX001 --reply 已当场答复)
ok "case a reaches the county" tb_wait_for 30 at_c "$a" prereview
# (the county distributes accounts to the townships it has a link with)
ok "add a village agent" add zhang.agent 张代办
one_list() { [ "$(logins)" = "zhang.agent" ]; }
ok "the village has its account list" tb_wait_for 60 one_list
ok "add a second agent" add li.agent 李代办
both() { [ "$(logins)" = "li.agent zhang.agent" ]; }
ok "the village has its second list" tb_wait_for 60 both
eq "the agent signs in at the village" 200 "$(signin li.agent)"
# With lists in their stores, the village's and the window's commands sign in
# (common/tb_signin_cli.h): the agent, and window staff added for it.
VIL_LOGIN=li.agent VIL_PW=$(pwfile vil "$PW")
addw() { printf '%s\n' "$PW" | county account add wang.window --name 王窗口 --role window --scope $TOWN >/dev/null; }
ok "add window staff" addw
town_list() { sqlite3 "$WORK/t/$TOWN.db" "SELECT body FROM data_versions WHERE kind='accounts/$TOWN' ORDER BY version DESC LIMIT 1" | grep -q '^wang.window'; }
ok "the township has the window's account" tb_wait_for 60 town_list
TOWN_LOGIN=wang.window TOWN_PW=$(pwfile town "$PW")
# Catalog version 1 from the county (a new item), in force at the village.
cp "$TB_SOURCE/data/catalog.csv" "$WORK/catalog-v1.csv"
echo 'XX001,测试新增事项,township,promised,3,5,居民身份证:core;申请表:noncore' >>"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" county catalog import "$WORK/catalog-v1.csv"
vcat() { [ "$(vil items --json | jq .catalog_version)" = 1 ]; }
ok "the village is on catalog version 1" tb_wait_for 120 vcat

b=$(vil log --client 李秀英 --phone 13807961234 --item XX001 --materials 居民身份证)
ok "case b reaches the county" tb_wait_for 30 at_c "$b" prereview
ok "the window accepts b" town accept "$b"
ok "b accepted in the village" tb_wait_for 30 at_v "$b" accepted
ok "a note on a" vil note "$a" --reason 群众电话询问进度
notes() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE case_id='$a' AND type=17")" = 1 ]; }
ok "the note reaches the county" tb_wait_for 30 notes
synced() { [ "$(county_view)" = "$(vil_view)" ]; }
ok "the village sees what the county sees" tb_wait_for 30 synced
# Every store has its epoch, and its peers know it: the county's (in
# PostgreSQL) at the township, the township's at the village.
cepoch=$(tb_psql "$PGDIR" -c "SELECT epoch FROM store_epoch")
ok "the county has a store epoch" test -n "$cepoch" -a "$cepoch" != 0
eq "the township knows the county's epoch" "$cepoch" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT epoch FROM link_epoch WHERE peer='$COUNTY'")"
eq "the village knows the township's epoch" "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT epoch FROM store_epoch")" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT epoch FROM link_epoch WHERE peer='$TOWN'")"
high=$(sqlite3 "$WORK/v/$VIL.db" "SELECT value FROM counters WHERE name='event'")
# The village is down while the window accepts a: that step waits in the
# township's outbox to the village (its old store never acknowledged it).
# Then the township is away while the agent logs one more case: it never
# leaves the old PC.  Then the PC is replaced: the store is gone.
stop vil
ok "the window accepts a" town accept "$a"
ok "a accepted at the county" tb_wait_for 30 at_c "$a" accepted
pending=$(sqlite3 "$WORK/t/$TOWN.db" "SELECT count(*) FROM outbox WHERE peer='$VIL'")
ok "the township holds messages the old store never acknowledged ($pending)" test "$pending" -gt 0
before=$(county_view)
events_before=$(county_events)
stop town
e=$(vil log --client 周九 --phone 13912340002 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "case e is only on the old disk" test -n "$e"
rm -f "$WORK/v/$VIL.db" "$WORK/v/$VIL.db-wal" "$WORK/v/$VIL.db-shm"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v" --http 127.0.0.1:$VP
# The township's pending messages reach the new store before the agent asks.
reset_done() { grep -q "peer $VIL has a new store" "$WORK/town.log"; }
ok "the township resets the link (the new store acks nothing of the old)" tb_wait_for 60 reset_done
out=$(vil restore --wait 60 --json)
ok "restore answers" test -n "$out"
eq "restored: the cases" 3 "$(jq .cases <<<"$out")"
eq "restored: the origin_seq high-water mark" "$high" "$(jq .origin_seq <<<"$out")"
eq "restored: nothing lost" 0 "$(jq '.lost | length' <<<"$out")"
eq "the restored ledger equals the county's" "$before" "$(vil_view)"
eq "case e, never seen upstream, is not in it" "" "$(vstate "$e" state)"
ok "the report says what never left the old PC" contains "$(vil restore --wait 1)" "$high 之后登记而未送出的事项已丢失"
eq "the restored events are the county's" "$events_before" "$(vil_events)"
# The township's answer names each case's folded ids (its case_order): the
# restored village folds in the county's order from the first event.
restored_order "$WORK/v/$VIL.db" "$a" "$b" "$c"
eq "the village is on catalog version 1 again" 1 "$(vil items --json | jq .catalog_version)"
eq "the restored village has its account list (both versions)" "2 li.agent zhang.agent" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM data_versions WHERE kind='accounts/$VIL'") $(logins)"
eq "the agent signs in at the restored village" 200 "$(signin li.agent)"
ok "the township logged the reset with both epochs" grep -Eq "peer $VIL has a new store \(epoch old [0-9a-f]{16} new [0-9a-f]{16}\)" "$WORK/town.log"
ok "the village logged the restore" grep -q "store restored from the township: " "$WORK/vil.log"
eq "restore again: the same answer" "$out" "$(vil restore --wait 1 --json)"
# A store that holds cases of its own is not restored into.
vil2() { "$V" "$@" --place $VIL --data-dir "$WORK/v2" --agent 张代办; }
vil2 log --client 孙八 --phone 13912340001 --item ZX001 --reply 已答复 >/dev/null
v2probe() { sqlite3 "$WORK/v2/$VIL.db" "SELECT count(*) FROM outbox; SELECT count(*) FROM restore"; }
REFUSE_PROBE=v2probe refuse "restore into a store with cases is refused" 1 "错误：本台账已有办件" vil2 restore --wait 1

# The restored village continues where the county last saw it.
d=$(vil log --client 钱七 --phone 13507962222 --item LD001 --materials 居民身份证,解除劳动合同证明)
ok "a new case gets a new id" test "$d" != "$a" -a "$d" != "$b" -a "$d" != "$c"
ok "the new case reaches the county" tb_wait_for 30 at_c "$d" prereview
ok "a step on a restored case reaches the county" vil note "$a" --reason 恢复后补记
notes2() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE case_id='$a' AND type=17")" = 2 ]; }
ok "... and is stored there" tb_wait_for 30 notes2
eq "the new events continue after the high-water mark" 0 \
    "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE origin_node='$VIL' AND stored_at > now() - interval '1 hour' AND origin_seq <= $high AND case_id='$d'")"
ok "the window accepts the new case" town accept "$d"
ok "its status reaches the restored village" tb_wait_for 30 at_v "$d" accepted
eq "nothing doubled at the county" 0 "$(doubled)"
eq "the ledger equals the county's after new work" "$(county_view)" "$(vil_view)"
eq "the village's events are the county's" "$(county_events)" "$(vil_events)"
eq "no event rejected" 0 "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM case_events WHERE NOT folded")"
finish
