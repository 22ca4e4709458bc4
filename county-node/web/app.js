/* The county supervisors' dashboard (served by tongban-county serve; nothing
 * fetched from elsewhere, Chart.js is Debian's libjs-chart.js served by the
 * node).  Hash routes: #/ (overview), #/drill?scope= (county → township →
 * village → case), #/cases?... (the cases behind a number), #/case/<id>
 * (timeline), #/stats?... (tables, CSV), #/bulletin?month= (月度通报,
 * printable), #/tv (the overview for a wall screen, refreshed every 5 s),
 * #/board?township=&level=&kind= (the card board, refreshed every 3 s),
 * #/ratings?open=1 (差评 rectifications and appeals, refreshed every 5 s),
 * #/complaints?state=&township= (the complaints board, 投诉).
 * Every value from the server goes into the page as text, never as HTML.
 * Chinese first, English by the header's button (/lang.js, shared with the
 * village's and the township's screens: lang, T(), h(), toast(), when());
 * every call asks the server for its words in the same language (?lang=).
 * Names of places and people, items and what people wrote stay as stored. */
"use strict";

/* The dashboard's English (T()); sentences with numbers in them are written
 * twice in place: ZE("中文", "English"). */
const EN = {
  "nav.brand": "County e-supervision", "nav.overview": "Overview", "nav.drill": "Drill down", "nav.board": "Card board",
  "nav.ratings": "Ratings", "nav.stats": "Statistics", "nav.bulletin": "Monthly bulletin", "nav.complaints": "Complaints",
  "nav.tv": "Wall screen", "nav.logout": "Sign out", "通办 · 县级电子监察": "Tongban · County e-supervision", "主菜单": "Main menu",
  "县级电子监察 · 登录": "County e-supervision · Sign in", "账号": "Login", "密码": "Password", "登录": "Sign in",
  /* the statistics' columns */
  "受理数": "Taken", "办结数": "Closed", "办结率": "Close rate", "按时办结率": "On time", "提前办结率": "Early",
  "即办率": "Same day", "承诺件平均工作日": "Avg working days (promised)", "提速率": "Speed-up", "超期": "Overdue",
  "在办": "Open", "亮牌": "Cards", "评议率": "Rated", "满意率": "Satisfied", "差评率": "Bad ratings",
  "差评整改率": "Bad ratings fixed", "代办": "Entrusted", "咨询": "Consultations", "帮扶": "Help", "投诉": "Complaints",
  "投诉办结": "Complaints closed", "投诉不予受理": "Complaints declined", "投诉办理中": "Complaints open", "追评": "Follow-ups",
  "追评满意率": "Follow-ups satisfied", "在办超期": "Open and overdue", "全部": "All",
  /* a case's states */
  "已登记": "Logged", "已报送": "Submitted", "预审中": "Pre-review", "已受理": "Accepted", "已上报": "Forwarded",
  "县级办理": "At the county", "待补正": "Awaiting materials", "不予受理": "Refused", "已决定": "Decided",
  "已挂起": "Suspended", "已出件": "Result issued", "已办结": "Closed", "已撤回": "Withdrawn",
  /* tables, forms */
  "单位": "Unit", "期间": "Period", "合计": "Total", "受理": "Taken", "办结": "Closed", "全县": "Whole county",
  "乡镇": "Township", "村": "Village", "事项": "Item", "代办员": "Agent", "按月": "By month", "按日": "By day",
  "分组": "Group by", "起": "From", "止": "To", "查询": "Show", "导出 CSV": "Export CSV",
  "办件编号": "Case id", "登记地": "Logged at", "群众": "Resident", "状态": "Status", "登记时间": "Logged",
  "期限": "Due", "经办方": "Holder", "办理过程（各级）": "History (every tier)", "返回": "Back",
  "月份": "Month", "打印": "Print", "无": "none", "出错了": "Something went wrong",
  /* the overview */
  "今日受理": "Taken today", "本周受理": "Taken this week", "本月受理": "Taken this month",
  "未办结的代办件": "cases not yet closed", "在办且已过承诺期限": "open and past the promised date",
  "本月按时办结率": "On time this month", "本月满意率": "Satisfied this month", "黄牌 / 红牌": "Yellow / red cards",
  "未清除的预警牌": "cards not yet cleared", "近30天受理与办结": "Taken and closed, last 30 days",
  /* the card board, the ratings */
  "黄牌": "Yellow", "红牌": "Red", "办理时限": "Processing deadline", "预审时限": "Pre-review deadline",
  "差评未回访": "Bad rating not revisited", "投诉超期": "Complaint overdue", "立行立改": "Fixed at once",
  "限期整改": "Fix by a deadline", "解释说明": "Explained", "申诉待复核": "Appeal pending",
  "申诉成立（不计入）": "Appeal upheld (not counted)", "申诉驳回": "Appeal refused",
  "牌": "Card", "类别": "Kind", "全部乡镇": "All townships", "全部牌": "All cards", "全部类别": "All kinds",
  "亮牌看板": "Card board", "超期（工作日）": "Overdue (working days)", "办件": "Case", "责任人": "Responsible",
  "亮牌时间": "Raised", "好差评 · 差评整改": "Ratings · fixing bad ratings", "只看未办结": "Open only",
  "评价": "Rating", "意见": "Comment", "渠道": "Channel", "责任单位": "Responsible unit", "评价时间": "Rated",
  "回访期限": "Revisit due", "回访": "Revisited", "整改": "Fixed", "申诉": "Appeal", "窗口": "Window",
  "村代办点": "Village agent", "网上": "Online", "非常不满意": "Very dissatisfied", "不满意": "Dissatisfied",
  "基本满意": "Basically satisfied", "满意": "Satisfied", "非常满意": "Very satisfied",
  /* the complaints board */
  "未办结": "Open", "待受理": "To accept", "已受理待流转": "Accepted", "办理中": "Being handled",
  "已反馈待回访": "Answered", "已回访": "Revisited", "投诉看板": "Complaints", "编号": "No.", "内容": "Complaint",
  "反馈": "Reply", "没有符合条件的投诉。": "No complaint matches.",
};
const NAV = {
  "nav.brand": "县级电子监察", "nav.overview": "总览", "nav.drill": "逐级查看", "nav.board": "亮牌看板", "nav.ratings": "好差评",
  "nav.stats": "统计表", "nav.bulletin": "月度通报", "nav.complaints": "投诉看板", "nav.tv": "大屏", "nav.logout": "退出",
};
const ZE = (zh, en) => (lang === "en" ? en : zh);
const $ = (id) => document.getElementById(id);
/* A view drawn again (the refresh loops) keeps the focus where the person put it. */
function show(...nodes) {
  const v = $("view");
  v.replaceChildren(...nodes.flat().filter((n) => n != null));
}

