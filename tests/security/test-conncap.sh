#!/bin/bash
# The broker's connection cap (issue 8, Transport: "connections capped"):
# with TONGBAN_BROKER_MAX_CONN=4, four nodes holding valid keys are served;
# a fifth handshake is refused (it never gets an answer) and logged, without
# disturbing the four; once two of them go, a new connection is served again:
# the count follows connections that close.  (By default the cap is the
# open-file limit less 64: a flood of connections meets the cap, not a broker
# that can no longer open a file.)
source "$TB_SOURCE/tests/integration/lib.sh"
export TONGBAN_BROKER=ipc://$WORK/broker.sock
start broker env TONGBAN_BROKER_MAX_CONN=4 "$BROKER" serve
ok "the broker says its cap" tb_wait_for 10 grep -q "connections: at most 4" "$WORK/broker.log"
/usr/bin/python3 - "$TONGBAN_BROKER" "$TONGBAN_KEYS" >"$WORK/cap.out" 2>&1 <<'PY'
import os, sys, time, zmq
ep, kd = sys.argv[1:3]
ctx = zmq.Context()

def node(code):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.ROUTING_ID, (code + "/cap").encode())
    s.curve_serverkey = open(os.path.join(kd, "broker.pub"), "rb").read().strip()
    sec = open(os.path.join(kd, code + ".key"), "rb").read().strip()
    s.curve_secretkey, s.curve_publickey = sec, zmq.curve_public(sec)
    s.connect(ep)
    return s

def answered(s, secs=3.0):
    # A heartbeat to the broker is answered by the broker's own.
    s.send_multipart([b"000000000000", b"hb"], zmq.NOBLOCK)
    return bool(s.poll(int(secs * 1000)))

first = [node("36082610000%d" % i) for i in range(1, 5)]
print("four", all(answered(s) for s in first))
fifth = node("360826100005")
print("fifth", answered(fifth))
print("four-still", all(answered(s) for s in first))
for s in first[:2]:
    s.close()
time.sleep(1.5)
sixth = node("360826100006")
print("after-close", answered(sixth))
PY
cat "$WORK/cap.out" | sed 's/^/# /'
eq "four nodes are served" "four True" "$(grep '^four ' "$WORK/cap.out")"
eq "a fifth connection is refused at the handshake" "fifth False" "$(grep '^fifth' "$WORK/cap.out")"
eq "the four are still served" "four-still True" "$(grep '^four-still' "$WORK/cap.out")"
eq "once two went, a new connection is served" "after-close True" "$(grep '^after-close' "$WORK/cap.out")"
ok "the broker logged the refusal with the cap" grep -q "connection(s) refused: .* over the cap of 4" "$WORK/broker.log"
stop broker
ok "and counted it" grep -q "capped [1-9]" "$WORK/broker.log"
finish
