// Switchboard panel: sign-in, header, views by role and deep links, the live
// event stream and what each event tells the viewer.

import { t, translate, lang, languages, setLang } from './i18n.js';
import {
  state, api, items, enc, esc, safeColor, setCsrf, onUnauthorized, isStaff, isAdmin, me, topicName,
  clientName, statusOf, serves, job, schedule, runNow, notice, emit, startTicker, errorText, placeNotice,
} from './core.js';
import * as chats from './chats.js';
import * as monitor from './monitor.js';
import * as dashboard from './dashboard.js';
import * as admin from './admin.js';
import * as alerts from './alerts.js';
import * as inbox from './inbox.js';
import * as timeline from './timeline.js';
import * as together from './together.js';
import * as whatif from './whatif.js';

const $ = (id) => document.getElementById(id);

const VIEWS = {
  chats: { label: 'nav.chats', roles: ['operator', 'supervisor', 'admin'], mod: chats },
  monitor: { label: 'nav.monitor', roles: ['supervisor', 'admin'], mod: monitor },
  whatif: { label: 'nav.whatif', roles: ['supervisor', 'admin'], mod: whatif },
  dashboard: { label: 'nav.dashboard', roles: ['supervisor', 'admin'], mod: dashboard },
  admin: { label: 'nav.admin', roles: ['admin'], mod: admin },
};

const EVENT_NAMES = [
  'chat_created', 'chat_queued', 'auto_connected', 'operator_connected', 'operator_disconnected',
  'chat_accepted', 'chat_transferred', 'chat_updated', 'chat_returned_to_bot', 'chat_closed_by_operator', 'chat_closed_by_client',
  'chat_closed_by_timer', 'chat_closed', 'limit', 'queue_timeout', 'response_overdue',
  'message_created', 'operator_status_changed', 'config_changed',
  'transfer_offered', 'transfer_accepted', 'transfer_declined', 'transfer_expired', 'transfer_withdrawn',
  'wrap_up_started', 'wrap_up_ended', 'chat_rated',
];

let started = false;
let stream = null;
let streamRetry = null;

// ---------------------------------------------------------------- language

function renderLang() {
  const sel = $('lang');
  sel.innerHTML = Object.entries(languages).map(([k, v]) => `<option value="${k}" lang="${k}">${esc(v)}</option>`).join('');
  sel.value = lang();
}

// placeLang moves the one language switch to the sign-in card or the header.
function placeLang(where) {
  const slot = document.querySelector(where === 'login' ? '.login-lang' : '.header-lang');
  const sw = $('lang').closest('.lang-switch');
  if (sw.parentElement !== slot) slot.append(sw);
}

// ---------------------------------------------------------------- sign-in

function showLogin(message) {
  $('loading').hidden = true;
  $('topbar').hidden = true;
  $('app').hidden = true;
  $('view-login').hidden = false;
  placeLang('login');
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
  alerts.unlockAudio(); // the click is a user gesture
  try {
    const s = await api('POST', '/session', { email: f.elements.email.value.trim(), password: f.elements.password.value });
    setCsrf(s.csrf_token);
    f.elements.password.value = '';
    if (started) { location.reload(); return; } // a fresh start for a new session
    await start(s);
  } catch (x) {
    err.textContent = x.status === 401 ? t('login.wrong') : errorText(x);
    err.hidden = false;
    f.elements.password.focus();
  } finally {
    btn.disabled = false;
  }
}

function sessionEnded() {
  if (stream) { stream.close(); stream = null; }
  clearTimeout(streamRetry);
  showLogin(started ? t('login.ended') : '');
}

async function signOut() {
  try { await api('DELETE', '/session'); } catch { /* the cookie is cleared anyway */ }
  if (stream) { stream.close(); stream = null; }
  history.replaceState(null, '', location.pathname);
  location.reload();
}

// ---------------------------------------------------------------- shared data

async function loadStatuses() { state.statuses = items(await api('GET', '/statuses')); renderStatusSelect(); emit('statuses'); }
async function loadTopics() { state.topics = items(await api('GET', '/topics')); emit('topics'); }
async function loadSettings() { state.settings = await api('GET', '/settings'); emit('settings'); }
async function loadGroups() { state.groups = items(await api('GET', '/skill-groups')); emit('groups'); }
async function loadOperators() {
  state.operators = items(await api('GET', '/operators'));
  const mine = state.operators.find((o) => o.id === me());
  if (mine) { state.me.status = mine.status; if (!state.me.name) state.me.name = mine.name; renderWhoami(); renderStatusSelect(); }
  emit('operators');
}