let me = null; /* the session: login, name, role, scope, csrf */
class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || "HTTP " + status);
    this.status = status;
  }
}
async function api(path, opts) {
  const o = Object.assign({ headers: {}, credentials: "same-origin" }, opts || {});
  if (o.body) o.headers["Content-Type"] = "application/json";
  if (me) o.headers["X-CSRF-Token"] = me.csrf;
  const r = await fetch(withLang(path), o);
  const body = await r.json().catch(() => null);
  if (r.status === 401 && path !== "/api/login" && path !== "/api/me") {
    me = null;
    loginView();
    throw new ApiError(401, body);
  }
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

/* ---- dates (China time) ---- */
const dayFmt = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" });
const today = () => dayFmt.format(new Date());
const monthStart = () => today().slice(0, 8) + "01";
function addDays(day, n) {
  const d = new Date(day + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/* ---- routes ---- */
function route() {
  const hash = location.hash || "#/";
  const [path, qs] = hash.slice(1).split("?");
  return { path, q: new URLSearchParams(qs || "") };
}
const link = (path, params) => "#" + path + (params ? "?" + new URLSearchParams(params) : "");

/* ---- formatting ---- */
const pct = (v) => (v == null ? "—" : (100 * v).toFixed(1) + "%");
const num = (v) => (v == null ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2));
const COLS = [
  ["accepted", "受理数", num, true], ["closed", "办结数", num, true], ["close_rate", "办结率", pct],
  ["on_time_rate", "按时办结率", pct], ["early_rate", "提前办结率", pct], ["immediate_rate", "即办率", pct],
  ["avg_workdays", "承诺件平均工作日", num], ["speedup_rate", "提速率", pct],
  ["overdue", "超期", num, true], ["open", "在办", num, true], ["cards", "亮牌", num],
  ["rating_rate", "评议率", pct], ["satisfied_rate", "满意率", pct], ["bad_rate", "差评率", pct, false, "bad"],
  ["rectify_rate", "差评整改率", pct], ["entrust", "代办", num, true], ["consult", "咨询", num, true],
  ["help", "帮扶", num, true], ["complaints", "投诉", num, true, "complained"], ["complaints_closed", "投诉办结", num],
  ["complaints_declined", "投诉不予受理", num], ["complaints_open", "投诉办理中", num],
  ["followups", "追评", num, true, "followed"], ["followup_satisfied_rate", "追评满意率", pct],
];
const STATES = {
  logged: "已登记", submitted: "已报送", prereview: "预审中", accepted: "已受理", escalated: "已上报",
  county: "县级办理", supplement: "待补正", refused: "不予受理", decided: "已决定", suspended: "已挂起",
  result: "已出件", closed: "已办结", withdrawn: "已撤回",
};

/* A table of stats rows; every count links to the cases behind it. */
function statsTable(st, unitLink) {
  const head = h("tr", {}, h("th", { text: T("单位") }), st.period !== "none" ? h("th", { text: T("期间") }) : null,
    COLS.map((c) => h("th", { class: "n", text: T(c[1]) })));
  const base = { from: st.from, to: st.to, scope: st.scope, by: st.by, period: st.period };
  const row = (r, total) => h("tr", {},
    h("td", {}, total ? T("合计") : unitLink ? unitLink(r) : r.name),
    st.period !== "none" ? h("td", { class: "d", text: total ? "" : r.period }) : null,
    COLS.map(([k, , f, listable, measure]) => {
      const v = r[k];
      const text = f(v);
      if (!listable || !v) return h("td", { class: "n", text });
      const p = Object.assign({}, base, { measure: measure || k });
      if (!total) { p.unit = r.unit; if (st.period !== "none") p.at = r.period; }
      return h("td", { class: "n" }, h("a", { href: link("/cases", p), "data-measure": k, text }));
    }));
  return h("div", { class: "scroll" }, h("table", { class: "stats", id: "stats" },
    h("thead", {}, head), h("tbody", {}, st.rows.map((r) => row(r, false)), st.total ? row(st.total, true) : null)));
}

/* ---- views ---- */
function loginView() {
  $("nav").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  const err = h("p", { class: "err", id: "login-err" });
  const form = h("form", { class: "card login", id: "login" },
    h("h1", { text: T("县级电子监察 · 登录") }),
    h("label", { for: "login-name", text: T("账号") }), h("input", { type: "text", id: "login-name", autocomplete: "username" }),
    h("label", { for: "login-pw", text: T("密码") }), h("input", { type: "password", id: "login-pw", autocomplete: "current-password" }),
    err, h("button", { class: "primary", type: "submit", text: T("登录") }));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      me = await api("/api/login", { method: "POST", body: JSON.stringify({ login: $("login-name").value, password: $("login-pw").value }) });
      await signedIn();
      render();
    } catch (e) { err.textContent = e.message; }
  });
  show(form);
}

