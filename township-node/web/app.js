/* The township window's screens (served by tongban-township serve, nothing
 * fetched from elsewhere).  Hash routes: #/inbox, #/register, #/villages,
 * #/complaints, #/complaint/<case id> (投诉, issue 11), #/case/<id>, #/notice/<id> (the printable 一次性告知书), #/receipt/<id>.
 * Every value from the server is put in the page as text (never as HTML).
 * The server checks every field again and answers 400 with
 * {"errors": [{"field", "message"}]} in the same words as the command line;
 * the steps offered for a case are those its state allows (the server asks
 * the rules table). *
 * Shared with the village's screens: /base.js (common/web/base.js). */
"use strict";

const EN = {
  "预计": "estimated", "计时暂停": "clock paused", "全部": "All", "办理中": "Open", "即将到期": "Due soon", "已超期": "Overdue", "已办结": "Closed",
  "搜索姓名或办件编号": "Search name or case id", "搜索": "Search", "上一页": "Previous", "下一页": "Next", "翻页": "Pages",
  "登录": "Sign in", "登录名": "Login", "密码": "Password", "退出": "Sign out",
  "nav.inbox": "Inbox", "nav.register": "Walk-in", "nav.villages": "Villages",
  "待办": "Inbox", "窗口登记": "Walk-in registration", "各村": "Villages", "事项": "Service item",
  "搜索事项名称或编码": "Search item name or code", "群众姓名": "Resident's name", "联系电话": "Phone",
  "已收材料": "Materials received", "备注": "Note", "督办反馈": "Reply to the supervision order", "提交反馈": "Send the reply", "答复": "Reply given", "保存并打印回执": "Save and print the receipt",
  "核心": "core", "非核心（可容缺）": "non-core (may be owed)", "所有村": "All villages", "所有事项": "All items",
  "办件编号": "Case id", "群众": "Resident", "受理时间": "Taken at", "状态": "Status", "经办方": "Holder",
  "办理期限": "Due", "预警": "Card", "没有办件": "No cases", "办理过程": "History", "已保存": "Saved",
  "县级已连接": "County link up", "县级未连接": "County link down", "待报送": "waiting to send",
  "县级最近回传": "last status from the county", "预审": "Pre-review", "材料清单": "Materials checklist",
  "已交": "handed in", "生成一次性告知书": "Issue the one-time notice", "一次性告知书": "One-time notice",
  "补交材料": "Materials brought", "受理": "Accept", "容缺受理": "Accept with a pledge",
  "承诺补交期限": "Due date of the pledge", "不予受理": "Refuse", "理由": "Reason", "决定": "Decide",
  "准予": "Grant", "不予许可": "Deny", "上报县级": "Forward to the county", "挂起": "Suspend",
  "依据": "Basis", "说明": "Explanation", "恢复办理": "Resume", "出件": "Issue the result", "送达": "Deliver",
  "追评": "Follow-up rating", "提交追评": "Submit follow-up rating",
  "群众对整改或办理结果的再次评价，每件一次": "The resident rates again (the fix, or the service since): once per case",
  "评价": "Rating", "撤回": "Withdraw", "提交": "Submit", "打印": "Print", "村": "Village",
  "最近联系": "Last heard", "办理中": "Open", "已超期": "Overdue", "即将到期": "Due soon",
  "已收到序号": "Cursor", "需补材料": "Still to bring", "办理结果": "Result", "代办员": "Agent",
  "县级状态": "County status", "回执": "Receipt", "办件回执": "Case receipt", "已交材料": "Handed over",
  "承诺办结日期": "Promised by", "窗口联系电话": "Window phone", "群众签字": "Resident's signature",
  "返回": "Back", "窗口人员": "Window staff", "请补齐以下全部材料后再来办理": "Please bring every material below, all at once",
  "现场勘查": "site survey", "听证": "hearing", "公告公示": "public notice", "检验检测鉴定": "appraisal",
  "非常满意": "Very satisfied", "满意": "Satisfied", "基本满意": "Basically satisfied",
  "不满意": "Dissatisfied", "非常不满意": "Very dissatisfied", "意见": "Comment", "从未": "never",
  "nav.complaints": "Complaints", "投诉": "Complaint", "未办结": "Open", "待本单位反馈": "ours to answer",
  "类别": "Kind", "投诉内容": "Complaint", "责任单位": "Responsible unit", "期限": "Due", "没有投诉": "No complaints",
  "投诉过程": "Steps", "登记": "Filed", "反馈": "Reply", "投诉反馈": "Answer the complaint",
  "反馈内容": "What was done", "查看投诉": "See the complaint", "为群众登记投诉": "File a complaint for the resident",
  "咨询": "Consultation", "登记投诉": "File the complaint", "办件": "Case",
};
/* ---- always visible: the county link, the backlog, the county's last status ---- */
let lastStatusMs = null;
function drawStatus(s) {
  document.getElementById("place-name").textContent = s.place_name || s.place || "";
  document.getElementById("link-dot").className = "dot " + (s.link_up ? "up" : "down");
  document.getElementById("link-text").textContent = T(s.link_up ? "县级已连接" : "县级未连接");
  document.getElementById("backlog").textContent = `${T("待报送")} ${s.backlog || 0}`;
  document.getElementById("last-status").textContent = `${T("县级最近回传")} ${s.last_status || T("从未")}`;
}
async function pollStatus() {
  try {
    const s = lastStatus = await api("GET", "/api/status");
    drawStatus(s);
    if (lastStatusMs !== null && s.last_status_ms !== lastStatusMs) route(true);
    lastStatusMs = s.last_status_ms;
  } catch (e) {
    document.getElementById("link-dot").className = "dot down";
    document.getElementById("link-text").textContent = e.message;
  }
}
/* ---- 待办: the inbox, by deadline ---- */
let inboxState = { filter: "", q: "", village: "", item: "", page: 1 };
async function viewInbox() {
  await loadCatalog();
  const [data, vs] = await Promise.all([api("GET", "/api/inbox?" + listQuery(inboxState)), api("GET", "/api/villages")]);
  /* A changed filter starts again at page 1. */
  const set = (k, v) => { inboxState[k] = v; inboxState.page = 1; viewInbox(); };
  const village = h("select", { id: "inbox-village" }, h("option", { value: "" }, T("所有村")),
    vs.villages.map((v) => h("option", { value: v.place, selected: v.place === inboxState.village }, v.name || v.place)));
  village.addEventListener("change", () => set("village", village.value));
  const item = h("select", { id: "inbox-item" }, h("option", { value: "" }, T("所有事项")),
    catalog.map((it) => h("option", { value: it.code, selected: it.code === inboxState.item }, `${it.code} ${it.name}`)));
  item.addEventListener("change", () => set("item", item.value));
  const go = (n) => { inboxState.page = n; viewInbox(); };
  show(h("h1", {}, T("待办")),
    h("div", { class: "filters" }, filterTabs(inboxState, set), searchBox("inbox-q", inboxState, set),
      h("label", {}, T("村"), village), h("label", {}, T("事项"), item)),
    caseTable("inbox", data.cases || []), pager(data, go));
}

