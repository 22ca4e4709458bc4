#!/usr/bin/python3
"""The village agent's screens in a real browser (headless Debian Chromium via
Selenium), against a running tongban-village serve.

    village.py BASE_URL SHOT_DIR

Prints TAP lines ("ok N - ..." / "not ok N - ..."), one per check, and a
screenshot of every screen into SHOT_DIR.  The bash wrapper
(test-village-web.sh) owns the daemons and counts the lines."""
import os
import json
import re
import sys
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webcheck import (browser, check, check_chinese_locale, check_table_layout, finish, http_at,  # noqa: E402
                      sign_in_page, signin, unlabelled)

base, shots = sys.argv[1], sys.argv[2]
PASSWORD = "Wang-Dai-Ban-1"


AUTH = {}  # the signed-in session: its cookie (and CSRF token, for changes)


def http(method, path, body=None, headers=None):
    h = {"Cookie": AUTH.get("Cookie", "")} if AUTH else {}
    h.update(headers or {})
    return http_at(base, method, path, body, h)



# ---- the API's refusals (the page is only one client) ----
st, body = http("GET", "/api/cases")
check("not signed in: 401", st == 401 and b"unauthenticated" in (body if isinstance(body, bytes) else json.dumps(body).encode()), body)
st, body = http("POST", "/api/cases", {"client": "张三", "phone": "13800138000", "item": "YB003"})
check("a change not signed in: 401", st == 401, body)
st, body, _ = signin(base, "wang.agent", "wrong-password")
check("a wrong password: 401", st == 401, body)
st, me, auth = signin(base, "wang.agent", PASSWORD)
csrf = me.get("csrf", "") if isinstance(me, dict) else ""
check("the agent signs in: 200 with a CSRF token", st == 200 and len(csrf) == 64, me)
AUTH.update(auth)
st, body = http("POST", "/api/cases", {"client": "张三", "phone": "13800138000", "item": "YB003"},
                {"X-CSRF-Token": ""})
check("a change without the CSRF token: 403", st == 403, body)
st, body = http("GET", "/api/cases/360826100002-20261130-0001")
check("a case of another village (outside the account's scope): 403",
      st == 403 and isinstance(body, dict) and body["error"]["code"] == "forbidden", body)
H = {"X-CSRF-Token": csrf}
st, body = http("POST", "/api/cases", {"client": "张三", "phone": "12345", "item": "YB003"}, H)
fields = [e.get("field") for e in body.get("errors", [])] if isinstance(body, dict) else []
check("a malformed phone: 400 naming the field", st == 400 and fields == ["phone"], body)
st, body = http("POST", "/api/cases", {"client": "张三", "phone": "13800138000", "item": "NOPE"}, H)
check("an unknown item: 400 on the item", st == 400 and body["errors"][0]["field"] == "item", body)
st, body = http("POST", "/api/cases", {"client": 5, "phone": "13800138000", "item": "YB003"}, H)
check("a number where text is wanted: 400", st == 400, body)
st, body = http("GET", "/api/cases/360826100001-20261130-9999")
check("an unknown case: 404", st == 404, body)
st, body = http("GET", "/api/cases?filter=everything")
check("an unknown filter: 400", st == 400, body)
st, body = http("GET", "/api/ledger?month=2026-13")
check("a month that does not exist: 400", st == 400, body)
st, before = http("GET", "/api/cases")
check("nothing was logged by the refused requests", st == 200 and before["cases"] == [], before)

