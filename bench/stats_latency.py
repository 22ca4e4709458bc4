#!/usr/bin/python3
"""stats_latency.py URL LOGIN PASSWORD: sign in to the county's dashboard and
time GET /api/overview and one statistics query (a year, by township and
month), 40 times each (TB_STATS_N) after 2 warm-up requests: p50, p99, max in ms, and the
warm-ups' times (the overview's first request after a load builds the per-day sums'
calendar and catalog: migration 024, county_stats_calendar_sync)."""
import http.cookiejar
import json
import os
import statistics
import sys
import time
import urllib.request

base, login, password = sys.argv[1:4]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
req = urllib.request.Request(base + "/api/login", json.dumps({"login": login, "password": password}).encode(),
                             {"Content-Type": "application/json"})
opener.open(req, timeout=30).read()
today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
year_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 - 364 * 86400))
queries = {
    "overview": "/api/overview",
    "stats (365 days, by township, by month)": f"/api/stats?from={year_ago}&to={today}&by=township&period=month",
    "stats (365 days, by village, CSV)": f"/api/stats?from={year_ago}&to={today}&by=village&format=csv",
}
for name, path in queries.items():
    warm = []
    for _ in range(2):
        t = time.perf_counter()
        opener.open(base + path, timeout=600).read()
        warm.append((time.perf_counter() - t) * 1000)
    ms = []
    for _ in range(int(os.environ.get("TB_STATS_N", "40"))):
        t = time.perf_counter()
        body = opener.open(base + path, timeout=120).read()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    p99 = ms[min(len(ms) - 1, int(round(0.99 * len(ms))) - 1)]
    print(f"{name}: p50 {statistics.median(ms):.0f} ms, p99 {p99:.0f} ms, max {ms[-1]:.0f} ms"
          f" ({len(body)} bytes; warm-up {warm[0]:.0f}, {warm[1]:.0f} ms)")
    if name == "overview":
        o = json.loads(body)
        print(f"  overview: open {o['open']['open']}, overdue {o['open']['overdue']},"
              f" month accepted {o['month']['accepted']}")