/* ---- 各村: this township's villages ---- */
async function viewVillages() {
  const data = await api("GET", "/api/villages");
  const rows = data.villages.map((v) => h("tr", {},
    h("td", {}, h("a", { href: "#/inbox", onclick: () => { inboxState.village = v.place; inboxState.page = 1; } },
      h("span", { class: "nw" }, v.name), " ", h("span", { class: "nw" }, v.place))),
    h("td", {}, v.last_heard ? when(v.last_heard) : T("从未")), h("td", {}, String(v.cursor)), h("td", {}, String(v.open)),
    h("td", {}, v.due_soon ? h("span", { class: "card-yellow" }, String(v.due_soon)) : "0"),
    h("td", {}, v.overdue ? h("span", { class: "card-red" }, String(v.overdue)) : "0")));
  show(h("h1", {}, T("各村")), h("div", { class: "scroll" }, h("table", { id: "villages" }, h("thead", {}, h("tr", {},
    ["村", "最近联系", "已收到序号", "办理中", "即将到期", "已超期"].map((s) => h("th", {}, T(s))))),
  h("tbody", {}, rows))));
}

/* ---- 窗口登记: walk-in registration, the village's form ---- */
async function viewRegister() {
  await loadCatalog();
  entryForm(T("窗口登记"));
}

