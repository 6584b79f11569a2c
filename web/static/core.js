// Shared pieces of the panel: the API client, escaping, formatting, the
// shared state, a debounced refresh scheduler, the notice and the one
// ticker that updates every "time since" on screen.

export const state = {
  me: null, // {operator_id, role, name, status}
  statuses: [],
  topics: [],
  operators: [],
  settings: null,
  view: '',
};

export const isStaff = () => !!state.me && (state.me.role === 'admin' || state.me.role === 'supervisor');
export const isAdmin = () => !!state.me && state.me.role === 'admin';
export const isOperator = () => !!state.me && !isStaff();

// ---------------------------------------------------------------- API

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
  }
}

export function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try { return decodeURIComponent(part.slice(i + 1).trim()); } catch { return part.slice(i + 1).trim(); }
    }
  }
  return '';
}

let csrfFallback = '';
export function setCsrf(t) { csrfFallback = t || ''; }

let unauthorized = () => {};
export function onUnauthorized(fn) { unauthorized = fn; }

// api calls /api/v1 + path. Unsafe methods carry X-CSRF-Token = the sb_csrf
// cookie. It answers the parsed JSON (null for 204) or throws ApiError.
export async function api(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') {
    opts.headers['X-CSRF-Token'] = cookie('sb_csrf') || csrfFallback;
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
  }
  let resp;
  try {
    resp = await fetch('/api/v1' + path, opts);
  } catch (e) {
    throw new ApiError(0, { error: { code: 'network', message: 'The server cannot be reached' } });
  }
  let data = null;
  if (resp.status !== 204) {
    const text = await resp.text();
    if (text) { try { data = JSON.parse(text); } catch { data = null; } }
  }
  if (!resp.ok) {
    if (resp.status === 401 && !path.startsWith('/session')) unauthorized();
    throw new ApiError(resp.status, data);
  }
  return data;
}

// items accepts both a bare array and a {"items", ...} page.
export const items = (x) => (Array.isArray(x) ? x : (x && Array.isArray(x.items) ? x.items : []));
export const enc = encodeURIComponent;

// ---------------------------------------------------------------- escaping and formatting

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ESC[c]);