/* me: /api/login's or /api/me's answer (with the CSRF token); the labels come from /api/session,
 * which also refuses (403) an account of a township or village. */
async function signedIn() {
  const s = await api("/api/session");
  me.role_label = s.role_label;
  me.scope_name = s.scope_name;
  $("nav").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = me.name + ZE("（" + me.role_label + "，" + me.scope_name + "）", " (" + me.role_label + ", " + me.scope_name + ")");
}

let timer = null;
const charts = [];
function stopTimers() {
  clearInterval(timer);
  timer = null;
  while (charts.length) charts.pop().destroy();
}

function tile(k, v, s, href) {
  return h("div", { class: "tile" }, h("div", { class: "k", text: k }),
    h("div", { class: "v" }, href && v !== "—" && v !== "0" ? h("a", { href, text: v }) : v), s ? h("div", { class: "s", text: s }) : null);
}

async function overview(tv) {
  const scope = route().q.get("scope") || "";
  const at = location.hash;
  const o = await api("/api/overview" + (scope ? "?scope=" + scope : ""));
  if (location.hash !== at) return; /* a refresh that finished after the person moved on */
  while (charts.length) charts.pop().destroy();
  const sc = o.scope, t = today();
  const L = (from, measure, extra) => link("/cases", Object.assign({ from, to: t, scope: sc, measure }, extra || {}));
  const tiles = h("div", { class: "tiles", id: "tiles" },
    tile(T("今日受理"), num(o.today.accepted), ZE("办结 ", "closed ") + num(o.today.closed), L(t, "accepted")),
    tile(T("本周受理"), num(o.week.accepted), ZE("办结 ", "closed ") + num(o.week.closed), L(o.week_from, "accepted")),
    tile(T("本月受理"), num(o.month.accepted), ZE("办结 ", "closed ") + num(o.month.closed), L(o.month_from, "accepted")),
    tile(T("在办"), num(o.open.open), T("未办结的代办件"), L(addDays(t, -731), "open")),
    tile(T("超期"), num(o.open.overdue), T("在办且已过承诺期限"), L(addDays(t, -731), "overdue_open")),
    tile(T("本月按时办结率"), pct(o.month.on_time_rate), ZE("提前办结率 ", "early ") + pct(o.month.early_rate)),
    tile(T("本月满意率"), pct(o.month.satisfied_rate), ZE("差评率 ", "bad ratings ") + pct(o.month.bad_rate)),
    tile(T("黄牌 / 红牌"), num(o.cards.yellow) + " / " + num(o.cards.red), T("未清除的预警牌")));
  const units = o.by === "township" ? ZE("本月各乡镇", "This month by township") : ZE("本月各村（社区）", "This month by village");
  const c1 = h("canvas", { id: "chart-units", "aria-label": units + ZE("受理与办结", ": taken and closed") });
  const c2 = h("canvas", { id: "chart-trend", "aria-label": T("近30天受理与办结") });
  const openBy = {};
  for (const r of o.open_units) openBy[r.unit] = r;
  const rows = h("tbody", {}, o.units.map((r) => h("tr", {},
    h("td", {}, h("a", { href: link("/drill", { scope: r.unit, from: o.month_from, to: t }), text: r.name })),
    h("td", { class: "n" }, h("a", { href: L(o.month_from, "accepted", { by: o.by, unit: r.unit }), text: num(r.accepted) })),
    h("td", { class: "n", text: num(r.closed) }), h("td", { class: "n", text: pct(r.on_time_rate) }),
    h("td", { class: "n", text: num((openBy[r.unit] || {}).open || 0) }),
    h("td", { class: (openBy[r.unit] || {}).overdue ? "n bad" : "n", text: num((openBy[r.unit] || {}).overdue || 0) }))));
  show(h("h1", { text: o.scope_name + ZE(" · 总览", " · Overview") + (tv ? ZE("（大屏）", " (wall screen)") : "") }), tiles,
    h("div", { class: "charts" }, h("div", { class: "card" }, h("h2", { text: units }), c1),
      h("div", { class: "card" }, h("h2", { text: T("近30天受理与办结") }), c2)),
    h("div", { class: "card" }, h("h2", { text: units + ZE("（点击逐级查看）", " (click to drill down)") }),
      h("div", { class: "scroll" }, h("table", { id: "units" }, h("thead", {}, h("tr", {}, ["单位", "受理", "办结", "按时办结率", "在办", "超期"].map((x, i) => h("th", { class: i ? "n" : null, text: T(x) })))), rows))));
  if (window.Chart) {
    // Counts of cases: whole numbers on the axis from 0, never 0.5 of a case.
    const countOpts = () => ({ animation: false, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } });
    charts.push(new Chart(c1, { type: "bar", data: { labels: o.units.map((r) => r.name),
      datasets: [{ label: T("受理"), data: o.units.map((r) => r.accepted), backgroundColor: "#0b57a4" },
        { label: T("办结"), data: o.units.map((r) => r.closed), backgroundColor: "#1b6e3a" }] },
      options: countOpts() }));
    const days = [];
    for (let i = 29; i >= 0; i--) days.push(addDays(t, -i));
    const by = {};
    for (const r of o.trend) by[r.period] = r;
    charts.push(new Chart(c2, { type: "line", data: { labels: days.map((d) => d.slice(5)),
      datasets: [{ label: T("受理"), data: days.map((d) => (by[d] || {}).accepted || 0), borderColor: "#0b57a4" },
        { label: T("办结"), data: days.map((d) => (by[d] || {}).closed || 0), borderColor: "#1b6e3a" }] },
      options: countOpts() }));
  }
  $("updated").textContent = ZE("更新于 ", "updated ") + new Date().toLocaleTimeString("zh-CN", { hour12: false });
}