/* ---- 回执: the same receipt as the village's ---- */
async function viewReceipt(id) {
  const [c, s] = await Promise.all([api("GET", "/api/cases/" + encodeURIComponent(id)), api("GET", "/api/status")]);
  show(receiptCard(c, s, "窗口人员", "窗口联系电话"),
    h("div", { class: "noprint" }, h("button", { type: "button", class: "primary", onclick: () => print() }, T("打印")),
      h("a", { class: "button", href: "#/case/" + encodeURIComponent(id) }, T("预审")),
      h("a", { class: "button", href: "#/inbox" }, T("返回"))));
}

/* ---- 一次性告知书: every missing material at once, printable ---- */
async function viewNotice(id) {
  const [c, s] = await Promise.all([api("GET", "/api/cases/" + encodeURIComponent(id)), api("GET", "/api/status")]);
  const ev = (c.history || []).filter((e) => e.event === "notice").pop();
  const missing = (c.to_bring || "").split(/[,，、]/).map((x) => x.trim()).filter(Boolean);
  const kv = (k, v) => [h("dt", {}, T(k)), h("dd", {}, v || "")];
  show(h("div", { class: "receipt", id: "notice-doc" },
    h("h1", {}, `${s.place_name || ""} ${T("一次性告知书")}`),
    h("dl", { class: "kv" }, kv("办件编号", c.case_id), kv("事项", `${c.item_code} ${c.item_name}`),
      kv("群众", c.client_name), kv("窗口人员", ev ? ev.actor_name || ev.actor : s.agent), kv("受理时间", ev ? ev.at : "")),
    h("p", {}, T("请补齐以下全部材料后再来办理") + "："),
    h("ol", { id: "notice-list" }, missing.map((m) => h("li", {}, m))),
    h("p", {}, `${T("窗口联系电话")}：${s.phone || ""}`)),
  h("div", { class: "noprint" }, h("button", { type: "button", class: "primary", onclick: () => print() }, T("打印")),
    h("a", { class: "button", href: "#/case/" + encodeURIComponent(id) }, T("返回"))));
}

/* ---- one step's form: POST it, the server's field errors next to their fields ---- */
function submitStep(id, name, formId, body, done) {
  return async (ev) => {
    ev.preventDefault();
    const form = document.getElementById(formId);
    for (const e of form.querySelectorAll(".err")) e.textContent = "";
    try {
      await api("POST", `/api/cases/${encodeURIComponent(id)}/${name}`, body());
      toast(T("已保存"));
      done();
    } catch (e) {
      if (e.fields.length) for (const f of e.fields) (form.querySelector(".err-" + f.field) || form.querySelector(".err-form")).textContent = f.message;
      else toast(e.message);
    }
  };
}
const errBox = (f) => h("div", { class: "err err-" + f });

/* ---- 投诉: the complaints on this township's cases, soonest deadline first ---- */
const CP_FILTERS = [["", "未办结"], ["all", "全部"]];
let cpFilter = "";
async function viewComplaints() {
  const data = await api("GET", "/api/complaints" + (cpFilter ? "?state=" + cpFilter : ""));
  const tabs = h("div", { class: "tabs", role: "group", "aria-label": T("状态") }, CP_FILTERS.map(([f, label]) =>
    h("button", { type: "button", "aria-pressed": cpFilter === f ? "true" : "false",
      onclick: () => { cpFilter = f; viewComplaints(); } }, T(label))));
  const rows = (data.complaints || []).map((p) => h("tr", {},
    h("td", {}, h("a", { href: "#/complaint/" + encodeURIComponent(p.case_id) }, p.case_id)),
    h("td", { class: "client" }, p.client_name), h("td", {}, p.kind_label), h("td", {}, p.text),
    h("td", {}, p.mine ? h("strong", {}, `${p.state_label}（${T("待本单位反馈")}）`) : p.state_label),
    h("td", {}, p.unit_name || ""), h("td", {}, when(p.due)),
    h("td", {}, p.overdue ? h("span", { class: "card-red" }, T("已超期")) : "")));
  show(h("h1", {}, T("投诉")), h("div", { class: "filters" }, tabs),
    rows.length ? h("div", { class: "scroll" }, h("table", { id: "complaints" }, h("thead", {}, h("tr", {},
      ["办件编号", "群众", "类别", "投诉内容", "状态", "责任单位", "期限", "预警"].map((k) => h("th", {}, T(k))))),
    h("tbody", {}, rows))) : h("p", { class: "hint", id: "complaints-none" }, T("没有投诉")));
}

