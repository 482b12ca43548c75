// caretaker's status page. Everything it shows that came from outside (alert labels, trigger refs,
// reasons, figures) goes into the page as text nodes: nothing here ever parses a string as HTML.
// The token lives in sessionStorage and leaves only in an Authorization header.
"use strict";

const TOKEN_KEY = "caretaker-token";
const STATUS_EVERY_MS = 10000; // the one poll; everything else arrives over the event stream
const state = { actions: [], runs: [], progress: new Map(), details: null, confirm: null };

// ---- small helpers ------------------------------------------------------------------------------

function $(id) { return document.getElementById(id); }

/** An element with attributes and children; strings become text nodes, never markup. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = String(v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fill(tbody, rows, empty, columns) {
  tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: columns, class: "muted" }, empty))]));
}

function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

function ago(iso) {
  if (!iso) return "never";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  return s < 90 ? s + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : Math.round(s / 3600) + " h ago";
}

function duration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m + "m " + (s % 60) + "s";
}

function stateCell(text) {
  return el("td", { class: "state state-" + String(text).replace(/[^a-z]/g, "") }, text);
}

function notice(text, isError) {
  const n = $("notice");
  n.textContent = text;
  n.className = isError ? "error" : "";
}

function token() { return sessionStorage.getItem(TOKEN_KEY); }

async function get(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

async function post(path, body) {
  const headers = { Authorization: "Bearer " + token() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await r.json().catch(() => ({}));
  if (r.status === 401 || r.status === 403) {
    forgetToken();
    throw new Error("the token was refused (" + r.status + "); enter it again");
  }
  if (!r.ok) throw new Error((answer.error || "HTTP " + r.status) + (answer.detail ? ": " + answer.detail : ""));
  return answer;
}

/** Runs fn at most once per wait, the last call winning: bursts of events cost one fetch. */
function debounced(fn, wait) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, wait); };
}

// ---- the token ----------------------------------------------------------------------------------

function renderToken() {
  const has = !!token();
  $("token-state").textContent = has ? "token in use (this tab only)" : "read-only";
  $("token-forget").hidden = !has;
  $("token").value = "";
  document.querySelectorAll("[data-needs-token]").forEach(b => {
    b.disabled = !has;
    b.title = has ? "" : "needs the API token";
  });
}

function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  renderToken();
}

// ---- status, health, collectors, maintenance ------------------------------------------------------

async function loadStatus() {
  const s = await get("api/v1/status");
  $("instance").textContent = s.instance;
  $("score").textContent = s.health_score;
  $("redis").textContent = s.redis_up === null ? "not configured" : s.redis_up ? "up" : "DOWN";
  $("postgres").textContent = s.postgres_up === null || s.postgres_up === undefined ? "not configured" : s.postgres_up ? "up" : "DOWN";
  $("collected").textContent = ago(s.last_collection);
  $("uptime").textContent = duration(s.uptime_seconds);
  $("version").textContent = s.version;
  const lowering = (s.health_checks || []).filter(c => c.status !== "pass");
  $("checks").replaceChildren(...(lowering.length
    ? lowering.map(c => el("li", {}, el("span", { class: "state state-" + c.status }, c.status), " ", c.name, ": ", c.detail))
    : [el("li", { class: "muted" }, "nothing: every check passes")]));
  fill($("collectors").tBodies[0], (s.collectors || []).map(c => el("tr", {},
    el("td", {}, c.name),
    el("td", {}, c.duration_seconds === undefined ? "–" : (c.duration_seconds * 1000).toFixed(1) + " ms"),
    stateCell(c.success === 1 ? "ok" : "failed"),
    el("td", {}, c.errors ?? 0))), "no collection yet", 4);
  renderMaintenance(s.maintenance);
}

function renderMaintenance(m) {
  $("maintenance-state").textContent = m.enabled
    ? "On (" + m.source + ") until " + when(m.until) + (m.reason ? ": " + m.reason : "") + ". Automatic runs are skipped."
    : "Off: automatic runs may start.";
  $("maintenance-on").hidden = m.enabled;
  $("maintenance-off").hidden = !m.enabled || m.source !== "manual";
}

async function setMaintenance(body) {
  try {
    renderMaintenance(await post("api/v1/maintenance", body));
    notice(body.enabled ? "Maintenance is on." : "Maintenance is off.");
  } catch (e) {
    notice(e.message, true);
  }
}

// ---- rules --------------------------------------------------------------------------------------

const RANK = { critical: 0, warning: 1, pending: 2, ok: 3 };

