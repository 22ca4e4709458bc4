#!/bin/bash
# Who may connect, and as whom (issue 8, Transport), attacked with a standard
# pyzmq client: no key -> refused; a key nobody allowed -> refused; a valid
# key claiming another village's code -> refused, and the real village keeps
# its route; a revoked key stops at its next message without a broker
# restart, and comes back when allowed again; a malformed allow-list leaves
# the last good one in force.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg
export TONGBAN_BROKER=ipc://$WORK/broker.sock
ATTACK=(/usr/bin/python3 "$TB_SOURCE/tests/security/attacker.py")
COUNTY=360826000000
TOWN=360826100000
VIL=360826100001
VIL2=360826100002
start broker "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
start vil2 "$V" serve --place $VIL2 --data-dir "$WORK/v2"
# A command on a store its daemon is still creating may find it locked: wait.
serving() { grep -q "serving via" "$WORK/$1.log"; }
ok "vil is serving" tb_wait_for 30 serving vil
ok "vil2 is serving" tb_wait_for 30 serving vil2
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 刘代办; }
vil2() { "$V" "$@" --place $VIL2 --data-dir "$WORK/v2" --agent 陈代办; }
at_county() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'")" = 1 ]; }
reloads() { grep -c "allow-list .* reloaded" "$WORK/broker.log"; }

id1=$(vil log --client 李秀英 --phone 13807961234 --item LD001)
ok "over CURVE a village's case reaches the county" tb_wait_for 30 at_county "$id1"

# 1. No key, or a key the county never allowed: the handshake fails.
eq "plain text, no key, claiming the village: nothing comes back" "replies=0 others=0" \
    "$("${ATTACK[@]}" listen "$TONGBAN_BROKER" none $VIL 2)"
eq "a CURVE key not on the allow-list: nothing comes back" "replies=0 others=0" \
    "$("${ATTACK[@]}" listen "$TONGBAN_BROKER" random $VIL 2)"
ok "the broker logged the refused key" grep -q "refused a connection .*key not on the allow-list" "$WORK/broker.log"
out=$("${ATTACK[@]}" listen "$TONGBAN_BROKER" "$TONGBAN_KEYS/360826100003" 360826100003 2)
ok "an allowed key as its own place is answered: the attacker script works ($out)" \
    matches "$out" '^replies=[1-9][0-9]* others=0$'

# 2. The key of village 2 claiming village 1's code (bare, and with a suffix)
#    while village 1 works: the attacker gets nothing, not even the acks meant
#    for village 1, and village 1's new case still reaches the county.
"${ATTACK[@]}" listen "$TONGBAN_BROKER" "$TONGBAN_KEYS/$VIL2" $VIL 4 >"$WORK/claim.out" &
a1=$!
"${ATTACK[@]}" listen "$TONGBAN_BROKER" "$TONGBAN_KEYS/$VIL2" "$VIL/0123456789abcdef" 4 >"$WORK/claim2.out" &
a2=$!
sleep 0.5
id2=$(vil log --client 王建国 --phone 13979612345 --item LD001)
wait $a1 $a2
eq "village 2's key claiming village 1's code: refused" "replies=0 others=0" "$(cat "$WORK/claim.out")"
eq "... and with a suffix on the code: refused" "replies=0 others=0" "$(cat "$WORK/claim2.out")"
ok "the broker logged the false claim" grep -q "the key of $VIL2: its routing id claims \"$VIL" "$WORK/broker.log"
ok "the real village keeps its route: its new case reaches the county" tb_wait_for 30 at_county "$id2"
ok "the village never lost the broker" bash -c "! grep -q 'broker.*\(lost\|down\|unreachable\)' '$WORK/vil.log'"

# 3. Revoked: village 2 stops at its next message, without a broker restart.
n=$(reloads)
ok "the county revokes village 2's key" "$C" keys revoke $VIL2
reloaded() { [ "$(reloads)" -gt "$1" ]; }
ok "the broker re-reads the allow-list" tb_wait_for 10 reloaded "$n"
id3=$(vil2 log --client 张桂兰 --phone 13607961111 --item LD001)
sleep 4
not_at_county() { ! at_county "$1"; }
ok "a case logged after the revocation does not reach the county" not_at_county "$id3"
ok "the broker dropped the revoked key's messages" grep -q "$VIL2: its key .* is no longer on the allow-list" "$WORK/broker.log"
n=$(reloads)
ok "the county allows the key again" "$C" keys allow $VIL2 "$TONGBAN_KEYS/$VIL2.pub"
ok "the broker re-reads it" tb_wait_for 10 reloaded "$n"
ok "village 2's case arrives now, on the same connection" tb_wait_for 30 at_county "$id3"

# 4. A malformed allow-list: the broker keeps the last good one.
cp "$TONGBAN_KEYS/allow.list" "$WORK/good.list"
line=$(($(wc -l <"$TONGBAN_KEYS/allow.list") + 1))
printf '360826100001 not-a-key\n' >>"$TONGBAN_KEYS/allow.list"
ok "the broker names the malformed line and keeps the last good list" \
    tb_wait_for 10 grep -q "allow.list line $line: not a CURVE public key.*keeping the last good" "$WORK/broker.log"
id4=$(vil log --client 刘德明 --phone 15970612345 --item LD001)
ok "with the last good list, cases still flow" tb_wait_for 30 at_county "$id4"
cp "$WORK/good.list" "$TONGBAN_KEYS/allow.list"

eq "the broker ran throughout: one start" 1 "$(grep -c 'listening on' "$WORK/broker.log")"
for p in vil vil2 town county broker; do stop $p; done
finish
