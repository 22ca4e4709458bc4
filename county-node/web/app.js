/* The county supervisors' dashboard (served by tongban-county serve; nothing
 * fetched from elsewhere, Chart.js is Debian's libjs-chart.js served by the
 * node).  Hash routes: #/ (overview), #/drill?scope= (county → township →
 * village → case), #/cases?... (the cases behind a number), #/case/<id>
 * (timeline), #/stats?... (tables, CSV), #/bulletin?month= (月度通报,
 * printable), #/tv (the overview for a wall screen, refreshed every 5 s),
 * #/board?township=&level=&kind= (the card board, refreshed every 3 s),
 * #/ratings?open=1 (差评 rectifications and appeals, refreshed every 5 s),
 * #/complaints?state=&township= (the complaints board, 投诉).
 * Every value from the server goes into the page as text, never as HTML. */
"use strict";

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v == null) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null) e.append(k.nodeType ? k : document.createTextNode(String(k)));
  return e;
}
const $ = (id) => document.getElementById(id);
/* "2026-09-29 23:59" in a cell: the date and the time each in one piece (app.css .nw);
 * a narrow column breaks between them, never inside the date ("2026-09-" / "29"). */
const when = (s) => String(s || "").split(" ").flatMap((p, i) => [i ? " " : null, h("span", { class: "nw" }, p)]);
function show(...nodes) {
  const v = $("view");
  v.replaceChildren(...nodes.flat().filter((n) => n != null));
}
function toast(msg) {
  const t = $("toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
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
  const r = await fetch(path, o);
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
  const head = h("tr", {}, h("th", { text: "单位" }), st.period !== "none" ? h("th", { text: "期间" }) : null,
    COLS.map((c) => h("th", { class: "n", text: c[1] })));
  const base = { from: st.from, to: st.to, scope: st.scope, by: st.by, period: st.period };
  const row = (r, total) => h("tr", {},
    h("td", {}, total ? "合计" : unitLink ? unitLink(r) : r.name),
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
    h("h1", { text: "县级电子监察 · 登录" }),
    h("label", { for: "login-name", text: "账号" }), h("input", { type: "text", id: "login-name", autocomplete: "username" }),
    h("label", { for: "login-pw", text: "密码" }), h("input", { type: "password", id: "login-pw", autocomplete: "current-password" }),
    err, h("button", { class: "primary", type: "submit", text: "登录" }));
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
  $("who").textContent = me.name + "（" + me.role_label + "，" + me.scope_name + "）";
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
    tile("今日受理", num(o.today.accepted), "办结 " + num(o.today.closed), L(t, "accepted")),
    tile("本周受理", num(o.week.accepted), "办结 " + num(o.week.closed), L(o.week_from, "accepted")),
    tile("本月受理", num(o.month.accepted), "办结 " + num(o.month.closed), L(o.month_from, "accepted")),
    tile("在办", num(o.open.open), "未办结的代办件", L(addDays(t, -731), "open")),
    tile("超期", num(o.open.overdue), "在办且已过承诺期限", L(addDays(t, -731), "overdue_open")),
    tile("本月按时办结率", pct(o.month.on_time_rate), "提前办结率 " + pct(o.month.early_rate)),
    tile("本月满意率", pct(o.month.satisfied_rate), "差评率 " + pct(o.month.bad_rate)),
    tile("黄牌 / 红牌", num(o.cards.yellow) + " / " + num(o.cards.red), "未清除的预警牌"));
  const unitName = o.by === "township" ? "乡镇" : "村（社区）";
  const c1 = h("canvas", { id: "chart-units", "aria-label": "本月各" + unitName + "受理与办结" });
  const c2 = h("canvas", { id: "chart-trend", "aria-label": "近30天趋势" });
  const openBy = {};
  for (const r of o.open_units) openBy[r.unit] = r;
  const rows = h("tbody", {}, o.units.map((r) => h("tr", {},
    h("td", {}, h("a", { href: link("/drill", { scope: r.unit, from: o.month_from, to: t }), text: r.name })),
    h("td", { class: "n" }, h("a", { href: L(o.month_from, "accepted", { by: o.by, unit: r.unit }), text: num(r.accepted) })),
    h("td", { class: "n", text: num(r.closed) }), h("td", { class: "n", text: pct(r.on_time_rate) }),
    h("td", { class: "n", text: num((openBy[r.unit] || {}).open || 0) }),
    h("td", { class: (openBy[r.unit] || {}).overdue ? "n bad" : "n", text: num((openBy[r.unit] || {}).overdue || 0) }))));
  show(h("h1", { text: o.scope_name + " · 总览" + (tv ? "（大屏）" : "") }), tiles,
    h("div", { class: "charts" }, h("div", { class: "card" }, h("h2", { text: "本月各" + unitName }), c1),
      h("div", { class: "card" }, h("h2", { text: "近30天受理与办结" }), c2)),
    h("div", { class: "card" }, h("h2", { text: "本月各" + unitName + "（点击逐级查看）" }),
      h("table", { id: "units" }, h("thead", {}, h("tr", {}, ["单位", "受理", "办结", "按时办结率", "在办", "超期"].map((x, i) => h("th", { class: i ? "n" : null, text: x })))), rows)));
  if (window.Chart) {
    charts.push(new Chart(c1, { type: "bar", data: { labels: o.units.map((r) => r.name),
      datasets: [{ label: "受理", data: o.units.map((r) => r.accepted), backgroundColor: "#0b57a4" },
        { label: "办结", data: o.units.map((r) => r.closed), backgroundColor: "#1b6e3a" }] },
      options: { animation: false, maintainAspectRatio: false } }));
    const days = [];
    for (let i = 29; i >= 0; i--) days.push(addDays(t, -i));
    const by = {};
    for (const r of o.trend) by[r.period] = r;
    charts.push(new Chart(c2, { type: "line", data: { labels: days.map((d) => d.slice(5)),
      datasets: [{ label: "受理", data: days.map((d) => (by[d] || {}).accepted || 0), borderColor: "#0b57a4" },
        { label: "办结", data: days.map((d) => (by[d] || {}).closed || 0), borderColor: "#1b6e3a" }] },
      options: { animation: false, maintainAspectRatio: false } }));
  }
  $("updated").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", { hour12: false });
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
  const crumbs = h("p", { class: "hint" }, h("a", { href: link("/drill", { from, to }), text: "全县" }),
    level === "township" ? [" › ", st.scope_name] : null);
  show(h("h1", { text: st.scope_name + " · 逐级查看" }), crumbs, range,
    statsTable(st, (r) => h("a", { href: link("/drill", { scope: r.unit, from, to }), class: "unit", text: r.name })));
}

