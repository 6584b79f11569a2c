// The viewer's inbox: its active chats (whatever the folder on screen), the
// chats colleagues offer it, the messages of the chats it has looked at or
// that are on screen (previews), what it has read, the accept deadlines, and
// the count of chats that need it (the tab title).

import {
  api, items, enc, ts, me, isStaff, job, schedule, emit, loadPref, savePref, acceptDeadline, acceptTimeoutS,
} from './core.js';
import * as alerts from './alerts.js';

const CACHE = 400; // chats whose messages are kept
const SEEN = 400; // chats whose read mark is kept
const CONCURRENCY = 3;

const mine = new Map(); // my active chats by id
const offers = new Map(); // chats offered to me by id
const cache = new Map(); // chat id -> messages (oldest first); Map order = age
const queue = []; // chat ids waiting for their messages
const loading = new Set();
let seen = {}; // chat id -> id of the latest message the viewer has seen
let viewing = ''; // the chat open on screen
const selfTaken = new Map(); // chat id -> when the viewer took it
const warned = new Set(); // accept deadlines already alerted
let loaded = false;

// ---------------------------------------------------------------- my chats

async function load() {
  const q = isStaff() ? `&operator_id=${enc(me())}` : '';
  const [got, offered] = (await Promise.all([
    api('GET', `/chats?folder=mine&limit=1000${q}`),
    api('GET', `/chats?folder=offers&limit=1000${q}`),
  ])).map(items);
  mine.clear();
  for (const c of got) mine.set(c.id, c);
  offers.clear();
  for (const c of offered) if (offeredToMe(c)) offers.set(c.id, c);
  loaded = true;
  for (const c of got) if (!cache.has(c.id)) want(c.id);
  changed();
}

export const isLoaded = () => loaded;
export const count = () => mine.size;

// offeredToMe reports whether a chat has an open offer to the viewer.
export const offeredToMe = (c) => !!c && c.status === 'active' && !!c.transfer_offer && c.transfer_offer.to_operator_id === me();

// offersToMe is the chats colleagues offer the viewer, oldest offer first.
export function offersToMe() {
  return [...offers.values()].sort((a, b) => ts(a.transfer_offer.offered_at) - ts(b.transfer_offer.offered_at));
}

// sorted is My chats in the order of who waits for a reply longest, then
// the latest activity first.
export function sorted() {
  return [...mine.values()].sort((a, b) => {
    const wa = ts(a.awaiting_reply_since);
    const wb = ts(b.awaiting_reply_since);
    if (wa && wb && wa !== wb) return wa - wb;
    if (wa && !wb) return -1;
    if (wb && !wa) return 1;
    const la = ts(a.last_message_at) || ts(a.assigned_at);
    const lb = ts(b.last_message_at) || ts(b.assigned_at);
    return lb - la || Number(a.id) - Number(b.id);
  });
}

// attention counts my chats that need me: not accepted, unread client
// messages, or overdue.
export function attention() {
  let n = offers.size;
  for (const c of mine.values()) if (!ts(c.accepted_at) || c.overdue || unreadOf(c.id) > 0) n++;
  return n;
}

function changed() {
  emit('inbox');
  emit('attention', attention());
}

// ---------------------------------------------------------------- messages and previews

// want asks for a chat's messages (previews of rows on screen).
export function want(id) {
  if (cache.has(id) || loading.has(id) || queue.includes(id)) return;
  queue.push(id);
  pump();
}

function pump() {
  while (loading.size < CONCURRENCY && queue.length) {
    const id = queue.shift();
    loading.add(id);
    api('GET', `/chats/${enc(id)}/messages`).then((msgs) => {
      remember(id, items(msgs));
    }).catch(() => { /* no preview then */ }).finally(() => { loading.delete(id); pump(); });
  }
}

// remember stores a chat's messages (the chat view shares them).
export function remember(id, msgs) {
  cache.delete(id);
  cache.set(id, msgs);
  while (cache.size > CACHE) {
    const old = [...cache.keys()].find((k) => !mine.has(k) && k !== viewing);
    if (old === undefined) break;
    cache.delete(old);
  }
  if (id === viewing && !document.hidden) markSeen(id, false);
  emit('preview', id);
  if (mine.has(id)) changed();
}

export const messagesOf = (id) => cache.get(id);

// previewOf is the latest message of a chat, when known.
export function previewOf(id) {
  const msgs = cache.get(id);
  return msgs && msgs.length ? msgs[msgs.length - 1] : null;
}

