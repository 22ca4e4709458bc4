#!/usr/bin/python3
"""A hostile client, as a PC on the county network would run it: a standard
pyzmq DEALER against the broker.  Prints one line of facts; the test decides.

  attacker.py listen  ENDPOINT KEY ID SECONDS   heartbeat the broker as ID every 200 ms;
                                                print "replies=N others=M" (M: anything
                                                not from the broker, i.e. traffic for ID)
  attacker.py frames  ENDPOINT KEY ID N         one message of N frames, then heartbeats
                                                for 1.5 s; print "replies=N"
  attacker.py bomb    ENDPOINT KEY ID SECONDS   one multipart message that never ends
                                                (64 KiB frames, as fast as it goes)
  attacker.py churn   ENDPOINT KEY ID SECONDS   connect, heartbeat, disconnect, again and
                                                again on one routing id; print "rounds=N"
  attacker.py garbage ENDPOINT KEY ID DEST:N    N messages to DEST whose body is no
                                                Envelope; print "sent=N"

KEY is "none" (plain text, no CURVE), "random" (a CURVE key nobody allowed),
or DIR/NAME: the key pair DIR/NAME.key, pinning DIR/broker.pub."""
import os, sys, time
import zmq

BROKER = b"000000000000"


def sock(ctx, endpoint, key, ident):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.ROUTING_ID, ident.encode())
    if key != "none":
        kd = os.environ["TONGBAN_KEYS"] if key == "random" else os.path.dirname(key)
        with open(os.path.join(kd, "broker.pub"), "rb") as f:
            s.curve_serverkey = f.read().strip()
        if key == "random":
            pub, sec = zmq.curve_keypair()
        else:
            with open(key + ".key", "rb") as f:
                sec = f.read().strip()
            pub = zmq.curve_public(sec)
        s.curve_publickey, s.curve_secretkey = pub, sec
    s.connect(endpoint)
    return s


def count(s, seconds, beat):
    replies = others = 0
    end = time.time() + seconds
    nextbeat = 0
    while time.time() < end:
        if beat and time.time() >= nextbeat:
            try:
                s.send_multipart([BROKER, b"hb"], flags=zmq.NOBLOCK)
            except zmq.Again:
                pass
            nextbeat = time.time() + 0.2
        if s.poll(50):
            fr = s.recv_multipart()
            if fr[0] == BROKER:
                replies += 1
            else:
                others += 1
    return replies, others


def main():
    mode, endpoint, key, ident, arg = sys.argv[1:6]
    ctx = zmq.Context()
    if mode == "listen":
        s = sock(ctx, endpoint, key, ident)
        r, o = count(s, float(arg), True)
        print("replies=%d others=%d" % (r, o))
    elif mode == "frames":
        s = sock(ctx, endpoint, key, ident)
        count(s, 0.5, True)  # connected and admitted first
        n = int(arg)
        s.send_multipart([BROKER] + [b"f"] * (n - 1))
        time.sleep(0.3)
        r, _ = count(s, 1.5, True)
        print("replies=%d" % r)
    elif mode == "bomb":
        s = sock(ctx, endpoint, key, ident)
        s.setsockopt(zmq.SNDHWM, 0)
        chunk = b"B" * 65536
        end = time.time() + float(arg)
        n = 0
        s.send(BROKER, zmq.SNDMORE)
        while time.time() < end:
            try:
                s.send(chunk, zmq.SNDMORE | zmq.NOBLOCK)
                n += 1
            except zmq.Again:
                time.sleep(0.001)
        print("frames=%d" % n)
    elif mode == "garbage":
        s = sock(ctx, endpoint, key, ident)
        count(s, 0.5, True)  # connected and admitted first
        dest, n = arg.split(":")
        for i in range(int(n)):
            s.send_multipart([dest.encode(), b"\xff\xfe not an envelope %d" % i])
        time.sleep(0.5)
        print("sent=%d" % int(n))
    elif mode == "churn":
        end = time.time() + float(arg)
        rounds = 0
        while time.time() < end:
            s = sock(ctx, endpoint, key, ident)
            try:
                s.send_multipart([BROKER, b"hb"], flags=zmq.NOBLOCK)
            except zmq.Again:
                pass
            s.poll(5)
            s.close(0)
            rounds += 1
        print("rounds=%d" % rounds)
    ctx.destroy(0)


main()