async function loadRules() {
  const rules = (await get("api/v1/rules")).rules;
  rules.sort((a, b) => (RANK[a.state] ?? 9) - (RANK[b.state] ?? 9) || a.ref.localeCompare(b.ref));
  fill($("rules").tBodies[0], rules.map(r => el("tr", {},
    stateCell(r.state + (r.stale ? " (stale)" : "")),
    el("td", {}, r.rule),
    el("td", {}, Object.entries(r.labels || {}).map(([k, v]) => k + "=" + v).join(", ")),
    el("td", {}, r.value === null ? "–" : Number(r.value).toPrecision(4)),
    el("td", {}, thresholds(r)),
    el("td", {}, when(r.since)))), "no rules configured", 6);
}

function thresholds(r) {
  const sign = r.direction === "below" ? "< " : "> ";
  return [r.warning !== null && r.warning !== undefined ? "warning " + sign + r.warning : null,
          r.critical !== null && r.critical !== undefined ? "critical " + sign + r.critical : null]
    .filter(Boolean).join(", ") || "–";
}

// ---- actions ------------------------------------------------------------------------------------

async function loadActions() {
  state.actions = (await get("api/v1/actions")).actions;
  const select = $("filter-action");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, "all"), ...state.actions.map(a => el("option", { value: a.name }, a.name)));
  select.value = chosen;
  renderActions();
}

function renderActions() {
  fill($("actions").tBodies[0], state.actions.map(a => el("tr", {},
    el("th", { scope: "row" }, a.name),
    el("td", {}, a.type + (a.dry_run ? " (dry run only)" : "")),
    el("td", {}, a.cooldown_left === "0s" ? "none" : a.cooldown_left),
    el("td", {}, a.budget_left === null ? "–" : a.budget_left,
      a.circuit_open_since ? el("div", { class: "state state-critical" }, "circuit open since " + when(a.circuit_open_since)) : null,
      a.guard ? el("div", { class: a.guard.holds ? "state state-ok" : "state state-warning" },
        a.guard.holds ? "guard holds" : "guard: " + a.guard.failing.join("; ")) : null),
    el("td", {}, a.running ? "running now" : a.last_run ? a.last_run.outcome + ", " + ago(a.last_run.finished_at || a.last_run.started_at) : "never"),
    el("td", { class: "actions" }, runButtons(a)))), "no actions configured", 6);
  renderToken();
}

function runButtons(a) {
  if (state.confirm === a.name) {
    return [
      el("button", { type: "button", class: "danger", "data-needs-token": true, "aria-label": "Confirm run of " + a.name, onclick: () => run(a.name, false) }, "Confirm run"),
      el("button", { type: "button", "aria-label": "Cancel run of " + a.name, onclick: () => { state.confirm = null; renderActions(); } }, "Cancel"),
    ];
  }
  return [
    el("button", { type: "button", "data-needs-token": true, "aria-label": "Dry run " + a.name, onclick: () => run(a.name, true) }, "Dry run"),
    el("button", { type: "button", "data-needs-token": true, "aria-label": "Run " + a.name, onclick: () => { state.confirm = a.name; renderActions(); } }, "Run"),
  ];
}

async function run(name, dryRun) {
  state.confirm = null;
  renderActions();
  try {
    const r = await post("api/v1/actions/" + encodeURIComponent(name) + "/run" + (dryRun ? "?dry_run=true" : ""));
    notice(r.state === "skipped"
      ? (dryRun ? "Dry run of " : "Run of ") + name + " skipped: " + r.reason
      : (dryRun ? "Dry run " : "Run ") + r.run_id + " of " + name + " started.");
    refreshRuns();
  } catch (e) {
    notice(e.message, true);
  }
}

// ---- runs ---------------------------------------------------------------------------------------

async function loadRuns() {
  const q = new URLSearchParams({ limit: "50" });
  if ($("filter-action").value) q.set("action", $("filter-action").value);
  if ($("filter-outcome").value) q.set("outcome", $("filter-outcome").value);
  state.runs = (await get("api/v1/runs?" + q)).runs;
  for (const r of state.runs) if (r.progress) state.progress.set(r.id, r.progress);
  renderRuns();
}

function progressCell(r) {
  if (r.outcome !== "running") {
    const effect = r.effect && r.effect !== "unknown" ? " (" + r.effect + ")" : "";
    return el("td", {}, (r.reason || (r.dry_run ? "dry run" : "")) + effect);
  }
  const p = state.progress.get(r.id) || {};
  const [done, total] = p.files_total ? [p.files_done, p.files_total] : p.steps_total ? [p.steps_done, p.steps_total] : [null, null];
  const figures = Object.entries(p).map(([k, v]) => k.replace(/_/g, " ") + " " + v).join(", ");
  return el("td", { class: "progress" },
    total ? el("progress", { max: total, value: done || 0, "aria-label": "progress of run " + r.id }) : null,
    total ? " " : null, figures || "started");
}

