#!/usr/bin/python3
"""The screens' figures at 10,000 cases (bench/web-10k.sh runs it against the
running daemons).

    web-10k.py VILLAGE_URL TOWNSHIP_URL ROUNDS

Signed in as the agent and the window clerk, it times (wall clock, one
request at a time, keep-alive off like a first visit):
  - page load: the HTML, its three assets and the API calls the screen makes
    before it shows (the ledger: me, status, items, cases; the inbox: me,
    status, items, inbox, villages), in sequence: an upper bound of what a
    browser, which fetches in parallel, waits;
  - API latency of each list request, p50 and p99 over ROUNDS requests.
Prints a Markdown table.  Not a test: nothing is asserted."""
import json
import statistics
import sys
import time
import urllib.request

vbase, tbase, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])


def signin(base, login, password):
    req = urllib.request.Request(base + "/api/login", data=json.dumps(
        {"login": login, "password": password}).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers.get("Set-Cookie", "").split(";")[0]


def get(base, cookie, path):
    req = urllib.request.Request(base + path, headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
        if r.status != 200:
            raise SystemExit(f"{path}: {r.status}")
        return body


def timed(fn, n):
    ms = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]


rows = []


def measure(what, base, cookie, paths, n):
    p50, p99 = timed(lambda: [get(base, cookie, p) for p in paths], n)
    rows.append((what, p50, p99))


vc = signin(vbase, "bench.agent", "Bench-Agent-1")
tc = signin(tbase, "bench.win", "Bench-Window-1")
total = json.loads(get(vbase, vc, "/api/cases?per=1"))["total"]
inbox = json.loads(get(tbase, tc, "/api/inbox?per=1"))["total"]
assets = ["/", "/app.css", "/base.js", "/app.js"]
month = time.strftime("%Y-%m", time.gmtime(time.time() + 8 * 3600))
measure(f"village ledger page load ({total} cases)", vbase, vc,
        assets + ["/api/me", "/api/status", "/api/items", "/api/cases?page=1"], rounds)
for p in ["/api/cases", "/api/cases?page=100", "/api/cases?filter=open&page=50",
          "/api/cases?item=YB003&page=20", "/api/cases?q=" + urllib.parse.quote("王桂兰"),
          "/api/cases?filter=overdue", "/api/ledger?month=" + month, "/api/status"]:
    measure("village GET " + urllib.parse.unquote(p), vbase, vc, [p], rounds)
measure(f"township inbox page load ({inbox} cases)", tbase, tc,
        assets + ["/api/me", "/api/status", "/api/items", "/api/inbox?page=1", "/api/villages"], rounds)
for p in ["/api/inbox", "/api/inbox?page=150", "/api/inbox?item=YB003&page=20",
          "/api/inbox?filter=due", "/api/villages", "/api/status"]:
    measure("township GET " + p, tbase, tc, [p], rounds)
print("| request | p50 ms | p99 ms |")
print("|---|---|---|")
for what, p50, p99 in rows:
    print(f"| {what} | {p50:.1f} | {p99:.1f} |")
