#!/usr/bin/python3
"""Complaints (投诉, issue 11) at the village's and the township's screens in a
real browser (headless Debian Chromium via Selenium); the bash wrapper
(test-cp-complaints.sh) owns the daemons and takes the county's steps
between the two stages.

    cp_complaints.py village VILLAGE_URL CASE_ID SHOT_DIR
        the agent files a complaint for the resident on the case's page;
        the API refuses bad input with the CLI's words and writes nothing
    cp_complaints.py township TOWNSHIP_URL CASE_ID SHOT_DIR
        the complaint, assigned to this township, is listed by deadline and
        marked ours to answer; its page shows its steps; the window answers
        through the 反馈 form; the API refuses bad input

Prints TAP-like lines, one per check, and screenshots into SHOT_DIR."""
import os
import sys
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webcheck import browser, check, finish, http_at, sign_in_page, signin  # noqa: E402

stage, base, case_id, shots = sys.argv[1:5]
TEXT = "窗口推诿，材料一次没说清"
REPLY = "已约谈窗口人员，向群众一次说清所需材料"


def fields(body):
    return [e.get("field") for e in body.get("errors", [])] if isinstance(body, dict) else []


def message(body):
    return body["errors"][0]["message"] if fields(body) else ""


def text(d, id_):
    for _ in range(20):  # the page redraws a view when a status comes back: look again
        try:
            return d.find_element(By.ID, id_).text
        except StaleElementReferenceException:
            time.sleep(0.1)
    return d.find_element(By.ID, id_).text


def village():
    st, me, auth = signin(base, "zhang.agent", "Zhang-Dai-Ban-1")
    check("the agent signs in", st == 200, me)
    H = {"Cookie": auth.get("Cookie", "")}
    W = dict(H, **{"X-CSRF-Token": auth.get("X-CSRF-Token", "")})
    url = f"/api/cases/{case_id}/complain"

    def events():
        return [e["event"] for e in http_at(base, "GET", "/api/cases/" + case_id, headers=H)[1]["history"]]
    before = events()
    st, body = http_at(base, "POST", url, {"text": TEXT}, H)
    check("a complaint without the CSRF token: 403", st == 403, body)
    st, body = http_at(base, "POST", url, {"text": " "}, W)
    check("a complaint without its text: 400 on text, the CLI's words",
          st == 400 and fields(body) == ["text"] and "投诉须写明内容" in message(body), body)
    st, body = http_at(base, "POST", url, {"kind": "表扬", "text": TEXT}, W)
    check("an unknown kind: 400 on kind", st == 400 and fields(body) == ["kind"] and "投诉 或 咨询" in message(body),
          body)
    st, body = http_at(base, "POST", url, {"text": ["a"]}, W)
    check("text that is not text: 400", st == 400, body)
    st, body = http_at(base, "POST", "/api/cases/360826100001-20261130-9999/complain", {"text": TEXT}, W)
    check("an unknown case: 404", st == 404, body)
    check("nothing refused was written", events() == before, events())

    d = browser()
    wait = WebDriverWait(d, 30, ignored_exceptions=(StaleElementReferenceException,))
    try:
        d.get(base + "/#/case/" + case_id)
        sign_in_page(d, wait, "zhang.agent", "Zhang-Dai-Ban-1", By, EC)
        wait.until(EC.presence_of_element_located((By.ID, "complain-form")))
        check("the case's page offers 为群众登记投诉", "为群众登记投诉" in text(d, "complain-form"))
        d.find_element(By.ID, "complain-text").send_keys(TEXT)
        d.save_screenshot(f"{shots}/cp-village-complain.png")
        d.find_element(By.ID, "do-complain").click()
        wait.until(lambda d: "投诉登记" in text(d, "timeline"))
        check("filed: the timeline shows 投诉登记", True)
        check("no second form while it is open", not d.find_elements(By.ID, "complain-form"))
        d.save_screenshot(f"{shots}/cp-village-filed.png")
    finally:
        d.quit()
    st, body = http_at(base, "POST", url, {"text": "再投诉"}, W)
    check("a second complaint while one is open: 400, the CLI's words",
          st == 400 and "已有未办结的投诉" in message(body), body)
    check("the filed complaint is one event", events().count("complained") == 1, events())


