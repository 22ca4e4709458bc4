/* What the village's and the township's screens share (served by both nodes
 * as /base.js, after /lang.js and before each one's /app.js): sign-in, the
 * API call with the session's CSRF token, the pager, the lists and the start.
 * Each app.js defines EN (its English words), NAV (the menu's Chinese),
 * drawStatus(s) (the header from an /api/status answer), pollStatus() (which
 * keeps that answer in lastStatus) and route(); call boot() at its end. */
"use strict";

/* ---- a rating's four offline indicators (GB/T 39735; all four or none) ---- */
const INDICATORS = [["overall", "整体满意度"], ["efficiency", "服务效率"], ["skill", "服务水平"], ["attitude", "服务态度"]];
function indicatorFields(levels) {
  return h("fieldset", { class: "indicators" }, h("legend", {}, T("评价指标（选填：四项全填或全不填）")),
    INDICATORS.map(([k, n]) => h("label", {}, T(n) + " ", h("select", { id: "ind-" + k, name: k },
      h("option", { value: "" }, T("不填")), levels.map((r, i) => h("option", { value: String(5 - i) }, T(r)))))));
}
const indicatorValues = () => Object.fromEntries(INDICATORS.map(([k]) => [k, document.getElementById("ind-" + k).value]));
const view = () => document.getElementById("view");
function show(...nodes) {
  const v = view();
  v.replaceChildren(...nodes.flat().filter((n) => n != null));
  v.focus();
}