async function drill() {
  const q = route().q;
  const scope = q.get("scope") || me.scope;
  const from = q.get("from") || monthStart(), to = q.get("to") || today();
  const level = scope.endsWith("000000") ? "county" : scope.endsWith("000") ? "township" : "village";
  if (level === "village") {
    location.replace(link("/cases", { from, to, scope, measure: "all" }));
    return;
  }
  const by = level === "county" ? "township" : "village";
  const st = await api("/api/stats?" + new URLSearchParams({ from, to, scope, by }));
  const range = rangeForm(from, to, (f, t2) => (location.hash = link("/drill", { scope, from: f, to: t2 })));
  const crumbs = h("p", { class: "hint" }, h("a", { href: link("/drill", { from, to }), text: T("全县") }),
    level === "township" ? [" › ", st.scope_name] : null);
  show(h("h1", { text: st.scope_name + ZE(" · 逐级查看", " · Drill down") }), crumbs, range,
    statsTable(st, (r) => h("a", { href: link("/drill", { scope: r.unit, from, to }), class: "unit", text: r.name })));
}

function rangeForm(from, to, go, extra) {
  const f = h("input", { type: "text", id: "from", value: from, size: 10, "aria-label": T("起") });
  const t = h("input", { type: "text", id: "to", value: to, size: 10, "aria-label": T("止") });
  const form = h("form", { class: "filters noprint" }, h("label", {}, T("起") + " ", f), h("label", {}, T("止") + " ", t), extra || null,
    h("button", { type: "submit", text: T("查询") }));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); go(f.value, t.value); });
  return form;
}

async function cases() {
  const q = route().q;
  const p = {};
  for (const k of ["from", "to", "scope", "by", "period", "measure", "unit", "at"]) if (q.get(k)) p[k] = q.get(k);
  const r = await api("/api/cases?" + new URLSearchParams(p));
  const label = T(p.measure === "overdue_open" ? "在办超期" : (COLS.find((c) => c[0] === p.measure) || [, "全部"])[1]);
  const sep = ZE("，", ", ");
  show(h("h1", { text: ZE("办件清单：", "Cases: ") + label }),
    h("p", { class: "hint", text: p.from + " — " + p.to + (p.unit ? sep + p.unit : "") + (p.at ? sep + p.at : "") + sep
      + ZE("共 " + r.cases.length + " 件", r.cases.length + " case(s)") + (r.truncated ? ZE("（仅显示前 1000 件）", " (the first 1,000 shown)") : "") }),
    h("div", { class: "scroll" }, h("table", { id: "case-list" }, h("thead", {}, h("tr", {}, ["办件编号", "登记地", "事项", "群众", "状态", "登记时间", "期限", "办结"].map((x) => h("th", { text: T(x) })))),
      h("tbody", {}, r.cases.map((c) => h("tr", {},
        h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(c.case_id), class: "case", text: c.case_id })),
        h("td", { text: c.origin_name }), h("td", { text: c.item_name }), h("td", { text: c.client_name }),
        h("td", { text: T(STATES[c.state] || c.state) }), h("td", {}, when(c.accept_time)), h("td", {}, when(c.due)), h("td", {}, when(c.done))))))));
}

