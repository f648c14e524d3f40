// The customer's My data page. Everything it shows and changes goes through the register API's own routes
// with the customer's bearer token, so the field policy and the audit log apply as to any other client.
"use strict";

const LANGUAGES = ["fi", "sv", "en"];
const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
const SECTIONS = ["person", "contact", "memberships", "household", "cards", "consents", "bonus"];
const TOKEN_KEY = "coopreg.my-data.token";
const LANGUAGE_KEY = "coopreg.my-data.language";
const IN_FORCE_POLLS = 120;  // 30 s: a busy consent service still answers in time
const POLL_MS = 250;

const state = { lang: "fi", texts: {}, doc: null, token: null, personId: null };
const $ = (id) => document.getElementById(id);

function t(key, values = {}) {
  const text = state.texts[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function say(key, values) { $("alert").textContent = ""; $("status").textContent = t(key, values); }
function warn(key, values) { $("status").textContent = ""; $("alert").textContent = t(key, values); }

// ---- formatting -------------------------------------------------------------------------------------
const euros = (cents) => new Intl.NumberFormat(LOCALES[state.lang], { style: "currency", currency: "EUR" })
  .format(cents / 100);
const percent = (basisPoints) => new Intl.NumberFormat(LOCALES[state.lang], { maximumFractionDigits: 2 })
  .format(basisPoints / 100) + " %";
const day = (iso) => iso ? new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: "long", timeZone: "Europe/Helsinki" })
  .format(new Date(iso)) : t("none");
const month = (label) => new Intl.DateTimeFormat(LOCALES[state.lang], { month: "long", year: "numeric" })
  .format(new Date(`${label}-15T12:00:00Z`));
const orNone = (value) => (value === null || value === undefined || value === "") ? t("none") : String(value);

// ---- language -----------------------------------------------------------------------------------------
async function setLanguage(lang) {
  const response = await fetch(`/my-data/assets/texts/${lang}.json`);
  if (!response.ok) return warn("error");
  state.texts = await response.json();
  state.lang = lang;
  localStorage.setItem(LANGUAGE_KEY, lang);
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  $("status").textContent = "";
  $("alert").textContent = "";
  if (state.doc) render(state.doc);
}

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  const stored = localStorage.getItem(LANGUAGE_KEY);
  return [asked, stored].find((lang) => LANGUAGES.includes(lang)) || "fi";
}

// ---- the token and the API ----------------------------------------------------------------------------
function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch (error) {
    return {};
  }
}

function logIn(token) {
  const claims = claimsOf(token);
  if (!claims.person_id || !(claims.roles || []).includes("data_subject")) return false;
  state.token = token;
  state.personId = claims.person_id;
  sessionStorage.setItem(TOKEN_KEY, token);
  return true;
}

class Unauthorised extends Error {}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) throw new Unauthorised();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response;
}

const personPath = (suffix = "") => `/persons/${encodeURIComponent(state.personId)}${suffix}`;

async function readPerson(sections = SECTIONS) {
  const query = sections.map((section) => `sections=${section}`).join("&");
  return (await api("GET", `${personPath()}?${query}`)).json();
}

// ---- rendering ----------------------------------------------------------------------------------------
function definitions(target, rows) {
  target.replaceChildren(...rows.flatMap(([key, value]) => [el("dt", { text: t(key) }), el("dd", { text: value })]));
}

function renderPerson(doc) {
  const person = doc.person || {};
  const name = person.name ? `${person.name.first_names} ${person.name.last_name}` : t("none");
  const members = (doc.memberships || []).filter((m) => m.status === "active").map((m) => m.member_number);
  definitions($("person"), [
    ["person.name", name], ["person.customer_number", orNone(person.customer_number)],
    ["person.birth_date", person.birth_date ? day(`${person.birth_date}T12:00:00Z`) : t("none")],
    ["person.language", person.language ? t(`language.${person.language}`) : t("none")],
    ["person.member_number", members.length ? members.join(", ") : t("none")],
  ]);
}

function renderContact(doc) {
  const contact = doc.contact || {};
  const address = contact.permanent_address;
  definitions($("contact"), [
    ["contact.address", address ? `${address.street}, ${address.postal_code} ${address.city}` : t("none")],
    ["contact.email", orNone(contact.email && contact.email.address)],
    ["contact.mobile_phone", orNone(contact.mobile_phone && contact.mobile_phone.number)],
    ["contact.home_municipality", orNone(contact.home_municipality && contact.home_municipality.code)],
  ]);
}

function renderHousehold(doc) {
  const household = doc.household || {};
  if (!household.household_id) return $("household").replaceChildren(el("p", { text: t("household.none") }));
  const members = (household.members || []).map((member) => el("li", {
    text: `${member.person_id === state.personId ? t("household.you") : t("household.other_member")}`
      + ` (${t(`role.${member.role}`)})`,
  }));
  const list = el("dl");
  definitions(list, [["household.role", t(`role.${household.role}`)]]);
  list.append(el("dt", { text: t("household.members") }), el("dd", {}, el("ul", {}, ...members)));
  $("household").replaceChildren(list);
}