# ---- the browser ----
drv = browser()
# The page redraws a view after each change: an element found a moment ago
# may be gone; waits look again instead of failing on it.
wait = WebDriverWait(drv, 15, ignored_exceptions=(StaleElementReferenceException,))
try:
    drv.get(base + "/#/log")
    sign_in_page(drv, wait, "wang.agent", "wrong", By, EC)
    err = wait.until(EC.presence_of_element_located((By.ID, "login-error")))
    check("the page says a wrong password", "错误" in err.text or "wrong" in err.text, err.text)
    drv.find_element(By.ID, "login-name").clear()
    sign_in_page(drv, wait, "wang.agent", PASSWORD, By, EC)
    wait.until(EC.presence_of_element_located((By.ID, "item-search")))
    check("signed in, the page names the agent", "王代办" in drv.find_element(By.ID, "who").text)
    check("the log form loads, in Chinese", "登记办件" in drv.page_source)
    check_chinese_locale(drv)
    drv.save_screenshot(f"{shots}/village-log.png")

    # Bad input is shown next to the field, and nothing is saved.
    drv.find_element(By.ID, "item-search").send_keys("YB003")
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#item-list button[data-code=YB003]"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "materials")))
    check("the item's materials appear, core marked", "核心" in drv.find_element(By.ID, "materials").text)
    drv.find_element(By.ID, "client").send_keys("李四")
    drv.find_element(By.ID, "phone").send_keys("123")
    check("the phone is checked as typed", drv.find_element(By.ID, "err-phone").text != "")
    drv.find_element(By.ID, "save").click()
    wait.until(lambda d: d.find_element(By.ID, "err-phone").text != "")
    check("the server's refusal is shown at the phone field", "电话" in drv.find_element(By.ID, "err-phone").text
          or "phone" in drv.find_element(By.ID, "err-phone").text.lower(),
          drv.find_element(By.ID, "err-phone").text)
    drv.save_screenshot(f"{shots}/village-log-refused.png")

    # Now right: saved, and the receipt shows.
    phone = drv.find_element(By.ID, "phone")
    phone.clear()
    phone.send_keys("13900139000")
    for box in drv.find_elements(By.CSS_SELECTOR, "input[name=material]")[:2]:
        box.click()
    drv.find_element(By.ID, "save").click()
    try:
        wait.until(EC.presence_of_element_located((By.ID, "receipt")))
    except Exception:
        drv.save_screenshot(f"{shots}/village-log-stuck.png")
        errs = [e.text for e in drv.find_elements(By.CSS_SELECTOR, ".err, #toast") if e.text]
        raise SystemExit(f"not ok - the saved form never showed a receipt; on the page: {errs}")
    receipt = drv.find_element(By.ID, "receipt").text
    case_id = drv.current_url.rsplit("/", 1)[-1]
    check("saving shows the receipt with the case id", case_id in receipt and "李四" in receipt, receipt)
    check("the receipt says what is still to bring", "需补材料" in receipt, receipt)
    # Before acceptance: the item's materials not handed in, and the promised
    # date counted from today, marked 预计 (no empty rows).
    bring = drv.find_element(By.ID, "receipt-bring").text
    check("the receipt lists the materials not handed in", bring == "费用清单、出院小结、银行卡复印件", bring)
    promised = drv.find_element(By.ID, "receipt-promised").text
    check("the receipt's promised date is marked 预计 before acceptance",
          re.fullmatch(r"\d{4}-\d{2}-\d{2}（预计）", promised) is not None
          and promised[:10] > time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600)), promised)
    drv.save_screenshot(f"{shots}/village-receipt.png")

    # The ledger lists it; the case page shows its timeline.
    drv.get(base + "/#/ledger")
    wait.until(EC.presence_of_element_located((By.ID, "ledger")))
    check("the ledger lists the new case", case_id in drv.find_element(By.ID, "ledger").text)
    check_table_layout(drv, "ledger", "the ledger")
    check("the ledger's filters are labelled (搜索, 事项, 受理日期自, 至)", unlabelled(drv) == [], unlabelled(drv))
    # English stays one click away (tb_i18n): the same labels, in English.
    drv.find_element(By.ID, "lang").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Ledger")
    words = [lb.text.split("\n")[0].strip() for lb in drv.find_elements(By.CSS_SELECTOR, ".filters label")]
    check("in English the ledger's filters are labelled in English",
          words == ["Search", "Service item", "Taken from", "to"] and unlabelled(drv) == [], words)
    # The header's link words follow at once (the click redraws them), not at the next poll.
    check("in English the header's link words are English at once",
          drv.find_element(By.ID, "link-text").text in ("Township link up", "Township link down"),
          drv.find_element(By.ID, "link-text").text)
    drv.find_element(By.ID, "lang").click()
    check("back in Chinese the header's link words are Chinese at once",
          drv.find_element(By.ID, "link-text").text in ("乡镇已连接", "乡镇未连接"),
          drv.find_element(By.ID, "link-text").text)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "台账")
    drv.save_screenshot(f"{shots}/village-ledger.png")
    drv.find_element(By.LINK_TEXT, case_id).click()
    wait.until(EC.presence_of_element_located((By.ID, "timeline")))
    check("the case page shows its history", "登记" in drv.find_element(By.ID, "timeline").text,
          drv.find_element(By.ID, "timeline").text)
    tl = drv.find_element(By.ID, "timeline").text
    check("the case page names the agent (王代办), not the login", "王代办" in tl and "wang.agent" not in tl, tl)
    drv.save_screenshot(f"{shots}/village-case.png")

    # A note through the page lands in the history.
    drv.find_element(By.ID, "note-text").send_keys("群众电话确认")
    drv.find_element(By.CSS_SELECTOR, "#note-form button").click()
    wait.until(lambda d: "群众电话确认" in d.find_element(By.ID, "timeline").text)
    check("a note taken on the page is in the history", True)

    # The monthly ledger prints the resident's line.
    drv.get(base + "/#/month")
    wait.until(EC.presence_of_element_located((By.ID, "month-ledger")))
    ml = drv.find_element(By.ID, "month-ledger").text
    check("the monthly ledger has the case's resident", "李四" in ml, ml)
    check("the monthly ledger names the agent (王代办), not the login", "王代办" in ml and "wang.agent" not in ml, ml)
    drv.save_screenshot(f"{shots}/village-month.png")

    # Phone-sized screen (390×844): every screen fits its width (a wide table
    # scrolls inside its box) and its controls are reachable by keyboard.
    drv.set_window_size(390, 844)
    for name, path, mark in (("log", "#/log", "item-search"), ("ledger", "#/ledger", "ledger"),
                             ("month", "#/month", "month-ledger"), ("case", "#/case/" + case_id, "timeline"),
                             ("receipt", "#/receipt/" + case_id, "receipt")):
        drv.get(base + "/" + path)
        wait.until(EC.presence_of_element_located((By.ID, mark)))
        check(f"{name}: fits a phone-sized screen",
              drv.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        if name == "log":  # the header leaves the phone's screen to the work (place, menu, link, who)
            top = drv.execute_script("return [document.querySelector('header').offsetHeight, window.innerHeight]")
            check("on a phone the header takes at most a quarter of the screen", top[0] * 4 <= top[1], top)
        if name in ("ledger", "month"):
            check_table_layout(drv, mark, f"{name} on a phone", dates=name == "ledger")
        if name == "ledger":
            check("the ledger's four columns fit the phone's width (no sideways scroll)",
                  drv.execute_script("const s = document.querySelector('.scroll'); return s.scrollWidth <= s.clientWidth + 1"))
            check("on a phone a toast (已保存) leaves the ledger's pager readable",
                  drv.execute_script("toast('已保存'); const a = document.getElementById('toast').getBoundingClientRect();"
                                     " const b = document.querySelector('.pager').getBoundingClientRect();"
                                     " return a.bottom <= b.top || b.bottom <= a.top;"))
        drv.save_screenshot(f"{shots}/village-{name}-phone.png")
    # Keyboard: Tab from the page's start reaches the ledger's pager.
    drv.get(base + "/#/ledger")
    wait.until(EC.presence_of_element_located((By.ID, "page-count")))
    check("the ledger shows its count", "共 1 件" in drv.find_element(By.ID, "page-count").text,
          drv.find_element(By.ID, "page-count").text)
    ids = set()
    for _ in range(80):
        drv.switch_to.active_element.send_keys(Keys.TAB)
        ids.add(drv.execute_script("const e = document.activeElement; return e.id || e.getAttribute('href') || e.textContent.trim();"))
    check("Tab reaches the filters, the search and the case link",
          {"ledger-q", "ledger-item", "ledger-from", "ledger-to", "#/case/" + case_id} <= ids, sorted(i for i in ids if i))
    # The rating form (GB/T 39735): the five levels and the four offline
    # indicators, all four or none.  A consultation answered on the spot is
    # closed at once, so it can be rated here.
    st, body = http("POST", "/api/cases", {"client": "赵六", "phone": "13607961111", "item": "ZX001",
                                           "reply": "已当场解答"}, H)
    rated = body.get("case_id", "") if isinstance(body, dict) else ""
    check("a consultation answered on the spot", st in (200, 201) and rated != "", body)
    drv.get(base + "/#/case/" + rated)
    wait.until(EC.presence_of_element_located((By.ID, "rate")))
    check("the rating form has the four indicators",
          all(drv.find_elements(By.ID, "ind-" + k) for k in ("overall", "efficiency", "skill", "attitude")))
    drv.find_element(By.ID, "r1").click()  # 满意
    Select(drv.find_element(By.ID, "ind-overall")).select_by_value("4")
    Select(drv.find_element(By.ID, "ind-efficiency")).select_by_value("5")
    drv.find_element(By.CSS_SELECTOR, "#rate button[type=submit]").click()
    wait.until(lambda d: "四项评价指标" in d.find_element(By.ID, "toast").text)
    check("two indicators of four: the same words as the command line",
          "须全部填写或全部不填" in drv.find_element(By.ID, "toast").text, drv.find_element(By.ID, "toast").text)
    check("nothing was rated", http("GET", "/api/cases/" + rated)[1].get("rating") in (0, None))
    Select(drv.find_element(By.ID, "ind-skill")).select_by_value("4")
    Select(drv.find_element(By.ID, "ind-attitude")).select_by_value("3")
    drv.save_screenshot(f"{shots}/village-rating.png")
    drv.find_element(By.CSS_SELECTOR, "#rate button[type=submit]").click()
    wait.until(lambda d: "整体满意度" in d.find_element(By.ID, "timeline").text)
    check("the rating with its indicators is in the history",
          "满意（整体满意度 满意、服务效率 非常满意、服务水平 满意、服务态度 基本满意）"
          in drv.find_element(By.ID, "timeline").text, drv.find_element(By.ID, "timeline").text)
    drv.save_screenshot(f"{shots}/village-rated.png")
    # 追评 (issue 11): once the case is rated, the resident may rate again,
    # once; the same five levels and four indicators.
    wait.until(EC.presence_of_element_located((By.ID, "followup")))
    check("the 追评 form comes after the rating, with the four indicators",
          "追评" in drv.find_element(By.ID, "followup").text
          and all(drv.find_elements(By.ID, "ind-" + k) for k in ("overall", "efficiency", "skill", "attitude")))
    drv.find_element(By.ID, "do-followup").click()  # no level chosen
    wait.until(lambda d: d.find_element(By.ID, "toast").text != "")
    check("a 追评 without its level: refused in words that name the level, nothing written",
          "请选择评价等级" in drv.find_element(By.ID, "toast").text
          and http("GET", "/api/cases/" + rated)[1].get("followup") in (0, None), drv.find_element(By.ID, "toast").text)
    drv.find_element(By.ID, "fu0").click()  # 非常满意
    drv.find_element(By.ID, "followup-comment").send_keys("又来办了一次，很顺利")
    submit = drv.find_element(By.ID, "do-followup")
    drv.execute_script("arguments[0].scrollIntoView()", drv.find_element(By.ID, "followup"))
    drv.save_screenshot(f"{shots}/village-followup.png")
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)  # clear of the toast
    submit.click()
    wait.until(lambda d: "追评" in d.find_element(By.ID, "timeline").text)
    check("the 追评 is in the history and on the case",
          "非常满意 又来办了一次，很顺利" in drv.find_element(By.CSS_SELECTOR, "dl.kv").text
          and not drv.find_elements(By.ID, "followup"), drv.find_element(By.CSS_SELECTOR, "dl.kv").text)
    drv.execute_script("arguments[0].scrollIntoView()", drv.find_element(By.CSS_SELECTOR, "dl.kv"))
    drv.save_screenshot(f"{shots}/village-followed-up.png")
    st, body = http("POST", f"/api/cases/{rated}/followup", {"rating": "满意"}, H)
    check("a second 追评: refused (once per case)", st == 400 and "只能做一次" in json.dumps(body, ensure_ascii=False), (st, body))
finally:
    drv.quit()

st, after = http("GET", "/api/cases")
check("exactly one case was logged through the page (and the consultation rated above by the API)",
      st == 200 and len([c for c in after["cases"] if c.get("item_code") != "ZX001"]) == 1, after)
finish()