/* One complaint: what it says, its steps, and the 反馈 form when it waits for ours. */
async function viewComplaint(id) {
  const d = await api("GET", "/api/complaints/" + encodeURIComponent(id));
  const p = d.complaint;
  const kv = (k, v) => (v ? [h("dt", {}, T(k)), h("dd", {}, v)] : []);
  const forms = [];
  if (p.mine)
    forms.push(h("form", { class: "card", id: "f-cpreply", onsubmit: submitStep(id, "complaint-reply", "f-cpreply",
      () => ({ text: document.getElementById("cpreply-text").value }), () => viewComplaint(id)) },
      h("label", { for: "cpreply-text" }, T("投诉反馈") + " · " + T("反馈内容")),
      h("textarea", { id: "cpreply-text", maxlength: 2000 }), errBox("text"), errBox("form"),
      h("button", { type: "submit", class: "primary", id: "do-cpreply" }, T("提交反馈"))));
  show(h("h1", {}, `${T("投诉")} ${p.case_id}`),
    h("div", { class: "card", id: "complaint" }, h("dl", { class: "kv" },
      kv("类别", p.kind_label), kv("群众", `${p.client_name} ${d.client_phone || ""}`), kv("事项", `${p.item_code} ${d.item_name || ""}`),
      kv("投诉内容", p.text), kv("登记", `${p.filed_at} · ${p.filed_by_name}`),
      kv("状态", p.mine ? `${p.state_label}（${T("待本单位反馈")}）` : p.state_label),
      kv("责任单位", p.unit_name), kv("期限", p.due), kv("预警", p.overdue ? T("已超期") : ""), kv("反馈", p.reply)),
      h("a", { class: "button", href: "#/case/" + encodeURIComponent(p.case_id) }, T("办件") + " " + p.case_id)),
    h("h2", {}, T("投诉过程")),
    h("ol", { class: "timeline", id: "cp-steps" }, (d.steps || []).map((e) =>
      h("li", {}, h("strong", {}, e.label), ` · ${e.where} · ${e.at}`, e.actor ? ` · ${e.actor_name || e.actor}` : "",
        e.reason ? h("div", { class: "hint" }, e.reason) : null))),
    h("div", { id: "steps" }, forms));
}

