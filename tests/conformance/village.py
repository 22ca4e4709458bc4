#!/usr/bin/python3
"""A village written from proto/README.md and proto/tongban.proto only.

  village.py PYDIR KEYDIR PLACE TOWNSHIP ENDPOINT OUT

PYDIR holds tongban_pb2.py (protoc --python_out), KEYDIR the village's key
pair (PLACE.key/PLACE.pub, Z85) and broker.pub.  It speaks to its township
through the broker over CurveZMQ and writes what it observed to OUT, one
"name value" line each, for the shell test to check.  It uses nothing but
/usr/bin/python3 with Debian's python3-zmq and python3-protobuf."""
import hashlib
import os
import sys
import time

import zmq

PYDIR, KEYDIR, PLACE, TOWN, ENDPOINT, OUT = sys.argv[1:7]
sys.path.insert(0, PYDIR)
import tongban_pb2 as pb  # noqa: E402

BROKER = "000000000000"
COUNTY = PLACE[:6] + "000000"
out = open(OUT, "w", encoding="utf-8")


def note(name, value):
    out.write("%s %s\n" % (name, value))
    out.flush()


def now_ms():
    return int(time.time() * 1000)


class Village:
    def __init__(self):
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.curve_secretkey = open(os.path.join(KEYDIR, PLACE + ".key"), "rb").read().strip()
        s.curve_publickey = open(os.path.join(KEYDIR, PLACE + ".pub"), "rb").read().strip()
        s.curve_serverkey = open(os.path.join(KEYDIR, "broker.pub"), "rb").read().strip()
        s.setsockopt(zmq.ROUTING_ID, ("%s/%016x" % (PLACE, int.from_bytes(os.urandom(8), "big"))).encode())
        s.setsockopt(zmq.LINGER, 0)
        s.connect(ENDPOINT)
        self.s = s
        self.tx_last = 0       # link seq of the last DATA we assigned
        self.acked = 0         # the township's cumulative ack
        self.pending = {}      # seq -> body, until acked
        self.cursor = 0        # last link seq applied from the township
        self.inbox = []        # Items the township sent, in order
        self.origin_seq = 0    # our event counter
        self.cases = 0
        self.retransmit = True
        self.last_hb = 0
        self.last_rtx = 0
        self.ack_history = []

    def envelope(self, kind, seq=0, body=b""):
        e = pb.Envelope(version=1, sender=PLACE, receiver=TOWN, seq=seq, ack=self.cursor, kind=kind, body=body)
        return e.SerializeToString()

    def send_env(self, dest, env):
        self.s.send_multipart([dest.encode(), env])

    def send_data(self, seq, body):
        self.send_env(TOWN, self.envelope(pb.KIND_DATA, seq, body))

    def queue(self, body, send=True):
        """A DATA message on the link: numbered, kept until acked."""
        self.tx_last += 1
        self.pending[self.tx_last] = body
        if send:
            self.send_data(self.tx_last, body)
        return self.tx_last

    def event(self, **kw):
        """Mint our next event (origin_seq) and return its Item bytes."""
        self.origin_seq += 1
        ev = pb.CaseEvent(origin_node=PLACE, origin_seq=self.origin_seq, **kw)
        return self.origin_seq, pb.Item(event=ev).SerializeToString()

    def case_id(self):
        self.cases += 1
        day = time.strftime("%Y%m%d", time.gmtime(time.time() + 8 * 3600))  # China time
        return "%s-%s-%04d" % (PLACE, day, self.cases)

    def pump(self, seconds, until=None):
        """Serve the link for up to seconds, or until until() is true."""
        end = time.time() + seconds
        while time.time() < end:
            if until and until():
                return True
            t = now_ms()
            if t - self.last_hb >= 1000:  # heartbeat once a second
                hb = pb.Heartbeat(sent_at_ms=t, backlog=len(self.pending)).SerializeToString()
                e = pb.Envelope(version=1, sender=PLACE, receiver=BROKER, kind=pb.KIND_HEARTBEAT, body=hb)
                self.send_env(BROKER, e.SerializeToString())
                self.last_hb = t
            if self.retransmit and self.pending and t - self.last_rtx >= 500:  # go-back-N
                for seq in sorted(self.pending):
                    self.send_data(seq, self.pending[seq])
                self.last_rtx = t
            if self.s.poll(50):
                self.receive(self.s.recv_multipart())
        return until() if until else True

    def receive(self, frames):
        if len(frames) != 2:
            return
        sender = frames[0].decode()
        e = pb.Envelope()
        e.ParseFromString(frames[1])
        if sender == BROKER or e.version != 1:
            return
        if e.ack > self.acked:
            self.acked = e.ack
            for s in [s for s in self.pending if s <= e.ack]:
                del self.pending[s]
        self.ack_history.append(e.ack)
        if e.kind != pb.KIND_DATA:
            return
        if e.seq == self.cursor + 1:  # in order: apply
            item = pb.Item()
            item.ParseFromString(e.body)
            self.inbox.append(item)
            self.cursor = e.seq
        # in order, duplicate or gap: tell the township where we are
        self.send_env(TOWN, self.envelope(pb.KIND_ACK))

    def rejection_of(self, origin_seq):
        for it in self.inbox:
            if it.HasField("event") and it.event.type == pb.EVENT_REJECTED and \
                    it.event.rejected_origin == PLACE and it.event.rejected_seq == origin_seq:
                return it.event
        return None

    def first(self, pred):
        for it in self.inbox:
            if pred(it):
                return it
        return None


