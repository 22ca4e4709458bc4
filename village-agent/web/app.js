/* The village agent's screens (served by tongban-village serve, nothing fetched
 * from elsewhere).  Hash routes: #/log, #/ledger, #/month, #/case/<id>,
 * #/receipt/<id>.  Every value from the server is put in the page as text
 * (never as HTML).  The server checks every field again and answers 400 with
 * {"errors": [{"field", "message"}]} in the same words as the command line. *
 * Shared with the township's screens: /base.js (common/web/base.js). */
"use strict";

const EN = {
  "nav.log": "Log a case", "nav.ledger": "Ledger", "nav.month": "Monthly ledger",
  "登记办件": "Log a case", "事项": "Service item", "搜索事项名称或编码": "Search item name or code",
  "群众姓名": "Resident's name", "联系电话": "Phone", "已收材料": "Materials received",
  "备注": "Note", "答复": "Reply given", "保存并打印回执": "Save and print the receipt",
  "核心": "core", "非核心（可容缺）": "non-core (may be owed)", "台账": "Ledger",
  "全部": "All", "办理中": "Open", "即将到期": "Due soon", "已超期": "Overdue", "已办结": "Closed",
  "搜索姓名或办件编号": "Search name or case id", "搜索": "Search", "办件编号": "Case id", "群众": "Resident",
  "受理时间": "Taken at", "状态": "Status", "经办方": "Holder", "办理期限": "Due", "预警": "Card",
  "办理过程": "History", "补交材料": "Materials brought", "送达": "Delivered to the resident",
  "追评": "Follow-up rating", "提交追评": "Submit follow-up rating",
  "群众对整改或办理结果的再次评价，每件一次": "The resident rates again (the fix, or the service since): once per case",
  "评价": "Rating", "撤回": "Withdraw", "原因": "Reason", "意见": "Comment", "提交": "Submit",
  "回执": "Receipt", "打印": "Print", "乡镇已连接": "Township link up",
  "乡镇未连接": "Township link down", "待报送": "waiting to send", "最近回传": "last status",
  "月份": "Month", "代办员": "Agent", "办结时间": "Completed", "办理结果": "Result",
  "需补材料": "Still to bring", "一次性告知": "One-time notice", "没有办件": "No cases",
  "已保存": "Saved", "非常满意": "Very satisfied", "满意": "Satisfied", "基本满意": "Basically satisfied",
  "不满意": "Dissatisfied", "非常不满意": "Very dissatisfied", "承诺办结日期": "Promised by",
  "村代办点联系电话": "Village service point phone", "群众签字": "Resident's signature",
  "所有事项": "All items", "显示": "Show", "办件回执": "Case receipt", "已交材料": "Handed over",
  "返回台账": "Back to the ledger", "登记下一件": "Log the next case",
  "预计": "estimated", "计时暂停": "clock paused", "受理日期自": "Taken from", "至": "to", "上一页": "Previous", "下一页": "Next", "翻页": "Pages",
  "登录": "Sign in", "登录名": "Login", "密码": "Password", "退出": "Sign out",
  "为群众登记投诉": "File a complaint for the resident", "类别": "Kind", "投诉": "Complaint",
  "咨询": "Consultation", "投诉内容": "Complaint", "登记投诉": "File the complaint", "被退回": "Returned",
};
/* ---- the link status, always visible; a new status redraws the view ---- */
let lastStatusMs = null;
function drawStatus(s) {
  document.getElementById("place-name").textContent = s.place_name || s.place || "";
  document.getElementById("link-dot").className = "dot " + (s.link_up ? "up" : "down");
  document.getElementById("link-text").textContent = T(s.link_up ? "乡镇已连接" : "乡镇未连接");
  document.getElementById("backlog").textContent = s.backlog ? `${T("待报送")} ${s.backlog}` : "";
  document.getElementById("last-status").textContent = s.last_status ? `${T("最近回传")} ${s.last_status}` : "";
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

/* ---- 登记办件: log a case ---- */
async function viewLog() {
  await loadCatalog();
  entryForm(T("登记办件"));
}

/* ---- 台账: the ledger ---- */
let ledgerState = { filter: "", q: "", item: "", from: "", to: "", page: 1 };
async function viewLedger() {
  await loadCatalog();
  const data = await api("GET", "/api/cases?" + listQuery(ledgerState));
  /* A changed filter starts again at page 1. */
  const set = (k, v) => { ledgerState[k] = v; ledgerState.page = 1; viewLedger(); };
  const item = h("select", { id: "ledger-item" }, h("option", { value: "" }, T("所有事项")),
    catalog.map((it) => h("option", { value: it.code, selected: it.code === ledgerState.item }, `${it.code} ${it.name}`)));
  item.addEventListener("change", () => set("item", item.value));
  const day = (k, label) => {
    const d = h("input", { type: "date", id: "ledger-" + k, value: ledgerState[k] });
    d.addEventListener("change", () => set(k, d.value));
    return h("label", { class: "day" }, T(label), d);
  };
  const go = (n) => { ledgerState.page = n; viewLedger(); };
  show(h("h1", {}, T("台账")),
    h("div", { class: "filters" }, filterTabs(ledgerState, set), searchBox("ledger-q", ledgerState, set), h("label", {}, T("事项"), item),
      day("from", "受理日期自"), day("to", "至")),
    caseTable("ledger", data.cases || []), pager(data, go));
}

/* ---- 月度台账: the printable monthly ledger the seed documents require ---- */
async function viewMonth() {
  /* No month chosen yet: the server's current month (China Standard Time). */
  const data = await api("GET", "/api/ledger?month=" + encodeURIComponent(viewMonth.m || ""));
  const m = h("input", { type: "month", id: "month", value: data.month });
  m.addEventListener("change", () => { viewMonth.m = m.value; viewMonth(); });
  const rows = (data.rows || []).map((r) => h("tr", {}, h("td", { class: "client" }, r.client_name), h("td", {}, r.client_phone),
    h("td", {}, r.agent_name || r.agent), h("td", { class: "item" }, r.item_name), h("td", {}, when(r.accept_time)),
    h("td", {}, when(r.completion_time)), h("td", {}, r.result || "")));
  show(h("h1", {}, `${data.place_name || ""} ${T("月度台账")} ${m.value}`),
    h("div", { class: "filters month noprint" }, h("label", {}, T("月份"), m),
      h("button", { type: "button", onclick: () => print() }, T("打印"))),
    h("div", { class: "scroll" }, h("table", { id: "month-ledger" }, h("thead", {}, h("tr", {},
      ["群众", "联系电话", "代办员", "事项", "受理时间", "办结时间", "办理结果"].map((s) => h("th", {}, T(s))))),
    h("tbody", {}, rows))));
}

/* ---- 一件办件: details, timeline, the agent's actions ---- */
const RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
async function viewCase(id) {
  const c = await api("GET", "/api/cases/" + encodeURIComponent(id));
  const kv = (k, v) => (v ? [h("dt", {}, T(k)), h("dd", {}, v)] : []);
  const act = (name, body) => async (ev) => {
    ev.preventDefault();
    try {
      await api("POST", `/api/cases/${encodeURIComponent(id)}/${name}`, body());
      toast(T("已保存"));
      viewCase(id);
    } catch (e) {
      toast(e.fields.length ? e.fields.map((f) => f.message).join("；") : e.message);
    }
  };
  const actions = [];
  const bring = (c.to_bring || "").split(/[,，、]/).map((s) => s.trim()).filter(Boolean);
  if (bring.length) {
    actions.push(h("form", { class: "card", id: "notice", onsubmit: act("supplement", () => ({
      materials: [...document.querySelectorAll("#notice input:checked")].map((i) => i.value) })) },
      h("h2", {}, T("一次性告知") + "：" + T("需补材料")),
      bring.map((b, i) => h("label", {}, h("input", { type: "checkbox", value: b, id: "b" + i }), b)),
      h("button", { type: "submit", class: "primary" }, T("补交材料")),
      h("button", { type: "button", onclick: () => print() }, T("打印"))));
  }
  if (c.state === "result") {
    actions.push(h("form", { class: "card", onsubmit: act("deliver", () => ({})) },
      h("button", { type: "submit", class: "primary", id: "deliver" }, T("送达"))));
  }
  if (!c.rating && c.state === "closed") {
    actions.push(h("form", { class: "card", id: "rate", onsubmit: act("rate", () => ({
      rating: 5 - RATINGS.indexOf(document.querySelector("#rate input:checked")?.value ?? ""),
      comment: document.getElementById("rate-comment").value, ...indicatorValues() })) },
      h("h2", {}, T("评价")),
      RATINGS.map((r, i) => h("label", {}, h("input", { type: "radio", name: "rating", value: r, id: "r" + i }), T(r))),
      indicatorFields(RATINGS),
      h("label", { for: "rate-comment" }, T("意见")), h("textarea", { id: "rate-comment", maxlength: 2000 }),
      h("button", { type: "submit", class: "primary" }, T("提交"))));
  }
  /* 追评 (issue 11): once, after the rating (the fix of a 差评, or the service since). */
  if (c.rating && !c.followup && c.state === "closed") {
    actions.push(h("form", { class: "card", id: "followup", onsubmit: act("followup", () => ({
      rating: 5 - RATINGS.indexOf(document.querySelector("#followup input:checked")?.value ?? ""),
      comment: document.getElementById("followup-comment").value, ...indicatorValues() })) },
      h("h2", {}, T("追评")), h("p", { class: "hint" }, T("群众对整改或办理结果的再次评价，每件一次")),
      RATINGS.map((r, i) => h("label", {}, h("input", { type: "radio", name: "followup", value: r, id: "fu" + i }), T(r))),
      indicatorFields(RATINGS),
      h("label", { for: "followup-comment" }, T("意见")), h("textarea", { id: "followup-comment", maxlength: 2000 }),
      h("button", { type: "submit", class: "primary", id: "do-followup" }, T("提交追评"))));
  }
  if (c.state !== "closed" && c.state !== "withdrawn") {
    actions.push(h("form", { class: "card", id: "withdraw", onsubmit: act("withdraw", () => ({
      reason: document.getElementById("withdraw-reason").value })) },
      h("label", { for: "withdraw-reason" }, T("撤回") + " · " + T("原因")),
      h("input", { type: "text", id: "withdraw-reason", maxlength: 2000 }),
      h("button", { type: "submit" }, T("撤回"))));
  }
  /* 投诉 (issue 11): for the resident, when no complaint of the case is open
   * (its newest complaint step is none, 不予受理 or 办结); the server checks again. */
  const cp = (c.history || []).filter((e) => e.event.startsWith("complain")).map((e) => e.event)
    .filter((e) => e === "complained" || e === "complaint_declined" || e === "complaint_closed").pop();
  if (!cp || cp !== "complained") {
    actions.push(h("form", { class: "card", id: "complain-form", onsubmit: act("complain", () => ({
      kind: document.getElementById("complain-kind").value, text: document.getElementById("complain-text").value })) },
      h("h2", {}, T("为群众登记投诉")), h("label", { for: "complain-kind" }, T("类别")),
      h("select", { id: "complain-kind" }, h("option", { value: "投诉" }, T("投诉")), h("option", { value: "咨询" }, T("咨询"))),
      h("label", { for: "complain-text" }, T("投诉内容")), h("textarea", { id: "complain-text", maxlength: 2000 }),
      h("button", { type: "submit", id: "do-complain" }, T("登记投诉"))));
  }
  actions.push(h("form", { class: "card", id: "note-form", onsubmit: act("note", () => ({
    reason: document.getElementById("note-text").value })) },
    h("label", { for: "note-text" }, T("备注")), h("input", { type: "text", id: "note-text", maxlength: 2000 }),
    h("button", { type: "submit" }, T("提交"))));
  show(h("h1", {}, `${c.case_id}`),
    h("div", { class: "card" }, h("dl", { class: "kv" },
      kv("群众", `${c.client_name} ${c.client_phone}`), kv("事项", `${c.item_code} ${c.item_name}`),
      kv("代办员", c.agent_name || c.agent), kv("受理时间", c.accept_time), kv("状态", `${c.state_label}（${c.holder_name}）`), kv("被退回", c.returned ? c.returned_reason : ""),
      kv("办理期限", dueText(c.due)), kv("预警", cardText(c)), kv("需补材料", c.to_bring),
      kv("办理结果", c.result), kv("评价", c.rating ? c.rating_label : ""),
      kv("追评", c.followup ? `${c.followup_label} ${c.followup_comment || ""}` : ""), kv("备注", c.note)),
      h("a", { class: "button", href: "#/receipt/" + encodeURIComponent(c.case_id) }, T("回执"))),
    h("h2", {}, T("办理过程")),
    h("ol", { class: "timeline", id: "timeline" }, (c.history || []).map((e) =>
      h("li", {}, h("strong", {}, e.label), ` · ${e.where} · ${e.at}`, e.actor ? ` · ${e.actor_name || e.actor}` : "",
        e.detail ? h("div", { class: "hint" }, e.detail) : null,
        e.reason ? h("div", { class: "hint" }, e.reason) : null))),
    actions);
}

/* ---- 回执: the printable receipt for the resident ---- */
async function viewReceipt(id) {
  const [c, s] = await Promise.all([api("GET", "/api/cases/" + encodeURIComponent(id)), api("GET", "/api/status")]);
  show(receiptCard(c, s, "代办员", "村代办点联系电话"),
    h("div", { class: "noprint" },
      h("button", { type: "button", class: "primary", onclick: () => print() }, T("打印")),
      h("a", { class: "button", href: "#/log" }, T("登记下一件")),
      h("a", { class: "button", href: "#/ledger" }, T("返回台账"))));
}

/* ---- routing ---- */
async function route(refresh) {
  if (!me) return signIn();
  const [, name, arg] = (location.hash || "#/log").split("/");
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("on", a.getAttribute("href") === "#/" + name);
  if (refresh && name === "log") return; /* never wipe a form being typed */
  try {
    if (name === "ledger") await viewLedger();
    else if (name === "month") await viewMonth();
    else if (name === "case" && arg) await viewCase(decodeURIComponent(arg));
    else if (name === "receipt" && arg) await viewReceipt(decodeURIComponent(arg));
    else await viewLog();
  } catch (e) {
    if (e.status !== 401) show(h("p", { class: "err" }, e.message));
  }
}

const NAV = { "nav.log": "登记办件", "nav.ledger": "台账", "nav.month": "月度台账" };
boot();
