#!/usr/bin/env bash
# Issue 8, personal data: a full integration run (village, township, county,
# broker, PostgreSQL) with phones in every case and a resident ID number and
# a phone inside free text.  Afterwards no log of any process, and no listing
# or export of any tier (table, --json), holds a full phone or ID number:
# they show as 138****1234 and 360826********1234.  The full number shows in
# one place only, the one-case view (show), where the role check goes once
# accounts exist.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 张代办; }
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county_logins "$DB" || { echo "Bail out! cannot add the county staff accounts"; exit 1; }
county() { "$C" "$@" --place $COUNTY --db "$DB" --login cty.sup; } # signs in (county_logins)
cstate() { county cases --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
vstate() { vil ledger --json | jq -r ".[] | select(.case_id==\"$1\") | .$2"; }
at_all() {
    [ "$(vstate "$1" state)" = "$2" ] &&
        [ "$(town cases --json | jq -r ".[] | select(.case_id==\"$1\") | .state")" = "$2" ] &&
        [ "$(cstate "$1" state)" = "$2" ]
}

P1=13807961234 P2=13007966666 P3=13207964444 P4=15970612345 ID=360826199001011234
FULL="$P1|$P2|$P3|$P4|$ID"

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"

# An immediate township item, decided at the township, delivered and rated.
a=$(vil log --client 李秀英 --phone $P1 --item YB001 --materials 居民身份证,户口簿 \
    --note "身份证号 $ID，回电 $P4")
ok "immediate: in pre-review everywhere" tb_wait_for 30 at_all "$a" prereview
ok "immediate: accepted" town accept "$a"
ok "immediate: decided" town decide "$a" --grant
ok "immediate: result at the village" tb_wait_for 30 at_all "$a" result
ok "immediate: delivered" vil deliver "$a"
ok "immediate: rated, with a phone in the comment" vil rate "$a" --rating 5 --comment "请回电 $P4"
# A county item, decided at the county.
h=$(vil log --client 郑一 --phone $P2 --item SJ001 --materials 经营者居民身份证,经营场所证明,个体工商户登记申请书)
ok "county item: in pre-review everywhere" tb_wait_for 30 at_all "$h" prereview
ok "county item: accepted" town accept "$h"
ok "county item: forwarded" town forward "$h"
ok "county item: at the county" tb_wait_for 30 at_all "$h" county
ok "county item: decided by the county" county decide "$h" --grant
ok "county item: result issued" county result "$h"
ok "county item: result at the village" tb_wait_for 30 at_all "$h" result
# A walk-in at the township, and a refused step (its message goes to a log too).
f=$(town register --client 周九 --phone $P3 --item GH001 --materials 居民身份证,户口簿,宅基地申请表,村民会议意见)
ok "walk-in: registered" matches "$f" "^${TOWN}-"
walkin_at_county() { [ "$(cstate "$f" state)" = prereview ]; }
ok "walk-in: at the county" tb_wait_for 30 walkin_at_county
town decide "$a" --grant >>"$WORK/refused.log" 2>&1

# Every listing and export of every tier, kept as logs of this run.
for fmt in "" --json; do
    vil ledger $fmt >>"$WORK/listing-village.log" 2>&1
    town inbox $fmt >>"$WORK/listing-township.log" 2>&1
    town cases $fmt >>"$WORK/listing-township.log" 2>&1
    county cases $fmt >>"$WORK/listing-county.log" 2>&1
    for id in "$a" "$h" "$f"; do
        town show "$id" $fmt >>"$WORK/listing-township.log" 2>&1
        county show "$id" $fmt >>"$WORK/listing-county.log" 2>&1
    done
done
ok "the village ledger lists the cases" grep -q "$h" "$WORK/listing-village.log"
ok "the ledger shows the phone masked" grep -q "138\*\*\*\*1234" "$WORK/listing-village.log"
ok "the ledger shows the ID in the note masked" grep -q "360826\*\*\*\*\*\*\*\*1234" "$WORK/listing-village.log"
ok "the ledger shows the phone in the note masked" grep -q "159\*\*\*\*2345" "$WORK/listing-village.log"
ok "the township lists them masked" grep -q "130\*\*\*\*6666" "$WORK/listing-township.log"
ok "the county lists them masked" grep -q "132\*\*\*\*4444" "$WORK/listing-county.log"

stop vil
stop town
stop county
stop broker
# Every log of the run: each daemon's, PostgreSQL's, the refused command's and
# the listings'.  None may hold a full phone or ID number.
logs=$(find "$WORK" -name '*.log' | sort)
eq "the run left its logs (4 daemons, PostgreSQL and initdb, 3 listings, 1 refusal)" 10 "$(wc -l <<<"$logs")"
full_numbers() { grep -HnE "$FULL" $logs; }
ok "no full phone or ID number in any log" bash -c "! grep -qE '$FULL' $(echo $logs)"
full_numbers | head -5 | sed 's/^/# /'

# The one place the full numbers show: one case at a time.
ok "show: the full phone" contains "$(vil show "$a")" "$P1"
ok "show: the full ID number in the note" contains "$(vil show "$a" --json | jq -r .note)" "$ID"
finish
