// Switchboard panel: sign-in, header, views by role, the live event stream.

import {
  state, api, items, enc, esc, safeColor, setCsrf, onUnauthorized, isStaff, isAdmin, topicName,
  operatorName, statusOf, job, schedule, runNow, notice, emit, startTicker,
} from './core.js';
import * as chats from './chats.js';
import * as monitor from './monitor.js';
import * as admin from './admin.js';

const $ = (id) => document.getElementById(id);

const VIEWS = {
  chats: { label: 'Chats', roles: ['operator', 'supervisor', 'admin'], mod: chats },
  monitor: { label: 'Monitor', roles: ['supervisor', 'admin'], mod: monitor },
  admin: { label: 'Administration', roles: ['admin'], mod: admin },
};

const EVENT_NAMES = [
  'chat_created', 'chat_queued', 'auto_connected', 'operator_connected', 'operator_disconnected',
  'chat_accepted', 'chat_transferred', 'chat_updated', 'chat_returned_to_bot', 'chat_closed_by_operator', 'chat_closed_by_client',
  'chat_closed_by_timer', 'chat_closed', 'limit', 'queue_timeout', 'response_overdue',
  'message_created', 'operator_status_changed', 'config_changed',
];

let started = false;
let stream = null;
let streamRetry = null;

// ---------------------------------------------------------------- sign-in

function showLogin(message) {
  $('topbar').hidden = true;
  $('app').hidden = true;
  $('view-login').hidden = false;
  const err = $('login-error');
  err.textContent = message || '';
  err.hidden = !message;
  const email = $('login').elements.email;
  if (!email.value) email.focus(); else $('login').elements.password.focus();
}

async function signIn(e) {
  e.preventDefault();
  const f = $('login');
  const btn = f.querySelector('button[type=submit]');
  const err = $('login-error');
  err.hidden = true;
  btn.disabled = true;
  try {
    const s = await api('POST', '/session', { email: f.elements.email.value.trim(), password: f.elements.password.value });
    setCsrf(s.csrf_token);
    f.elements.password.value = '';
    if (started) { location.reload(); return; } // a fresh start for a new session
    await start(s);
  } catch (x) {
    err.textContent = x.status === 401 ? 'Wrong email or password.' : x.message;
    err.hidden = false;
    f.elements.password.focus();
  } finally {
    btn.disabled = false;
  }
}

function sessionEnded() {
  if (stream) { stream.close(); stream = null; }
  clearTimeout(streamRetry);
  showLogin(started ? 'Your session has ended. Please sign in again.' : '');
}

async function signOut() {
  try { await api('DELETE', '/session'); } catch { /* the cookie is cleared anyway */ }
  if (stream) { stream.close(); stream = null; }
  location.hash = '';
  location.reload();
}

// ---------------------------------------------------------------- shared data

async function loadStatuses() { state.statuses = items(await api('GET', '/statuses')); renderStatusSelect(); emit('statuses'); }
async function loadTopics() { state.topics = items(await api('GET', '/topics')); emit('topics'); }
async function loadSettings() { state.settings = await api('GET', '/settings'); emit('settings'); }
async function loadOperators() {
  state.operators = items(await api('GET', '/operators'));
  const me = state.operators.find((o) => o.id === state.me.operator_id);
  if (me) { state.me.status = me.status; if (!state.me.name) state.me.name = me.name; renderWhoami(); renderStatusSelect(); }
  emit('operators');
}

// ---------------------------------------------------------------- header

function renderWhoami() {
  $('whoami').textContent = `${state.me.name || state.me.operator_id} · ${state.me.role}`;
}

function renderStatusSelect() {
  const sel = $('status');
  if (document.activeElement !== sel || !sel.options.length) {
    sel.innerHTML = state.statuses.map((s) =>
      `<option value="${esc(s.id)}" data-color="${esc(safeColor(s.color))}" style="color:${safeColor(s.color)}">${esc(s.name)}</option>`).join('');
  }
  if (state.me && state.me.status) sel.value = state.me.status;
  const s = statusOf(sel.value);
  $('status-dot').style.background = safeColor(s.color);
  sel.title = s.can_receive ? 'Receives chats' : 'Receives no chats';
}