/* ---- the API ---- */
let csrf = "";
async function api(method, path, body) {
  const opt = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  if (method !== "GET" && csrf) opt.headers["X-CSRF-Token"] = csrf;
  const r = await fetch(withLang(path), opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (r.status === 401 && path !== "/api/login") signIn();
  if (!r.ok) {
    const err = new Error((data && data.error && data.error.message) || r.status + " " + r.statusText);
    err.status = r.status;
    err.fields = (data && data.errors) || [];
    throw err;
  }
  return data;
}

/* An item's or a case's materials: [{name, core}] from material_list, a
 * list, or the catalog's "a:core;b:noncore". */
function materialsOf(item) {
  if (Array.isArray(item.material_list)) return item.material_list;
  if (Array.isArray(item.materials)) return item.materials;
  return (item.materials || "").split(";").filter(Boolean).map((m) => {
    const [name, kind] = m.split(":");
    return { name, core: kind !== "noncore" };
  });
}
let catalog = null;
async function loadCatalog() {
  if (!catalog) catalog = (await api("GET", "/api/items")).items;
  return catalog;
}
function cardCell(c) {
  /* The county's card (issue 11) beside the local one: 【县级红牌】. */
  const county = c.county_card ? h("span", { class: "card-" + c.county_card + " county-card" }, c.county_card_label) : "";
  return h("span", {}, h("span", { class: c.card === "red" ? "card-red" : c.card === "yellow" ? "card-yellow" : "" }, cardText(c)), county);
}
/* The warning a person reads: a paused clock is said once, by the deadline (dueText). */
const cardText = (c) => (c.card === "paused" ? "" : c.card_label || "");

/* A case's deadline as a person reads it: none ("-"), the clock paused, or the date. */
const dueText = (due) => (due === "-" ? "" : due === "paused" ? T("计时暂停") : due || "");

/* ---- a list of cases: the table (or 没有办件), and its pages.  The columns'
 * classes (app.css) keep a name and an item readable on a phone. ---- */
function caseTable(id, cases) {
  const rows = cases.map((c) => h("tr", { class: c.card ? "row-" + c.card : "" },
    h("td", { class: "id" }, h("a", { href: "#/case/" + encodeURIComponent(c.case_id) }, c.case_id)),
    h("td", { class: "client" }, c.client_name), h("td", { class: "item" }, c.item_name), h("td", {}, when(c.accept_time)),
    h("td", {}, c.returned ? `被退回：${c.returned_reason}` : c.state_label), h("td", {}, c.holder_name), h("td", {}, when(dueText(c.due))),
    h("td", {}, cardCell(c))));
  return rows.length ? h("div", { class: "scroll" }, h("table", { id }, h("thead", {}, h("tr", {},
    ["办件编号", "群众", "事项", "受理时间", "状态", "经办方", "办理期限", "预警"].map((s) => h("th", {}, T(s))))),
  h("tbody", {}, rows))) : h("p", { class: "hint" }, T("没有办件"));
}
/* The state filters of the lists (common/tb_weblist.h). */
const FILTERS = [["", "全部"], ["open", "办理中"], ["due", "即将到期"], ["overdue", "已超期"], ["closed", "已办结"]];
function filterTabs(state, set) {
  return h("div", { class: "tabs", role: "group", "aria-label": T("状态") }, FILTERS.map(([f, label]) =>
    h("button", { type: "button", "aria-pressed": state.filter === f ? "true" : "false",
      onclick: () => set("filter", f) }, T(label))));
}
/* The search of a list, labelled like every filter beside it (the placeholder
 * says what it searches only while it is empty). */
function searchBox(id, state, set) {
  const q = h("input", { type: "search", id, value: state.q, placeholder: T("搜索姓名或办件编号") });
  q.addEventListener("change", () => set("q", q.value.trim()));
  return h("label", {}, T("搜索"), q);
}
function listQuery(state) {
  return new URLSearchParams(Object.entries(state).filter(([, v]) => v)).toString();
}

/* ---- a list's pages (common/tb_weblist.h): 上一页, the count, 下一页; go(n) shows page n ---- */
function pager(data, go) {
  const pages = Math.max(data.pages || 0, 1);
  return h("nav", { class: "pager noprint", "aria-label": T("翻页") },
    h("button", { type: "button", id: "page-prev", disabled: data.page <= 1, onclick: () => go(data.page - 1) }, T("上一页")),
    h("span", { id: "page-count", role: "status" }, lang === "en"
      ? `${data.total} case(s), page ${data.page} of ${pages}` : `共 ${data.total} 件，第 ${data.page}/${pages} 页`),
    h("button", { type: "button", id: "page-next", disabled: data.page >= pages, onclick: () => go(data.page + 1) }, T("下一页")));
}

/* ---- 登记: the entry form (a village's log, a window's walk-in), the catalog
 * loaded: the item picked by name or code with its materials (core marked),
 * name and phone checked as typed, then the receipt.  Every field is checked
 * again by the server: its refusals are shown next to their fields. ---- */
function entryForm(title) {
  let chosen = null;
  const search = h("input", { type: "search", id: "item-search", placeholder: T("搜索事项名称或编码"),
    autocomplete: "off", "aria-controls": "item-list" });
  const list = h("ul", { class: "items", id: "item-list" });
  const detail = h("div", { id: "item-detail" });
  const client = h("input", { type: "text", id: "client", maxlength: 64, autocomplete: "off" });
  const phone = h("input", { type: "tel", id: "phone", maxlength: 13, inputmode: "tel" });
  const note = h("textarea", { id: "note", maxlength: 2000 });
  const reply = h("textarea", { id: "reply", maxlength: 2000 });
  const errEl = (f) => h("div", { class: "err", id: "err-" + f });
  const eItem = errEl("item"), eClient = errEl("client"), ePhone = errEl("phone"), eNote = errEl("form");
  const replyBox = h("div", { hidden: true }, h("label", { for: "reply" }, T("答复")), reply, errEl("reply"));
  function pick(it) {
    chosen = it;
    for (const b of list.querySelectorAll("button")) b.setAttribute("aria-pressed", b.dataset.code === it.code);
    const mats = materialsOf(it);
    const days = it.kind === "promised" ? `，承诺 ${it.promised_days} 个工作日` : "";
    detail.replaceChildren(h("p", { class: "hint" }, `${it.code} ${it.name}（${it.level_label || it.level}${days}）`),
      mats.length ? h("fieldset", { class: "materials", id: "materials" }, h("legend", {}, T("已收材料")),
        mats.map((m, i) => h("label", {}, h("input", { type: "checkbox", name: "material", value: m.name, id: "m" + i }),
          m.name, h("span", { class: "tag " + (m.core ? "core" : "") }, T(m.core ? "核心" : "非核心（可容缺）"))))) : null,
      errEl("materials"));
    replyBox.hidden = !(it.kind === "consultation" || it.kind === "help");
    eItem.textContent = "";
  }
  function fill() {
    const q = search.value.trim().toLowerCase();
    list.replaceChildren(...catalog.filter((it) => !q || it.code.toLowerCase().includes(q) || it.name.includes(q))
      .slice(0, 50).map((it) => h("li", {}, h("button", { type: "button", "data-code": it.code, "aria-pressed": "false",
        onclick: () => pick(it) }, `${it.code}  ${it.name}`))));
  }
  search.addEventListener("input", fill);
  fill();
  phone.addEventListener("input", () => {
    const v = phone.value.trim();
    ePhone.textContent = v && !/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/.test(v)
      ? (lang === "en" ? "a mobile number (11 digits) or a landline with area code" : "请填写11位手机号或带区号的固定电话") : "";
  });
  client.addEventListener("input", () => {
    eClient.textContent = client.value.trim() ? "" : (lang === "en" ? "the resident's name is needed" : "请填写群众姓名");
  });
  const save = h("button", { type: "submit", class: "primary", id: "save" }, T("保存并打印回执"));
  const form = h("form", { class: "card", novalidate: true },
    h("label", { for: "item-search" }, T("事项")), search, list, eItem, detail,
    h("label", { for: "client" }, T("群众姓名")), client, eClient,
    h("label", { for: "phone" }, T("联系电话")), phone, ePhone, replyBox,
    h("label", { for: "note" }, T("备注")), note, eNote, save);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    for (const e of form.querySelectorAll(".err")) e.textContent = "";
    if (!chosen) { eItem.textContent = lang === "en" ? "pick a service item" : "请选择事项"; search.focus(); return; }
    const body = { item: chosen.code, client: client.value.trim(), phone: phone.value.trim(), note: note.value,
      materials: [...form.querySelectorAll("input[name=material]:checked")].map((c) => c.value) };
    if (!replyBox.hidden) body.reply = reply.value;
    save.disabled = true;
    try {
      const r = await api("POST", "/api/cases", body);
      toast(T("已保存") + " " + r.case_id);
      location.hash = "#/receipt/" + encodeURIComponent(r.case_id);
    } catch (e) {
      if (e.fields.length) for (const f of e.fields) (form.querySelector("#err-" + f.field) || eNote).textContent = f.message;
      else toast(e.message);
    } finally {
      save.disabled = false;
    }
  });
  show(h("h1", {}, title), form);
  search.focus();
}

