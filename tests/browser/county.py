#!/usr/bin/python3
"""The county supervisors' dashboard in a real browser (headless Debian
Chromium via Selenium), against a running `tongban-county serve` whose store
holds the statistics scenario (tests/integration/stats-national-day-2026.sql) and one
case accepted today.

    county.py URL LOGIN PASSWORD SHOT_DIR ADD_CASE_CMD

Sign in; the overview loads (tiles, a chart per township, the trend); in TV
mode a case accepted meanwhile (ADD_CASE_CMD, run by us) appears without a
reload; drill-down county → township → village → case list → the case's
timeline; the statistics table's CSV link downloads a CSV that parses with
the table's numbers; the printable bulletin; then the header's English
button: every view in English (no Chinese left but the data: names of places
and people, items, what people wrote), at 1,366 px and on a phone, and back
to Chinese.  Prints TAP-like lines and a screenshot of every screen into
SHOT_DIR.  The bash wrapper
(test-county-web.sh) owns the daemons."""
import csv
import io
import os
import re
import subprocess
import sys

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webcheck import RECORD, browser, check, chinese_left, finish, table_layout, unlabelled  # noqa: E402

base, login, password, shots, add_case = sys.argv[1:6]


def header_rows(d):
    """(ok, the measures): the menu's top within the brand's row and the header
    at most 15 % of the window's height."""
    m = d.execute_script("const b = document.querySelector('.brand').getBoundingClientRect(),"
                         " n = document.getElementById('nav').getBoundingClientRect();"
                         " return [b.top, b.bottom, n.top, document.querySelector('header').offsetHeight,"
                         " window.innerHeight];")
    return m[2] < m[1] and m[3] <= 0.15 * m[4], m


def logout_beside_time(d):
    """(ok, the measures): 退出 on the update time's row (their middles within
    half the button's height), not alone on a row under it."""
    m = d.execute_script("const u = document.getElementById('updated').getBoundingClientRect(),"
                         " o = document.getElementById('logout').getBoundingClientRect();"
                         " return [(u.top + u.bottom) / 2, (o.top + o.bottom) / 2, o.height];")
    return abs(m[0] - m[1]) < m[2] / 2, m