async function changeStatus() {
  const sel = $('status');
  const want = sel.value;
  sel.disabled = true;
  try {
    const o = await api('PUT', `/operators/${enc(state.me.operator_id)}/status`, { status: want });
    state.me.status = o.status;
    notice(`Status: ${statusOf(o.status).name}`);
  } catch (e) {
    notice(e.message, 'error');
  } finally {
    sel.disabled = false;
    renderStatusSelect();
  }
}

function renderNav() {
  const nav = $('topbar').querySelector('nav');
  nav.innerHTML = Object.entries(VIEWS).filter(([, v]) => v.roles.includes(state.me.role))
    .map(([k, v]) => `<a href="#${k}" data-nav="${k}">${esc(v.label)}</a>`).join('');
}

// ---------------------------------------------------------------- views

function allowed(v) { return VIEWS[v] && VIEWS[v].roles.includes(state.me.role); }

function route() {
  if (!state.me) return;
  let v = location.hash.replace(/^#/, '');
  if (!allowed(v)) v = 'chats';
  const prev = state.view;
  state.view = v;
  for (const k of Object.keys(VIEWS)) $(`view-${k}`).hidden = k !== v;
  for (const a of document.querySelectorAll('nav a[data-nav]')) {
    if (a.dataset.nav === v) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  // ids shared by two views (#operators) live on the visible one only
  for (const el of document.querySelectorAll('[data-view-id]')) {
    if (el.closest('.view') === $(`view-${v}`)) el.id = el.dataset.viewId; else el.removeAttribute('id');
  }
  if (prev && prev !== v && VIEWS[prev].mod.onHide) VIEWS[prev].mod.onHide();
  if (prev !== v && VIEWS[v].mod.onShow) VIEWS[v].mod.onShow();
}

// ---------------------------------------------------------------- live events

function openStream() {
  if (stream) stream.close();
  let hadError = false;
  const es = new EventSource('/api/v1/events/stream');
  stream = es;
  const onMsg = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    if (ev && ev.event_name) dispatch(ev);
  };
  for (const n of EVENT_NAMES) es.addEventListener(n, onMsg);
  es.onmessage = onMsg;
  es.onopen = () => {
    setConn(true);
    if (hadError) refreshAll();
    hadError = false;
  };
  es.onerror = () => {
    setConn(false);
    hadError = true;
    if (es.readyState === EventSource.CLOSED) {
      // the browser gave up (an HTTP error): find out why, then start over
      es.close();
      if (stream !== es) return;
      stream = null;
      api('GET', '/session').then(() => {
        clearTimeout(streamRetry);
        streamRetry = setTimeout(() => { openStream(); refreshAll(); }, 3000);
      }).catch((e) => {
        if (e.status === 401) sessionEnded();
        else { clearTimeout(streamRetry); streamRetry = setTimeout(() => { openStream(); refreshAll(); }, 5000); }
      });
    }
  };
}

function setConn(ok) {
  const c = $('conn');
  c.textContent = ok ? 'Live' : 'Reconnecting…';
  c.className = ok ? 'conn ok' : 'conn bad';
}

function refreshAll() {
  schedule('statuses', 'topics', 'settings', 'operators');
  VIEWS[state.view].mod.onShow && VIEWS[state.view].mod.onShow();
}

// Notices: the events of one chat's creation arrive together; the notice
// says "New chat 12 in Support" and adds where it went rather than being
// replaced by each follow-up.
let lastCreated = { id: '', at: 0, text: '' };

function noticeFor(ev) {
  const n = ev.event_name;
  const id = ev.chat_id || (ev.chat && ev.chat.id) || '';
  const c = ev.chat || {};
  const who = ev.operator ? (ev.operator.id === state.me.operator_id ? 'you' : ev.operator.name || ev.operator.id) : '';
  const fresh = id && lastCreated.id === id && Date.now() - lastCreated.at < 3000;
  switch (n) {
    case 'chat_created': {
      const t = c.subject_alias ? ` in ${topicName(c.subject_alias)}` : '';
      lastCreated = { id, at: Date.now(), text: `New chat ${id}${t}` };
      return notice(lastCreated.text);
    }
    case 'message_created':
      if (fresh) return;
      if (ev.message && ev.message.from === 'operator' && ev.message.author_id === state.me.operator_id) return;
      return notice(`New message in chat ${id}`);
    case 'chat_queued':
      if (fresh) return notice(`${lastCreated.text}, queued`);
      return notice(`Chat ${id} queued`);
    case 'auto_connected':
    case 'operator_connected':
      if (fresh) return notice(`${lastCreated.text}, connected to ${who}`);
      return notice(`Chat ${id} connected to ${who}`);
    case 'operator_disconnected': return notice(`Chat ${id} disconnected${who ? ` from ${who}` : ''}`);
    case 'chat_accepted': return notice(`Chat ${id} accepted`);
    case 'chat_transferred': return notice(`Chat ${id} transferred to ${topicName(c.subject_alias) || 'no topic'}`);
    case 'chat_updated': return notice(`Chat ${id} now in ${topicName(c.subject_alias) || 'no topic'}`);
    case 'chat_returned_to_bot': return notice(`Chat ${id} returned to the bot`);
    case 'chat_closed':
      if (c.closed_by === 'bot') return;
      return notice(`Chat ${id} closed${c.closed_by && c.closed_by !== 'operator' ? ` by ${c.closed_by}` : ''}`);
    case 'queue_timeout': return notice(`Chat ${id} waited too long and left the queue`);
    case 'response_overdue': return notice(`Chat ${id} is overdue`, 'warn');
    case 'limit': {
      const cl = c.client || {};
      return notice(`No free operator for ${cl.name || cl.id || 'a client'}${ev.reason ? `: ${ev.reason.code}` : ''}`, 'warn');
    }
    case 'operator_status_changed': {
      if (!ev.operator) return;
      const mine = ev.operator.id === state.me.operator_id;
      const s = statusOf(ev.status).name;
      return notice(mine ? `Your status is now ${s}` : `${ev.operator.name || ev.operator.id} is now ${s}`);
    }
    case 'config_changed': {
      const k = ev.config || {};
      if (k.entity === 'settings') return notice('Settings changed');
      return notice(`${(k.entity || 'configuration').replace('_', ' ')} ${k.id || ''} ${k.action || 'changed'}`.replace(/\s+/g, ' '));
    }
  }
}

function dispatch(ev) {
  noticeFor(ev);
  const n = ev.event_name;
  if (n === 'config_changed') {
    const ent = ev.config && ev.config.entity;
    if (ent === 'settings') schedule('settings');
    else if (ent === 'status') schedule('statuses');
    else if (ent === 'topic') schedule('topics');
    else if (ent === 'operator' || ent === 'skill_group') schedule('operators');
  } else if (n === 'operator_status_changed') {
    if (ev.operator && ev.operator.id === state.me.operator_id && ev.status) {
      state.me.status = ev.status;
      renderStatusSelect();
    }
    if (isStaff()) schedule('operators');
  } else if (isStaff() && n !== 'message_created' && n !== 'chat_queued' && n !== 'chat_created' && n !== 'limit') {
    schedule('operators'); // loads changed
  }
  chats.handleEvent(ev);
  if (isStaff()) monitor.handleEvent(ev);
  if (isAdmin()) admin.handleEvent(ev);
}

// ---------------------------------------------------------------- start

async function start(sess) {
  state.me = { operator_id: sess.operator_id, role: sess.role, name: sess.name || '', status: '' };
  if (!VIEWS.chats.roles.includes(state.me.role)) {
    showLogin(`The role ${state.me.role} has no panel.`);
    return;
  }
  started = true;
  $('view-login').hidden = true;
  $('topbar').hidden = false;
  $('app').hidden = false;
  renderWhoami();
  renderNav();

  job('statuses', loadStatuses, 1000);
  job('topics', loadTopics, 1000);
  job('settings', loadSettings, 500);
  job('operators', loadOperators, isStaff() ? 1000 : 3000);

  chats.init();
  if (isStaff()) monitor.init();
  if (isAdmin()) admin.init();

  openStream(); // first, so that nothing between the loads and the stream is missed
  await Promise.allSettled([runNow('statuses'), runNow('topics'), runNow('settings'), runNow('operators')]);
  window.addEventListener('hashchange', route);
  route();
}

async function boot() {
  onUnauthorized(sessionEnded);
  $('login').addEventListener('submit', signIn);
  $('logout').addEventListener('click', signOut);
  $('status').addEventListener('change', changeStatus);
  startTicker();
  try {
    const s = await api('GET', '/session');
    await start(s);
  } catch (e) {
    showLogin(e.status === 401 || !e.status ? '' : e.message);
  }
}

boot();
