#!/usr/bin/python3
"""Reconcile the edges' SQLite stores with the county's case_events, by content.

Called by reconcile() in county.sh; prints one check per line as
DESCRIPTION<TAB>EXPECTED<TAB>ACTUAL (county.sh feeds each to eq), and the
evidence of any difference as lines starting with '#'.

    reconcile.py WORK COUNTY PG_EVENTS PG_QUARANTINE STAFF EXCLUDED NODE...

PG_EVENTS     the county's case_events, ORDER BY id, one row per line:
              origin_node, origin_seq, case_id, type, type_name, actor, digest
              (tab-separated; the digest is computed by PostgreSQL, see DIGEST_SQL
              in county.sh)
PG_QUARANTINE sha256 of each body in the county's quarantine, one per line
STAFF         staff commands that succeeded: case_id, type_name, actor (tab-separated)
EXCLUDED      case ids whose events the test made the county refuse (poison):
              they must be in its quarantine, byte for byte, and nowhere else
NODE...       the village and township codes whose stores are read
              ($WORK/NODE/NODE.db)

The digest of an event is sha256 over a canonical projection that both stores
keep in the same encoding: the text fields case_id, type (decimal), actor,
at (milliseconds since the epoch, decimal), target, reason and detail, joined
by 0x1f, then 0x1e, then the body: the packed tongban.v1.Item exactly as its
origin minted it (relays and the county store those bytes unchanged).  The
columns are in the digest as well as the body because each store reads them
out of the body on its own: a store that mangled one of them while keeping
the bytes would otherwise pass.
"""
import hashlib
import os
import sqlite3
import sys


def digest(case_id, etype, actor, at_ms, target, reason, detail, body):
    text = "\x1f".join([case_id, str(etype), actor, str(at_ms), target, reason, detail])
    if not isinstance(body, bytes):  # a body stored as TEXT: digest its UTF-8
        body = str(body).encode("utf-8")
    return hashlib.sha256(text.encode("utf-8") + b"\x1e" + body).hexdigest()


def check(desc, want, got):
    print(f"{desc}\t{want}\t{got}")


def evidence(title, rows, limit=10):
    rows = list(rows)
    if rows:
        print(f"# {title} ({len(rows)}):")
        for r in rows[:limit]:
            print("#   " + " ".join(str(x) for x in r))


def edge_events(path, where, order):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    rows = db.execute(
        "SELECT origin_node, origin_seq, case_id, type, actor, at_ms, target, reason, detail,"
        f" body FROM events WHERE {where} ORDER BY {order}").fetchall()
    db.close()
    return [(o, s, c, t, digest(c, t, a, at, tg, r, d, b)) for o, s, c, t, a, at, tg, r, d, b in rows]


def edge_bodies(path, node, case_ids):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    out = []
    for c in case_ids:
        out += [hashlib.sha256(bytes(b)).hexdigest()
                for (b,) in db.execute("SELECT body FROM events WHERE case_id = ? AND origin_node = ?",
                                       (c, node))]
    db.close()
    return out