async function caseView(id) {
  const c = await api("/api/case/" + encodeURIComponent(id));
  show(h("h1", { text: ZE("办件 ", "Case ") + c.case_id }),
    h("dl", { class: "kv card" }, h("dt", { text: T("事项") }), h("dd", { text: c.item_name }),
      h("dt", { text: T("登记地") }), h("dd", { text: c.origin_name + ZE("（" + c.origin + "）", " (" + c.origin + ")") }),
      h("dt", { text: T("状态") }), h("dd", { id: "case-state", text: T(STATES[c.state] || c.state) + (c.paused ? ZE("（计时暂停）", " (clock paused)") : "") }),
      h("dt", { text: T("经办方") }), h("dd", { text: c.holder_name || c.holder }),
      h("dt", { text: T("登记时间") }), h("dd", { text: c.accept_time }), h("dt", { text: T("期限") }), h("dd", { text: c.due || "—" })),
    h("h2", { text: T("办理过程（各级）") }),
    h("ol", { class: "timeline", id: "timeline" }, c.history.map((e) => h("li", {},
      h("strong", { text: e.at + "  " + e.label }), " ", e.where + " " + e.actor,
      e.detail ? h("div", { class: "hint", text: e.detail }) : null, e.reason ? h("div", { text: ZE("理由：", "Reason: ") + e.reason }) : null,
      e.folded ? null : h("div", { class: "bad", text: ZE("违规，未生效：", "Against the rules, not applied: ") + e.rejected })))),
    h("button", { type: "button", class: "noprint", onclick: () => history.back(), text: T("返回") }));
}

async function stats() {
  const q = route().q;
  const p = { from: q.get("from") || monthStart(), to: q.get("to") || today(), by: q.get("by") || "township",
    period: q.get("period") || "none" };
  if (q.get("scope")) p.scope = q.get("scope");
  const st = await api("/api/stats?" + new URLSearchParams(p));
  const by = h("select", { id: "by" }, [["county", "全县"], ["township", "乡镇"], ["village", "村"], ["item", "事项"], ["agent", "代办员"]]
    .map(([v, t]) => h("option", { value: v, selected: v === p.by, text: T(t) })));
  const period = h("select", { id: "period" }, [["none", "合计"], ["month", "按月"], ["day", "按日"]]
    .map(([v, t]) => h("option", { value: v, selected: v === p.period, text: T(t) })));
  const form = rangeForm(p.from, p.to, (f, t) => (location.hash = link("/stats", Object.assign({}, p, { from: f, to: t, by: by.value, period: period.value }))),
    [h("label", {}, T("分组") + " ", by), h("label", {}, T("期间") + " ", period)]);
  const csv = h("a", { class: "button noprint", id: "csv", href: withLang("/api/stats?" + new URLSearchParams(Object.assign({}, p, { format: "csv" }))), download: "", text: T("导出 CSV") });
  show(h("h1", { text: st.scope_name + ZE(" · 统计表", " · Statistics") }), form, csv, statsTable(st),
    h("p", { class: "hint", text: ZE("按登记时间（村台账受理时间）统计；亮牌按亮牌时间、亮牌时的经办单位统计；投诉按所涉办件统计（办结、不予受理、办理中）；满意率按首次评价计（GB/T 39735），追评单列；申诉成立的差评不计入评议率、满意率、差评率。",
      "Counted by the time a case was logged (taken at the village's ledger); cards by when they were raised and the unit holding the case then; complaints by the case they concern (closed, declined, open); satisfaction by the first rating (GB/T 39735), follow-ups apart; a bad rating whose appeal was upheld counts in none of rated, satisfied, bad ratings.") }));
}

