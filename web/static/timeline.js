// A chat's timeline: its messages, internal notes (the handover note of an
// offer named so) and what happened to it (created, queued, assigned,
// accepted, transferred, offered to a colleague and the answer, returned to
// the queue, closed — by whom, when, with the comment), with day separators. What happened comes from the
// stored events (GET /events?after=, filtered by chat) and the live stream;
// where those are out of reach, from the chat's own timestamps.

import { t } from './i18n.js';
import {
  state, api, ts, esc, me, fmtClock, fmtFull, fmtDay, operatorName, topicName, clientName,
} from './core.js';

const PAGE = 500; // events per page when scanning
const MAX_PAGES = 20; // then the timestamps fill in
const KINDS = new Set([
  'chat_created', 'chat_queued', 'auto_connected', 'operator_connected', 'operator_disconnected', 'chat_accepted',
  'chat_transferred', 'chat_updated', 'chat_returned_to_bot', 'chat_closed_by_operator', 'chat_closed_by_client',
  'chat_closed_by_timer', 'chat_closed', 'queue_timeout', 'response_overdue',
  'transfer_offered', 'transfer_accepted', 'transfer_declined', 'transfer_expired', 'transfer_withdrawn',
]);
const LOCK = '<svg class="lock" viewBox="0 0 24 24" width="13" height="13" aria-hidden="true" focusable="false"><path fill="currentColor" d="M17 9h-1V7a4 4 0 0 0-8 0v2H7a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-9a2 2 0 0 0-2-2Zm-7-2a2 2 0 0 1 4 0v2h-4V7Z"/></svg>';

const store = new Map(); // chat id -> {events, done, scanning}

// ---------------------------------------------------------------- events of a chat

function add(rec, ev) {
  if (!rec.events.some((x) => x.id === ev.id)) rec.events.push(ev);
}

export function handleEvent(ev) {
  if (!KINDS.has(ev.event_name) || !ev.chat_id) return;
  const rec = store.get(ev.chat_id);
  if (rec) add(rec, ev);
}

// head finds a sequence number at or after the latest event.
async function head() {
  let k = 1024;
  for (let i = 0; i < 40; i++) {
    const p = await api('GET', `/events?after=${k}&limit=1`);
    if (!(p.next_after > k)) return k;
    k *= 2;
  }
  return k;
}

// findStart is a sequence number before the chat's creation, found by a
// binary search on the events' times; a page with no event visible to the
// viewer moves the search earlier (more to scan, nothing missed).
async function findStart(created) {
  let hi = state.lastSeq || await head();
  let lo = 0;
  for (let i = 0; i < 40 && hi - lo > PAGE; i++) {
    const mid = Math.floor((lo + hi) / 2);
    const p = await api('GET', `/events?after=${mid}&limit=20`);
    const ev = (p.events || [])[0];
    if (ev && ts(ev.occurred_at) < created - 1000) lo = Math.min(ev.id, hi);
    else hi = mid;
  }
  return lo;
}

// load scans the stored events of a chat once (then the stream adds to
// them); it resolves when done.
export function load(chat) {
  let rec = store.get(chat.id);
  if (rec && (rec.done || rec.scanning)) return rec.scanning || Promise.resolve();
  if (!rec) { rec = { events: [], done: false, scanning: null }; store.set(chat.id, rec); }
  rec.scanning = scan(chat, rec).catch(() => {}).finally(() => { rec.scanning = null; rec.done = true; });
  return rec.scanning;
}

async function scan(chat, rec) {
  const created = ts(chat.created_at);
  const closed = ts(chat.closed_at);
  let after = await findStart(created);
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const p = await api('GET', `/events?after=${after}&limit=${PAGE}`);
    const evs = p.events || [];
    for (const ev of evs) if (ev.chat_id === chat.id && KINDS.has(ev.event_name)) add(rec, ev);
    const last = evs.length ? ts(evs[evs.length - 1].occurred_at) : 0;
    if (!(p.next_after > after)) return;
    if (closed && last > closed + 5000) return;
    after = p.next_after;
  }
}

// ---------------------------------------------------------------- what happened

const reasonText = (code) => (code ? t('reason.' + code, { fallback: code }) : '');
const opOf = (ev) => (ev.operator ? (ev.operator.id === me() ? t('n.you') : ev.operator.name || ev.operator.id) : '');
const opName = (id) => (id === me() ? t('n.you') : operatorName(id));
const targetOf = (ev) => (ev.target ? (ev.target.id === me() ? t('n.you') : ev.target.name || ev.target.id) : '');