function rangeForm(from, to, go, extra) {
  const f = h("input", { type: "text", id: "from", value: from, size: 10, "aria-label": "起" });
  const t = h("input", { type: "text", id: "to", value: to, size: 10, "aria-label": "止" });
  const form = h("form", { class: "filters noprint" }, h("label", {}, "起 ", f), h("label", {}, "止 ", t), extra || null,
    h("button", { type: "submit", text: "查询" }));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); go(f.value, t.value); });
  return form;
}

async function cases() {
  const q = route().q;
  const p = {};
  for (const k of ["from", "to", "scope", "by", "period", "measure", "unit", "at"]) if (q.get(k)) p[k] = q.get(k);
  const r = await api("/api/cases?" + new URLSearchParams(p));
  const label = p.measure === "overdue_open" ? "在办超期" : (COLS.find((c) => c[0] === p.measure) || [, "全部"])[1];
  show(h("h1", { text: "办件清单：" + label }),
    h("p", { class: "hint", text: p.from + " — " + p.to + (p.unit ? "，" + p.unit : "") + (p.at ? "，" + p.at : "") + "，共 " + r.cases.length + " 件" + (r.truncated ? "（仅显示前 1000 件）" : "") }),
    h("div", { class: "scroll" }, h("table", { id: "case-list" }, h("thead", {}, h("tr", {}, ["办件编号", "登记地", "事项", "群众", "状态", "登记时间", "期限", "办结"].map((x) => h("th", { text: x })))),
      h("tbody", {}, r.cases.map((c) => h("tr", {},
        h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(c.case_id), class: "case", text: c.case_id })),
        h("td", { text: c.origin_name }), h("td", { text: c.item_name }), h("td", { text: c.client_name }),
        h("td", { text: STATES[c.state] || c.state }), h("td", {}, when(c.accept_time)), h("td", {}, when(c.due)), h("td", {}, when(c.done))))))));
}