async function bulletin() {
  const month = route().q.get("month") || today().slice(0, 7);
  const b = await api("/api/bulletin?month=" + encodeURIComponent(month));
  const t = b.total;
  const unitRow = (r) => h("tr", {}, h("td", { text: r.name }), h("td", { class: "n", text: num(r.accepted) }),
    h("td", { class: "n", text: num(r.closed) }), h("td", { class: "n", text: pct(r.on_time_rate) }),
    h("td", { class: "n", text: num(r.overdue) }), h("td", { class: "n", text: num(r.cards) }), h("td", { class: "n", text: pct(r.satisfied_rate) }));
  const table = (rows) => h("table", {}, h("thead", {}, h("tr", {}, ["单位", "受理", "办结", "按时办结率", "超期", "亮牌", "满意率"].map((x, i) => h("th", { class: i ? "n" : null, text: T(x) })))), h("tbody", {}, rows.map(unitRow)));
  /* The months in the page's words (an <input type=month> speaks the browser's language). */
  const monthName = (v) => (lang === "en" ? new Date(v + "-01T00:00:00Z").toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" })
    : `${+v.slice(0, 4)}年${+v.slice(5)}月`);
  const months = [];
  for (let [y, m] = today().slice(0, 7).split("-").map(Number), i = 0; i < 36; i++, m === 1 ? (y--, m = 12) : m--)
    months.push(`${y}-${String(m).padStart(2, "0")}`);
  if (!months.includes(month)) months.unshift(month);
  const pick = h("select", { id: "month", onchange: (e) => (location.hash = link("/bulletin", { month: e.target.value })) },
    months.map((v) => h("option", { value: v, selected: v === month, text: monthName(v) })));
  const overall = lang === "en"
    ? `This month ${t.accepted} case(s) were taken and ${t.closed} closed, a close rate of ${pct(t.close_rate)}; ${pct(t.on_time_rate)} closed on time and ${pct(t.early_rate)} early; promised cases were promised ${num(t.avg_promised_days)} working days on average and took ${num(t.avg_workdays)}, a speed-up of ${pct(t.speedup_rate)}; ${t.overdue} overdue; ${t.cards} card(s) raised (${t.cards_yellow} yellow, ${t.cards_red} red); rated ${pct(t.rating_rate)}, satisfied ${pct(t.satisfied_rate)}, bad ratings ${pct(t.bad_rate)}, bad ratings fixed ${pct(t.rectify_rate)}; ${t.followups} follow-up rating(s), ${pct(t.followup_satisfied_rate)} satisfied; ${t.complaints} complaint(s) (${t.complaints_closed} closed, ${t.complaints_declined} declined, ${t.complaints_open} open). Village agents: ${t.entrust} entrusted, ${t.consult} consultation(s), ${t.help} help case(s).`
    : null;
  show(h("div", { class: "noprint bar" }, h("label", { for: "month" }, T("月份")), pick, h("button", { type: "button", onclick: () => print(), text: T("打印") })),
    h("article", { class: "bulletin", id: "bulletin" },
      h("h1", { text: b.county + ZE("政务服务月度通报", " · Government services: monthly bulletin") }), h("p", { style: null, text: b.month }),
      h("h2", { text: ZE("一、总体情况", "1. Overall") }),
      h("p", { text: overall || `本月受理 ${t.accepted} 件，办结 ${t.closed} 件，办结率 ${pct(t.close_rate)}；按时办结率 ${pct(t.on_time_rate)}，提前办结率 ${pct(t.early_rate)}；承诺件平均承诺 ${num(t.avg_promised_days)} 个工作日，实际平均 ${num(t.avg_workdays)} 个工作日，提速 ${pct(t.speedup_rate)}；超期 ${t.overdue} 件；亮牌 ${t.cards} 张（黄牌 ${t.cards_yellow}，红牌 ${t.cards_red}）；评议率 ${pct(t.rating_rate)}，满意率 ${pct(t.satisfied_rate)}，差评率 ${pct(t.bad_rate)}，差评整改率 ${pct(t.rectify_rate)}；追评 ${t.followups} 件，追评满意率 ${pct(t.followup_satisfied_rate)}；投诉 ${t.complaints} 件（办结 ${t.complaints_closed}，不予受理 ${t.complaints_declined}，办理中 ${t.complaints_open}）。村级代办 ${t.entrust} 件、咨询 ${t.consult} 件、帮扶 ${t.help} 件。` }),
      h("h2", { text: ZE("二、各乡镇情况", "2. By township") }), table(b.townships),
      h("h2", { text: ZE("三、表现较好的单位", "3. Units doing well") }), table(b.top),
      h("h2", { text: ZE("四、需要改进的单位", "4. Units to improve") }), table(b.bottom),
      h("h2", { text: ZE("五、本月无业务的单位", "5. Units with no business this month") }),
      h("p", { id: "idle", text: b.idle.map((u) => u.name).join(ZE("、", ", ")) || T("无") })));
}