/* ---- 回执: the printable receipt for the resident.  What is known, or no
 * row: to bring and the promised date come from the server (c.receipt,
 * common/tb_webapi.h), the date marked 预计 until the case is accepted. ---- */
function receiptCard(c, s, who, phoneLabel) {
  const logged = (c.history || []).find((e) => e.event === "logged");
  const r = c.receipt || {};
  const kv = (k, v, id) => (v ? [h("dt", {}, T(k)), h("dd", id ? { id } : {}, v)] : []);
  const promised = r.promised ? (r.estimated ? `${r.promised}（${T("预计")}）` : r.promised) : "";
  return h("div", { class: "receipt", id: "receipt" },
    h("h1", {}, `${s.place_name || ""} ${T("办件回执")}`),
    h("dl", { class: "kv" }, kv("办件编号", c.case_id), kv("事项", `${c.item_code} ${c.item_name}`),
      kv("群众", c.client_name), kv("已交材料", logged ? logged.detail : ""),
      kv("需补材料", (r.to_bring || []).join("、"), "receipt-bring"),
      kv("承诺办结日期", promised, "receipt-promised"), kv(who, c.agent_name || c.agent), kv("受理时间", c.accept_time),
      kv(phoneLabel, s.phone || "")),
    h("p", {}, `${T("群众签字")}：＿＿＿＿＿＿＿＿`));
}

/* ---- sign-in: every screen needs it (the county's accounts, kept at this node) ---- */
let me = null;
function signIn(msg) {
  me = null;
  document.getElementById("who").textContent = "";
  if (document.getElementById("login-form") && !msg) return; /* already asked */
  const f = h("form", { class: "form login", id: "login-form", onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      me = await api("POST", "/api/login", { login: f.elements.login.value, password: f.elements.password.value });
      csrf = me.csrf;
      started();
    } catch (e) {
      signIn(e.message);
    }
  } },
  h("h2", { text: T("登录") }),
  h("label", {}, T("登录名"), h("input", { name: "login", id: "login-name", autocomplete: "username", required: true })),
  h("label", {}, T("密码"), h("input", { name: "password", id: "login-password", type: "password", autocomplete: "current-password", required: true })),
  msg ? h("p", { class: "err", id: "login-error", role: "alert" }, msg) : null,
  h("button", { type: "submit", id: "login-submit" }, T("登录")));
  show(f);
  f.elements.login.focus();
}
async function signOut() {
  try { await api("POST", "/api/logout"); } catch (e) { /* signed out either way */ }
  csrf = "";
  signIn();
}
function showWho() {
  const w = document.getElementById("who");
  w.replaceChildren(me ? h("span", { id: "who-name" }, me.name, h("span", { class: "who-login" }, " · " + me.login)) : "",
    me ? h("button", { type: "button", class: "lang", id: "logout", onclick: signOut }, T("退出")) : "");
}

/* ---- the start ---- */
let polling = null;
async function started() {
  showWho();
  await pollStatus();
  if (!polling) polling = setInterval(() => { if (me) pollStatus(); }, 3000);
  route();
}
let lastStatus = null; /* the newest /api/status answer (pollStatus) */
function boot() {
  document.getElementById("lang").addEventListener("click", () => {
    switchLang();
    catalog = null;
    if (me && lastStatus) drawStatus(lastStatus); /* the header's words now, not at the next poll */
    route();
  });
  window.addEventListener("hashchange", () => { if (me) route(); });
  (async () => {
    applyLang();
    try { me = await api("GET", "/api/me"); csrf = me.csrf; } catch (e) { me = null; }
    if (me) started();
  })();
}