async function caseView(id) {
  const c = await api("/api/case/" + encodeURIComponent(id));
  show(h("h1", { text: "办件 " + c.case_id }),
    h("dl", { class: "kv card" }, h("dt", { text: "事项" }), h("dd", { text: c.item_name }),
      h("dt", { text: "登记地" }), h("dd", { text: c.origin_name + "（" + c.origin + "）" }),
      h("dt", { text: "状态" }), h("dd", { id: "case-state", text: (STATES[c.state] || c.state) + (c.paused ? "（计时暂停）" : "") }),
      h("dt", { text: "经办方" }), h("dd", { text: c.holder_name || c.holder }),
      h("dt", { text: "登记时间" }), h("dd", { text: c.accept_time }), h("dt", { text: "期限" }), h("dd", { text: c.due || "—" })),
    h("h2", { text: "办理过程（各级）" }),
    h("ol", { class: "timeline", id: "timeline" }, c.history.map((e) => h("li", {},
      h("strong", { text: e.at + "  " + e.label }), " ", e.where + " " + e.actor,
      e.detail ? h("div", { class: "hint", text: e.detail }) : null, e.reason ? h("div", { text: "理由：" + e.reason }) : null,
      e.folded ? null : h("div", { class: "bad", text: "违规，未生效：" + e.rejected })))),
    h("button", { type: "button", class: "noprint", onclick: () => history.back(), text: "返回" }));
}

async function stats() {
  const q = route().q;
  const p = { from: q.get("from") || monthStart(), to: q.get("to") || today(), by: q.get("by") || "township",
    period: q.get("period") || "none" };
  if (q.get("scope")) p.scope = q.get("scope");
  const st = await api("/api/stats?" + new URLSearchParams(p));
  const by = h("select", { id: "by" }, [["county", "全县"], ["township", "乡镇"], ["village", "村"], ["item", "事项"], ["agent", "代办员"]]
    .map(([v, t]) => h("option", { value: v, selected: v === p.by, text: t })));
  const period = h("select", { id: "period" }, [["none", "合计"], ["month", "按月"], ["day", "按日"]]
    .map(([v, t]) => h("option", { value: v, selected: v === p.period, text: t })));
  const form = rangeForm(p.from, p.to, (f, t) => (location.hash = link("/stats", Object.assign({}, p, { from: f, to: t, by: by.value, period: period.value }))),
    [h("label", {}, "分组 ", by), h("label", {}, "期间 ", period)]);
  const csv = h("a", { class: "button noprint", id: "csv", href: "/api/stats?" + new URLSearchParams(Object.assign({}, p, { format: "csv" })), download: "", text: "导出 CSV" });
  show(h("h1", { text: st.scope_name + " · 统计表" }), form, csv, statsTable(st),
    h("p", { class: "hint", text: "按登记时间（村台账受理时间）统计；亮牌按亮牌时间、亮牌时的经办单位统计；投诉按所涉办件统计（办结、不予受理、办理中）；满意率按首次评价计（GB/T 39735），追评单列；申诉成立的差评不计入评议率、满意率、差评率。" }));
}