function renderRuns() {
  fill($("runs").tBodies[0], state.runs.map(r => el("tr", {},
    el("td", {}, r.id),
    el("td", {}, r.action),
    el("td", {}, r.trigger.type + " " + r.trigger.ref),
    el("td", {}, when(r.started_at)),
    stateCell(r.outcome),
    progressCell(r),
    el("td", {}, el("button", { type: "button", "aria-label": "Details of run " + r.id, onclick: () => showRun(r.id) }, "Details")))),
    "no runs", 7);
}

async function showRun(id) {
  try {
    const r = await get("api/v1/runs/" + encodeURIComponent(id));
    state.details = id;
    $("run-details").hidden = false;
    $("run-details-title").textContent = "Run " + r.id + ": " + r.action + ", " + r.outcome;
    $("run-details-body").textContent = JSON.stringify(r, null, 2);
    $("run-details-title").focus();
  } catch (e) {
    notice(e.message, true);
  }
}

// ---- schedules ----------------------------------------------------------------------------------

async function loadSchedules() {
  const schedules = (await get("api/v1/schedules")).schedules;
  fill($("schedules").tBodies[0], schedules.map(s => el("tr", {},
    el("th", { scope: "row" }, s.id),
    el("td", {}, s.action),
    el("td", {}, s.cron ? s.cron + " " + s.timezone : "every " + s.every),
    el("td", {}, s.paused ? "paused" : when(s.next_run)),
    el("td", { class: "actions" },
      el("button", { type: "button", "data-needs-token": true, "aria-label": (s.paused ? "Resume " : "Pause ") + s.id,
        onclick: () => pause(s.id, !s.paused) }, s.paused ? "Resume" : "Pause")))), "no schedules", 5);
  renderToken();
}

async function pause(id, paused) {
  try {
    await post("api/v1/schedules/" + encodeURIComponent(id) + (paused ? "/pause" : "/resume"));
    notice("Schedule " + id + (paused ? " paused." : " resumed."));
    loadSchedules();
  } catch (e) {
    notice(e.message, true);
  }
}

// ---- live ---------------------------------------------------------------------------------------

const refreshRuns = debounced(() => { loadRuns().catch(report); loadActions().catch(report); }, 300);
const refreshRules = debounced(() => loadRules().catch(report), 300);

function report(e) { notice(e.message, true); }

function listen() {
  const events = new EventSource("api/v1/events");
  events.addEventListener("run", m => {
    const e = JSON.parse(m.data);
    if (e.kind === "progress") {
      state.progress.set(e.run.id, e.progress);
      document.body.dataset.lastProgress = String(e.run.id); // what a watcher (or a test) reads
      renderRuns();
      if (state.details === e.run.id) showRun(e.run.id);
    } else {
      if (e.kind === "finished") state.progress.delete(e.run.id);
      refreshRuns();
      if (state.details === e.run.id && e.kind === "finished") showRun(e.run.id);
    }
  });
  events.addEventListener("rule", refreshRules);
  events.addEventListener("maintenance", m => renderMaintenance(JSON.parse(m.data)));
  events.addEventListener("open", () => document.body.dataset.live = "yes");
}

function start() {
  $("token-form").addEventListener("submit", e => {
    e.preventDefault();
    const t = $("token").value.trim();
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    renderToken();
  });
  $("token-forget").addEventListener("click", forgetToken);
  $("maintenance-on").addEventListener("submit", e => {
    e.preventDefault();
    setMaintenance({ enabled: true, for: $("maintenance-for").value.trim(), reason: $("maintenance-reason").value });
  });
  $("maintenance-off").addEventListener("click", () => setMaintenance({ enabled: false }));
  $("filter-action").addEventListener("change", () => loadRuns().catch(report));
  $("filter-outcome").addEventListener("change", () => loadRuns().catch(report));
  $("run-details-close").addEventListener("click", () => { state.details = null; $("run-details").hidden = true; });
  renderToken();
  Promise.all([loadStatus(), loadRules(), loadActions(), loadRuns(), loadSchedules()])
    .then(() => { document.body.dataset.loaded = "yes"; })
    .catch(report);
  setInterval(() => loadStatus().catch(report), STATUS_EVERY_MS);
  listen();
}

document.addEventListener("DOMContentLoaded", start);