function renderCards(doc) {
  const cards = doc.cards || [];
  if (!cards.length) return $("cards").replaceChildren(el("p", { text: t("cards.none") }));
  const head = el("tr", {}, ...["cards.card", "cards.type", "cards.status", "cards.valid_until"]
    .map((key) => el("th", { scope: "col", text: t(key) })));
  const rows = cards.map((card) => el("tr", {},
    el("td", { text: `•••• ${card.last_four}` }), el("td", { text: t(`card_type.${card.card_type}`) }),
    el("td", { text: t(`card_status.${card.status}`) }), el("td", { text: day(card.valid_until) })));
  $("cards").replaceChildren(el("table", {}, el("caption", { text: t("cards.caption") }),
    el("thead", {}, head), el("tbody", {}, ...rows)));
}

function renderBonus(doc) {
  const now = doc.bonus && doc.bonus.month_to_date;
  if (!now) return $("bonus").replaceChildren(el("p", { text: t("bonus.none") }));
  const list = el("dl", { id: "bonus-month-to-date" });
  definitions(list, [
    ["bonus.month", month(now.month)], ["bonus.purchases", euros(now.tier_total_cents)],
    ["bonus.rate", percent(now.rate_bp)], ["bonus.bonus", euros(now.bonus_cents)],
    ["bonus.fuel", euros(now.fuel_bonus_cents)], ["bonus.payment_method", euros(now.payment_method_benefit_cents)],
    ["bonus.to_next_tier", now.cents_to_next_tier === null ? t("bonus.top_tier") : euros(now.cents_to_next_tier)],
  ]);
  $("bonus").replaceChildren(list);
}

function choice(kind, name, checked) {
  const id = `${kind}-${name}`;
  const input = el("input", { type: "checkbox", id, name: id, "data-kind": kind, "data-name": name, checked });
  input.addEventListener("change", () => change(input));
  return el("div", { class: "choice" }, input, el("label", { for: id, text: t(`${kind}.${name}`) }));
}

function renderConsents(doc) {
  const consents = doc.consents || {};
  $("permissions").replaceChildren(...Object.entries(consents.permissions || {})
    .map(([channel, granted]) => choice("permission", channel, granted)));
  $("blocks").replaceChildren(...Object.entries(consents.blocks || {})
    .map(([block, blocked]) => choice("block", block, blocked)));
}

function render(doc) {
  const focused = document.activeElement && document.activeElement.id;
  for (const part of [renderPerson, renderContact, renderHousehold, renderCards, renderBonus, renderConsents]) part(doc);
  if (focused && $(focused)) $(focused).focus();
}

// ---- changes ------------------------------------------------------------------------------------------
async function inForce(kind, name, value) {
  for (let poll = 0; poll < IN_FORCE_POLLS; poll += 1) {
    const consents = (await readPerson(["consents"])).consents;
    if ((kind === "block" ? consents.blocks : consents.permissions)[name] === value) return consents;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

async function change(input) {
  const { kind, name } = input.dataset;
  const value = input.checked;
  const item = t(`${kind}.${name}`);
  say("consents.saving", { item });
  try {
    if (kind === "block") await api("PUT", personPath("/blocks"), { block: name, blocked: value });
    else await api("PUT", personPath("/permissions"), { channel: name, granted: value });
    const consents = await inForce(kind, name, value);
    if (!consents) return say("consents.pending", { item });
    state.doc.consents = consents;
    say("consents.saved", { item });
  } catch (error) {
    input.checked = !value;
    if (error instanceof Unauthorised) return loggedOut("login.expired");
    warn("consents.failed", { item });
  }
}

async function downloadExtract(format) {
  say("extract.working");
  try {
    const request = await (await api("POST", personPath("/extract-requests"))).json();
    const id = request.extract_request.request_id;
    const response = await api("GET", `/extract-requests/${encodeURIComponent(id)}/document?format=${format}`);
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `${t("extract.file")}.${format}`,
                           hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    say("extract.ready");
  } catch (error) {
    if (error instanceof Unauthorised) return loggedOut("login.expired");
    warn("error");
  }
}

// ---- session ------------------------------------------------------------------------------------------
function showLogin() {
  $("data").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
}

function loggedOut(messageKey) {
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(state, { token: null, personId: null, doc: null });
  showLogin();
  if (messageKey === "logged_out") say(messageKey); else warn(messageKey);
  $("token").focus();
}

async function load() {
  $("login").hidden = true;
  $("logout").hidden = false;
  say("loading");
  try {
    state.doc = await readPerson();
    render(state.doc);
    $("data").hidden = false;
    say("loaded");
  } catch (error) {
    if (error instanceof Unauthorised) return loggedOut("login.expired");
    warn("error");
  }
}

function tokenFromFragment() {
  // The login link carries the token after `#`, which the browser never sends to a server; it is taken
  // from the address at once so it stays in neither the history nor a bookmark.
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

async function start() {
  await setLanguage(initialLanguage());
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  $("logout").addEventListener("click", () => loggedOut("logged_out"));
  for (const button of document.querySelectorAll("[data-format]")) {
    button.addEventListener("click", () => downloadExtract(button.dataset.format));
  }
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    $("token").value = "";
    if (!logIn(token)) return warn("login.not_customer");
    load();
  });
  const token = tokenFromFragment() || sessionStorage.getItem(TOKEN_KEY);
  if (token && logIn(token)) return load();
  showLogin();
}

document.addEventListener("DOMContentLoaded", start);