async function bulletin() {
  const month = route().q.get("month") || today().slice(0, 7);
  const b = await api("/api/bulletin?month=" + encodeURIComponent(month));
  const t = b.total;
  const unitRow = (r) => h("tr", {}, h("td", { text: r.name }), h("td", { class: "n", text: num(r.accepted) }),
    h("td", { class: "n", text: num(r.closed) }), h("td", { class: "n", text: pct(r.on_time_rate) }),
    h("td", { class: "n", text: num(r.overdue) }), h("td", { class: "n", text: num(r.cards) }), h("td", { class: "n", text: pct(r.satisfied_rate) }));
  const table = (rows) => h("table", {}, h("thead", {}, h("tr", {}, ["单位", "受理", "办结", "按时办结率", "超期", "亮牌", "满意率"].map((x, i) => h("th", { class: i ? "n" : null, text: x })))), h("tbody", {}, rows.map(unitRow)));
  /* The months as Chinese words (an <input type=month> speaks the browser's language). */
  const months = [];
  for (let [y, m] = today().slice(0, 7).split("-").map(Number), i = 0; i < 36; i++, m === 1 ? (y--, m = 12) : m--)
    months.push(`${y}-${String(m).padStart(2, "0")}`);
  if (!months.includes(month)) months.unshift(month);
  const pick = h("select", { id: "month", onchange: (e) => (location.hash = link("/bulletin", { month: e.target.value })) },
    months.map((v) => h("option", { value: v, selected: v === month, text: `${+v.slice(0, 4)}年${+v.slice(5)}月` })));
  show(h("div", { class: "noprint bar" }, h("label", { for: "month" }, "月份"), pick, h("button", { type: "button", onclick: () => print(), text: "打印" })),
    h("article", { class: "bulletin", id: "bulletin" },
      h("h1", { text: b.county + "政务服务月度通报" }), h("p", { style: null, text: b.month }),
      h("h2", { text: "一、总体情况" }),
      h("p", { text: `本月受理 ${t.accepted} 件，办结 ${t.closed} 件，办结率 ${pct(t.close_rate)}；按时办结率 ${pct(t.on_time_rate)}，提前办结率 ${pct(t.early_rate)}；承诺件平均承诺 ${num(t.avg_promised_days)} 个工作日，实际平均 ${num(t.avg_workdays)} 个工作日，提速 ${pct(t.speedup_rate)}；超期 ${t.overdue} 件；亮牌 ${t.cards} 张（黄牌 ${t.cards_yellow}，红牌 ${t.cards_red}）；评议率 ${pct(t.rating_rate)}，满意率 ${pct(t.satisfied_rate)}，差评率 ${pct(t.bad_rate)}，差评整改率 ${pct(t.rectify_rate)}；追评 ${t.followups} 件，追评满意率 ${pct(t.followup_satisfied_rate)}；投诉 ${t.complaints} 件（办结 ${t.complaints_closed}，不予受理 ${t.complaints_declined}，办理中 ${t.complaints_open}）。村级代办 ${t.entrust} 件、咨询 ${t.consult} 件、帮扶 ${t.help} 件。` }),
      h("h2", { text: "二、各乡镇情况" }), table(b.townships),
      h("h2", { text: "三、表现较好的单位" }), table(b.top),
      h("h2", { text: "四、需要改进的单位" }), table(b.bottom),
      h("h2", { text: "五、本月无业务的单位" }), h("p", { id: "idle", text: b.idle.map((u) => u.name).join("、") || "无" })));
}

