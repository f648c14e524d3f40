// The customer's My data page. Everything it shows and changes goes through the register API's own routes
// with the customer's bearer token, so the field policy and the audit log apply as to any other client.
"use strict";

const LANGUAGES = ["fi", "sv", "en"];
const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
const DIGITAL = ["web_store", "web_orders", "saved_carts", "digital_services", "digital_usage", "entered_data",
                 "contact_log"];
const RECEIPTS = ["purchases", "e_receipts", "warranty_receipts"];
const SECTIONS = ["person", "contact", "memberships", "household", "cards", "consents", "bonus", ...RECEIPTS,
                  ...DIGITAL, "disclosures"];
const CHOICES = ["e_receipts"];  // services the customer asks for, shown beside what they give
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
const moment = (iso) => iso ? new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: "medium", timeStyle: "short",
  timeZone: "Europe/Helsinki" }).format(new Date(iso)) : t("none");
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

// The API refused: `code` is its `error` (e.g. invalid_phone), which the page says as a sentence.
class Refused extends Error {
  constructor(status, code) { super(`HTTP ${status}`); this.status = status; this.code = code; }
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) throw new Unauthorised();
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new Refused(response.status, typeof answer.error === "string" ? answer.error : "");
  }
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

const activeMembership = (doc) => (doc.memberships || []).find((m) => m.status === "active");

