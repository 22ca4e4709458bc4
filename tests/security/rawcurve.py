#!/usr/bin/python3
"""A CurveZMQ client written from the specs (ZMTP 3.0, RFC 23; CurveZMQ,
RFC 26), on libsodium through ctypes, for what libzmq will not send: libzmq
holds back the frames of a multipart message until its last frame is sent, so
a "message that never ends" can only come from a client that frames the wire
itself, as a hostile one would.

  rawcurve.py bomb ENDPOINT KEYDIR NAME ID SECONDS

connects to ipc://PATH or tcp://HOST:PORT with the key pair KEYDIR/NAME.key,
pinning KEYDIR/broker.pub, as routing id ID, sends one heartbeat
[000000000000][hb] and reads the reply (so the handshake is proven), then
sends frames of 64 KiB with the MORE flag, never the last one, for SECONDS
or until the broker drops the connection.  Prints "handshake=ok|failed
reply=yes|no sent_mb=N dropped=yes|no"."""
import ctypes, os, socket, struct, sys, time

import zmq
from zmq.utils import z85

na = ctypes.CDLL("libsodium.so.23")
assert na.sodium_init() >= 0


def box(msg, nonce, pk, sk):
    out = ctypes.create_string_buffer(len(msg) + 16)
    assert na.crypto_box_easy(out, msg, ctypes.c_ulonglong(len(msg)), nonce, pk, sk) == 0
    return out.raw


def unbox(c, nonce, pk, sk):
    out = ctypes.create_string_buffer(len(c) - 16)
    if na.crypto_box_open_easy(out, c, ctypes.c_ulonglong(len(c)), nonce, pk, sk) != 0:
        raise RuntimeError("box does not open")
    return out.raw


def keypair():
    pk, sk = ctypes.create_string_buffer(32), ctypes.create_string_buffer(32)
    na.crypto_box_keypair(pk, sk)
    return pk.raw, sk.raw


def frame(body, command=False, more=False):
    flags = (0x04 if command else 0) | (0x01 if more else 0)
    if len(body) < 256:
        return bytes([flags]) + bytes([len(body)]) + body
    return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_frame(s):
    flags = read_exact(s, 1)[0]
    size = struct.unpack(">Q", read_exact(s, 8))[0] if flags & 0x02 else read_exact(s, 1)[0]
    return flags, read_exact(s, size)


def connect(endpoint):
    if endpoint.startswith("ipc://"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(endpoint[6:])
    else:
        host, port = endpoint[6:].rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    return s


def main():
    _, endpoint, keydir, name, ident, seconds = sys.argv[1:7]
    with open(os.path.join(keydir, name + ".key"), "rb") as f:
        c_sk = z85.decode(f.read().strip())
    c_pk = z85.decode(zmq.curve_public(z85.encode(c_sk)))
    with open(os.path.join(keydir, "broker.pub"), "rb") as f:
        s_pk = z85.decode(f.read().strip())
    cp_pk, cp_sk = keypair()  # C': transient
    s = connect(endpoint)
    s.settimeout(5)
    greeting = b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"CURVE".ljust(20, b"\0") + b"\0" + b"\0" * 31
    s.sendall(greeting)
    read_exact(s, 64)
    short = 1
    def sn():
        return struct.pack(">Q", short)
    # HELLO
    sig = box(b"\0" * 64, b"CurveZMQHELLO---" + sn(), s_pk, cp_sk)
    s.sendall(frame(b"\x05HELLO" + b"\x01\x00" + b"\0" * 72 + cp_pk + sn() + sig, command=True))
    _, welcome = read_frame(s)
    assert welcome.startswith(b"\x07WELCOME"), welcome[:10]
    wn = welcome[8:24]
    w = unbox(welcome[24:], b"WELCOME-" + wn, s_pk, cp_sk)
    sp_pk, cookie = w[:32], w[32:]
    # INITIATE: vouch, metadata
    vn = os.urandom(16)
    vouch = box(cp_pk + s_pk, b"VOUCH---" + vn, sp_pk, c_sk)
    def prop(k, v):
        return bytes([len(k)]) + k + struct.pack(">I", len(v)) + v
    meta = prop(b"Socket-Type", b"DEALER") + prop(b"Identity", ident.encode())
    short += 1
    body = box(c_pk + vn + vouch + meta, b"CurveZMQINITIATE" + sn(), sp_pk, cp_sk)
    s.sendall(frame(b"\x08INITIATE" + cookie + sn() + body, command=True))
    try:
        flags, ready = read_frame(s)
        ok = ready.startswith(b"\x05READY")
    except (EOFError, OSError):
        ok = False
    if not ok:
        print("handshake=failed reply=no sent_mb=0 dropped=yes")
        return
    server_short = None

    def message(payload, more):
        nonlocal short
        short += 1
        c = box(bytes([1 if more else 0]) + payload, b"CurveZMQMESSAGEC" + sn(), sp_pk, cp_sk)
        # libzmq sends CurveZMQ MESSAGEs as ordinary ZMTP frames, not commands.
        return frame(b"\x07MESSAGE" + sn() + c)

    s.sendall(message(b"000000000000", True) + message(b"hb", False))
    # The broker's answer is a two-frame message; ZMTP PINGs (one box of a
    # command) may come first: wait for a box holding more than a ping.
    reply = "no"
    try:
        for _ in range(10):
            flags, m = read_frame(s)
            if m.startswith(b"\x07MESSAGE") and len(m) > 60:
                reply = "yes"
                break
    except (EOFError, OSError, socket.timeout):
        pass
    sent = 0
    dropped = "no"
    end = time.time() + float(seconds)
    s.sendall(message(b"000000000000", True))
    chunk = b"B" * 65536
    try:
        while time.time() < end:
            s.sendall(message(chunk, True))
            sent += len(chunk)
    except (OSError, socket.timeout):
        dropped = "yes"
    print("handshake=ok reply=%s sent_mb=%d dropped=%s" % (reply, sent >> 20, dropped))


main()