/* ---- the card board and the ratings (county_board.c) ---- */
const LEVELS = { yellow: "黄牌", red: "红牌" };
const KINDS = { deadline: "办理时限", prereview: "预审时限", revisit: "差评未回访", complaint: "投诉超期" };
const OUTCOMES = { immediate: "立行立改", deadline: "限期整改", explain: "解释说明" };
const APPEALS = { none: "", pending: "申诉待复核", approved: "申诉成立（不计入）", refused: "申诉驳回" };
const fmtMs = (ms) => (ms ? dayFmt.format(new Date(ms)) + " " + new Date(ms).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false }) : "—");
function pickSelect(id, label, map, value, go) {
  return h("label", {}, T(label) + " ", h("select", { id, onchange: go },
    h("option", { value: "", text: T("全部" + label) }), Object.entries(map).map(([v, t]) => h("option", { value: v, selected: v === value, text: T(t) }))));
}
async function board() {
  const q = route().q;
  const p = {};
  for (const k of ["scope", "township", "level", "kind"]) if (q.get(k)) p[k] = q.get(k);
  const at = location.hash;
  const b = await api("/api/board?" + new URLSearchParams(p));
  if (location.hash !== at) return;
  const towns = {};
  for (const c of b.cards) towns[c.township] = c.township_name;
  if (p.township && !towns[p.township]) towns[p.township] = p.township;
  const go = () => (location.hash = link("/board", Object.assign({}, p, { township: $("f-township").value, level: $("f-level").value, kind: $("f-kind").value })));
  const red = b.cards.filter((c) => c.level === "red").length;
  show(h("h1", { text: T("亮牌看板") }),
    h("div", { class: "noprint filters" }, pickSelect("f-township", "乡镇", towns, p.township || "", go),
      pickSelect("f-level", "牌", LEVELS, p.level || "", go), pickSelect("f-kind", "类别", KINDS, p.kind || "", go)),
    h("p", { class: "hint", id: "board-count", text: ZE(`共 ${b.cards.length} 张：红牌 ${red}，黄牌 ${b.cards.length - red}；按超期工作日排序，每 3 秒刷新`,
      `${b.cards.length} card(s): ${red} red, ${b.cards.length - red} yellow; by working days overdue, refreshed every 3 s`) }),
    h("div", { class: "scroll" }, h("table", { id: "board" }, h("thead", {}, h("tr", {}, ["牌", "类别", "超期（工作日）", "办件", "事项", "乡镇", "登记地", "经办方", "责任人", "期限", "亮牌时间"].map((x) => h("th", { text: T(x) })))),
      h("tbody", {}, b.cards.map((c) => h("tr", { class: "card-" + c.level, "data-case": c.case_id },
        h("td", { class: c.level === "red" ? "bad" : "warn", text: T(LEVELS[c.level] || c.level) }), h("td", { text: T(KINDS[c.kind] || c.kind) }),
        h("td", { class: "n", text: c.days_overdue }), h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(c.case_id), class: "case", text: c.case_id })),
        h("td", { text: c.item_name }), h("td", { text: c.township_name }), h("td", { text: c.origin_name }), h("td", { text: c.holder_name || c.holder }),
        h("td", { text: c.responsible || "—" }), h("td", {}, when(fmtMs(c.due_ms))), h("td", {}, when(fmtMs(c.raised_ms))))))))); 
}
async function ratings() {
  const q = route().q;
  const p = {};
  for (const k of ["scope", "open"]) if (q.get(k)) p[k] = q.get(k);
  const at = location.hash;
  const r = await api("/api/ratings?" + new URLSearchParams(p));
  if (location.hash !== at) return;
  const open = h("label", { class: "noprint" }, h("input", { type: "checkbox", id: "f-open", checked: p.open === "1", onchange: (e) => (location.hash = link("/ratings", Object.assign({}, p, { open: e.target.checked ? "1" : "" }))) }), " " + T("只看未办结"));
  const done = (ms, what) => (ms ? fmtMs(ms) + (what ? " " + what : "") : "—");
  show(h("h1", { text: T("好差评 · 差评整改") }), open,
    h("p", { class: "hint", id: "ratings-count", text: ZE(`共 ${r.ratings.length} 件差评；回访 1 个工作日内、整改 15 个工作日内（时限由督办人员设定）；申诉成立的差评不计入满意率、差评率。`,
      `${r.ratings.length} bad rating(s); revisit within 1 working day, fix within 15 (the supervisors set the deadlines); a bad rating whose appeal was upheld counts in neither satisfied nor bad ratings.`) }),
    h("div", { class: "scroll" }, h("table", { id: "ratings" }, h("thead", {}, h("tr", {}, ["办件", "评价", "意见", "渠道", "责任单位", "评价时间", "回访期限", "回访", "整改", "追评", "申诉", "亮牌"].map((x) => h("th", { text: T(x) })))),
      h("tbody", {}, r.ratings.map((x) => h("tr", { "data-case": x.case_id },
        h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(x.case_id), class: "case", text: x.case_id })),
        h("td", { class: "bad", text: x.rating_label }), h("td", { text: x.comment }), h("td", { text: T(x.channel === "window" ? "窗口" : x.channel === "village" ? "村代办点" : "网上") }),
        h("td", { text: x.owner_name || x.owner }), h("td", {}, when(fmtMs(x.rated_ms))), h("td", {}, when(fmtMs(x.revisit_due_ms))),
        h("td", {}, when(done(x.revisited_ms))), h("td", { text: done(x.rectified_ms, T(OUTCOMES[x.outcome] || "")) }),
        h("td", { text: x.followup ? T(["", "非常不满意", "不满意", "基本满意", "满意", "非常满意"][x.followup]) + (x.followup_comment ? ZE("：", ": ") + x.followup_comment : "") : "—" }),
        h("td", { text: x.appeal in APPEALS ? T(APPEALS[x.appeal]) : x.appeal }), h("td", { class: x.card ? "bad" : null, text: x.card ? T(LEVELS[x.card]) : "" })))))));
}

/* ---- the complaints board (投诉, issue 11) ---- */
const CP_STATES = [["", "未办结"], ["all", "全部"], ["filed", "待受理"], ["accepted", "已受理待流转"], ["assigned", "办理中"],
  ["replied", "已反馈待回访"], ["revisited", "已回访"], ["closed", "已办结"], ["declined", "不予受理"]];