def logged(v, case_id, item="YB003", phone="13900139000", at=None, materials=("居民身份证",)):
    at = at if at is not None else now_ms()
    ledger = pb.LedgerRecord(client_name="赵六", client_phone=phone, agent="外包团队", item_code=item,
                             note="住院报销", accept_time_ms=at)
    return v.event(case_id=case_id, type=pb.EVENT_LOGGED, actor="外包团队", at_ms=at, ledger=ledger,
                   materials=list(materials))


def expect_rejection(v, name, origin_seq, body, seconds=30):
    v.pump(seconds, lambda: v.rejection_of(origin_seq) is not None)
    r = v.rejection_of(origin_seq)
    if r is None:
        note(name + "_code", "none")
        return None
    note(name + "_code", pb.RejectCode.Name(r.reject_code))
    note(name + "_by", r.origin_node)
    note(name + "_reason", "yes" if r.reason else "empty")
    note(name + "_digest", "match" if r.rejected_digest == hashlib.sha256(body).hexdigest() else r.rejected_digest or "none")
    note(name + "_case", r.case_id or '""')
    return r


def main():
    v = Village()

    # 1. A case logged and submitted: RECEIVED from the township, the county's status.
    a = v.case_id()
    s1, b1 = logged(v, a)
    v.queue(b1)
    s2, b2 = v.event(case_id=a, type=pb.EVENT_SUBMITTED, actor="外包团队", at_ms=now_ms(), target=TOWN)
    v.queue(b2)
    v.pump(30, lambda: v.acked >= 2)
    note("logged_acked", v.acked)
    got = lambda: v.first(lambda it: it.HasField("event") and it.event.case_id == a and
                          it.event.type == pb.EVENT_RECEIVED)
    v.pump(30, got)
    note("received_from", got().event.origin_node if got() else "none")
    status = lambda: v.first(lambda it: it.HasField("status") and it.status.case_id == a and
                             it.status.state == "prereview")
    v.pump(30, status)
    st = status()
    note("status_state", st.status.state if st else "none")
    note("status_code", pb.CaseState.Name(st.status.state_code) if st else "none")
    note("status_holder", st.status.holder if st else "none")

    # 2. Retransmission: a message whose first send is lost arrives by the go-back-N resend;
    #    a resend of an acked seq is a duplicate, acked again, nothing applied twice.
    s3, b3 = v.event(case_id=a, type=pb.EVENT_NOTE, actor="外包团队", at_ms=now_ms(), reason="已电话告知")
    seq3 = v.queue(b3, send=False)
    v.pump(30, lambda: v.acked >= seq3)
    note("retransmitted_acked", "yes" if v.acked >= seq3 else "no")
    n_before = len(v.inbox)
    v.ack_history.clear()
    v.send_data(1, b1)
    v.pump(3, lambda: len(v.ack_history) > 0)
    note("dup_link_reacked", v.ack_history[-1] if v.ack_history else "none")

    # 3. Out of order: seq k+1 before k is dropped (the ack stays), then both are applied.
    v.retransmit = False
    s4, b4 = v.event(case_id=a, type=pb.EVENT_NOTE, actor="外包团队", at_ms=now_ms(), reason="第一条")
    s5, b5 = v.event(case_id=a, type=pb.EVENT_NOTE, actor="外包团队", at_ms=now_ms(), reason="第二条")
    k = v.queue(b4, send=False)
    k1 = v.queue(b5, send=False)
    v.ack_history.clear()
    v.send_data(k1, b5)
    v.pump(3)
    note("gap_held", "yes" if v.acked == k - 1 else "acked %d" % v.acked)
    v.retransmit = True
    v.pump(30, lambda: v.acked >= k1)
    note("gap_applied", "yes" if v.acked >= k1 else "no")

    # 4. The same event again under a new link seq: a duplicate, consumed, not refused.
    dup = v.queue(b4)
    v.pump(30, lambda: v.acked >= dup)
    v.pump(2)
    note("dup_event_acked", "yes" if v.acked >= dup else "no")
    note("dup_event_rejected", "yes" if v.rejection_of(s4) else "no")

    # 4b. A complaint (投诉, EventType 30, issue 11) filed for the resident on
    #     case a: an additive event from the case's origin, consumed, not refused.
    sc, bc = v.event(case_id=a, type=pb.EVENT_COMPLAINED, actor="外包团队", at_ms=now_ms(),
                     reason="窗口态度差，材料一次没说清", complaint_kind="complaint")
    kc = v.queue(bc)
    v.pump(30, lambda: v.acked >= kc)
    v.pump(2)
    note("complaint_acked", "yes" if v.acked >= kc else "no")
    note("complaint_rejected", "yes" if v.rejection_of(sc) else "no")
    # 4c. A second complaint on case a while the first is open: out of the
    #     complaint's turn; consumed, and answered with REJECTED.
    sc2, bc2 = v.event(case_id=a, type=pb.EVENT_COMPLAINED, actor="外包团队", at_ms=now_ms(),
                       reason="再投诉一次", complaint_kind="complaint")
    kc2 = v.queue(bc2)
    v.pump(30, lambda: v.acked >= kc2)
    note("complaint2_acked", "yes" if v.acked >= kc2 else "no")
    r = expect_rejection(v, "complaint2", sc2, bc2, seconds=40)
    note("complaint2_words", "yes" if r is not None and "已有未办结的投诉" in r.reason else "no")

    # 4c. A rating with three of GB/T 39735's four indicators (CaseEvent 50..53,
    #     all four or none, issue 11): malformed, refused by the township.
    sr, br = v.event(case_id=a, type=pb.EVENT_RATED, actor="外包团队", at_ms=now_ms(), rating=4,
                     rating_overall=4, rating_efficiency=4, rating_skill=4)
    v.queue(br)
    expect_rejection(v, "indicators", sr, br)

    # 5. Malformed items, each answered with REJECTED and its code.
    b = v.case_id()
    s6, b6 = logged(v, b, at=int(time.time()))  # seconds, not milliseconds
    v.queue(b6)
    expect_rejection(v, "seconds", s6, b6)
    s7, b7 = logged(v, v.case_id(), phone="12345")
    v.queue(b7)
    expect_rejection(v, "phone", s7, b7)
    day = time.strftime("%Y%m%d", time.gmtime(time.time() + 8 * 3600))
    s8, b8 = logged(v, "%s-%s-7" % (PLACE, day))  # no zero padding
    v.queue(b8)
    expect_rejection(v, "caseid", s8, b8)
    other = TOWN[:9] + "001"  # a sibling village's case
    s9, b9 = logged(v, "%s-%s-0001" % (other, day))
    v.queue(b9)
    expect_rejection(v, "entitled", s9, b9)
    # Well formed, but the catalog has no such item: the township relays, the county answers.
    s10, b10 = logged(v, v.case_id(), item="ZZ999")
    v.queue(b10)
    expect_rejection(v, "item", s10, b10, seconds=40)
    # A handover to another township.
    c = v.case_id()
    s11, b11 = logged(v, c)
    v.queue(b11)
    s12, b12 = v.event(case_id=c, type=pb.EVENT_SUBMITTED, actor="外包团队", at_ms=now_ms(),
                       target=TOWN[:8] + "9000")
    v.queue(b12)
    expect_rejection(v, "target", s12, b12, seconds=40)

    # 6. A reused id: our event 1 again with other content.
    ev = pb.Item()
    ev.ParseFromString(b1)
    ev.event.ledger.note = "改过的内容"
    b13 = ev.SerializeToString()
    v.queue(b13)
    expect_rejection(v, "reused", 1, b13)

    # 7. An envelope with proto3's default version 0: dropped (no answer), the drop logged.
    e = pb.Envelope(sender=PLACE, receiver=TOWN, seq=v.tx_last + 1, kind=pb.KIND_DATA, body=b13)
    v.send_env(TOWN, e.SerializeToString())
    v.pump(2)
    note("version0_acked", "yes" if v.acked > v.tx_last else "no")

    # Everything sent was consumed (acked).
    v.pump(30, lambda: v.acked >= v.tx_last)
    note("all_acked", "yes" if v.acked == v.tx_last else "acked %d of %d" % (v.acked, v.tx_last))
    # 8. A village that keeps sending refused items: every one consumed (acked),
    #    answered up to the township's limit a minute, the rest only counted.
    t0 = time.time()
    for i in range(100):
        _, bad = logged(v, v.case_id(), phone="12345")
        v.queue(bad)
    v.pump(120, lambda: v.acked >= v.tx_last)
    note("flood_acked", "yes" if v.acked == v.tx_last else "acked %d of %d" % (v.acked, v.tx_last))
    note("flood_seconds", "%.3f" % (time.time() - t0))
    v.pump(2)
    note("flood_answers", sum(1 for it in v.inbox if it.HasField("event") and
                              it.event.type == pb.EVENT_REJECTED and it.event.origin_node == TOWN))
    note("case_a", a)
    note("case_c", c)
    v.s.close()


if __name__ == "__main__":
    main()
