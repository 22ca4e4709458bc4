#!/usr/bin/python3
"""The township window's screens in a real browser (headless Debian Chromium
via Selenium), against running township and village daemons linked through a
broker to a county.

    township.py TOWNSHIP_URL VILLAGE_URL CASE_ID SHOT_DIR

CASE_ID is a county item (YB003) the village logged with only the ID card,
already in the township's inbox in pre-review.  Prints TAP-like lines, one
per check, and a screenshot of every screen into SHOT_DIR.  The bash wrapper
(test-township-web.sh) owns the daemons."""
import os
import re
import sys
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webcheck import (browser, check, check_table_layout, finish, http_at, sign_in_page, signin,  # noqa: E402
                      table_layout, unlabelled)

tbase, vbase, case_id, shots = sys.argv[1:5]
TPASS, APASS, VPASS = "Li-Chuang-Kou-1", "Shen-Ji-Yuan-1", "Zhang-Dai-Ban-1"
MISSING = ["住院发票原件", "费用清单", "出院小结", "银行卡复印件"]


AUTH = {}  # the window's session at the township: its cookie


def http(method, path, body=None, headers=None, raw=None):
    h = {"Cookie": AUTH.get("Cookie", "")} if AUTH else {}
    h.update(headers or {})
    return http_at(tbase, method, path, body, h, raw)



def fields(body):
    return [e.get("field") for e in body.get("errors", [])] if isinstance(body, dict) else []


def history(cid):
    st, c = http("GET", "/api/cases/" + cid)
    return [e["event"] for e in c.get("history", [])] if st == 200 else []


# ---- the API's refusals (the page is only one client) ----
st, body = http("GET", "/api/inbox")
check("not signed in: 401", st == 401, body)
st, body, _ = signin(tbase, "zhang.agent", VPASS)
check("a village agent at the township: 401", st == 401, body)
st, me, aud = signin(tbase, "aud.t", APASS)
check("the township's auditor signs in", st == 200, me)
st, body = http_at(tbase, "POST", f"/api/cases/{case_id}/accept", {}, aud)
check("the auditor may not change a case: 403", st == 403 and body["error"]["code"] == "read_only", body)
st, me, auth = signin(tbase, "li.win", TPASS)
csrf = me.get("csrf", "") if isinstance(me, dict) else ""
check("the window signs in: 200 with a CSRF token", st == 200 and len(csrf) == 64, me)
AUTH.update(auth)
st, body = http("GET", "/api/cases/360826101001-20261130-0001")
check("a case of another township (outside the account's scope): 403", st == 403, body)
H = {"X-CSRF-Token": csrf}
st, body = http("POST", f"/api/cases/{case_id}/accept", {})
check("a step without the CSRF token: 403", st == 403, body)
st, body = http("POST", f"/api/cases/{case_id}/accept", {}, {"X-CSRF-Token": "0" * 64})
check("a step with a wrong CSRF token: 403", st == 403, body)
st, body = http("POST", "/api/cases", {"client": "张三", "phone": "12345", "item": "YB001"}, H)
check("walk-in with a malformed phone: 400 naming the field", st == 400 and fields(body) == ["phone"], body)
st, body = http("POST", f"/api/cases/{case_id}/notice", {"missing": ["结婚证"]}, H)
check("a notice naming a material not in the list: 400 on missing, the CLI's words",
      st == 400 and fields(body) == ["missing"] and "该材料不在本事项的材料清单中" in body["errors"][0]["message"], body)
st, body = http("POST", f"/api/cases/{case_id}/decide", {}, H)
check("decide without a decision: 400 on decision", st == 400 and fields(body) == ["decision"], body)
st, body = http("POST", f"/api/cases/{case_id}/pledge", {"pledge": ["银行卡复印件"], "due": "2026-02-30"}, H)
check("a pledge with an impossible due date: 400 on due", st == 400 and fields(body) == ["due"], body)
st, body = http("POST", f"/api/cases/{case_id}/refuse", {"reason": ""}, H)
check("refuse without a reason: 400 on reason", st == 400 and fields(body) == ["reason"], body)
st, body = http("POST", f"/api/cases/{case_id}/suspend", {"basis": "whim"}, H)
check("suspend on an unknown basis: 400", st == 400, body)
st, body = http("POST", f"/api/cases/{case_id}/fly", {}, H)
check("an unknown step: 404", st == 404, body)
st, body = http("POST", f"/api/cases/{case_id}/accept", raw=b"{not json", headers=H)
check("a body that is not JSON: 400", st == 400, body)
st, body = http("GET", "/api/cases/360826100001-20261130-9999")
check("an unknown case: 404", st == 404, body)
st, body = http("DELETE", "/api/inbox")
check("another method on a known path: 405", st == 405, body)
check("no refused request added an event", history(case_id) == ["logged", "submitted", "received"],
      history(case_id))