/* ---- 一件办件: timeline and the window's steps ---- */
const BASES = [["survey", "现场勘查"], ["hearing", "听证"], ["notice", "公告公示"], ["appraisal", "检验检测鉴定"]];
const RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
async function viewCase(id) {
  const c = await api("GET", "/api/cases/" + encodeURIComponent(id));
  const steps = new Set(c.steps || []);
  const mats = c.material_list || [];
  const kv = (k, v) => (v ? [h("dt", {}, T(k)), h("dd", {}, v)] : []);
  const val = (sel) => document.querySelector(sel)?.value ?? "";
  const checked = (sel) => [...document.querySelectorAll(sel + " input:checked")].map((i) => i.value);
  /* One form per step; the server's field errors go next to the field. */
  const step = (name, formId, body, after) =>
    submitStep(id, name, formId, body, after ? () => (location.hash = after) : () => viewCase(id));
  const err = errBox;
  const forms = [];
  const checklist = (box, onlyMissing, onlyNoncore) => h("fieldset", { class: "materials", id: box },
    h("legend", {}, T("材料清单")),
    mats.filter((m) => (!onlyMissing || !m.have) && (!onlyNoncore || !m.core)).map((m, i) =>
      h("label", {}, h("input", { type: "checkbox", value: m.name, id: box + i, checked: m.have && !onlyMissing ? true : false,
        disabled: m.have && !onlyMissing ? true : false }), m.name,
        h("span", { class: "tag " + (m.core ? "core" : "") }, T(m.core ? "核心" : "非核心（可容缺）")),
        m.have ? ` · ${T("已交")}` : "")));
  if (steps.has("notice")) {
    /* Pre-review: tick what is missing; every ticked one is listed at once. */
    forms.push(h("form", { class: "card", id: "f-notice", onsubmit: step("notice", "f-notice",
      () => ({ missing: checked("#pre-missing") }), "#/notice/" + encodeURIComponent(id)) },
      h("h2", {}, T("预审") + "：" + T("生成一次性告知书")), checklist("pre-missing", true, false), err("missing"), err("form"),
      h("button", { type: "submit", class: "primary", id: "do-notice" }, T("生成一次性告知书"))));
  }
  if (c.to_bring && c.history && c.history.some((e) => e.event === "notice"))
    forms.push(h("p", {}, h("a", { class: "button", href: "#/notice/" + encodeURIComponent(id), id: "show-notice" }, T("一次性告知书"))));
  if (steps.has("supplement")) {
    const bring = (c.to_bring || "").split(/[,，、]/).map((s) => s.trim()).filter(Boolean);
    forms.push(h("form", { class: "card", id: "f-supplement", onsubmit: step("supplement", "f-supplement", () => ({ materials: checked("#f-supplement") })) },
      h("h2", {}, T("补交材料")), bring.map((b, i) => h("label", {}, h("input", { type: "checkbox", value: b, id: "sup" + i }), b)),
      err("materials"), err("form"), h("button", { type: "submit", class: "primary" }, T("补交材料"))));
  }
  if (steps.has("accept"))
    forms.push(h("form", { class: "card", id: "f-accept", onsubmit: step("accept", "f-accept", () => ({})) }, err("form"),
      h("button", { type: "submit", class: "primary", id: "do-accept" }, T("受理"))));
  if (steps.has("pledge"))
    forms.push(h("form", { class: "card", id: "f-pledge", onsubmit: step("pledge", "f-pledge", () => ({ pledge: checked("#pledge-mats"), due: val("#pledge-due") })) },
      h("h2", {}, T("容缺受理")), checklist("pledge-mats", true, true), err("pledge"),
      h("label", { for: "pledge-due" }, T("承诺补交期限")), h("input", { type: "date", id: "pledge-due" }), err("due"), err("form"),
      h("button", { type: "submit" }, T("容缺受理"))));
  if (steps.has("refuse"))
    forms.push(h("form", { class: "card", id: "f-refuse", onsubmit: step("refuse", "f-refuse", () => ({ reason: val("#refuse-reason") })) },
      h("label", { for: "refuse-reason" }, T("不予受理") + " · " + T("理由")), h("input", { type: "text", id: "refuse-reason", maxlength: 2000 }),
      err("reason"), err("form"), h("button", { type: "submit" }, T("不予受理"))));
  if (steps.has("decide"))
    forms.push(h("form", { class: "card", id: "f-decide", onsubmit: step("decide", "f-decide", () => ({
      decision: document.querySelector("#f-decide input[name=decision]:checked")?.value, reason: val("#decide-reason") })) },
      h("h2", {}, T("决定")), h("label", {}, h("input", { type: "radio", name: "decision", value: "grant", id: "grant" }), T("准予")),
      h("label", {}, h("input", { type: "radio", name: "decision", value: "deny", id: "deny" }), T("不予许可")), err("decision"),
      h("label", { for: "decide-reason" }, T("理由")), h("input", { type: "text", id: "decide-reason", maxlength: 2000 }),
      err("reason"), err("form"), h("button", { type: "submit", class: "primary" }, T("决定"))));
  if (steps.has("forward"))
    forms.push(h("form", { class: "card", id: "f-forward", onsubmit: step("forward", "f-forward", () => ({})) }, err("form"),
      h("button", { type: "submit", class: "primary", id: "do-forward" }, T("上报县级"))));
  if (steps.has("suspend"))
    forms.push(h("form", { class: "card", id: "f-suspend", onsubmit: step("suspend", "f-suspend", () => ({ basis: val("#suspend-basis"), reason: val("#suspend-reason") })) },
      h("label", { for: "suspend-basis" }, T("挂起") + " · " + T("依据")),
      h("select", { id: "suspend-basis" }, h("option", { value: "" }, "—"), BASES.map(([v, l]) => h("option", { value: v }, T(l)))), err("basis"),
      h("label", { for: "suspend-reason" }, T("说明")), h("input", { type: "text", id: "suspend-reason", maxlength: 2000 }),
      err("reason"), err("form"), h("button", { type: "submit" }, T("挂起"))));
  for (const [name, label] of [["resume", "恢复办理"], ["result", "出件"], ["deliver", "送达"]])
    if (steps.has(name))
      forms.push(h("form", { class: "card", id: "f-" + name, onsubmit: step(name, "f-" + name, () => ({})) }, err("form"),
        h("button", { type: "submit", class: "primary", id: "do-" + name }, T(label))));
  if (steps.has("rate"))
    forms.push(h("form", { class: "card", id: "f-rate", onsubmit: step("rate", "f-rate", () => ({
      rating: 5 - RATINGS.indexOf(document.querySelector("#f-rate input:checked")?.value ?? ""), comment: val("#rate-comment"), ...indicatorValues() })) },
      h("h2", {}, T("评价")), RATINGS.map((r, i) => h("label", {}, h("input", { type: "radio", name: "rating", value: r, id: "r" + i }), T(r))),
      indicatorFields(RATINGS),
      err("rating"), h("label", { for: "rate-comment" }, T("意见")), h("textarea", { id: "rate-comment", maxlength: 2000 }),
      err("form"), h("button", { type: "submit", class: "primary" }, T("提交"))));
  /* 追评 (issue 11): once, after the rating; the same fields as the rating. */
  if (steps.has("followup"))
    forms.push(h("form", { class: "card", id: "f-followup", onsubmit: step("followup", "f-followup", () => ({
      rating: 5 - RATINGS.indexOf(document.querySelector("#f-followup input:checked")?.value ?? ""), comment: val("#followup-comment"), ...indicatorValues() })) },
      h("h2", {}, T("追评")), h("p", { class: "hint" }, T("群众对整改或办理结果的再次评价，每件一次")),
      RATINGS.map((r, i) => h("label", {}, h("input", { type: "radio", name: "followup", value: r, id: "fu" + i }), T(r))),
      indicatorFields(RATINGS),
      err("rating"), h("label", { for: "followup-comment" }, T("意见")), h("textarea", { id: "followup-comment", maxlength: 2000 }),
      err("form"), h("button", { type: "submit", class: "primary", id: "do-followup" }, T("提交追评"))));
  if (steps.has("withdraw"))
    forms.push(h("form", { class: "card", id: "f-withdraw", onsubmit: step("withdraw", "f-withdraw", () => ({ reason: val("#withdraw-reason") })) },
      h("label", { for: "withdraw-reason" }, T("撤回") + " · " + T("理由")), h("input", { type: "text", id: "withdraw-reason", maxlength: 2000 }),
      err("reason"), err("form"), h("button", { type: "submit" }, T("撤回"))));
  if (steps.has("note"))
    forms.push(h("form", { class: "card", id: "f-note", onsubmit: step("note", "f-note", () => ({ reason: val("#note-text") })) },
      h("label", { for: "note-text" }, T("备注")), h("input", { type: "text", id: "note-text", maxlength: 2000 }),
      err("reason"), err("form"), h("button", { type: "submit" }, T("提交"))));
  /* 督办反馈 (issue 11): once the county supervises the case, its holder answers here. */
  if ((c.history || []).some((e) => e.event === "supervised"))
    forms.push(h("form", { class: "card", id: "f-reply", onsubmit: step("reply", "f-reply", () => ({ reason: val("#reply-text") })) },
      h("label", { for: "reply-text" }, T("督办反馈")), h("input", { type: "text", id: "reply-text", maxlength: 2000 }),
      err("reason"), err("form"), h("button", { type: "submit" }, T("提交反馈"))));
  /* 投诉 (issue 11): the case's complaint, and filing one for the resident at the window. */
  if (c.complaint)
    forms.unshift(h("p", {}, h("a", { class: "button", id: "show-complaint", href: "#/complaint/" + encodeURIComponent(id) },
      `${T("查看投诉")}：${c.complaint.state_label}${c.complaint.mine ? "（" + T("待本单位反馈") + "）" : ""}`)));
  if (steps.has("complain"))
    forms.push(h("form", { class: "card", id: "f-complain", onsubmit: step("complain", "f-complain", () => ({
      kind: val("#complain-kind"), text: val("#complain-text") }), "#/complaint/" + encodeURIComponent(id)) },
      h("h2", {}, T("为群众登记投诉")), h("label", { for: "complain-kind" }, T("类别")),
      h("select", { id: "complain-kind" }, h("option", { value: "投诉" }, T("投诉")), h("option", { value: "咨询" }, T("咨询"))),
      err("kind"), h("label", { for: "complain-text" }, T("投诉内容")), h("textarea", { id: "complain-text", maxlength: 2000 }),
      err("text"), err("form"), h("button", { type: "submit" }, T("登记投诉"))));
  show(h("h1", {}, c.case_id),
    h("div", { class: "card" }, h("dl", { class: "kv" },
      kv("群众", `${c.client_name} ${c.client_phone}`), kv("事项", `${c.item_code} ${c.item_name}`),
      kv("代办员", c.agent_name || c.agent), kv("受理时间", c.accept_time), kv("状态", `${c.state_label}（${c.holder_name}）`),
      kv("县级状态", c.county_state_label), kv("办理期限", dueText(c.due)), kv("预警", cardText(c)),
      kv("需补材料", c.to_bring), kv("办理结果", c.result),
      kv("评价", c.rating ? `${c.rating_label} ${c.rating_comment || ""}` : ""),
      kv("追评", c.followup ? `${c.followup_label} ${c.followup_comment || ""}` : ""), kv("备注", c.note))),
    h("h2", {}, T("办理过程")),
    h("ol", { class: "timeline", id: "timeline" }, (c.history || []).map((e) =>
      h("li", {}, h("strong", {}, e.label), ` · ${e.where} · ${e.at}`, e.actor ? ` · ${e.actor_name || e.actor}` : "",
        e.detail ? h("div", { class: "hint" }, e.detail) : null, e.reason ? h("div", { class: "hint" }, e.reason) : null))),
    h("div", { id: "steps" }, forms));
}

/* ---- routing ---- */
async function route(refresh) {
  if (!me) return signIn();
  const [, name, arg] = (location.hash || "#/inbox").split("/");
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("on", a.getAttribute("href") === "#/" + name);
  if (refresh && (name === "register" || name === "case" || name === "complaint")) return; /* never wipe a form being filled */
  try {
    if (name === "register") await viewRegister();
    else if (name === "villages") await viewVillages();
    else if (name === "complaints") await viewComplaints();
    else if (name === "complaint" && arg) await viewComplaint(decodeURIComponent(arg));
    else if (name === "case" && arg) await viewCase(decodeURIComponent(arg));
    else if (name === "notice" && arg) await viewNotice(decodeURIComponent(arg));
    else if (name === "receipt" && arg) await viewReceipt(decodeURIComponent(arg));
    else await viewInbox();
  } catch (e) {
    if (e.status !== 401) show(h("p", { class: "err" }, e.message));
  }
}
const NAV = { "nav.inbox": "待办", "nav.register": "窗口登记", "nav.villages": "各村", "nav.complaints": "投诉" };
boot();