def main():
    work, county, pg_events, pg_quar, staff_file, excl_file = sys.argv[1:7]
    nodes = sys.argv[7:]
    excluded = set(open(excl_file).read().split()) if os.path.exists(excl_file) else set()

    county_rows = []  # in the county's order of storing (id)
    for line in open(pg_events, encoding="utf-8"):
        o, s, c, t, tn, a, d = line.rstrip("\n").split("\t")
        county_rows.append((o, int(s), c, int(t), tn, a, d))
    by_origin = {}
    for o, s, c, t, tn, a, d in county_rows:
        by_origin.setdefault(o, []).append((o, s, c, t, d))

    total = 0
    quarantined = 0
    types = {}
    seen_origins = set()
    for n in nodes:
        path = f"{work}/{n}/{n}.db"
        if not os.path.exists(path):
            continue
        seen_origins.add(n)
        mine = edge_events(path, f"origin_node = '{n}'", "origin_seq")
        seqs = [r[1] for r in mine]
        check(f"{n}: its own events are numbered 1..N without a gap",
              True, list(range(1, len(mine) + 1)) == seqs)
        kept = [r for r in mine if r[2] not in excluded]
        at_county = by_origin.get(n, [])
        total += len(kept)
        for r in kept:
            types[r[3]] = types.get(r[3], 0) + 1
        want = {(r[0], r[1]): r for r in kept}
        got = {(r[0], r[1]): r for r in at_county}
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        differ = [(k, want[k][2:], got[k][2:]) for k in want if k in got and want[k] != got[k]]
        check(f"{n}: events it minted missing at the county", 0, len(missing))
        evidence(f"{n}: missing at the county", sorted(missing))
        check(f"{n}: events at the county under its name that it never minted", 0, len(extra))
        evidence(f"{n}: unknown at the county", sorted(extra))
        check(f"{n}: events whose (case, type, digest) differ from the county's", 0, len(differ))
        evidence(f"{n}: edge (case, type, digest) vs county", differ)
        # In order: the county stored this origin's events in the edge's order.
        check(f"{n}: the county's sequence of its events (in storing order) equals its own",
              True, [r[:2] for r in at_county] == [r[:2] for r in kept])
        if excluded:
            held = sorted(edge_bodies(path, n, sorted(excluded)))
            quar = sorted(open(pg_quar).read().split())
            if held:
                check(f"{n}: its {len(held)} event(s) of the refused case(s) are in the county's"
                      " quarantine, byte for byte", True, all(h in quar for h in held))
                quarantined += len(held)

    if excluded:
        check("messages in the county's quarantine = events of the refused case(s)",
              quarantined, len(open(pg_quar).read().split()))

    # Origins at the county that are neither the county nor one of the edges read.
    strays = sorted(o for o in by_origin if o != county and o not in seen_origins)
    check("events at the county from an origin whose store was not read", 0, len(strays))
    evidence("origins", strays)

    # The county's own events (staff steps, receipts, rejections): each went to
    # the township of the case, which stores it as it came (rowid order).
    own = by_origin.get(county, [])
    own_key = {(r[0], r[1]): r for r in own}
    check("the county's own events are numbered 1..N without a gap, in storing order",
          True, list(range(1, len(own) + 1)) == [r[1] for r in own])
    copies = {}
    order_ok = True
    wrong_town = []
    for n in nodes:
        path = f"{work}/{n}/{n}.db"
        if not n.endswith("000") or not os.path.exists(path):
            continue
        theirs = edge_events(path, f"origin_node = '{county}'", "rowid")
        if [r[1] for r in theirs] != sorted(r[1] for r in theirs):
            order_ok = False
        for r in theirs:
            copies.setdefault((r[0], r[1]), []).append((n, r))
            if r[2][:9] + "000" != n and r[3] != 18:  # rejections go to the relaying township
                wrong_town.append((n, r[1], r[2]))
    check("county events a township holds out of the county's order", True, order_ok)
    miss = [k for k in own_key if k not in copies]
    check("county events at no township", 0, len(miss))
    evidence("county events at no township", sorted(miss))
    unknown = [k for k in copies if k not in own_key]
    check("county events at a township that the county has not", 0, len(unknown))
    evidence("unknown county events", sorted(unknown))
    twice = [k for k, v in copies.items() if len(v) > 1]
    check("county events at more than one township", 0, len(twice))
    diff = [(k, own_key[k][2:], r[2:]) for k, v in copies.items() if k in own_key
            for n, r in v if r != own_key[k]]
    check("county events whose (case, type, digest) differ at the township", 0, len(diff))
    evidence("county vs township (case, type, digest)", diff)
    check("county events at a township other than the case's", 0, len(wrong_town))
    evidence("wrong township", wrong_town)

    # Staff commands that succeeded: each in the county exactly once.
    staff = []
    if os.path.exists(staff_file):
        for line in open(staff_file, encoding="utf-8"):
            if line.strip():
                staff.append(tuple(line.rstrip("\n").split("\t")))
    count = {}
    for o, s, c, t, tn, a, d in county_rows:
        count[(c, tn, a)] = count.get((c, tn, a), 0) + 1
    not_once = [(k, count.get(k, 0)) for k in staff if count.get(k, 0) != 1]
    check("staff commands that succeeded, not in the county exactly once", 0, len(not_once))
    evidence("(case, type, actor) -> times at the county", not_once)
    if len(set(staff)) != len(staff):
        check("staff commands recorded twice (actors must be unique)", len(set(staff)), len(staff))

    print(f"# reconciled by content: {total} edge events ({', '.join(f'type {t}: {n}' for t, n in sorted(types.items()))}),"
          f" {len(own)} county events, {len(staff)} staff commands")


main()
