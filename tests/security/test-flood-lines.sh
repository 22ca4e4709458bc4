#!/usr/bin/env bash
# Issues 8 and 9: every log line a remote peer can cause is limited per peer
# (at most TB_RATELIMIT_LINES = 10 a minute, then one line saying how many
# were held back), so a flood of bad messages cannot flood the log.  A
# village's key sends its township 500 messages that are no envelope, another
# township's key sends the county 500; each daemon drops them all and logs 10
# lines about that peer, and carries on.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg

export TONGBAN_BROKER=ipc://$WORK/broker.sock
COUNTY=360826000000 TOWN=360826100000 VIL=360826100001 TOWN2=360826102000
ATTACK=(/usr/bin/python3 "$TB_SOURCE/tests/security/attacker.py")
town() { "$T" "$@" --place $TOWN --data-dir "$WORK/t" --agent 窗口李; }
county_has() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'" 2>/dev/null)" = 1 ]; }

start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
w=$(town register --client 周九 --phone 13207964444 --item GH001 --note 窗口)
ok "the township's walk-in reaches the county" tb_wait_for 30 county_has "$w"

eq "the village's key floods its township" "sent=500" \
    "$("${ATTACK[@]}" garbage "$TONGBAN_BROKER" "$TONGBAN_KEYS/$VIL" $VIL $TOWN:500)"
eq "another township's key floods the county" "sent=500" \
    "$("${ATTACK[@]}" garbage "$TONGBAN_BROKER" "$TONGBAN_KEYS/$TOWN2" $TOWN2 $COUNTY:500)"
last=$(town register --client 吴十 --phone 13307965555 --item GH001 --note 窗口)
ok "the township and the county carry on" tb_wait_for 30 county_has "$last"
eq "the township logged 10 drop lines about the village" 10 \
    "$(grep -c "dropped a message from $VIL" "$WORK/town.log")"
eq "the county logged 10 drop lines about the other township" 10 \
    "$(grep -c "dropped a message from $TOWN2" "$WORK/county.log")"
ok "each line names the peer and the rule" \
    grep -q "dropped a message from $VIL (2 frames): not an Envelope (does not decode)" "$WORK/town.log"
finish
