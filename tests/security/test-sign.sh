#!/usr/bin/env bash
# Issue 8, signed data versions: a catalog version is taken only with the
# county's Ed25519 signature (county.sign, its public half pinned by every
# node).  A township (here: forged items in a stopped township's outbox, which
# the real daemons carry over CURVE) hands its village a well-formed version
# N+1 three ways: unsigned, with a garbage signature, and signed with a key of
# its own; the village keeps N, counts and logs each.  The county's real N+1
# then reaches the village through the township, its bytes unchanged.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张三; }
county() { "$C" "$@" --place $COUNTY --db "$DB"; }

ok "the county's signing key is 0600" test "$(stat -c %a "$TONGBAN_KEYS/county.sign")" = 600
refuse "signkey never overwrites the key" 1 "county.sign" "$C" signkey --keys "$TONGBAN_KEYS"
vil log --client 王五 --phone 13900139000 --item YB003 --note 住院 >/dev/null

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

# N = 1: the county's own version, signed, relayed by the township.
grep -v '^HJ001,' "$TB_SOURCE/data/catalog.csv" >"$WORK/catalog-v1.csv"
ok "the county imports catalog version 1" contains "$(county catalog import "$WORK/catalog-v1.csv")" "已导入事项目录第 1 版"
vcat() { [ "$(vil items --json | jq .catalog_version)" = "$1" ]; }
ok "the village is on catalog version 1" tb_wait_for 60 vcat 1
eq "the township and the village hold the same version 1" \
    "$(sqlite3 "$WORK/t/$TOWN.db" "SELECT hex(body) FROM data_versions WHERE version=1")" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT hex(body) FROM data_versions WHERE version=1")"

# Three forged versions 2 from the township: YB003 gone from each.
stop town
grep -v '^YB003,' "$WORK/catalog-v1.csv" >"$WORK/forged.csv"
"$C" signkey --keys "$WORK/evil" >/dev/null 2>&1
ok "forge: version 2 unsigned" "$TB_FORGE" "$WORK/t" $TOWN $VIL data catalog 2 "$WORK/forged.csv"
ok "forge: version 2 with a garbage signature" "$TB_FORGE" "$WORK/t" $TOWN $VIL data catalog 2 "$WORK/forged.csv" garbage
ok "forge: version 2 signed with the township's own key" "$TB_FORGE" "$WORK/t" $TOWN $VIL data catalog 2 "$WORK/forged.csv" "key=$WORK/evil"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
refused() { [ "$(sqlite3 "$WORK/v/$VIL.db" "SELECT value FROM counters WHERE name='refused $TOWN'")" = "$1" ]; }
ok "the village refused and counted all three against its township" tb_wait_for 60 refused 3
ok "the village keeps catalog version 1" vcat 1
eq "the village stored no version 2" 0 "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM data_versions WHERE version > 1")"
eq "YB003 is still offered at the village" 1 "$(vil items --json | jq '[.items[] | select(.code == "YB003")] | length')"
eq "the village kept the three aside" 3 "$(sqlite3 "$WORK/v/$VIL.db" "SELECT count(*) FROM quarantine WHERE peer='$TOWN'")"
ok "the village logged the refusal naming the township and the version" \
    grep -q "from $TOWN.*catalog version 2 without a valid county signature" "$WORK/vil.log"

# The county's real version 2 still arrives.
sed 's/住院/住院治疗/' "$WORK/catalog-v1.csv" >"$WORK/catalog-v2.csv"
ok "the county imports catalog version 2" contains "$(county catalog import "$WORK/catalog-v2.csv")" "已导入事项目录第 2 版"
ok "the village is on the county's version 2" tb_wait_for 60 vcat 2
hexsum() { tr -d ' \n' | tr a-f A-F | sha256sum; }
eq "the village's version 2 is the county's file" "$(od -An -tx1 -v "$WORK/catalog-v2.csv" | hexsum)" \
    "$(sqlite3 "$WORK/v/$VIL.db" "SELECT hex(body) FROM data_versions WHERE version=2" | hexsum)"
finish