// ---------------------------------------------------------------- header

function renderWhoami() {
  const w = $('whoami');
  w.textContent = `${state.me.name || state.me.operator_id} · ${t('role.' + state.me.role)}`;
  w.title = w.textContent;
}

function renderStatusSelect() {
  const sel = $('status');
  if (document.activeElement !== sel || !sel.options.length) {
    sel.innerHTML = state.statuses.map((s) =>
      `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join('');
  }
  if (state.me && state.me.status) sel.value = state.me.status;
  const s = statusOf(sel.value);
  $('status-dot').style.background = safeColor(s.color);
  sel.title = s.can_receive ? t('status.receives') : t('status.receivesNot');
}

async function changeStatus() {
  const sel = $('status');
  const want = sel.value;
  sel.disabled = true;
  alerts.expectStatus(want);
  try {
    const o = await api('PUT', `/operators/${enc(me())}/status`, { status: want });
    state.me.status = o.status;
    alerts.hideBanner();
    notice(t('n.statusSet', { status: statusOf(o.status).name }));
  } catch (e) {
    notice(errorText(e), 'error');
  } finally {
    sel.disabled = false;
    renderStatusSelect();
  }
}

function renderNav() {
  const nav = $('topbar').querySelector('nav');
  const vis = Object.entries(VIEWS).filter(([, v]) => v.roles.includes(state.me.role));
  nav.dataset.count = vis.length;
  nav.innerHTML = vis.map(([k, v]) => `<a href="#${k}" data-nav="${k}">${esc(t(v.label))}</a>`).join('');
}

// The header folds into a menu on a phone: button#menu opens #topmenu.
function setMenu(open) {
  if (open) $('notice').hidden = true;
  $('topbar').classList.toggle('menu-open', open);
  $('menu').setAttribute('aria-expanded', String(open));
}

// ---------------------------------------------------------------- views and deep links
//
// #chats, #monitor, #dashboard, #whatif, #admin select a view; #/chats/42 opens chat 42.

function allowed(v) { return VIEWS[v] && VIEWS[v].roles.includes(state.me.role); }

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const view = parts[0] || 'chats';
  let chat = '';
  if (view === 'chats' && parts[1]) { try { chat = decodeURIComponent(parts[1]); } catch { chat = ''; } }
  return { view, chat };
}

function route() {
  if (!state.me) return;
  let { view: v, chat } = parseHash();
  if (!allowed(v)) { v = 'chats'; chat = ''; }
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
  setMenu(false);
  if (prev && prev !== v && VIEWS[prev].mod.onHide) VIEWS[prev].mod.onHide();
  if (prev !== v && VIEWS[v].mod.onShow) VIEWS[v].mod.onShow();
  if (v === 'chats') chats.routeTo(chat);
  emit('chat-shown'); // the bar of offers leaves out the chat on screen
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
  c.textContent = ok ? t('conn.live') : t('conn.reconnecting');
  c.className = ok ? 'conn ok' : 'conn bad';
}

function refreshAll() {
  inbox.reset(); // the stream may have missed messages meanwhile
  schedule('statuses', 'topics', 'settings', 'operators', 'groups', 'inbox');
  VIEWS[state.view].mod.onShow && VIEWS[state.view].mod.onShow();
}

// concerns says whether an event is worth a notice for the viewer: its own
// chats and status, the waiting chats of its topics; staff see more.
function concerns(ev) {
  const n = ev.event_name;
  const c = ev.chat || {};
  const mine = (c.operator_id && c.operator_id === me()) || (ev.operator && ev.operator.id === me()) ||
    (ev.target && ev.target.id === me());
  switch (n) {
    case 'wrap_up_started': case 'wrap_up_ended': return false; // the header shows it
    case 'operator_status_changed': return isStaff() || !!(ev.operator && ev.operator.id === me());
    case 'config_changed': case 'limit': return isStaff();
    case 'message_created': return !!mine && !!ev.message && ev.message.from === 'client';
    case 'chat_created': case 'chat_queued':
      return mine || isStaff() || ((c.status === 'new' || c.status === 'queued') && serves(me(), c.subject_alias));
  }
  return mine || isStaff();
}

const reasonText = (r) => (r && r.code ? t('reason.' + r.code, { fallback: r.code }) : '');

// Notices: the events of one chat's creation arrive together; the notice
// says "New chat: Olena in Support" and adds where it went rather than
// being replaced by each follow-up.
let lastCreated = { id: '', at: 0 };

function noticeFor(ev) {
  const n = ev.event_name;
  const id = ev.chat_id || (ev.chat && ev.chat.id) || '';
  const c = ev.chat || {};
  const client = clientName(c);
  const toMe = ev.operator && ev.operator.id === me();
  const op = ev.operator ? (toMe ? t('n.you') : ev.operator.name || ev.operator.id) : '';
  const fresh = id && lastCreated.id === id && Date.now() - lastCreated.at < 3000;
  const topic = topicName(c.subject_alias);
  switch (n) {
    case 'chat_created':
      lastCreated = { id, at: Date.now() };
      return notice(topic ? t('n.newChatIn', { client, topic }) : t('n.newChat', { client }));
    case 'message_created':
      if (fresh) return;
      return notice(t('n.message', { client }));
    case 'chat_queued':
      if (ev.reason && ev.reason.code && ev.reason.code !== 'new') return notice(t('n.requeued', { client, reason: reasonText(ev.reason) }));
      return notice(t('n.queued', { client }));
    case 'auto_connected':
    case 'operator_connected':
      if (toMe && inbox.tookRecently(id)) return; // the take says so itself
      return notice(toMe ? t('n.connectedToYou', { client }) : t('n.connectedTo', { client, op }));
    case 'operator_disconnected':
      // a transfer says so itself (chat_transferred, transfer_accepted)
      if (ev.reason && ev.reason.code === 'transfer') return;
      return notice(t('n.disconnected', { client, op, reason: reasonText(ev.reason) }));
    case 'chat_accepted':
      if (toMe) return; // the viewer accepted it
      return notice(t('n.accepted', { client, op }));
    case 'chat_transferred': return notice(t('n.transferred', { client, topic: topic || t('chat.noTopic') }));
    case 'chat_updated': return notice(t('n.updated', { client, topic: topic || t('chat.noTopic') }));
    case 'chat_returned_to_bot': return notice(t('n.returnedToBot', { client }));
    case 'chat_closed':
      if (c.closed_by === 'bot') return;
      return notice(c.closed_by && c.closed_by !== 'operator' ? t('n.closedBy', { client, by: t('by.' + c.closed_by) }) : t('n.closed', { client }));
    case 'queue_timeout': return notice(t('n.queueTimeout', { client }), 'warn');
    case 'response_overdue': return notice(t('n.overdue', { client }), 'warn');
    case 'limit': return notice(t('n.limit', { client, reason: reasonText(ev.reason) }), 'warn');
    case 'transfer_offered': case 'transfer_accepted': case 'transfer_declined': case 'transfer_expired': case 'transfer_withdrawn':
      return offerNotice(ev, client);
    case 'operator_status_changed': {
      if (!ev.operator || (toMe && alerts.isExpected(ev.status))) return; // the switch says so itself
      const s = statusOf(ev.status).name;
      return notice(toMe ? t('n.yourStatus', { status: s }) : t('n.opStatus', { op: ev.operator.name || ev.operator.id, status: s }));
    }
    case 'config_changed': {
      const k = ev.config || {};
      if (k.entity === 'settings') return notice(t('n.settingsChanged'));
      return notice(t('n.configChanged', { what: t('entity.' + (k.entity || 'config')), id: k.id || '', action: t('action.' + (k.action || 'updated')) }));
    }
  }
}

// offerNotice tells the colleague of an offer and its end, and the sender
// (or staff) how the colleague answered.
function offerNotice(ev, client) {
  const n = ev.event_name;
  const name = (r) => (r ? r.name || r.id : '');
  const op = name(ev.operator);
  const target = name(ev.target);
  const toMe = ev.target && ev.target.id === me();
  const fromMe = ev.operator && ev.operator.id === me();
  const why = ev.reason && ev.reason.message;
  if (toMe) {
    switch (n) {
      case 'transfer_offered': return notice(t('n.offerToYou', { op, client }));
      case 'transfer_expired': return notice(t('n.offerToYouExpired', { client }), 'warn');
      case 'transfer_withdrawn': return notice(t('n.offerToYouWithdrawn', { op, client }));
    }
    return; // the viewer answered it
  }
  // the sender keeps the chat it offered; staff hear of the others' offers
  const k = fromMe ? '' : 'Team';
  switch (n) {
    case 'transfer_offered': return fromMe ? undefined : notice(t('n.offered', { client, op: target }));
    case 'transfer_accepted': return notice(t('n.offerAccepted', { client, op: target }));
    case 'transfer_declined':
      return notice(why ? t(`n.offerDeclined${k}Why`, { client, op: target, reason: why }) : t(`n.offerDeclined${k}`, { client, op: target }), 'warn');
    case 'transfer_expired': return notice(t(`n.offerExpired${k}`, { client, op: target }), 'warn');
    case 'transfer_withdrawn': return fromMe ? undefined : notice(t('n.offerWithdrawn', { client, op: target }));
  }
}

function dispatch(ev) {
  if (ev.id > (state.lastSeq || 0)) state.lastSeq = ev.id;
  if (concerns(ev)) noticeFor(ev);
  const n = ev.event_name;
  if (n === 'config_changed') {
    const ent = ev.config && ev.config.entity;
    if (ent === 'settings') schedule('settings');
    else if (ent === 'status') schedule('statuses');
    else if (ent === 'topic') schedule('topics', 'groups');
    else if (ent === 'operator' || ent === 'skill_group') schedule('operators', 'groups');
  } else if (n === 'operator_status_changed') {
    if (ev.operator && ev.operator.id === me() && ev.status) {
      state.me.status = ev.status;
      renderStatusSelect();
      alerts.statusChanged(ev);
    }
    if (isStaff()) schedule('operators');
  } else if (isStaff() && n !== 'message_created' && n !== 'chat_queued' && n !== 'chat_created' && n !== 'limit') {
    schedule('operators'); // loads changed
  }
  inbox.handleEvent(ev);
  together.handleEvent(ev);
  timeline.handleEvent(ev);
  chats.handleEvent(ev);
  if (isStaff()) { monitor.handleEvent(ev); dashboard.handleEvent(ev); }
  if (isAdmin()) admin.handleEvent(ev);
}

// ---------------------------------------------------------------- start

async function start(sess) {
  state.me = { operator_id: sess.operator_id, role: sess.role, name: sess.name || '', status: '' };
  if (!VIEWS.chats.roles.includes(state.me.role)) {
    showLogin(t('login.noPanel', { role: state.me.role }));
    return;
  }
  started = true;
  $('view-login').hidden = true;
  $('topbar').hidden = false;
  $('app').hidden = false;
  placeLang('header');
  placeNotice();
  renderWhoami();
  renderNav();

  job('statuses', loadStatuses, 1000);
  job('topics', loadTopics, 1000);
  job('settings', loadSettings, 500);
  job('groups', loadGroups, 1000);
  job('operators', loadOperators, isStaff() ? 1000 : 3000);

  alerts.init();
  inbox.init();
  together.init();
  chats.init();
  if (isStaff()) { monitor.init(); dashboard.init(); }
  if (isStaff()) whatif.init();
  if (isAdmin()) admin.init();

  openStream(); // first, so that nothing between the loads and the stream is missed
  await Promise.allSettled(['statuses', 'topics', 'settings', 'groups', 'operators'].map(runNow));
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
  route();
  $('loading').hidden = true;
}

async function boot() {
  translate(document);
  renderLang();
  onUnauthorized(sessionEnded);
  $('lang').addEventListener('change', () => { setLang($('lang').value); location.reload(); });
  $('login').addEventListener('submit', signIn);
  $('logout').addEventListener('click', signOut);
  $('status').addEventListener('change', changeStatus);
  $('menu').addEventListener('click', () => setMenu(!$('topbar').classList.contains('menu-open')));
  document.addEventListener('click', (e) => {
    if ($('topbar').classList.contains('menu-open') && !e.target.closest('#topmenu, #menu')) setMenu(false);
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && $('topbar').classList.contains('menu-open')) { setMenu(false); $('menu').focus(); } });
  startTicker();
  try {
    const s = await api('GET', '/session');
    await start(s);
  } catch (e) {
    showLogin(e.status === 401 || !e.status ? '' : errorText(e));
  }
}

boot();
