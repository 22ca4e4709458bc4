#!/usr/bin/python3
"""The card board and the ratings view of the county dashboard in a real
browser, against the processes test-county-board.sh started.

    county_board.py URL LOGIN PASSWORD SHOT_DIR CASE CLOCK_FILE RED_AT_MS

CASE was rated 不满意 at the village: its rectification shows in 好差评 with
its owner.  The board is open (no reload from here on) when we move the
injected clock to RED_AT_MS, past the 回访 deadline: the red revisit card
must appear within 5 s.  Filters narrow the board; a bad filter is a 400
with a JSON error.  Screenshots: SHOT_DIR/county-board-*.png."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from webcheck import RECORD, browser, check, chinese_left, finish, http_at, signin, table_layout, unlabelled  # noqa: E402

base, login, password, shots, case, clock, red_at = sys.argv[1:8]
d = browser()
# A view re-rendered between finding an element and reading it: look again.
wait = WebDriverWait(d, 20, ignored_exceptions=(StaleElementReferenceException,))


def rows(table):
    return [r.get_attribute("data-case") for r in d.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")]


try:
    d.get(base + "/")
    wait.until(EC.presence_of_element_located((By.ID, "login-name"))).send_keys(login)
    d.find_element(By.ID, "login-pw").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
    wait.until(EC.visibility_of_element_located((By.ID, "nav")))

    d.get(base + "/#/ratings")
    wait.until(EC.presence_of_element_located((By.ID, "ratings")))
    check("好差评 lists the 差评's rectification", case in rows("ratings"), rows("ratings"))
    row = d.find_element(By.CSS_SELECTOR, f'#ratings tr[data-case="{case}"]').text
    check("with its level, comment and owner (澄江镇, which decided it)", "不满意" in row and "等了很久" in row and "澄江镇" in row, row)
    lay = table_layout(d, "ratings")
    check("好差评: its times in one piece", lay["dates"] and all(k == 1 for k in lay["dates"]), lay)
    d.save_screenshot(f"{shots}/county-board-ratings.png")

    d.get(base + "/#/board")
    wait.until(EC.presence_of_element_located((By.ID, "board")))
    check("the board has no card for it before its 回访 is due", case not in rows("board"), rows("board"))
    d.save_screenshot(f"{shots}/county-board-before.png")
    with open(clock + ".new", "w") as f:
        f.write(red_at)
    os.replace(clock + ".new", clock)
    t0 = time.monotonic()
    try:
        WebDriverWait(d, 10, poll_frequency=0.1).until(lambda x: case in rows("board"))
    except Exception:
        pass
    took = time.monotonic() - t0
    print(f"# the red card appeared on the open board after {took:.1f} s")
    check("the red card appears on the open board, no reload", case in rows("board"), f"{took:.1f} s")
    row = d.find_element(By.CSS_SELECTOR, f'#board tr[data-case="{case}"]').text if case in rows("board") else ""
    check("as 红牌 · 差评未回访", "红牌" in row and "差评未回访" in row, row)
    check("the board's filters are labelled (乡镇, 牌, 类别)", unlabelled(d) == [], unlabelled(d))
    lay = table_layout(d, "board")
    check("the board's 期限 and 亮牌时间: the date and the time each in one piece (no 2026-09- / 30)",
          len(lay["dates"]) >= 2 * len(rows("board")) > 0 and all(k == 1 for k in lay["dates"]), lay)
    d.save_screenshot(f"{shots}/county-board-red.png")

    # In English (the header's button): the card's words and the ratings'
    # are English, the server's too; the names of places and people stay.
    d.execute_script(RECORD)
    d.find_element(By.ID, "lang").click()
    wait.until(lambda x: x.find_element(By.TAG_NAME, "h1").text == "Card board")
    wait.until(lambda x: case in rows("board"))
    row = d.find_element(By.CSS_SELECTOR, f'#board tr[data-case="{case}"]').text
    check("English: the card as Red · Bad rating not revisited", "Red" in row and "Bad rating not revisited" in row, row)
    check("English: the board shows no Chinese but data", chinese_left(d) == [], chinese_left(d))
    d.save_screenshot(f"{shots}/county-board-red-en.png")
    d.execute_script("location.hash = '#/ratings'")
    wait.until(EC.presence_of_element_located((By.ID, "ratings")))
    row = d.find_element(By.CSS_SELECTOR, f'#ratings tr[data-case="{case}"]').text
    check("English: the rating's level from the server in English, the comment as written",
          "dissatisfied" in row and "等了很久" in row, row)
    check("English: the ratings show no Chinese but data", chinese_left(d) == [], chinese_left(d))
    d.save_screenshot(f"{shots}/county-board-ratings-en.png")
    d.set_window_size(390, 844)
    d.execute_script("location.hash = '#/board'")
    wait.until(lambda x: case in rows("board"))
    check("English on a phone: the board fits 390 px (its table scrolls in its box)",
          d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
    d.execute_script("document.getElementById('board').scrollIntoView()")
    d.save_screenshot(f"{shots}/county-board-red-en-phone.png")
    d.set_window_size(1366, 768)
    d.find_element(By.ID, "lang").click()
    wait.until(lambda x: x.find_element(By.TAG_NAME, "h1").text == "亮牌看板")

    d.get(base + "/#/board?level=yellow")
    wait.until(EC.presence_of_element_located((By.ID, "board")))
    # Only the hash changed: the unfiltered table stays until the filtered
    # answer is drawn (the red card in it), so wait for that first.
    try:
        WebDriverWait(d, 5, poll_frequency=0.1).until(lambda x: case not in rows("board"))
    except Exception:
        pass
    check("the level filter: no yellow card", case not in rows("board"), rows("board"))
    d.get(base + "/#/board?kind=revisit&township=360826100000")
    wait.until(EC.presence_of_element_located((By.ID, "board")))
    wait.until(lambda x: case in rows("board"))
    check("the kind and township filters keep it", case in rows("board"))

    st, body, hdr = signin(base, login, password)
    s, b = http_at(base, "GET", "/api/board?level=green", headers=hdr)
    check("a bad level is a 400 with a JSON error", s == 400 and isinstance(b, dict) and "error" in b, (s, b))
    s, b = http_at(base, "GET", "/api/board?township=360826999000", headers=hdr)
    check("an unknown township is a 400", s == 400, (s, b))
    s, b = http_at(base, "GET", "/api/ratings?open=maybe", headers=hdr)
    check("a bad open flag is a 400", s == 400, (s, b))
    s, b = http_at(base, "GET", "/api/board")
    check("not signed in: 401", s == 401, s)
    s, b = http_at(base, "GET", "/api/ratings?open=1", headers=hdr)
    check("the API lists the open rectification", s == 200 and [r["case_id"] for r in b["ratings"]] == [case], b)

    # The staff steps through the API, as `tongban-county ratings`.
    step = f"/api/ratings/{case}/revisit"
    s, b = http_at(base, "POST", step, {"text": "已回访"}, headers={"Cookie": hdr["Cookie"]})
    check("a step without the CSRF token: 403", s == 403, (s, b))
    s, b = http_at(base, "POST", step, {}, headers=hdr)
    check("a 回访 without its text: 400, in Chinese", s == 400 and "--text" in b["error"]["message"], (s, b))
    s, b = http_at(base, "POST", f"/api/ratings/{case}/rectify", {"text": "x", "outcome": "立行立改"}, headers=hdr)
    check("整改 before the 回访: 409", s == 409 and "请先回访再整改" in b["error"]["message"], (s, b))
    s, b = http_at(base, "POST", f"/api/ratings/{case}/fly", {"text": "x"}, headers=hdr)
    check("an unknown step: 404", s == 404, (s, b))
    d.get(base + "/#/board")
    wait.until(lambda x: case in rows("board"))
    s, b = http_at(base, "POST", step, {"text": "已电话回访"}, headers=hdr)
    check("the 回访 through the API", s == 200 and b.get("revisited_ms", 0) > 0 and b.get("revisit_note") == "已电话回访", (s, b))
    t0 = time.monotonic()
    try:
        WebDriverWait(d, 10, poll_frequency=0.1).until(lambda x: case not in rows("board"))
    except Exception:
        pass
    took = time.monotonic() - t0
    check("its card leaves the open board, no reload", case not in rows("board"), f"{took:.1f} s")
    s, b = http_at(base, "POST", step, {"text": "again"}, headers=hdr)
    check("a second 回访: 409", s == 409 and "已回访过" in b["error"]["message"], (s, b))
    s, b = http_at(base, "POST", f"/api/ratings/{case}/review", {"text": "x", "verdict": "approve"}, headers=hdr)
    check("a review with no appeal: 409", s == 409 and "没有待复核的申诉" in b["error"]["message"], (s, b))
finally:
    d.quit()
finish()