function closedText(c, op) {
  let s;
  switch (c.closed_by) {
    case 'operator': s = op ? t('tl.closedByOp', { op }) : t('tl.closed'); break;
    case 'client': s = t('tl.closedByClient'); break;
    case 'timer': s = t('tl.closedByTimer'); break;
    case 'bot': s = t('tl.returnedToBot'); break;
    case 'system': s = t('tl.closedBySystem'); break;
    default: s = t('tl.closed');
  }
  return c.close_comment ? `${s} — “${c.close_comment}”` : s;
}

// fromEvent is the timeline entry of a stored or live event (null: none).
function fromEvent(ev) {
  const c = ev.chat || {};
  const at = ts(ev.occurred_at);
  // "you" may begin an entry: a capital then
  const e = (kind, text) => ({ at, kind, text: text.charAt(0).toLocaleUpperCase() + text.slice(1), seq: ev.id, reason: (ev.reason && ev.reason.code) || '' });
  switch (ev.event_name) {
    case 'chat_created': return e('created', t('tl.created', { channel: c.channel || '' }));
    case 'chat_queued':
      return !ev.reason || ev.reason.code === 'new' ? e('queued', t('tl.queued')) : e('queued', t('tl.requeued', { reason: reasonText(ev.reason.code) }));
    case 'auto_connected': return e('assigned', t('tl.autoAssigned', { op: opOf(ev) }));
    case 'operator_connected': return e('assigned', t('tl.connected', { op: opOf(ev) }));
    case 'operator_disconnected': return e('disconnected', t('tl.disconnected', { op: opOf(ev), reason: reasonText(ev.reason && ev.reason.code) }));
    case 'chat_accepted': return e('accepted', t('tl.accepted', { op: opOf(ev) }));
    case 'chat_transferred': return e('transferred', t('tl.transferred', { topic: topicName(c.subject_alias) || t('chat.noTopic') }));
    case 'chat_updated': return e('updated', t('tl.updated', { topic: topicName(c.subject_alias) || t('chat.noTopic') }));
    case 'response_overdue': return e('overdue', t('tl.overdue'));
    case 'queue_timeout': return e('timeout', t('tl.queueTimeout'));
    case 'chat_closed': return e('closed', closedText(c, opOf(ev)));
    case 'transfer_offered': return e('offered', t('tl.offered', { op: opOf(ev), target: targetOf(ev) }));
    case 'transfer_accepted': return e('offer_accepted', t('tl.offerAccepted', { op: opOf(ev), target: targetOf(ev) }));
    case 'transfer_declined': {
      const why = ev.reason && ev.reason.message;
      return e('offer_declined', why ? t('tl.offerDeclinedWhy', { target: targetOf(ev), reason: why }) : t('tl.offerDeclined', { target: targetOf(ev) }));
    }
    case 'transfer_expired': return e('offer_expired', t('tl.offerExpired', { target: targetOf(ev) }));
    case 'transfer_withdrawn': return e('offer_withdrawn', t('tl.offerWithdrawn', { target: targetOf(ev) }));
  }
  return null; // chat_closed_by_* and chat_returned_to_bot: chat_closed says it
}

// fromTimestamps is what the chat's own timestamps say.
function fromTimestamps(c) {
  const out = [];
  const e = (iso, kind, text) => { const at = ts(iso); if (at) out.push({ at, kind, text, seq: 0 }); };
  e(c.created_at, 'created', t('tl.created', { channel: c.channel || '' }));
  e(c.queued_at, 'queued', t('tl.queued'));
  if (c.operator_id) e(c.assigned_at, 'assigned', t('tl.connected', { op: opName(c.operator_id) }));
  if (c.operator_id) e(c.accepted_at, 'accepted', t('tl.accepted', { op: opName(c.operator_id) }));
  e(c.closed_at, 'closed', closedText(c, c.operator_id ? opName(c.operator_id) : ''));
  return out;
}

// near reports whether an entry of a kind (and reason) is within a second
// after (or, with both, around) a time.
const near = (list, kind, at, reason, both) => list.some((y) => y.kind === kind &&
  (reason === undefined || y.reason === reason) && y.at - at < 1000 && (both ? at - y.at < 1000 : y.at >= at));