st, c = http("GET", "/api/cases/" + case_id)
steps = set(c.get("steps", []))
check("pre-review offers notice, accept and refuse", {"notice", "accept", "refuse"} <= steps, steps)
check("pre-review offers neither forward nor result nor decide",
      not steps & {"forward", "result", "decide", "resume"}, steps)



def text(d, id_):
    # The page redraws a view when a status comes back: look again.
    for _ in range(20):
        try:
            return d.find_element(By.ID, id_).text
        except StaleElementReferenceException:
            time.sleep(0.1)
    return d.find_element(By.ID, id_).text


tw = browser()
vw = None
# The page redraws a view after each change: waits look again for an element.
tw_wait = WebDriverWait(tw, 30, ignored_exceptions=(StaleElementReferenceException,))
try:
    # The inbox: the village's case, with the status bar always there.
    tw.get(tbase + "/#/inbox")
    sign_in_page(tw, tw_wait, "li.win", TPASS, By, EC)
    tw_wait.until(EC.presence_of_element_located((By.ID, "inbox")))
    check("the inbox lists the village's case", case_id in text(tw, "inbox"))
    tw_wait.until(lambda d: "县级" in text(d, "link-text") and "待报送" in text(d, "backlog"))
    check("the link to the county, the backlog and the county's last status are shown",
          "县级最近回传" in text(tw, "last-status"), text(tw, "link"))
    check_table_layout(tw, "inbox", "the inbox")
    check("the inbox's filters are labelled (搜索, 村, 事项)", unlabelled(tw) == [], unlabelled(tw))
    rows = tw.execute_script("return [...document.querySelectorAll('header.top nav, #lang')]"
                             ".map((e) => Math.round(e.getBoundingClientRect().top))")
    check("at 1,366 px the English button is on the header's first row, beside the menu",
          len(rows) == 2 and abs(rows[0] - rows[1]) < 20, rows)
    tw.save_screenshot(f"{shots}/township-inbox.png")

    # Pre-review: the item's materials as a checklist; the notice lists every missing one.
    tw.find_element(By.LINK_TEXT, case_id).click()
    tw_wait.until(EC.presence_of_element_located((By.ID, "f-notice")))
    check("the case page shows its timeline", "登记" in text(tw, "timeline"), text(tw, "timeline"))
    check("only the steps pre-review allows are offered",
          tw.find_elements(By.ID, "f-forward") == [] and tw.find_elements(By.ID, "f-accept") != [])
    tw.save_screenshot(f"{shots}/township-case-prereview.png")
    for box in tw.find_elements(By.CSS_SELECTOR, "#pre-missing input[type=checkbox]"):
        box.click()
    tw.find_element(By.ID, "do-notice").click()
    tw_wait.until(EC.presence_of_element_located((By.ID, "notice-list")))
    listed = [li.text for li in tw.find_elements(By.CSS_SELECTOR, "#notice-list li")]
    check("the one-time notice lists every missing material at once", listed == MISSING, listed)
    check("the notice is the printable 一次性告知书", "一次性告知书" in text(tw, "notice-doc"))
    tw.save_screenshot(f"{shots}/township-notice.png")

    # The inbox is by deadline: a walk-in whose pre-review clock runs comes
    # before the village's case, whose clock the notice paused.
    st, w2 = http("POST", "/api/cases", {"client": "赵六", "phone": "13907961111", "item": "YB002",
                                         "materials": ["参合证"]}, H)
    st, ib = http("GET", "/api/inbox")
    order = [c["case_id"] for c in ib.get("cases", [])]
    check("the inbox: running clock first, paused after", order == [w2.get("case_id"), case_id], ib)
    st, ib = http("GET", "/api/inbox?village=360826100001")
    check("the inbox filtered by village", [c["case_id"] for c in ib["cases"]] == [case_id], ib)
    st, ib = http("GET", "/api/inbox?item=YB002")
    check("the inbox filtered by item", [c["case_id"] for c in ib["cases"]] == [w2.get("case_id")], ib)

    # The agent's village page: the checklist arrives; the agent supplements there.
    vw = browser()
    vw_wait = WebDriverWait(vw, 45, ignored_exceptions=(StaleElementReferenceException,))
    vw.get(vbase + "/#/case/" + case_id)
    sign_in_page(vw, vw_wait, "zhang.agent", VPASS, By, EC)
    vw_wait.until(EC.presence_of_element_located((By.ID, "timeline")))
    vw_wait.until(lambda d: d.find_elements(By.ID, "notice"))  # after the notice travels down
    boxes = vw.find_elements(By.CSS_SELECTOR, "#notice input[type=checkbox]")
    check("the village page shows the notice as a checklist",
          [b.get_attribute("value") for b in boxes] == MISSING, [b.get_attribute("value") for b in boxes])
    kv = vw.find_element(By.CSS_SELECTOR, "dl.kv").text
    check("a paused clock reads 计时暂停 on the case, not the API's word", "计时暂停" in kv and "paused" not in kv, kv)
    check("the paused clock is said once on the case (the deadline), not again as a warning",
          kv.count("计时暂停") == 1, kv)
    vw.save_screenshot(f"{shots}/township-village-checklist.png")
    for b in boxes[:3]:
        b.click()
    vw.find_element(By.CSS_SELECTOR, "#notice button[type=submit]").click()
    vw_wait.until(lambda d: "银行卡复印件" in d.find_element(By.ID, "notice").text
                  and len(d.find_elements(By.CSS_SELECTOR, "#notice input[type=checkbox]")) == 1)
    check("the agent supplemented three on the village page", True)
    vw.execute_script("window.__notReloaded = true")

    # The window: the supplement arrives, 容缺 for the card copy, then forward.
    tw_wait.until(lambda d: "supplemented" in history(case_id))
    tw.get(tbase + "/#/case/" + case_id)
    tw_wait.until(EC.presence_of_element_located((By.ID, "f-pledge")))
    check("the supplement reached the window", "supplemented" in history(case_id), history(case_id))
    check("with a material still missing plain accept is not offered, 容缺 is",
          tw.find_elements(By.ID, "f-accept") == [])
    tw.save_screenshot(f"{shots}/township-case-supplemented.png")
    # A pledge without its due date is refused next to the field, in the CLI's words.
    tw.find_element(By.CSS_SELECTOR, "#f-pledge button[type=submit]").click()
    tw_wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#f-pledge .err-due").text != "")
    check("a pledge without its due date is refused at the date field",
          "补交期限" in tw.find_element(By.CSS_SELECTOR, "#f-pledge .err-due").text)
    pledge = tw.find_elements(By.CSS_SELECTOR, "#pledge-mats input[type=checkbox]")
    check("the pledge offers only the non-core material missing",
          [p.get_attribute("value") for p in pledge] == ["银行卡复印件"], [p.get_attribute("value") for p in pledge])
    pledge[0].click()
    tw.execute_script("document.getElementById('pledge-due').value = '2026-12-31'")
    tw.find_element(By.CSS_SELECTOR, "#f-pledge button[type=submit]").click()
    tw_wait.until(EC.presence_of_element_located((By.ID, "f-forward")))
    check("容缺受理 taken; forward is offered now", "pledged" in history(case_id), history(case_id))
    tw.save_screenshot(f"{shots}/township-case-accepted.png")
    tw.find_element(By.ID, "do-forward").click()
    tw_wait.until(lambda d: "forwarded" in history(case_id))
    tw_wait.until(lambda d: not d.find_elements(By.ID, "f-forward"))
    check("forwarded to the county", True)
    tw.save_screenshot(f"{shots}/township-case-forwarded.png")
    # Accepted (容缺): the receipt's date is the promise itself, and what is
    # still to bring is what was pledged.
    tw.get(tbase + "/#/receipt/" + case_id)
    tw_wait.until(EC.presence_of_element_located((By.ID, "receipt-promised")))
    promised = text(tw, "receipt-promised")
    check("accepted: the promised date, no longer 预计", re.fullmatch(r"\d{4}-\d{2}-\d{2}", promised) is not None,
          promised)
    check("accepted: still to bring is the pledged material", text(tw, "receipt-bring") == "银行卡复印件",
          text(tw, "receipt-bring"))
    tw.save_screenshot(f"{shots}/township-receipt-accepted.png")

    # The village page, never reloaded, shows the county's status: the
    # county's receipt (签收) travels down and the page redraws by itself.
    vauth = signin(vbase, "zhang.agent", VPASS)[2]

    def village_case():
        return http_at(vbase, "GET", "/api/cases/" + case_id, headers=vauth)[1]
    vw_wait.until(lambda d: village_case()["state"] == "county")
    label = village_case()["state_label"]
    vw_wait.until(lambda d: label in d.find_element(By.ID, "view").text)
    check("the village page shows the county's status without reload",
          vw.execute_script("return window.__notReloaded === true"), label)
    vw.save_screenshot(f"{shots}/township-village-county.png")

    # The villages of this township.
    tw.get(tbase + "/#/villages")
    tw_wait.until(EC.presence_of_element_located((By.ID, "villages")))
    vtext = text(tw, "villages")
    check("the villages page lists this village", "360826100001" in vtext, vtext)
    st, vs = http("GET", "/api/villages")
    mine = [v for v in vs["villages"] if v["place"] == "360826100001"]
    check("the village: its open case, last heard and the link cursor",
          mine and mine[0]["open"] == 1 and mine[0]["last_heard"] and mine[0]["cursor"] > 0, mine)
    tw.save_screenshot(f"{shots}/township-villages.png")

    # Walk-in registration: bad input next to the field, then a receipt.
    tw.get(tbase + "/#/register")
    tw_wait.until(EC.presence_of_element_located((By.ID, "item-search")))
    tw.find_element(By.ID, "item-search").send_keys("YB001")
    tw_wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#item-list button[data-code=YB001]"))).click()
    tw_wait.until(EC.presence_of_element_located((By.ID, "materials")))
    tw.find_element(By.ID, "client").send_keys("陈大爷")
    tw.find_element(By.ID, "phone").send_keys("555")
    tw.find_element(By.ID, "save").click()
    tw_wait.until(lambda d: d.find_element(By.ID, "err-phone").text != "")
    check("walk-in: a bad phone is refused at the field", "电话" in text(tw, "err-phone"), text(tw, "err-phone"))
    tw.save_screenshot(f"{shots}/township-register-refused.png")
    ph = tw.find_element(By.ID, "phone")
    ph.clear()
    ph.send_keys("13907960000")
    for box in tw.find_elements(By.CSS_SELECTOR, "input[name=material]"):
        box.click()
    tw.find_element(By.ID, "save").click()
    tw_wait.until(EC.presence_of_element_located((By.ID, "receipt")))
    walk = tw.current_url.rsplit("/", 1)[-1]
    check("walk-in: the receipt with the township's case id", walk.startswith("360826100000-")
          and "陈大爷" in text(tw, "receipt"), text(tw, "receipt"))
    check("walk-in, everything handed in: no 需补材料 row", not tw.find_elements(By.ID, "receipt-bring"),
          text(tw, "receipt"))
    check("walk-in, an immediate item: promised today, 预计",
          text(tw, "receipt-promised") == time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600)) + "（预计）",
          text(tw, "receipt-promised"))
    tw.save_screenshot(f"{shots}/township-receipt.png")

    # An immediate item decided at the window: result at once (马上办).
    tw.get(tbase + "/#/case/" + walk)
    tw_wait.until(EC.presence_of_element_located((By.ID, "do-accept"))).click()
    tw_wait.until(EC.presence_of_element_located((By.ID, "f-decide")))
    tw.find_element(By.ID, "grant").click()
    tw.find_element(By.CSS_SELECTOR, "#f-decide button[type=submit]").click()
    tw_wait.until(lambda d: "result" in history(walk))
    check("an immediate item granted gets its result at once", "result" in history(walk), history(walk))
    tw.save_screenshot(f"{shots}/township-case-decided.png")

    # Delivered at the window and rated there as GB/T 39735 has it: the five
    # levels and the four offline indicators, all four or none (the village's words).
    st, body = http("POST", f"/api/cases/{walk}/deliver", {}, H)
    check("the walk-in delivered at the window", st == 200, body)
    tw.refresh()  # the same address: load the case again
    tw_wait.until(EC.presence_of_element_located((By.ID, "f-rate")))
    check("the window's rating form has the four indicators",
          all(tw.find_elements(By.ID, "ind-" + k) for k in ("overall", "efficiency", "skill", "attitude")))
    tw.find_element(By.ID, "r0").click()  # 非常满意
    Select(tw.find_element(By.ID, "ind-overall")).select_by_value("5")
    tw.find_element(By.CSS_SELECTOR, "#f-rate button[type=submit]").click()
    tw_wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#f-rate .err-rating").text != "")
    check("one indicator of four: refused on the form, the village's words",
          "须全部填写或全部不填" in tw.find_element(By.CSS_SELECTOR, "#f-rate .err-rating").text)
    check("nothing was rated", "rated" not in history(walk), history(walk))
    for k, v in (("efficiency", "4"), ("skill", "4"), ("attitude", "5")):
        Select(tw.find_element(By.ID, "ind-" + k)).select_by_value(v)
    tw.save_screenshot(f"{shots}/township-rating.png")
    tw.find_element(By.CSS_SELECTOR, "#f-rate button[type=submit]").click()
    tw_wait.until(lambda d: "rated" in history(walk))
    tw_wait.until(lambda d: "整体满意度" in text(d, "timeline"))
    check("the rating with its indicators is in the window's history",
          "非常满意（整体满意度 非常满意、服务效率 满意、服务水平 满意、服务态度 非常满意）" in text(tw, "timeline"),
          text(tw, "timeline"))
    tw.save_screenshot(f"{shots}/township-rated.png")
    # 追评 at the window (issue 11): once, after the rating.
    tw_wait.until(EC.presence_of_element_located((By.ID, "f-followup")))
    tw.find_element(By.ID, "fu3").click()  # 不满意
    tw.find_element(By.ID, "followup-comment").send_keys("结果有误，要求更正")
    tw.execute_script("arguments[0].scrollIntoView()", tw.find_element(By.ID, "f-followup"))
    tw.save_screenshot(f"{shots}/township-followup.png")
    tw.find_element(By.ID, "do-followup").click()
    tw_wait.until(lambda d: "rating_followup" in history(walk))
    tw_wait.until(lambda d: "追评" in text(d, "timeline"))
    check("the window's 追评 is in its history and on the case, its form gone",
          "不满意 结果有误，要求更正" in tw.find_element(By.CSS_SELECTOR, "dl.kv").text
          and not tw.find_elements(By.ID, "f-followup"), tw.find_element(By.CSS_SELECTOR, "dl.kv").text)
    tw.execute_script("arguments[0].scrollIntoView()", tw.find_element(By.CSS_SELECTOR, "dl.kv"))
    tw.save_screenshot(f"{shots}/township-followed-up.png")

    # Phone-sized screen (390×844): every screen fits its width.
    tw.set_window_size(390, 844)
    for name, path, mark in (("inbox", "#/inbox", "inbox"), ("register", "#/register", "item-search"),
                             ("villages", "#/villages", "villages"), ("case", "#/case/" + case_id, "steps"),
                             ("notice", "#/notice/" + case_id, "notice-doc"), ("receipt", "#/receipt/" + walk, "receipt")):
        tw.get(tbase + "/" + path)
        tw_wait.until(EC.presence_of_element_located((By.ID, mark)))
        check(f"{name}: fits a phone-sized screen",
              tw.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        if name == "inbox":
            check_table_layout(tw, "inbox", "the inbox on a phone")
            check("the inbox's four columns fit the phone's width (no sideways scroll)",
                  tw.execute_script("const s = document.querySelector('.scroll'); return s.scrollWidth <= s.clientWidth + 1"))
        if name == "villages":
            lay = table_layout(tw, "villages")
            check("the villages on a phone: every heading whole, a time in one piece",
                  not lay["heads"] and all(n == 1 for n in lay["dates"]), lay)
            check("the villages' table fits the phone's width (no sideways scroll)",
                  tw.execute_script("const s = document.querySelector('.scroll'); return s.scrollWidth <= s.clientWidth + 1"))
        tw.save_screenshot(f"{shots}/township-{name}-phone.png")
        if name == "inbox":
            check("the inbox shows its count", text(tw, "page-count").startswith("共 "), text(tw, "page-count"))
finally:
    if vw:
        vw.quit()
    tw.quit()

finish()