def township():
    st, me, aud = signin(base, "aud.t", "Shen-Ji-Yuan-1")
    check("the township's auditor signs in", st == 200, me)
    st, body = http_at(base, "POST", f"/api/cases/{case_id}/complaint-reply", {"text": REPLY}, aud)
    check("the auditor may not answer: 403", st == 403, body)
    st, body = http_at(base, "GET", "/api/complaints", headers={"Cookie": aud.get("Cookie", "")})
    check("the auditor reads the list", st == 200 and len(body["complaints"]) == 1, body)
    st, me, auth = signin(base, "li.win", "Li-Chuang-Kou-1")
    H = {"Cookie": auth.get("Cookie", "")}
    W = dict(H, **{"X-CSRF-Token": auth.get("X-CSRF-Token", "")})
    st, body = http_at(base, "GET", "/api/complaints")
    check("not signed in: 401", st == 401, body)
    st, body = http_at(base, "GET", "/api/complaints?state=nope", headers=H)
    check("an unknown state: 400 on state", st == 400 and fields(body) == ["state"], body)
    st, body = http_at(base, "GET", "/api/complaints", headers=H)
    cps = body.get("complaints", []) if isinstance(body, dict) else []
    mine = [p for p in cps if p["case_id"] == case_id]
    check("the list has the complaint assigned here, ours to answer, with its deadline",
          st == 200 and len(mine) == 1 and mine[0]["mine"] and mine[0]["state"] == "assigned"
          and mine[0]["unit"] == "360826100000" and mine[0]["due"] and mine[0]["text"] == TEXT, body)
    st, body = http_at(base, "GET", "/api/complaints/360826100001-20261130-9999", headers=H)
    check("the complaint of an unknown case: 404", st == 404, body)
    st, body = http_at(base, "GET", "/api/complaints/360826101001-20261130-0001", headers=H)
    check("a case outside the account's scope: 403", st == 403, body)
    st, c = http_at(base, "GET", "/api/cases/" + case_id, headers=H)
    check("the case offers complaint-reply, not complain",
          "complaint-reply" in c.get("steps", []) and "complain" not in c.get("steps", []), c.get("steps"))
    url = f"/api/cases/{case_id}/complaint-reply"

    def steps():
        return [e["event"] for e in http_at(base, "GET", "/api/complaints/" + case_id, headers=H)[1]["steps"]]
    before = steps()
    st, body = http_at(base, "POST", url, {"text": REPLY}, H)
    check("a reply without the CSRF token: 403", st == 403, body)
    st, body = http_at(base, "POST", url, {"text": ""}, W)
    check("a reply without its text: 400 on text, the CLI's words",
          st == 400 and fields(body) == ["text"] and "反馈须写明办理情况" in message(body), body)
    st, body = http_at(base, "POST", url, {"text": "投" * 700}, W)
    check("a reply over 2000 bytes: 400 on text", st == 400 and fields(body) == ["text"], body)
    st, body = http_at(base, "POST", f"/api/cases/{case_id}/complain", {"kind": "表扬", "text": "很好"}, W)
    check("the window files with an unknown kind: 400 on kind", st == 400 and fields(body) == ["kind"], body)
    st, body = http_at(base, "POST", f"/api/cases/{case_id}/complain", {"text": "再投诉"}, W)
    check("the window files while one is open: 400, the CLI's words",
          st == 400 and "已有未办结的投诉" in message(body), body)
    check("nothing refused was written", steps() == before, steps())

    d = browser()
    wait = WebDriverWait(d, 30, ignored_exceptions=(StaleElementReferenceException,))
    try:
        d.get(base + "/#/complaints")
        sign_in_page(d, wait, "li.win", "Li-Chuang-Kou-1", By, EC)
        wait.until(EC.presence_of_element_located((By.ID, "complaints")))
        t = text(d, "complaints")
        check("the 投诉 screen lists it, 待本单位反馈", case_id in t and "待本单位反馈" in t, t)
        d.save_screenshot(f"{shots}/cp-township-complaints.png")
        d.find_element(By.LINK_TEXT, case_id).click()
        wait.until(EC.presence_of_element_located((By.ID, "cp-steps")))
        s = text(d, "cp-steps")
        check("its steps: filed, accepted, assigned", "投诉登记" in s and "投诉受理" in s and "投诉流转" in s, s)
        check("its text and unit", TEXT in text(d, "complaint"), text(d, "complaint"))
        d.find_element(By.ID, "do-cpreply").click()  # empty: refused next to the field
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#f-cpreply .err-text").text)
        check("an empty reply is refused next to its field",
              d.find_element(By.CSS_SELECTOR, "#f-cpreply .err-text").text != "")
        d.find_element(By.ID, "cpreply-text").send_keys(REPLY)
        d.save_screenshot(f"{shots}/cp-township-complaint.png")
        d.find_element(By.ID, "do-cpreply").click()
        wait.until(lambda d: "投诉反馈" in text(d, "cp-steps"))
        check("answered: the steps show 投诉反馈", True)
        check("no reply form once answered", not d.find_elements(By.ID, "f-cpreply"))
        d.save_screenshot(f"{shots}/cp-township-replied.png")
    finally:
        d.quit()
    st, body = http_at(base, "POST", url, {"text": REPLY}, W)
    check("a second reply: 400, the CLI's words",
          st == 400 and "没有流转给本单位待反馈的投诉" in message(body), body)


village() if stage == "village" else township()
finish()