// systemEntries merges the events with the timestamps (a timestamp adds an
// entry only when no event of its kind is near it) and leaves out what
// another entry says already: the queue entry of a chat assigned at once,
// the disconnect and requeue of a transfer, the disconnect and connect of an
// accepted offer, the requeue after a disconnect.
export function systemEntries(chat) {
  const rec = store.get(chat.id);
  const evs = rec ? rec.events.map(fromEvent).filter(Boolean) : [];
  const all = evs.slice();
  for (const x of fromTimestamps(chat)) {
    if (!evs.some((y) => y.kind === x.kind && Math.abs(y.at - x.at) < 2000)) all.push(x);
  }
  return all.filter((x) => {
    if (x.kind === 'queued' && (!x.reason || x.reason === 'new')) return !near(all, 'assigned', x.at);
    if ((x.kind === 'queued' || x.kind === 'disconnected') && x.reason === 'transfer') {
      return !near(all, 'transferred', x.at, undefined, true) && !near(all, 'offer_accepted', x.at, undefined, true);
    }
    if (x.kind === 'assigned' && near(all, 'offer_accepted', x.at, undefined, true)) return false;
    if (x.kind === 'queued' && x.reason) return !all.some((y) => y.kind === 'disconnected' && y.reason === x.reason && Math.abs(y.at - x.at) < 1000);
    return true;
  });
}

// The order of entries of one instant.
const RANK = {
  created: 0, disconnected: 1, queued: 1.5, transferred: 1.6, assigned: 2, offer_accepted: 2.5, accepted: 3, offered: 3.5,
  updated: 5, overdue: 5, offer_declined: 5, offer_expired: 5, offer_withdrawn: 5, timeout: 8, closed: 9,
};

// ---------------------------------------------------------------- rendering

function timeHtml(iso, at) {
  return `<time datetime="${esc(iso || new Date(at).toISOString())}" title="${esc(fmtFull(at))}">${esc(fmtClock(iso || new Date(at).toISOString()))}</time>`;
}

// handover reports whether a note is the handover note of an offer: made
// with the offer (its event, or the chat's open offer), with its text.
function handover(chat, m) {
  const at = ts(m.created_at);
  const same = (o, when) => !!o && o.note === m.text && Math.abs(when - at) < 2000;
  if (same(chat.transfer_offer, ts(chat.transfer_offer && chat.transfer_offer.offered_at))) return true;
  const rec = store.get(chat.id);
  return !!rec && rec.events.some((ev) => ev.event_name === 'transfer_offered' && same(ev.chat && ev.chat.transfer_offer, ts(ev.occurred_at)));
}

function messageHtml(chat, m, at) {
  const kind = m.kind || (m.from === 'client' ? 'client' : 'operator');
  const who = kind === 'client' ? clientName(chat) : (m.author_id === me() ? t('n.you') : operatorName(m.author_id) || t('chat.operator'));
  const meta = `<div class="m-meta">${esc(who)} · ${timeHtml(m.created_at, at)}</div>`;
  const text = `<div class="m-text">${esc(m.text)}</div>`;
  if (kind === 'note') {
    const label = handover(chat, m) ? t('note.handover') : t('note.label');
    return `<li class="message note" data-from="note" data-kind="note" data-id="${esc(m.id)}">` +
      `<div class="m-label">${LOCK} ${esc(label)}</div>${text}${meta}</li>`;
  }
  const from = kind === 'client' ? 'client' : kind === 'system' ? 'system' : 'operator';
  return `<li class="message" data-from="${from}" data-kind="${esc(kind)}" data-id="${esc(m.id)}">${text}${meta}</li>`;
}

// html renders the timeline of a chat: messages and system entries in time
// order, with a separator at each new day (in the viewer's time zone).
export function html(chat, msgs) {
  const rows = [];
  for (const m of msgs) rows.push({ at: ts(m.created_at), order: m.from === 'client' ? 0.5 : 4, seq: m.id, m });
  for (const s of systemEntries(chat)) rows.push({ at: s.at, order: RANK[s.kind] ?? 5, seq: s.seq, s });
  rows.sort((a, b) => a.at - b.at || a.order - b.order || a.seq - b.seq);
  let day = '';
  const out = [];
  for (const r of rows) {
    const d = new Date(r.at).toDateString();
    if (d !== day) {
      day = d;
      out.push(`<li class="day-sep"><span>${esc(fmtDay(r.at))}</span></li>`);
    }
    if (r.m) {
      out.push(messageHtml(chat, r.m, r.at));
    } else {
      out.push(`<li class="system-event" data-kind="${esc(r.s.kind)}"><span class="s-text">${esc(r.s.text)}</span> ${timeHtml('', r.at)}</li>`);
    }
  }
  return out.join('');
}
