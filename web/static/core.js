// Shared pieces of the panel: the API client, escaping, formatting, the
// shared state, a debounced refresh scheduler, the notice, errors in words
// and the one ticker that updates every "time since" on screen.

import { t, locale, fieldLabel } from './i18n.js';

export const state = {
  me: null, // {operator_id, role, name, status}
  statuses: [],
  topics: [],
  operators: [],
  groups: [], // skill groups: accept timeouts, who serves what
  settings: null,
  view: '',
  focusReply: '', // a chat to open with the reply box focused (the monitor's Join)
};

export const isStaff = () => !!state.me && (state.me.role === 'admin' || state.me.role === 'supervisor');
export const isAdmin = () => !!state.me && state.me.role === 'admin';
export const me = () => (state.me ? state.me.operator_id : '');

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
export function setCsrf(v) { csrfFallback = v || ''; }

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

// ---------------------------------------------------------------- storage
//
// Per-user settings of this browser (mute, unread marks, the open folder)
// live in localStorage under "sb.<name>.<operator id>"; a browser that
// refuses storage simply forgets them.

export function loadPref(name, def) {
  try {
    const v = localStorage.getItem(`sb.${name}.${me()}`);
    return v === null ? def : JSON.parse(v);
  } catch { return def; }
}
export function savePref(name, v) {
  try { localStorage.setItem(`sb.${name}.${me()}`, JSON.stringify(v)); } catch { /* storage full or refused */ }
}

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

// Intl formatters are costly to make: one of each, made on first use.
const fmts = {};
function intl(key, make) { return fmts[key] || (fmts[key] = make()); }
const unitFmt = (u) => intl('u-' + u, () => new Intl.NumberFormat(locale(), { style: 'unit', unit: u, unitDisplay: 'short' }));
const dtFmt = (key, opts) => intl('d-' + key, () => new Intl.DateTimeFormat(locale(), opts));

// fmtDur is an exact elapsed time that changes every second ("1m 05s").
export function fmtDur(ms) {
  if (!(ms > 0)) ms = 0;
  let s = Math.floor(ms / 1000);
  const u = (k, n) => t(k, { n });
  if (s < 60) return u('dur.s', s);
  let m = Math.floor(s / 60); s %= 60;
  const p2 = (n) => String(n).padStart(2, '0');
  if (m < 60) return `${u('dur.m', m)} ${u('dur.s', p2(s))}`;
  let h = Math.floor(m / 60); m %= 60;
  if (h < 24) return `${u('dur.h', h)} ${u('dur.m', p2(m))}`;
  const d = Math.floor(h / 24); h %= 24;
  return `${u('dur.d', d)} ${u('dur.h', h)}`;
}