function renderPerson(doc) {
  const person = doc.person || {};
  const name = person.name ? `${person.name.first_names} ${person.name.last_name}` : t("none");
  const members = (doc.memberships || []).filter((m) => m.status === "active").map((m) => m.member_number);
  const children = person.children_birth_years || [];
  const membership = activeMembership(doc);
  definitions($("person"), [
    ["person.name", name], ["person.customer_number", orNone(person.customer_number)],
    ["person.birth_date", person.birth_date ? day(`${person.birth_date}T12:00:00Z`) : t("none")],
    ["person.language", person.language ? t(`language.${person.language}`) : t("none")],
    ["person.member_number", members.length ? members.join(", ") : t("none")],
    ["person.children_birth_years", children.length ? children.join(", ") : t("none")],
    ["person.joining_outlet", orNone(membership && membership.joining_outlet)],
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

// A table of a section's rows, or a sentence saying there are none. `cells` turns a row into its texts.
function table(captionKey, columns, rows, cells) {
  if (!rows.length) return null;
  const head = el("tr", {}, ...columns.map((key) => el("th", { scope: "col", text: t(key) })));
  const body = rows.map((row) => el("tr", {}, ...cells(row).map((text) => el("td", { text }))));
  return el("table", {}, el("caption", { text: t(captionKey) }), el("thead", {}, head), el("tbody", {}, ...body));
}

function show(target, noneKey, ...tables) {
  const shown = tables.filter((node) => node !== null);
  $(target).replaceChildren(...(shown.length ? shown : [el("p", { text: t(noneKey) })]));
}

const postal = (a) => `${a.street}, ${a.postal_code} ${a.city}`;

function renderDigital(doc) {
  const web = doc.web_store || {};
  show("web-store", "web_store.none",
    table("web_store.profiles", ["digital.store", "web_store.segment", "digital.updated"], web.profiles || [],
      (p) => [p.store, orNone(p.segment), day(p.updated_at)]),
    table("web_store.addresses", ["digital.store", "web_store.address", "web_store.valid_from", "web_store.replaced"],
      web.delivery_addresses || [],
      (a) => [a.store, postal(a.address), day(a.valid_from), a.replaced_at ? day(a.replaced_at) : t("web_store.current")]));
  show("web-orders", "web_orders.none",
    table("web_orders.caption", ["digital.store", "web_orders.order", "web_orders.placed", "web_orders.status",
                                 "web_orders.total"], doc.web_orders || [],
      (o) => [o.store, o.order_id, day(o.placed_at), t(`order_status.${o.status}`), euros(o.total_cents)]));
  show("saved-carts", "saved_carts.none",
    table("saved_carts.caption", ["digital.store", "saved_carts.product", "saved_carts.quantity",
                                  "saved_carts.price", "saved_carts.saved"],
      (doc.saved_carts || []).flatMap((cart) => cart.items.map((item) => ({ ...item, store: cart.store,
                                                                            saved_at: cart.saved_at }))),
      (i) => [i.store, i.name, t(`unit.${i.unit}`, { n: i.quantity }), euros(i.unit_price_cents), day(i.saved_at)]));
  show("digital-services", "digital_services.none",
    table("digital_services.caption", ["digital_services.service", "digital_services.item",
                                       "digital_services.ordered", "digital_services.cancelled"],
      doc.digital_services || [],
      (d) => [t(`service.${d.service}`), d.item, day(d.ordered_at), d.cancelled_at ? day(d.cancelled_at) : t("none")]));
  show("digital-usage", "digital_usage.none",
    table("digital_usage.caption", ["digital_usage.when", "digital_usage.service", "digital_usage.company",
                                    "digital_usage.channel", "digital_usage.identified_with"],
      doc.digital_usage || [],
      (u) => [moment(u.used_at), `${u.service} (${t(`usage_kind.${u.kind}`)})`,
              `${u.company} (${t(`company_kind.${u.company_kind}`)})`, t(`usage_channel.${u.channel}`),
              t(`identified_with.${u.identified_with}`)]));
  show("entered-data", "entered_data.none",
    table("entered_data.caption", ["digital_usage.service", "entered_data.field", "entered_data.value",
                                   "entered_data.entered"], doc.entered_data || [],
      (e) => [e.service, e.field, e.value, day(e.entered_at)]));
  show("contact-log", "contact_log.none",
    table("contact_log.caption", ["contact_log.when", "contact_log.channel", "contact_log.reason",
                                  "contact_log.notes"], doc.contact_log || [],
      (c) => [moment(c.contacted_at), t(`contact_channel.${c.channel}`), c.reason, orNone(c.notes)]));
}

const store = (r) => `${r.chain} ${r.outlet_id}`;
const paidWith = (payments) => (payments || []).map((p) => `${t(`payment.${p.method}`)} ${euros(p.amount_cents)}`)
  .join(", ") || t("none");
const newestFirst = (rows) => [...rows].sort((a, b) => (b.purchased_at || "").localeCompare(a.purchased_at || ""));

// How each purchase was paid and how the card was used at the till, and any staff discount given; the
// e-receipts and warranty receipts issued of them. Amounts in integer cents, as the API gives them.
function renderReceipts(doc) {
  show("purchases", "purchases.none",
    table("purchases.caption", ["purchases.when", "purchases.store", "purchases.total", "purchases.card_entry",
                                "purchases.payments", "purchases.staff_discount"],
      newestFirst(doc.purchases || []),
      (r) => [moment(r.purchased_at), store(r), euros(r.total_cents),
              r.card_entry ? t(`card_entry.${r.card_entry}`) : t("none"), paidWith(r.payments),
              r.staff_discount_cents ? euros(r.staff_discount_cents) : t("none")]));
  show("e-receipts", "e_receipts.none",
    table("e_receipts.caption", ["purchases.when", "purchases.store", "purchases.total", "purchases.payments",
                                 "e_receipts.lines"], newestFirst(doc.e_receipts || []),
      (r) => [moment(r.purchased_at), store(r), euros(r.total_cents), paidWith(r.payments),
              String((r.lines || []).length)]));
  show("warranty-receipts", "warranty_receipts.none",
    table("warranty_receipts.caption", ["purchases.when", "purchases.store", "purchases.total",
                                        "warranty_receipts.products", "warranty_receipts.until"],
      newestFirst(doc.warranty_receipts || []),
      (r) => [moment(r.purchased_at), store(r), euros(r.total_cents),
              [...new Set((r.lines || []).map((line) => line.product_group))].join(", ") || t("none"),
              day(r.warranty_until)]));
}

function renderDisclosures(doc) {
  const entries = doc.disclosures || [];
  if (!entries.length) return $("disclosures").replaceChildren(el("p", { text: t("disclosures.none") }));
  const head = el("tr", {}, ...["disclosures.when", "disclosures.recipient", "disclosures.data",
    "disclosures.legal_basis", "disclosures.location"].map((key) => el("th", { scope: "col", text: t(key) })));
  const rows = entries.map((entry) => el("tr", {},
    el("td", { text: day(entry.disclosed_at) }), el("td", { text: entry.recipient_name || entry.recipient }),
    el("td", { text: entry.data.join(", ") }), el("td", { text: `${t(`disclosure_kind.${entry.kind}`)}: ${entry.legal_basis}` }),
    el("td", { text: entry.recipient_location === "EU/EEA" ? t("disclosures.eu_eea") : orNone(entry.recipient_location) })));
  $("disclosures").replaceChildren(el("table", {}, el("caption", { text: t("disclosures.caption") }),
    el("thead", {}, head), el("tbody", {}, ...rows)));
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
  $("choices").replaceChildren(...CHOICES.map((name) => choice("choice", name,
                                                              (consents.choices || {})[name] === true)));
}

function render(doc) {
  const focused = document.activeElement && document.activeElement.id;
  for (const part of [renderPerson, renderContact, renderHousehold, renderCards, renderBonus, renderReceipts,
                      renderDigital, renderConsents, renderDisclosures]) part(doc);
  if (focused && $(focused)) $(focused).focus();
}

// ---- changes ------------------------------------------------------------------------------------------
const CONSENT_KINDS = {
  block: { path: "/blocks", body: (name, value) => ({ block: name, blocked: value }), of: (c) => c.blocks },
  permission: { path: "/permissions", body: (name, value) => ({ channel: name, granted: value }),
                of: (c) => c.permissions },
  choice: { path: "/choices", body: (name, value) => ({ choice: name, chosen: value }), of: (c) => c.choices || {} },
};

// The sections read again until `settled(doc)` holds (the service applied the change), or null in time.
async function until(sections, settled) {
  for (let poll = 0; poll < IN_FORCE_POLLS; poll += 1) {
    const doc = await readPerson(sections);
    if (settled(doc)) return doc;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

async function inForce(kind, name, value) {
  const doc = await until(["consents"], (read) => CONSENT_KINDS[kind].of(read.consents)[name] === value);
  return doc && doc.consents;
}

async function change(input) {
  const { kind, name } = input.dataset;
  const value = input.checked;
  const item = t(`${kind}.${name}`);
  say("consents.saving", { item });
  try {
    await api("PUT", personPath(CONSENT_KINDS[kind].path), CONSENT_KINDS[kind].body(name, value));
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

// ---- corrections (seed §11): contact data, children's birth years, the joining outlet ----------------------
// What the customer may correct goes to the API's rectification routes; the API checks it with the
// membership service's own rules and answers a refusal with a code, said here as a sentence.
const REFUSAL_STATUS = { 403: "forbidden", 404: "not_found", 429: "rate_limited", 503: "service_unavailable" };

function refusal(error) {
  if (!(error instanceof Refused)) return "refusal.other";
  const code = state.texts[`refusal.${error.code}`] ? error.code : REFUSAL_STATUS[error.status];
  return code ? `refusal.${code}` : "refusal.other";
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const value = (id) => $(id).value.trim();

// The forms show the values in force; filled when the data are read, not on every render, so switching the
// language keeps what the customer is typing.
function fillCorrections(doc) {
  const contact = doc.contact || {};
  const address = contact.permanent_address || {};
  $("correct-street").value = address.street || "";
  $("correct-postal-code").value = address.postal_code || "";
  $("correct-city").value = address.city || "";
  $("correct-email").value = (contact.email && contact.email.address) || "";
  $("correct-mobile-phone").value = (contact.mobile_phone && contact.mobile_phone.number) || "";
  $("correct-children-years").value = ((doc.person || {}).children_birth_years || []).join(", ");
  const membership = activeMembership(doc);
  $("correct-joining-outlet").value = (membership && membership.joining_outlet) || "";
  $("correct-joining-outlet").disabled = !membership;
}

// The change to send for the contact form, or a refusal key: only what differs from the data in force.
function contactChange(contact) {
  const change = { removed: [] };
  const address = contact.permanent_address || {};
  const typed = { street: value("correct-street"), postal_code: value("correct-postal-code"),
                  city: value("correct-city") };
  if (Object.entries(typed).some(([name, text]) => text !== (address[name] || ""))) {
    if (Object.values(typed).some((text) => !text)) return "refusal.address_incomplete";
    if ((contact.sources || {}).permanent_address?.source === "population_register") {
      return "refusal.address_from_population_register";
    }
    change.address = typed;
  }
  for (const [name, id, key] of [["email", "correct-email", "address"],
                                 ["mobile_phone", "correct-mobile-phone", "number"]]) {
    const text = value(id), current = (contact[name] && contact[name][key]) || "";
    if (text === current) continue;
    if (text) change[name] = text; else change.removed.push(name);
  }
  if (!change.removed.length) delete change.removed;
  return Object.keys(change).length ? change : "correct.nothing";
}

function yearsTyped() {
  const text = value("correct-children-years");
  const parts = text ? text.split(/[\s,;]+/).filter(Boolean) : [];
  if (!parts.every((part) => /^(19|2\d)\d\d$/.test(part))) return null;
  return parts.map(Number).sort((a, b) => a - b);
}

const CORRECTIONS = {
  "correct-contact": {
    item: "correct.contact", path: "/contact", sections: ["contact"],
    change: (doc) => contactChange(doc.contact || {}),
    // the service writes a phone number in its own form: applied once each group sent has changed
    settled: (before, body) => (doc) => [...(body.address ? ["permanent_address"] : []), ...(body.removed || []),
                                         ...["email", "mobile_phone"].filter((name) => name in body)]
      .every((name) => !same(doc.contact[name], before.contact[name])),
  },
  "correct-children": {
    item: "correct.children", path: "/personal-data", sections: ["person"],
    change: (doc) => {
      const years = yearsTyped();
      if (years === null) return "refusal.years_format";
      return same(years, (doc.person || {}).children_birth_years || []) ? "correct.nothing"
        : { children_birth_years: years };
    },
    settled: (before, body) => (doc) => same(doc.person.children_birth_years, body.children_birth_years),
  },
  "correct-outlet": {
    item: "correct.outlet", path: "/personal-data", sections: ["memberships"],
    change: (doc) => {
      const membership = activeMembership(doc);
      if (!membership) return "refusal.not_a_member";
      const outlet = value("correct-joining-outlet") || null;
      return outlet === (membership.joining_outlet || null) ? "correct.nothing"
        : { joining_outlet: { membership_id: membership.membership_id, outlet } };
    },
    settled: (before, body) => (doc) => (doc.memberships || []).some((m) => m.membership_id
      === body.joining_outlet.membership_id && (m.joining_outlet || null) === body.joining_outlet.outlet),
  },
};

async function correct(form) {
  const correction = CORRECTIONS[form.id];
  const item = t(correction.item);
  const before = state.doc;
  const body = correction.change(before);
  if (typeof body === "string") return body === "correct.nothing" ? say(body, { item }) : warn(body, { item });
  say("correct.saving", { item });
  try {
    await api("PATCH", personPath(correction.path), body);
    const doc = await until(correction.sections, correction.settled(before, body));
    if (!doc) return say("correct.pending", { item });
    Object.assign(state.doc, doc);
    render(state.doc);
    fillCorrections(state.doc);
    say("correct.saved", { item });
  } catch (error) {
    if (error instanceof Unauthorised) return loggedOut("login.expired");
    warn(refusal(error), { item });
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
    fillCorrections(state.doc);
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
  for (const id of Object.keys(CORRECTIONS)) {
    $(id).addEventListener("submit", (event) => {
      event.preventDefault();
      correct(event.target);
    });
  }
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
