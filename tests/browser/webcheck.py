"""What the browser checks share (village.py, township.py): TAP lines, a JSON
request to a node's API, and a headless Chromium."""
import json
import os
import re
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

counts = {"n": 0, "failed": 0}


def check(desc, cond, detail=""):
    counts["n"] += 1
    n = counts["n"]
    if cond:
        print(f"ok {n} - {desc}")
    else:
        counts["failed"] += 1
        print(f"not ok {n} - {desc}{': ' + str(detail) if detail else ''}")
    sys.stdout.flush()


def http_at(base, method, path, body=None, headers=None, raw=None):
    """(status, parsed JSON or the raw bytes) of one request to base + path."""
    data = raw if raw is not None else json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw


def signin(base, login, password):
    """Sign in over the API: (status, body, {"Cookie", "X-CSRF-Token"} for the next requests)."""
    data = json.dumps({"login": login, "password": password}).encode()
    req = urllib.request.Request(base + "/api/login", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = json.loads(r.read())
            cookie = r.headers.get("Set-Cookie", "").split(";")[0]
            return r.status, body, {"Cookie": cookie, "X-CSRF-Token": body.get("csrf", "")}
    except urllib.error.HTTPError as e:
        return e.code, e.read(), {}


def sign_in_page(drv, wait, login, password, By, EC):
    """Fill the page's sign-in form and submit it."""
    wait.until(EC.presence_of_element_located((By.ID, "login-name"))).send_keys(login)
    drv.find_element(By.ID, "login-password").send_keys(password)
    drv.find_element(By.ID, "login-submit").click()


def browser():
    """Chromium as the users run it: in Chinese.  On Linux, Chromium takes its
    locale (and so the format of <input type=date> and type=month) from the
    environment, not from --lang, and only when chromium-l10n is installed:
    LANGUAGE for the browser, --lang and Accept-Language for the pages."""
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768",
              "--lang=zh-CN", "--disable-dev-shm-usage"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    opts.binary_location = "/usr/bin/chromium"
    env = dict(os.environ, LANGUAGE="zh_CN:zh")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver", env=env), options=opts)


def check_chinese_locale(drv):
    """The browser formats dates in Chinese (年/月/日 in a date input), not mm/dd/yyyy."""
    loc = drv.execute_script("return Intl.DateTimeFormat().resolvedOptions().locale + ' ' + navigator.language")
    check("the browser runs in Chinese (its date inputs read 年/月/日)", loc.startswith("zh") and loc.endswith("zh-CN"),
          f"{loc}: is chromium-l10n installed?")


# How a table's cells lay out, measured in the page: the lines a cell's text
# takes (distinct tops of its line boxes) and a column's width in characters.
_TABLE_LAYOUT = """
const t = document.getElementById(arguments[0]);
const lines = (e) => { const r = document.createRange(); r.selectNodeContents(e);
  return new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top))).size; };
const shown = (sel) => [...t.querySelectorAll(sel)].filter((e) => e.getClientRects().length);
const chars = (e) => (e.clientWidth - parseFloat(getComputedStyle(e).paddingLeft)
  - parseFloat(getComputedStyle(e).paddingRight)) / parseFloat(getComputedStyle(e).fontSize);
return { who: shown("td.client").map(lines), item: shown("td.item").map((e) => Math.round(chars(e) * 10) / 10),
  dates: shown(".nw, td.d").filter((e) => e.textContent).map(lines),
  heads: shown("th").filter((e) => lines(e) > 1).map((e) => e.textContent) };
"""


def table_layout(drv, table_id):
    """{who: lines per name cell, item: characters per line of each item cell,
    dates: lines per date, heads: the headings that wrap} of a table."""
    return drv.execute_script(_TABLE_LAYOUT, table_id)


def check_table_layout(drv, table_id, what, dates=True):
    """A list of cases as a person reads it, on any screen: a resident's name on
    one line, an item at least 4 characters a line (not one), a date or time in
    one piece (dates=False: none is shown), every heading whole."""
    lay = table_layout(drv, table_id)
    check(f"{what}: names on one line, items 4+ characters a line",
          lay["who"] and lay["item"] and all(n == 1 for n in lay["who"]) and all(c >= 4 for c in lay["item"]), lay)
    check(f"{what}: every date and time in one piece, every heading whole",
          bool(lay["dates"]) == dates and all(n == 1 for n in lay["dates"]) and not lay["heads"], lay)


def unlabelled(drv):
    """The form controls of the view that have no visible label: a <label> around
    them or naming them, with words of its own (a placeholder, an aria-label or a
    select's first option is not one: gone once a value is picked, or unseen)."""
    return drv.execute_script("""
      const own = (l) => [...l.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      return [...document.querySelectorAll("#view input, #view select, #view textarea")]
        .filter((e) => e.type !== "hidden" && e.getClientRects().length)
        .filter((e) => ![...e.labels].some((l) => l.getClientRects().length && own(l)))
        .map((e) => e.id || e.name || e.outerHTML.slice(0, 60));""")


# The English check of a county view (county.py, county_board.py).  What the
# server sends as data (stays as stored in English too); every other
# member is words (labels, refusals) and follows the page's language.
DATA_KEYS = {"name", "scope_name", "township_name", "origin_name", "item_name", "client_name", "holder_name",
             "responsible", "comment", "text", "reply", "owner_name", "unit_name", "where", "actor", "detail",
             "reason", "rejected", "county", "followup_comment", "agent"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Every answer of the API the page read, kept by the page (JSON only).
RECORD = """if (!window.__answers) { window.__answers = []; const f = window.fetch;
  window.fetch = async (...a) => { const r = await f(...a);
    r.clone().json().then((j) => window.__answers.push(j)).catch(() => {}); return r; }; }"""
# The words a person sees: the header and the view (options, aria-labels and
# placeholders too), the title and the charts' legends; not the product's
# name (.mark) nor the button back to 中文.
SHOWN = """const keep = (e) => { const c = e.cloneNode(true); for (const x of c.querySelectorAll(".mark, #lang")) x.remove(); return c; };
  const parts = [document.title];
  for (const e of [keep(document.querySelector("header")), keep(document.getElementById("view"))]) {
    const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) parts.push(w.currentNode.nodeValue);
    for (const x of e.querySelectorAll("[aria-label], [placeholder], [title]"))
      parts.push(x.getAttribute("aria-label") || "", x.getAttribute("placeholder") || "", x.getAttribute("title") || ""); }
  if (window.Chart) for (const id of ["chart-units", "chart-trend"]) { const c = Chart.getChart(id);
    if (c) parts.push(...c.data.datasets.map((d) => d.label)); }
  return parts.join(" | ");"""


def data_runs(answers):
    """The CJK runs of every data member of the API's answers."""
    runs = set()

    def walk(v, key=None):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)
        elif isinstance(v, str) and key in DATA_KEYS:
            runs.update(CJK.findall(v))
    walk(answers)
    return runs


def chinese_left(drv):
    """The Chinese on the page that is no data of the API's answers: [] in English."""
    runs = data_runs(drv.execute_script("return window.__answers || []"))
    return sorted({r for r in CJK.findall(drv.execute_script(SHOWN)) if r not in runs})


def finish():
    n, failed = counts["n"], counts["failed"]
    print(f"# {n - failed} of {n} browser checks passed")
    sys.exit(1 if failed else 0)