/* ---- the card board and the ratings (county_board.c) ---- */
const LEVELS = { yellow: "黄牌", red: "红牌" };
const KINDS = { deadline: "办理时限", prereview: "预审时限", revisit: "差评未回访", complaint: "投诉超期" };
const OUTCOMES = { immediate: "立行立改", deadline: "限期整改", explain: "解释说明" };
const APPEALS = { none: "", pending: "申诉待复核", approved: "申诉成立（不计入）", refused: "申诉驳回" };
const fmtMs = (ms) => (ms ? dayFmt.format(new Date(ms)) + " " + new Date(ms).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false }) : "—");
function pickSelect(id, label, map, value, go) {
  return h("label", {}, label + " ", h("select", { id, onchange: go },
    h("option", { value: "", text: "全部" + label }), Object.entries(map).map(([v, t]) => h("option", { value: v, selected: v === value, text: t }))));
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
  show(h("h1", { text: "亮牌看板" }),
    h("div", { class: "noprint filters" }, pickSelect("f-township", "乡镇", towns, p.township || "", go),
      pickSelect("f-level", "牌", LEVELS, p.level || "", go), pickSelect("f-kind", "类别", KINDS, p.kind || "", go)),
    h("p", { class: "hint", id: "board-count", text: `共 ${b.cards.length} 张：红牌 ${red}，黄牌 ${b.cards.length - red}；按超期工作日排序，每 3 秒刷新` }),
    h("div", { class: "scroll" }, h("table", { id: "board" }, h("thead", {}, h("tr", {}, ["牌", "类别", "超期（工作日）", "办件", "事项", "乡镇", "登记地", "经办方", "责任人", "期限", "亮牌时间"].map((x) => h("th", { text: x })))),
      h("tbody", {}, b.cards.map((c) => h("tr", { class: "card-" + c.level, "data-case": c.case_id },
        h("td", { class: c.level === "red" ? "bad" : "warn", text: LEVELS[c.level] || c.level }), h("td", { text: KINDS[c.kind] || c.kind }),
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
  const open = h("label", { class: "noprint" }, h("input", { type: "checkbox", id: "f-open", checked: p.open === "1", onchange: (e) => (location.hash = link("/ratings", Object.assign({}, p, { open: e.target.checked ? "1" : "" }))) }), " 只看未办结");
  const done = (ms, what) => (ms ? fmtMs(ms) + (what ? " " + what : "") : "—");
  show(h("h1", { text: "好差评 · 差评整改" }), open,
    h("p", { class: "hint", id: "ratings-count", text: `共 ${r.ratings.length} 件差评；回访 1 个工作日内、整改 15 个工作日内（时限由督办人员设定）；申诉成立的差评不计入满意率、差评率。` }),
    h("div", { class: "scroll" }, h("table", { id: "ratings" }, h("thead", {}, h("tr", {}, ["办件", "评价", "意见", "渠道", "责任单位", "评价时间", "回访期限", "回访", "整改", "追评", "申诉", "亮牌"].map((x) => h("th", { text: x })))),
      h("tbody", {}, r.ratings.map((x) => h("tr", { "data-case": x.case_id },
        h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(x.case_id), class: "case", text: x.case_id })),
        h("td", { class: "bad", text: x.rating_label }), h("td", { text: x.comment }), h("td", { text: x.channel === "window" ? "窗口" : x.channel === "village" ? "村代办点" : "网上" }),
        h("td", { text: x.owner_name || x.owner }), h("td", {}, when(fmtMs(x.rated_ms))), h("td", {}, when(fmtMs(x.revisit_due_ms))),
        h("td", {}, when(done(x.revisited_ms))), h("td", { text: done(x.rectified_ms, OUTCOMES[x.outcome]) }),
        h("td", { text: x.followup ? ["", "非常不满意", "不满意", "基本满意", "满意", "非常满意"][x.followup] + (x.followup_comment ? "：" + x.followup_comment : "") : "—" }),
        h("td", { text: x.appeal in APPEALS ? APPEALS[x.appeal] : x.appeal }), h("td", { class: x.card ? "bad" : null, text: x.card ? LEVELS[x.card] : "" })))))));
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
  const st = h("select", { id: "cp-state", onchange: go }, CP_STATES.map(([v, t]) => h("option", { value: v, selected: v === (p.state || ""), text: t })));
  const tw = h("select", { id: "cp-township", onchange: go }, h("option", { value: "", text: "全部乡镇" }),
    [...towns].map(([v, t]) => h("option", { value: v, selected: v === p.township, text: t })));
  const o = r.outcomes;
  show(h("h1", { text: "投诉看板" }), h("div", { class: "noprint filters" }, h("label", {}, "状态 ", st), h("label", {}, "乡镇 ", tw)),
    h("p", { class: "hint", id: "cp-outcomes", text: `共 ${o.filed} 件：办理中 ${o.open}（超期 ${o.overdue}），办结 ${o.closed}（其中重办后办结 ${o.closed_after_redo}），不予受理 ${o.declined}，重办 ${o.redone}，问责 ${o.faults}。` }),
    r.complaints.length === 0 ? h("p", { class: "hint", id: "cp-none", text: "没有符合条件的投诉。" }) : h("div", { class: "scroll" }, h("table", { id: "complaints" },
      h("thead", {}, h("tr", {}, ["编号", "办件", "类别", "状态", "期限", "责任单位", "乡镇", "内容", "反馈"].map((x) => h("th", { text: x })))),
      h("tbody", {}, r.complaints.map((c) => h("tr", { class: c.overdue ? "bad" : null, "data-id": c.id },
        h("td", { class: "n", text: c.id }),
        h("td", {}, h("a", { href: "#/case/" + encodeURIComponent(c.case_id), class: "case", text: c.case_id })),
        h("td", { text: c.kind_label }), h("td", { text: c.state_label + (c.redos ? "（重办 " + c.redos + "）" : "") }),
        h("td", {}, when(fmtMs(c.due_ms) + (c.overdue ? " 超期" : ""))), h("td", { text: c.unit_name || "—" }),
        h("td", { text: c.township_name }), h("td", { text: c.text }), h("td", { text: c.reply || "—" })))))));
}

async function render() {
  stopTimers();
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
    if (e.status !== 401) show(h("h1", { text: "出错了" }), h("p", { class: "err", id: "error", text: e.message }));
  }
}

$("logout").addEventListener("click", async () => {
  try { await api("/api/logout", { method: "POST" }); } catch (e) { /* signed out either way */ }
  me = null;
  stopTimers();
  loginView();
});
window.addEventListener("hashchange", () => me && render());
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
