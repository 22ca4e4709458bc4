#!/bin/bash
# Hostile peers holding a valid key (issue 8, Transport: "the broker survives
# hostile authenticated peers"): a message of too many frames gets its peer
# banned; a flood is rate-limited; a multipart message that never ends (sent
# by rawcurve.py, which frames the wire itself as libzmq will not) makes the
# broker exit at its memory limit, and the supervisor restarts it: its memory
# stays bounded and the honest county loses nothing.
source "$TB_SOURCE/tests/integration/lib.sh"
need_pg
export TONGBAN_BROKER=ipc://$WORK/broker.sock
ATTACK=(/usr/bin/python3 "$TB_SOURCE/tests/security/attacker.py")
COUNTY=360826000000
TOWN=360826100000
VIL=360826100001
LIMIT_MB=500 # (an ASan broker holds up to 256 MB of freed memory in its quarantine)
start broker env TONGBAN_BROKER_MAX_RSS_MB=$LIMIT_MB TONGBAN_BROKER_RATE=500 \
    "$TB_SOURCE/deploy/supervise.sh" "$BROKER" serve
start county "$C" serve --place $COUNTY --db "$DB"
start town "$T" serve --place $TOWN --data-dir "$WORK/t"
start vil "$V" serve --place $VIL --data-dir "$WORK/v"
# A command on a store its daemon is still creating may find it locked: wait.
serving() { grep -q "serving via" "$WORK/$1.log"; }
ok "vil is serving" tb_wait_for 30 serving vil
vil() { "$V" "$@" --place $VIL --data-dir "$WORK/v" --agent 刘代办; }
at_county() { [ "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM cases WHERE case_id='$1'")" = 1 ]; }
id1=$(vil log --client 李秀英 --phone 13807961234 --item LD001)
ok "a case reaches the county through the supervised broker" tb_wait_for 30 at_county "$id1"

# 1. Frames per message: 4 frames is dropped (the peer goes on); more than 16
#    gets the peer banned for 10 s.
out=$("${ATTACK[@]}" frames "$TONGBAN_BROKER" "$TONGBAN_KEYS/360826100003" 360826100003 4)
ok "a 4-frame message is dropped, its peer still served ($out)" matches "$out" '^replies=[1-9]'
eq "a 40-frame message: the peer is dropped (no more answers)" "replies=0" \
    "$("${ATTACK[@]}" frames "$TONGBAN_BROKER" "$TONGBAN_KEYS/360826100004" 360826100004 40)"
ok "the broker logged the ban" grep -q "node 360826100004 sent 40 frames in one message: banned" "$WORK/broker.log"

# 2. Rate limit: heartbeats as fast as a peer can send for 2 s, at 500/s allowed.
/usr/bin/python3 - "$TONGBAN_BROKER" "$TONGBAN_KEYS" >"$WORK/flood.out" <<'PY'
import os, sys, time, zmq
ep, kd = sys.argv[1:3]
s = zmq.Context().socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.ROUTING_ID, b"360826100005")
s.curve_serverkey = open(os.path.join(kd, "broker.pub"), "rb").read().strip()
sec = open(os.path.join(kd, "360826100005.key"), "rb").read().strip()
s.curve_secretkey, s.curve_publickey = sec, zmq.curve_public(sec)
s.connect(ep)
sent = got = 0
t0 = time.time()
last = t0
end = t0 + 2
while time.time() < end:
    try:
        s.send_multipart([b"000000000000", b"hb"], zmq.NOBLOCK)
        sent += 1
    except zmq.Again:
        pass
    while s.poll(0):
        s.recv_multipart()
        got += 1
        last = time.time()
# The broker may still be working through the queue: read until it is quiet.
while s.poll(1000):
    s.recv_multipart()
    got += 1
    last = time.time()
# At most the burst plus the rate for as long as the broker was answering.
print(sent, got, int(1000 + 500 * (last - t0) + 50))
PY
read -r sent got most <"$WORK/flood.out"
ok "a flood is cut to the rate limit: $got answers to $sent heartbeats sent in 2 s (500/s, burst 1000: at most $most)" \
    test "$sent" -gt 3000 -a "$got" -le "$most"
ok "the broker logged the limit" grep -q "node 360826100005 over its rate limit" "$WORK/broker.log"

# 3. A message that never ends, while the village logs a case (sent for up to
#    60 s: it stops when the broker cuts it off, well before on an idle machine).
peak=0
sample() { local p r; for p in $(pgrep -P "$PID_broker"); do r=$(ps -o rss= -p "$p" 2>/dev/null || echo 0); r=$((${r:-0} / 1024)); [ "$r" -gt "$peak" ] && peak=$r; done; }
/usr/bin/python3 "$TB_SOURCE/tests/security/rawcurve.py" bomb "$TONGBAN_BROKER" "$TONGBAN_KEYS" \
    360826100006 360826100006 60 >"$WORK/bomb.out" 2>&1 &
bomb=$!
id2=$(vil log --client 王建国 --phone 13979612345 --item LD001)
while kill -0 $bomb 2>/dev/null; do sample; sleep 0.05; done
wait $bomb
echo "# bomb: $(cat "$WORK/bomb.out"); broker peak RSS $peak MB"
ok "the bomb got through the handshake and was cut off ($(cat "$WORK/bomb.out"))" \
    grep -q "handshake=ok reply=yes .* dropped=yes" "$WORK/bomb.out"
ok "the broker's memory stayed bounded: peak $peak MB (limit $LIMIT_MB MB)" test "$peak" -lt $((LIMIT_MB + 150))
ok "the broker exited at its limit" tb_wait_for 10 grep -q "over the limit of $LIMIT_MB MB" "$WORK/broker.log"
ok "the supervisor restarted it" tb_wait_for 10 grep -q "supervise: .* exited with status 75; restarting" "$WORK/broker.log"
# ... and the new broker is up (a SIGTERM before its handler is set would
# end it by the default action, status 143, as the stop below once did).
listening_again() { [ "$(grep -c "listening on" "$WORK/broker.log")" -ge 2 ]; }
ok "the restarted broker listens" tb_wait_for 30 listening_again
ok "the case logged during the attack reaches the county" tb_wait_for 30 at_county "$id2"
eq "and exactly once" 0 "$(tb_psql "$PGDIR" -c "SELECT count(*) FROM (SELECT 1 FROM case_events GROUP BY origin_node, origin_seq HAVING count(*) > 1) d")"

for p in vil town county broker; do stop $p; done
finish
