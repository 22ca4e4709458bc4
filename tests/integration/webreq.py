#!/usr/bin/env python3
"""webreq.py COOKIES METHOD URL [JSON] [HEADER:VALUE...]: one HTTP request with a
cookie jar kept in the file COOKIES; prints the status on the first line,
then the body.  For the shell tests of the screens' APIs (no curl needed)."""
import http.cookiejar
import sys
import urllib.error
import urllib.request

jar = http.cookiejar.LWPCookieJar(sys.argv[1])
try:
    jar.load(ignore_discard=True)
except FileNotFoundError:
    pass
method, url = sys.argv[2], sys.argv[3]
body = sys.argv[4].encode() if len(sys.argv) > 4 and sys.argv[4] else None
req = urllib.request.Request(url, data=body, method=method)
if body is not None:
    req.add_header("Content-Type", "application/json")
for hv in sys.argv[5:]:
    k, v = hv.split(":", 1)
    req.add_header(k, v)
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
try:
    r = opener.open(req, timeout=30)
    status, data = r.status, r.read()
except urllib.error.HTTPError as e:
    status, data = e.code, e.read()
jar.save(ignore_discard=True)
sys.stdout.write("%d\n" % status)
sys.stdout.buffer.write(data)