d = browser()  # Chinese, as webcheck.py says
d.set_window_size(1366, 900)
# A view re-rendered between finding an element and reading it: look again.
wait = WebDriverWait(d, 20, ignored_exceptions=(StaleElementReferenceException,))
R = "?from=2026-09-01&to=2026-10-31"
try:
    d.get(base + "/")
    wait.until(EC.presence_of_element_located((By.ID, "login-name"))).send_keys(login)
    d.find_element(By.ID, "login-pw").send_keys("not-the-password")
    d.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
    wait.until(lambda x: x.find_element(By.ID, "login-err").text != "")
    check("a wrong password is refused on the page", d.find_element(By.ID, "login-err").text != "")
    d.find_element(By.ID, "login-pw").clear()
    d.find_element(By.ID, "login-pw").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()

    # Overview
    tiles = wait.until(EC.presence_of_element_located((By.ID, "tiles")))
    check("the overview loads: 今日受理 1 (the case accepted today)",
          "今日受理\n1" in tiles.text, tiles.text)
    check("Chart.js came from the node and drew both charts",
          d.execute_script("return !!window.Chart && Chart.getChart('chart-units') != null"
                           " && Chart.getChart('chart-trend') != null"))
    check("both charts count in whole cases (no 0.1 ticks on a count axis)",
          d.execute_script("return ['chart-units', 'chart-trend'].every((id) => {"
                           " const t = Chart.getChart(id).scales.y.ticks;"
                           " return t.length > 1 && t.every((x) => Number.isInteger(x.value)); })"))
    units = d.find_element(By.ID, "units").text
    check("the township table of the month lists 澄江镇", "澄江镇" in units, units)
    check("who is signed in", "王督办" in d.find_element(By.ID, "who").text)
    check("at 1,366 px the menu is on the place's row, the header two rows (<= 15 % of the screen)",
          *header_rows(d))
    check("at 1,366 px 退出 is on the update time's row", *logout_beside_time(d))
    d.save_screenshot(f"{shots}/county-overview.png")

    # TV mode: a case accepted now shows within seconds, without a reload.
    d.get(base + "/#/tv")
    wait.until(lambda x: "大屏" in x.find_element(By.TAG_NAME, "h1").text)
    d.execute_script("window.__noReload = true")
    subprocess.run(["bash", "-c", add_case], check=True)
    try:
        WebDriverWait(d, 12, ignored_exceptions=(StaleElementReferenceException,)).until(lambda x: "今日受理\n2" in x.find_element(By.ID, "tiles").text)
        seen = True
    except Exception:
        seen = False
    check("TV mode: the new case appears within 12 s", seen, d.find_element(By.ID, "tiles").text)
    check("... without a reload", d.execute_script("return window.__noReload === true"))
    d.save_screenshot(f"{shots}/county-tv.png")

    # Drill-down: county → township → village → case list → timeline.
    d.get(base + "/#/drill" + R)
    wait.until(lambda x: "逐级查看" in x.find_element(By.TAG_NAME, "h1").text)
    wait.until(EC.presence_of_element_located((By.LINK_TEXT, "澄江镇"))).click()
    wait.until(EC.presence_of_element_located((By.LINK_TEXT, "文田社区居委会")))
    check("the township's villages", "白凤社区居委会" in d.find_element(By.TAG_NAME, "table").text)
    check("the drill-down's controls are labelled", unlabelled(d) == [], unlabelled(d))
    d.save_screenshot(f"{shots}/county-drill-township.png")
    d.find_element(By.LINK_TEXT, "文田社区居委会").click()
    wait.until(EC.presence_of_element_located((By.ID, "case-list")))
    lst = d.find_element(By.ID, "case-list").text
    check("the village's cases", "360826100001-20260922-0001" in lst, lst)
    lay = table_layout(d, "case-list")
    check("the case list's dates and times in one piece", lay["dates"] and all(k == 1 for k in lay["dates"]), lay)
    d.save_screenshot(f"{shots}/county-cases.png")
    d.find_element(By.LINK_TEXT, "360826100001-20260922-0001").click()
    tl = wait.until(EC.presence_of_element_located((By.ID, "timeline")))
    check("the case's timeline across tiers", len(tl.find_elements(By.TAG_NAME, "li")) == 5, tl.text)
    check("the case's state", "已办结" in d.find_element(By.ID, "case-state").text)
    d.save_screenshot(f"{shots}/county-case.png")

    # A number is a link to the list behind it: 超期 of the county.
    d.get(base + "/#/drill" + R)
    wait.until(lambda x: "逐级查看" in x.find_element(By.TAG_NAME, "h1").text)
    links = d.find_elements(By.CSS_SELECTOR, "a[data-measure=overdue]")
    links[-1].click()  # the total's
    wait.until(EC.presence_of_element_located((By.ID, "case-list")))
    ids = [a.text for a in d.find_elements(By.CSS_SELECTOR, "#case-list a.case")]
    check("the total's 超期 lists D and E", ids == ["360826102001-20260925-0001",
                                                  "360826102001-20261008-0001"], ids)

    # Statistics: per-day table and its CSV.
    d.get(base + "/#/stats" + R + "&by=village&period=day")
    wait.until(EC.presence_of_element_located((By.ID, "csv")))
    href = d.find_element(By.ID, "csv").get_attribute("href")
    text = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done)", href)
    first = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.arrayBuffer())"
        ".then(b => done(Array.from(new Uint8Array(b.slice(0, 3)))))", href)
    check("the CSV starts with a UTF-8 BOM (a spreadsheet reads its Chinese)", first == [0xEF, 0xBB, 0xBF], first)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    check("the CSV downloads and parses: per-day rows and the total, headed in Chinese",
          len(rows) > 2 and rows[-1]["单位"] == "合计" and rows[-1]["单位代码"] == ""
          and rows[-1]["受理数"] == "6", text[:300])
    check("the CSV keeps the day", all(len(r["时段"]) == 10 for r in rows[:-1]), rows[:2])
    check("the statistics' controls are labelled (起, 止, 分组, 期间)", unlabelled(d) == [], unlabelled(d))
    labels = [lb.text.split("\n")[0].strip() for lb in d.find_elements(By.CSS_SELECTOR, "#view form label")]
    check("... with those words", labels == ["起", "止", "分组", "期间"], labels)
    lay = table_layout(d, "stats")
    check("the per-day table: each day in one piece (no 2026- / 09-30)",
          len(lay["dates"]) > 2 and all(k == 1 for k in lay["dates"]), lay)
    d.save_screenshot(f"{shots}/county-stats.png")

    # 月度通报, printable.
    d.get(base + "/#/bulletin?month=2026-09")
    b = wait.until(EC.presence_of_element_located((By.ID, "bulletin")))
    check("the September bulletin: totals and the idle townships",
          "本月受理 4 件" in b.text and "禾市镇" in d.find_element(By.ID, "idle").text, b.text[:200])
    check("the bulletin's month is labelled", unlabelled(d) == [], unlabelled(d))
    d.save_screenshot(f"{shots}/county-bulletin.png")
    pick = Select(d.find_element(By.ID, "month"))
    check("the bulletin's month is picked in Chinese words",
          pick.first_selected_option.text == "2026年9月", pick.first_selected_option.text)
    pick.select_by_value("2026-08")
    wait.until(lambda _: "month=2026-08" in d.current_url)
    wait.until(lambda _: "2026-08" in d.find_element(By.ID, "bulletin").text)
    check("picking August shows August's bulletin",
          Select(d.find_element(By.ID, "month")).first_selected_option.text == "2026年8月", d.current_url)

    # The complaints board (投诉): the complaint the wrapper filed, open, by deadline.
    d.get(base + "/#/complaints")
    t = wait.until(EC.presence_of_element_located((By.ID, "complaints")))
    check("the complaints board shows the open complaint",
          "窗口推诿" in t.text and "360826102001-20260925-0001" in t.text and "待受理" in t.text,
          t.text[:300])
    check("... and its outcomes line", "共 1 件" in d.find_element(By.ID, "cp-outcomes").text,
          d.find_element(By.ID, "cp-outcomes").text)
    Select(d.find_element(By.ID, "cp-state")).select_by_value("closed")
    try:
        wait.until(lambda d: "state=closed" in d.current_url and
                   not d.find_elements(By.CSS_SELECTOR, "#complaints tbody tr") and
                   d.find_elements(By.ID, "cp-none"))
        filtered = True
    except Exception:
        filtered = False
    check("the state filter: no closed complaint", filtered, d.current_url)
    check("the complaints board's filters are labelled", unlabelled(d) == [], unlabelled(d))
    d.save_screenshot(f"{shots}/county-complaints.png")

    # English: the header's button; every view drawn again in English, the
    # server's words too (?lang=en); nothing Chinese left but data.
    d.get(base + "/#/")
    wait.until(EC.presence_of_element_located((By.ID, "tiles")))
    d.execute_script(RECORD)
    check("the header offers English", d.find_element(By.ID, "lang").text == "English",
          d.find_element(By.ID, "lang").text)
    d.find_element(By.ID, "lang").click()
    wait.until(lambda x: x.find_element(By.TAG_NAME, "h1").text.endswith(" · Overview"))
    wait.until(lambda x: "Taken today" in x.find_element(By.ID, "tiles").text)
    check("English: the menu", [a.text for a in d.find_elements(By.CSS_SELECTOR, "nav a")] ==
          ["Overview", "Drill down", "Card board", "Ratings", "Statistics", "Monthly bulletin", "Complaints",
           "Wall screen"], [a.text for a in d.find_elements(By.CSS_SELECTOR, "nav a")])
    check("English: the server's words in the header (the role)", "(county supervisor, " in d.find_element(By.ID, "who").text, d.find_element(By.ID, "who").text)
    check("English: the charts' legends",
          d.execute_script("return Chart.getChart('chart-units').data.datasets.map((x) => x.label).join()") == "Taken,Closed")
    wait.until(lambda x: x.find_element(By.ID, "updated").text.startswith("updated "))
    check("English: the overview shows no Chinese but data", chinese_left(d) == [], chinese_left(d))
    check("English: the overview fits 1,366 px",
          d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
    check("English at 1,366 px: the menu on the place's row, the header two rows (<= 15 % of the screen)",
          *header_rows(d))
    check("English at 1,366 px: sign out on the update time's row", *logout_beside_time(d))
    d.save_screenshot(f"{shots}/county-overview-en.png")
    # Each view: the hash, what it shows when drawn, the screenshot's name (or None).
    views = [
        ("#/tv", lambda x: x.find_element(By.TAG_NAME, "h1").text.endswith("(wall screen)"), "tv"),
        ("#/drill" + R, lambda x: x.find_element(By.TAG_NAME, "h1").text.endswith(" · Drill down"), None),
        ("#/drill" + R + "&scope=360826100000", lambda x: x.find_elements(By.LINK_TEXT, "文田社区居委会"), None),
        ("#/cases" + R + "&scope=360826100001&measure=all", lambda x: x.find_element(By.TAG_NAME, "h1").text == "Cases: All", None),
        ("#/case/360826100001-20260922-0001", lambda x: x.find_elements(By.ID, "timeline")
         and x.find_element(By.ID, "case-state").text == "Closed", "case"),
        ("#/stats" + R + "&by=village&period=day", lambda x: x.find_element(By.TAG_NAME, "h1").text.endswith(" · Statistics"), "stats"),
        ("#/bulletin?month=2026-09", lambda x: "This month 4 case(s) were taken" in x.find_element(By.ID, "bulletin").text, "bulletin"),
        # (county_board.py shoots the board with a card: county-board-red-en.png)
        ("#/board", lambda x: x.find_element(By.TAG_NAME, "h1").text == "Card board", "emptyboard"),
        ("#/ratings", lambda x: x.find_element(By.TAG_NAME, "h1").text.startswith("Ratings"), None),
        ("#/complaints", lambda x: "To accept" in x.find_element(By.ID, "complaints").text
         or "to accept" in x.find_element(By.ID, "complaints").text, "complaints"),
    ]
    for hash_, drawn, shot in views:
        d.execute_script("location.hash = arguments[0]", hash_)
        try:
            wait.until(drawn)
            ok = True
        except Exception:
            ok = False
        check(f"English: {hash_} is drawn in English", ok, d.find_element(By.ID, "view").text[:300])
        check(f"English: {hash_} shows no Chinese but data", chinese_left(d) == [], chinese_left(d))
        if hash_ != "#/tv":  # the overview's "updated HH:MM" is the overview's only
            check(f"{hash_}: no overview's 'updated' in the header", d.find_element(By.ID, "updated").text == "",
                  d.find_element(By.ID, "updated").text)
        if shot:
            d.save_screenshot(f"{shots}/county-{shot}-en.png")
    d.execute_script("location.hash = '#/stats" + R + "'")
    wait.until(lambda x: x.find_elements(By.ID, "csv") and "by=township" not in x.current_url)
    labels = [lb.text.split("\n")[0].strip() for lb in d.find_elements(By.CSS_SELECTOR, "#view form label")]
    check("English: the statistics' filters are labelled in English", labels == ["From", "To", "Group by", "Period"]
          and unlabelled(d) == [], labels)
    href = d.find_element(By.ID, "csv").get_attribute("href")
    text = d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => r.text()).then(done)", href)
    head = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    check("English: the CSV is headed in English", head[:4] == ["Unit code", "Unit", "Period", "Entrusted"]
          and not any(re.search("[\u4e00-\u9fff]", x) for x in head), head)
    check("English: a refusal comes in English",
          d.execute_async_script("const done = arguments[0]; fetch('/api/board?township=360826999000&lang=en')"
                                 ".then((r) => r.json()).then((j) => done(j.error.message))")
          .startswith("township is not"))
    # At 1,366 px the English statistics are wider than the screen: scrolled to
    # its last measure, the table still shows each row's unit.
    pos = d.execute_script(
        "const box = document.getElementById('stats').parentElement;"
        "box.scrollLeft = box.scrollWidth;"
        "const cell = document.querySelector('#stats tbody td');"
        "return [box.scrollLeft, Math.round(cell.getBoundingClientRect().left"
        " - box.getBoundingClientRect().left)];")
    check("English: the statistics scroll sideways in their box, the unit kept in view",
          pos[0] > 0 and abs(pos[1]) <= 1, pos)
    d.save_screenshot(f"{shots}/county-stats-en-scrolled.png")
    # On a phone: the overview, the statistics and the board, nothing cut.
    d.set_window_size(390, 844)
    for hash_, mark, shot in (("#/", "tiles", "overview"), ("#/stats" + R, "stats", "stats"), ("#/board", "board", "emptyboard")):
        d.execute_script("location.hash = arguments[0]", hash_)
        wait.until(EC.presence_of_element_located((By.ID, mark)))
        check(f"English on a phone: {shot} fits 390 px (wide tables scroll in their box)",
              d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        if shot == "overview":
            tops = d.execute_script("return [...document.querySelectorAll('#tiles .tile')].slice(0, 2)"
                                    ".map((t) => t.getBoundingClientRect().top)")
            check("on a phone the overview's tiles go two by two", len(tops) == 2 and tops[0] == tops[1], tops)
        d.execute_script("document.getElementById(arguments[0]).scrollIntoView()", mark)
        d.save_screenshot(f"{shots}/county-{shot}-en-phone.png")
    d.set_window_size(1366, 900)
    # Back to Chinese, kept like the others (localStorage).
    d.find_element(By.ID, "lang").click()
    wait.until(lambda x: x.find_element(By.TAG_NAME, "h1").text == "亮牌看板")
    check("back in Chinese: the menu and the button",
          d.find_element(By.CSS_SELECTOR, "nav a").text == "总览" and d.find_element(By.ID, "lang").text == "English")
    check("the choice is kept", d.execute_script("return localStorage.getItem('tb-lang')") == "zh")
finally:
    d.quit()

finish()