// safeColor lets through only colour notations that cannot break out of a
// style attribute.
export function safeColor(c) {
  c = String(c || '').trim();
  if (/^#[0-9a-fA-F]{3,8}$/.test(c) || /^[a-zA-Z]{3,24}$/.test(c) || /^(rgb|hsl)a?\([0-9.,%\s]+\)$/.test(c)) return c;
  return '#8a8f98';
}

export function fmtDur(ms) {
  if (!(ms > 0)) ms = 0;
  let s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  let m = Math.floor(s / 60); s %= 60;
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
  let h = Math.floor(m / 60); m %= 60;
  if (h < 24) return `${h}h ${String(m).padStart(2, '0')}m`;
  const d = Math.floor(h / 24); h %= 24;
  return `${d}d ${h}h`;
}

export function fmtNs(ns) {
  ns = Number(ns) || 0;
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

const ZERO = '0001-01-01T00:00:00Z';
export const ts = (iso) => (iso && iso !== ZERO ? Date.parse(iso) || 0 : 0);

export function fmtTime(iso) {
  const t = ts(iso);
  if (!t) return '';
  const d = new Date(t);
  const now = new Date();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (d.toDateString() === now.toDateString()) return time;
  return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
}

export function fmtFull(iso) {
  const t = ts(iso);
  return t ? new Date(t).toLocaleString() : '';
}

// ---------------------------------------------------------------- names

export function topicName(alias) {
  if (!alias) return '';
  const t = state.topics.find((x) => x.alias === alias);
  return (t && t.name) || alias;
}
export function operatorName(id) {
  if (!id) return '';
  const o = state.operators.find((x) => x.id === id);
  return (o && o.name) || id;
}
export function statusOf(id) {
  return state.statuses.find((s) => s.id === id) || { id, name: id || '—', color: '#8a8f98', can_receive: false };
}

// limitOf is an operator's general limit (null max_chats: the default).
export function limitOf(o) {
  if (o.max_chats !== null && o.max_chats !== undefined) return o.max_chats;
  return state.settings ? state.settings.default_max_chats : 0;
}
// channelLimitsOf: the operator's own map when set, else the defaults.
export function channelLimitsOf(o) {
  if (o.channel_limits) return o.channel_limits;
  return (state.settings && state.settings.default_channel_limits) || {};
}
// busy reports whether an operator is at its general limit or at the limit
// of some channel.
export function busy(o) {
  if ((o.active_chats || 0) >= limitOf(o)) return true;
  const lim = channelLimitsOf(o);
  const act = o.active_by_channel || {};
  return Object.keys(lim).some((ch) => (act[ch] || 0) >= lim[ch]);
}

// ---------------------------------------------------------------- tiny event bus

const subs = {};
export function on(name, fn) { (subs[name] ||= []).push(fn); }
export function emit(name, arg) { for (const fn of subs[name] || []) { try { fn(arg); } catch (e) { console.error(e); } } }

// ---------------------------------------------------------------- refresh scheduler
//
// Event handlers call schedule(name); the refresh functions run at most
// once per their minimum gap, never overlapping, so a burst of events costs
// a few requests per second whatever its size.

const jobs = {}; // name -> {fn, gap, last}
const pending = new Set();
let timer = null;
let running = false;

export function job(name, fn, gap = 400) { jobs[name] = { fn, gap, last: 0 }; }

export function schedule(...names) {
  for (const n of names) if (jobs[n]) pending.add(n);
  arm();
}

function arm() {
  if (running || timer || !pending.size) return;
  // Run when the first pending job is due (at least 60 ms on, to coalesce
  // the events of one burst); the others wait for their own gap.
  const now = Date.now();
  let delay = Infinity;
  for (const n of pending) delay = Math.min(delay, Math.max(60, jobs[n].last + jobs[n].gap - now));
  timer = setTimeout(flush, delay);
}

async function flush() {
  timer = null;
  running = true;
  const now = Date.now();
  const due = [...pending].filter((n) => jobs[n].last + jobs[n].gap <= now + 5);
  for (const n of due) { pending.delete(n); jobs[n].last = now; }
  await Promise.allSettled(due.map(async (n) => {
    try { await jobs[n].fn(); } catch (e) { if (e.status !== 401) console.warn('refresh', n, e); }
  }));
  running = false;
  arm();
}

// runNow runs a job at once (user actions), resetting its gap.
export async function runNow(name) {
  pending.delete(name);
  if (!jobs[name]) return;
  jobs[name].last = Date.now();
  try { await jobs[name].fn(); } catch (e) { if (e.status !== 401) console.warn('refresh', name, e); }
}

// ---------------------------------------------------------------- notice

let noticeTimer = null;
export function notice(text, kind = '') {
  const el = document.getElementById('notice');
  if (!el || !text) return;
  el.textContent = text;
  el.className = kind ? `show ${kind}` : 'show';
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { el.className = ''; el.hidden = true; }, kind === 'error' ? 7000 : 5000);
}

// ---------------------------------------------------------------- errors in forms

export function clearErrors(root) {
  if (!root) return;
  for (const el of root.querySelectorAll('.invalid')) { el.classList.remove('invalid'); el.removeAttribute('aria-invalid'); }
  for (const el of root.querySelectorAll('.form-error')) { el.textContent = ''; el.hidden = true; }
}

// showError writes err's message into root's .form-error and highlights
// the input named by err.field (or mapped by fieldMap).
export function showError(root, err, fieldMap = {}) {
  const box = root && root.querySelector('.form-error');
  const msg = (err && err.message) || String(err);
  if (box) { box.textContent = msg; box.hidden = false; } else notice(msg, 'error');
  const f = err && err.field;
  if (!f || !root) return;
  let el = null;
  if (fieldMap[f]) el = document.querySelector(fieldMap[f]);
  if (!el) el = root.querySelector(`[name="${CSS.escape(f)}"]`);
  if (!el && f.includes('.')) el = root.querySelector(`[name="${CSS.escape(f.split('.')[0])}"]`);
  if (el) {
    el.classList.add('invalid');
    el.setAttribute('aria-invalid', 'true');
    if (typeof el.focus === 'function') el.focus();
  }
}

// ---------------------------------------------------------------- ticker
//
// One interval for every "time since" on screen: elements with data-since
// (epoch ms) show the time elapsed since then.

export function startTicker() {
  setInterval(() => {
    const sec = document.querySelector(`#view-${state.view}`);
    if (!sec || document.hidden) return;
    const now = Date.now();
    for (const el of sec.querySelectorAll('[data-since]')) {
      const t = Number(el.dataset.since);
      if (t) el.textContent = fmtDur(now - t);
    }
  }, 1000);
}

// parseLimits turns "telegram=2, widget=3" into {telegram: 2, widget: 3};
// it throws for malformed text.
export function parseLimits(text) {
  const out = {};
  for (const part of String(text || '').split(/[,;\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(\d+)$/.exec(p);
    if (!m) throw new Error(`"${p}" is not channel=limit`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}
export const fmtLimits = (m) => Object.entries(m || {}).map(([k, v]) => `${k}=${v}`).join(', ');