// unreadOf counts the client messages since the viewer last looked at the
// chat or answered it (from anywhere).
export function unreadOf(id) {
  const msgs = cache.get(id);
  if (!msgs) return 0;
  const mark = seen[id] || 0;
  let n = 0;
  for (let i = msgs.length - 1; i >= 0 && msgs[i].id > mark; i--) {
    if (msgs[i].from === 'operator' && msgs[i].author_id === me() && msgs[i].kind !== 'note') break;
    if (msgs[i].from === 'client') n++;
  }
  return n;
}

export function markSeen(id, notify = true) {
  const msgs = cache.get(id);
  if (!msgs || !msgs.length) return;
  const last = msgs[msgs.length - 1].id;
  if ((seen[id] || 0) >= last) return;
  seen[id] = last;
  saveSeen();
  if (notify) { emit('preview', id); if (mine.has(id)) changed(); }
}

function saveSeen() {
  const keys = Object.keys(seen);
  if (keys.length > SEEN) {
    keys.sort((a, b) => seen[b] - seen[a]);
    for (const k of keys.slice(SEEN)) if (!mine.has(k)) delete seen[k];
  }
  savePref('seen', seen);
}

// setViewing says which chat is open on screen (its messages are read while
// the page is visible).
export function setViewing(id) {
  viewing = id || '';
  if (viewing && !document.hidden) markSeen(viewing);
}

export function tookSelf(id) { selfTaken.set(id, Date.now()); }
export function tookRecently(id) { const at = selfTaken.get(id); return !!at && Date.now() - at < 10000; }

// ---------------------------------------------------------------- accept deadlines

function checkDeadlines() {
  const now = Date.now();
  for (const c of mine.values()) {
    const d = acceptDeadline(c);
    if (!d) continue;
    const key = `${c.id}@${c.assigned_at}`;
    // a third of the time, 5 s at least (a short timeout: at once), 15 s at most
    const warnAt = Math.min(15000, Math.max(5000, (acceptTimeoutS(c) * 1000) / 3));
    if (!warned.has(key) && d - now <= warnAt && d - now > -5000) {
      warned.add(key);
      alerts.alert('deadline', c);
    }
  }
}

// ---------------------------------------------------------------- events

const isMine = (c) => !!c && c.status === 'active' && c.operator_id === me();

export function handleEvent(ev) {
  const n = ev.event_name;
  if (n === 'config_changed' || n === 'operator_status_changed' || n === 'limit') return;
  const c = ev.chat;
  const id = ev.chat_id || (c && c.id);
  if (!id) return;
  const was = mine.has(id) || offers.has(id);
  if (c) {
    if (isMine(c)) mine.set(id, c); else mine.delete(id);
    if (offeredToMe(c)) offers.set(id, c); else offers.delete(id);
  }
  const touched = was || mine.has(id) || offers.has(id);
  if (n === 'transfer_offered' && offeredToMe(c)) {
    alerts.alert('offer', c, c.transfer_offer.note || '', { op: (ev.operator && (ev.operator.name || ev.operator.id)) || '' });
  }
  if (n === 'message_created' && ev.message) {
    const msgs = cache.get(id);
    if (msgs && !msgs.some((m) => m.id === ev.message.id)) { msgs.push(ev.message); remember(id, msgs); }
    const open = id === viewing && !document.hidden && document.hasFocus();
    if (isMine(c) && ev.message.from === 'client' && !open) alerts.alert('message', c, ev.message.text);
  }
  if ((n === 'auto_connected' || n === 'operator_connected') && isMine(c)) {
    const took = selfTaken.get(id);
    if (!took || Date.now() - took > 10000) alerts.alert('assigned', c, c.text || '');
    selfTaken.delete(id);
    if (!cache.has(id)) want(id);
  }
  if (n === 'response_overdue' && isMine(c)) alerts.alert('overdue', c);
  if (n === 'operator_disconnected' && ev.operator && ev.operator.id === me()) alerts.noteDisconnect(ev.reason && ev.reason.code);
  if (touched) {
    changed();
    schedule('inbox');
  }
}

// reset forgets the messages of chats not on screen (after a reconnect the
// stream may have missed some).
export function reset() {
  for (const k of [...cache.keys()]) if (k !== viewing) cache.delete(k);
  schedule('inbox');
}

export function init() {
  seen = loadPref('seen', {}) || {};
  job('inbox', load, 400);
  schedule('inbox');
  setInterval(checkDeadlines, 1000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden && viewing) markSeen(viewing); });
  window.addEventListener('focus', () => { if (viewing) markSeen(viewing); });
}