// fmtSpan is a coarse duration in words ("3 min", "2 hr 5 min").
export function fmtSpan(ms) {
  if (!(ms > 0)) ms = 0;
  const unit = (n, u) => unitFmt(u).format(n);
  const s = Math.floor(ms / 1000);
  if (s < 60) return unit(s, 'second');
  const m = Math.floor(s / 60);
  if (m < 60) return unit(m, 'minute');
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${unit(h, 'hour')} ${unit(m % 60, 'minute')}` : unit(h, 'hour');
  return unit(Math.floor(h / 24), 'day');
}

// fmtAgo is a relative time in words ("2 minutes ago").
export function fmtAgo(ms) {
  const rtf = intl('rtf', () => new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' }));
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 45) return t('time.justNow');
  const m = Math.round(s / 60);
  if (m < 60) return rtf.format(-m, 'minute');
  const h = Math.round(s / 3600);
  if (h < 24) return rtf.format(-h, 'hour');
  return rtf.format(-Math.round(s / 86400), 'day');
}

// fmtCountdown is mm:ss until a deadline.
export function fmtCountdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
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

const sameDay = (a, b) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

// fmtTime is a clock time in the viewer's time zone, with the date when
// not today.
export function fmtTime(iso) {
  const v = ts(iso);
  if (!v) return '';
  const d = new Date(v);
  const time = dtFmt('hms', { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
  if (sameDay(d, new Date())) return time;
  return dtFmt('md', { month: 'short', day: 'numeric' }).format(d) + ' ' + time;
}

// fmtClock is hours and minutes (the timeline has day separators).
export function fmtClock(iso) {
  const v = ts(iso);
  return v ? dtFmt('hm', { hour: '2-digit', minute: '2-digit' }).format(new Date(v)) : '';
}

// fmtFull is the absolute time with the date and the viewer's time zone
// (hover titles).
export function fmtFull(iso) {
  const v = typeof iso === 'number' ? iso : ts(iso);
  return v ? dtFmt('full', {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
  }).format(new Date(v)) : '';
}

// fmtDay names a day for the timeline's separators.
export function fmtDay(ms) {
  const d = new Date(ms);
  const now = new Date();
  if (sameDay(d, now)) return t('day.today');
  if (sameDay(d, new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1))) return t('day.yesterday');
  return dtFmt('day', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

// sinceText is what an element with data-since shows: data-fmt says what
// the time means.
export function sinceText(fmt, ms) {
  switch (fmt) {
    case 'waiting': return t('time.waiting', { d: fmtSpan(ms) });
    case 'last': return t('time.lastMessage', { d: fmtAgo(ms) });
    case 'assigned': return t('time.assigned', { d: fmtAgo(ms) });
    case 'closed': return t('time.closed', { d: fmtAgo(ms) });
    case 'ago': return fmtAgo(ms);
    default: return fmtDur(ms);
  }
}

// untilText is what an element with data-until shows: an accept deadline,
// or as data-fmt says the expiry of an offer or a bare countdown.
export function untilText(ms, fmt) {
  if (fmt === 'offer') return ms > 0 ? t('offer.expiresIn', { d: fmtCountdown(ms) }) : t('offer.expiring');
  if (fmt === 'clock') return fmtCountdown(ms);
  return ms > 0 ? t('time.acceptIn', { d: fmtCountdown(ms) }) : t('time.acceptLate');
}

// ---------------------------------------------------------------- names

export function topicName(alias) {
  if (!alias) return '';
  const x = state.topics.find((o) => o.alias === alias);
  return (x && x.name) || alias;
}
export function operatorName(id) {
  if (!id) return '';
  const o = state.operators.find((x) => x.id === id);
  return (o && o.name) || id;
}
// clientName names a chat's client: its name, else its id.
export function clientName(c) {
  const cl = (c && c.client) || {};
  return cl.name || cl.id || t('chat.aClient');
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
// loadOf is what an operator's limits count: its active chats and the
// closed chats it is still wrapping up (as the routing engine counts).
export function loadOf(o) {
  return (o.active_chats || 0) + (o.wrap_up || []).length;
}
// loadOn is that load on one channel.
export function loadOn(o, ch) {
  return ((o.active_by_channel || {})[ch] || 0) + (o.wrap_up || []).filter((w) => w.channel === ch).length;
}
// busy reports whether an operator is at its general limit or at the limit
// of some channel.
export function busy(o) {
  if (loadOf(o) >= limitOf(o)) return true;
  const lim = channelLimitsOf(o);
  return Object.keys(lim).some((ch) => loadOn(o, ch) >= lim[ch]);
}
// underLimits reports whether an operator may get one more chat of a
// channel (R1.3–4).
export function underLimits(o, ch) {
  if (loadOf(o) >= limitOf(o)) return false;
  const lim = channelLimitsOf(o);
  return !(ch in lim) || loadOn(o, ch) < lim[ch];
}

// ---------------------------------------------------------------- skill groups

// covered is the topics a group serves: its own and their subtopics (R1).
function covered(g) {
  const out = new Set(g.topics || []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const x of state.topics) if (x.parent && out.has(x.parent) && !out.has(x.alias)) { out.add(x.alias); grew = true; }
  }
  return out;
}

// groupsOf is the active skill groups of an operator that serve a topic.
function groupsOf(opId, topic) {
  return state.groups.filter((g) => g.active && (g.operators || []).includes(opId) && covered(g).has(topic));
}

// serves reports whether an operator serves a topic (a chat without topic
// may go to anyone).
export function serves(opId, topic) {
  if (!topic) return true;
  return groupsOf(opId, topic).length > 0;
}

// acceptTimeoutS is the accept timeout of a chat: the shortest non-zero
// override of the groups that contain its topic and its operator, else the
// setting (as the routing engine computes it).
export function acceptTimeoutS(c) {
  let best = 0;
  for (const g of groupsOf(c.operator_id, c.subject_alias)) {
    const v = g.accept_timeout_s || 0;
    if (v > 0 && (best === 0 || v < best)) best = v;
  }
  return best || (state.settings ? state.settings.accept_timeout_s || 0 : 0);
}

// acceptDeadline is when an automatically assigned chat not yet accepted
// goes back to the queue (epoch ms), or 0.
export function acceptDeadline(c) {
  if (!c || c.status !== 'active' || !c.auto_assigned || ts(c.accepted_at) || !ts(c.assigned_at)) return 0;
  const s = acceptTimeoutS(c);
  return s > 0 ? ts(c.assigned_at) + s * 1000 : 0;
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

// notice shows a short message in #notice and keeps it in the history
// (the bell); kind is '', 'warn' or 'error'.
export function notice(text, kind = '') {
  const el = document.getElementById('notice');
  if (!el || !text) return;
  // over the open bell or menu it would hide them: the bell keeps it
  const bell = document.getElementById('notice-history');
  const bar = document.getElementById('topbar');
  if ((bell && !bell.hidden) || (bar && bar.classList.contains('menu-open'))) { emit('notice', { text, kind, at: Date.now() }); return; }
  el.textContent = text;
  el.className = kind ? `show ${kind}` : 'show';
  el.hidden = false;
  clearTimeout(noticeTimer);
  // shorter on a phone, where it lies over the top of the screen
  const long = kind === 'error' ? 7000 : 5000;
  noticeTimer = setTimeout(() => { el.className = ''; el.hidden = true; }, window.matchMedia('(max-width: 720px)').matches ? long - 2000 : long);
  emit('notice', { text, kind, at: Date.now() });
}

// placeNotice keeps #notice under the header and the banner, whatever their
// height (measured when they change, not on every notice).
export function placeNotice() {
  const bars = ['topbar', 'status-banner', 'offers'];
  const place = () => {
    let top = 8;
    for (const id of bars) {
      const b = document.getElementById(id);
      if (b && !b.hidden) top = Math.max(top, b.getBoundingClientRect().bottom + 8);
    }
    document.documentElement.style.setProperty('--notice-top', `${Math.round(top)}px`);
  };
  if ('ResizeObserver' in window) {
    const ro = new ResizeObserver(place);
    for (const id of bars) { const b = document.getElementById(id); if (b) ro.observe(b); }
  }
  place();
}

// ---------------------------------------------------------------- errors in words

// The server's messages for conflicts, in words for people.
const CONFLICTS = [
  [/is closed/, 'err.chatClosed'],
  [/only new and queued chats can be taken/, 'err.notTakeable'],
  [/is not active with operator/, 'err.notActiveWithYou'],
  [/has no open offer/, 'err.noOffer'],
  [/cannot receive/, 'err.cannotReceive'],
  [/holds chat \S+ already/, 'err.alreadyWith'],
  [/is already with operator/, 'err.alreadyWith'],
  [/does not serve topic/, 'err.notServes'],
  [/is at a limit/, 'err.atLimit'],
  [/has status/, 'err.statusInUse'],
  [/is needed by the settings/, 'err.statusNeeded'],
  [/has topic|is the parent of/, 'err.topicInUse'],
  [/exists/, 'err.exists'],
];
const INVALIDS = [
  [/is required/, 'err.required'],
  [/must have at most \d+ bytes/, 'err.tooLong'],
  [/must not be negative/, 'err.negative'],
  [/must be (?<min>\d+)(?: \(off\))? to (?<max>\d+)\b/, 'err.range'],
  [/must have \d+ to \d+ characters/, 'err.password'],
  [/http or https URL/, 'err.url'],
  [/must be a whole number/, 'err.wholeNumber'],
  [/is not channel=limit|needs channel names/, 'err.limits'],
  [/^unknown /, 'err.unknown'],
];

// errorText turns an error into a sentence for people: no codes, no field
// keys, no bare ids.
export function errorText(e) {
  if (!e) return '';
  const msg = String(e.message || e);
  if (!(e instanceof ApiError)) return msg; // a client-side check, already in words
  const field = fieldLabel(e.field || '');
  switch (e.code) {
    case 'network': return t('err.network');
    case 'unauthorized': return t('err.unauthorized');
    case 'internal': return t('err.internal');
    case 'forbidden': return /CSRF/.test(msg) ? t('err.csrf') : /not your chat|not yours/.test(msg) ? t('err.notYours') : t('err.forbidden');
    case 'not_found': return t('err.notFound');
    case 'conflict': {
      const m = CONFLICTS.find(([re]) => re.test(msg));
      return m ? t(m[1], { field }) : t('err.conflict');
    }
  }
  for (const [re, key] of INVALIDS) {
    const found = re.exec(msg);
    if (found) return t(key, { field, ...found.groups });
  }
  if (e.code === 'invalid' || e.field) return t('err.invalid', { field });
  return t('err.http', { status: e.status });
}

// ---------------------------------------------------------------- errors in forms

export function clearErrors(root) {
  if (!root) return;
  for (const el of root.querySelectorAll('.invalid')) { el.classList.remove('invalid'); el.removeAttribute('aria-invalid'); }
  for (const el of root.querySelectorAll('.form-error')) { el.textContent = ''; el.hidden = true; }
}

// showError writes err in words into root's .form-error and highlights the
// input named by err.field (or mapped by fieldMap).
export function showError(root, err, fieldMap = {}) {
  const box = root && root.querySelector('.form-error');
  const msg = errorText(err);
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

// keepFocus re-renders rows (fn) and puts the focus back on the same
// control of the same row (rows carry data-<key>), so that live updates do
// not throw a keyboard user out.
export function keepFocus(root, key, fn) {
  const a = document.activeElement;
  const row = a && root.contains(a) ? a.closest(`[data-${key}]`) : null;
  const id = row ? row.getAttribute(`data-${key}`) : null;
  const cls = a && a.classList.length ? `.${[...a.classList].map(CSS.escape).join('.')}` : a ? a.tagName.toLowerCase() : '';
  fn();
  if (id === null) return;
  const again = root.querySelector(`[data-${key}="${CSS.escape(id)}"] ${cls}`);
  if (again) again.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- tables as cards
//
// On a phone every table.grid row becomes a card: each cell shows its
// column's heading, taken from data-label.

export function labelCells(table) {
  if (!table) return;
  const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((td, i) => { if (heads[i] && !td.hasAttribute('data-label')) td.dataset.label = heads[i]; });
  }
}

// ---------------------------------------------------------------- ticker
//
// One interval for every time on screen (the view, the header and the bar
// of offers): elements with data-since (epoch ms) show the time elapsed
// since then as data-fmt says; elements with data-until count down (an
// accept deadline, an offer's expiry, a wrap-up).

export function startTicker() {
  setInterval(() => {
    if (document.hidden) return;
    const scope = `#view-${state.view}, #topbar, #offers`;
    const now = Date.now();
    for (const el of document.querySelectorAll(`:is(${scope}) [data-since]`)) {
      const v = Number(el.dataset.since);
      if (v) el.textContent = sinceText(el.dataset.fmt, now - v);
    }
    for (const el of document.querySelectorAll(`:is(${scope}) [data-until]`)) {
      const v = Number(el.dataset.until);
      if (!v) continue;
      el.textContent = untilText(v - now, el.dataset.fmt);
      el.classList.toggle('late', v - now <= 0);
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
    if (!m) throw new Error(t('err.limitsText', { text: p }));
    out[m[1]] = Number(m[2]);
  }
  return out;
}
export const fmtLimits = (m) => Object.entries(m || {}).map(([k, v]) => `${k}=${v}`).join(', ');
