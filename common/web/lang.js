/* What every screen shares, the village's, the township's and the county's
 * (each node serves it as /lang.js, first): the language and the text-only
 * DOM helpers.  Chinese first, English one click away: lang is "zh" or "en",
 * kept in localStorage ("tb-lang"); T(s) is s in English from the page's EN
 * table when English is on (s itself otherwise, and when EN lacks it); every
 * API call carries ?lang= (withLang) so the server's words follow the page
 * (common/tb_http.c).  The page's app.js defines EN and NAV (the Chinese of
 * each [data-i18n] element: the menu). */
"use strict";

let lang = localStorage.getItem("tb-lang") === "en" ? "en" : "zh";
const T = (s) => (lang === "en" && EN[s]) || s;
const withLang = (path) => path + (path.includes("?") ? "&" : "?") + "lang=" + lang;

/* The page's fixed words (the menu: [data-i18n]) and the button's in the chosen language. */
function applyLang() {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = lang === "en" ? EN[e.dataset.i18n] : NAV[e.dataset.i18n];
  document.getElementById("lang").textContent = lang === "en" ? "中文" : "English";
}
/* The language button: the other language, kept; the caller draws its view again. */
function switchLang() {
  lang = lang === "en" ? "zh" : "en";
  localStorage.setItem("tb-lang", lang);
  applyLang();
}

/* ---- DOM helpers: text only ---- */
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
function toast(msg) {
  const t = document.getElementById("toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}
/* "2026-12-02 09:04": the date and the time each in one piece; a narrow cell
 * breaks between them, never inside the date ("2026-" / "12-02"). */
const when = (s) => String(s || "").split(" ").flatMap((p, i) => [i ? " " : null, h("span", { class: "nw" }, p)]);