async function complaints() {
  const q = route().q;
  const p = {};
  for (const k of ["state", "township", "scope"]) if (q.get(k)) p[k] = q.get(k);
  const [r, all] = await Promise.all([api("/api/complaints?" + new URLSearchParams(p)),
    api("/api/complaints?" + new URLSearchParams(Object.assign({}, p, { state: "all", township: "" })))]);
  const towns = new Map(all.complaints.map((c) => [c.township, c.township_name || c.township]));
  const go = () => (location.hash = link("/complaints", Object.assign({}, p, { state: st.value, township: tw.value })));
  const st = h("select", { id: "cp-state", onchange: go }, CP_STATES.map(([v, t]) => h("option", { value: v, selected: v === (p.state || ""), text: T(t) })));
  const tw = h("select", { id: "cp-township", onchange: go }, h("option", { value: "", text: T("全部乡镇") }),
    [...towns].map(([v, t]) => h("option", { value: v, selected: v === p.township, text: t })));
  const o = r.outcomes;
  show(h("h1", { text: T("投诉看板") }), h("div", { class: "noprint filters" }, h("label", {}, T("状态") + " ", st), h("label", {}, T("乡镇") + " ", tw)),
    h("p", { class: "hint", id: "cp-outcomes", text: ZE(`共 ${o.filed} 件：办理中 ${o.open}（超期 ${o.overdue}），办结 ${o.closed}（其中重办后办结 ${o.closed_after_redo}），不予受理 ${o.declined}，重办 ${o.redone}，问责 ${o.faults}。`,
      `${o.filed} complaint(s): ${o.open} open (${o.overdue} overdue), ${o.closed} closed (${o.closed_after_redo} after being redone), ${o.declined} declined, ${o.redone} redone, ${o.faults} held to account.`) }),
    r.complaints.length === 0 ? h("p", { class: "hint", id: "cp-none", text: T("没有符合条件的投诉。") }) : h("div", { class: "scroll" }, h("table", { id: "complaints" },
      h("thead", {}, h("tr", {}, ["编号", "办件", "类别", "状态", "期限", "责任单位", "乡镇", "内容", "反馈"].map((x) => h("th", { text: T(x) })))),
      h("tbody", {}, r.complaints.map((c) => h("tr", { class: c.overdue ? "bad" : null, "data-id": c.id },
        h("td", { class: "n", text: c.id }),
        h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(c.case_id), class: "case", text: c.case_id })),
        h("td", { text: c.kind_label }), h("td", { text: c.state_label + (c.redos ? ZE("（重办 " + c.redos + "）", " (redone " + c.redos + ")") : "") }),
        h("td", {}, when(fmtMs(c.due_ms) + (c.overdue ? " " + T("超期") : ""))), h("td", { text: c.unit_name || "—" }),
        h("td", { text: c.township_name }), h("td", { text: c.text }), h("td", { text: c.reply || "—" })))))));
}

async function render() {
  stopTimers();
  $("updated").textContent = ""; /* the overview's own: it writes it again */
  document.body.classList.toggle("tv", route().path === "/tv");
  const { path } = route();
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("on", a.getAttribute("href") === "#" + path);
  try {
    if (path === "/" || path === "/tv") {
      await overview(path === "/tv");
      const every = path === "/tv" ? 5000 : 15000;
      timer = setInterval(() => overview(path === "/tv").catch((e) => toast(e.message)), every);
    } else if (path === "/drill") await drill();
    else if (path === "/cases") await cases();
    else if (path.startsWith("/case/")) await caseView(decodeURIComponent(path.slice(6)));
    else if (path === "/stats") await stats();
    else if (path === "/bulletin") await bulletin();
    else if (path === "/board" || path === "/ratings") {
      const view = path === "/board" ? board : ratings;
      await view();
      timer = setInterval(() => view().catch((e) => toast(e.message)), path === "/board" ? 3000 : 5000);
    }
    else if (path === "/complaints") await complaints();
    else location.hash = "#/";
  } catch (e) {
    if (e.status !== 401) show(h("h1", { text: T("出错了") }), h("p", { class: "err", id: "error", text: e.message }));
  }
}

$("logout").addEventListener("click", async () => {
  try { await api("/api/logout", { method: "POST" }); } catch (e) { /* signed out either way */ }
  me = null;
  stopTimers();
  loginView();
});
window.addEventListener("hashchange", () => me && render());
/* The other language: the fixed words at once, the server's (the header's
 * labels, every view's) on the next answers, the view drawn again. */
$("lang").addEventListener("click", async () => {
  switchLang();
  $("updated").textContent = ""; /* the overview's, written again by it */
  document.title = T("通办 · 县级电子监察");
  $("nav").setAttribute("aria-label", T("主菜单"));
  if (!me) return loginView();
  try { await signedIn(); } catch (e) { toast(e.message); }
  render();
});
document.title = T("通办 · 县级电子监察");
$("nav").setAttribute("aria-label", T("主菜单"));
applyLang();
(async () => {
  try {
    me = await api("/api/me");
    await signedIn();
    render();
  } catch (e) {
    me = null;
    loginView();
    if (e.status !== 401) toast(e.message);
  }
})();
