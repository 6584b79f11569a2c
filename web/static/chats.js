// The operator panel (#view-chats): folders with live counts, the chat list
// (pages of 100, previews, unread counts), the chat view (timeline, client
// context, actions, accept on open; replies and internal notes, a
// supervisor's join and take-over; offers to a colleague and their answer),
// the keyboard, list → chat on a phone.

import { t } from './i18n.js';
import {
  state, api, items, enc, esc, ts, me, fmtFull, sinceText, untilText, topicName, operatorName, clientName,
  statusOf, isStaff, serves, acceptDeadline, job, schedule, runNow, notice, clearErrors, showError, errorText,
  on, emit, limitOf, loadOf, underLimits, safeColor,
} from './core.js';
import * as inbox from './inbox.js';
import * as timeline from './timeline.js';

const PAGE = 100;
const FOLDERS = ['in_queue', 'new', 'mine', 'active', 'overdue', 'closed'];
const narrow = window.matchMedia('(max-width: 900px)'); // the list or one chat

const $ = (id) => document.getElementById(id);
let folder = 'mine';
let list = { items: [], next: '', total: null, loaded: false };
let cursorId = ''; // the chat j/k points at
let openId = ''; // the chat in the view
let openChat = null;
let messages = [];
const drafts = {};
let viewSeq = 0; // discards answers for a chat no longer open
let acceptOnLoad = ''; // the chat the viewer just opened: accept it once loaded
let shown = { id: '', html: '', ids: new Set() }; // the timeline on screen
let observer = null;
const counts = {};
let mode = 'reply'; // the composer writes a reply or an internal note

// The folder a tab asks the API for. "mine" is the viewer's own chats (staff
// hold chats too); staff also have "active": everyone's.
function folderQuery(f) {
  if (f === 'mine' && isStaff()) return `mine&operator_id=${enc(me())}`;
  return f;
}

function visibleFolders() {
  const auto = !state.settings || state.settings.auto_connect;
  return FOLDERS.filter((f) => (f !== 'in_queue' || auto) && (f !== 'active' || isStaff()));
}

// ---------------------------------------------------------------- folders

export function renderFolders() {
  const vis = visibleFolders();
  if (!vis.includes(folder)) selectFolder(vis.includes('new') ? 'new' : vis[0]);
  $('folders').innerHTML = vis.map((f) => `<li data-folder="${f}"${f === folder ? ' class="active"' : ''}>` +
    `<button type="button"${f === folder ? ' aria-current="true"' : ''}><span class="label">${esc(t('folder.' + f))}</span>` +
    `<span class="count">${esc(countText(f))}</span></button></li>`).join('');
}

function countText(f) {
  if (f === 'mine' && inbox.isLoaded()) return String(inbox.count());
  const c = counts[f];
  return c === undefined || c === null ? '' : String(c);
}

function paintCounts() {
  for (const li of $('folders').children) {
    const span = li.querySelector('.count');
    if (span) span.textContent = countText(li.dataset.folder);
  }
}

async function refreshCounts() {
  const fs = visibleFolders().filter((f) => f !== 'closed' && f !== 'mine');
  await Promise.all(fs.map(async (f) => {
    const p = await api('GET', `/chats?folder=${folderQuery(f)}&limit=1`);
    counts[f] = typeof p.total === 'number' ? p.total : items(p).length;
  }));
  paintCounts();
}

// The closed folder has no total in the API: count the first page.
async function refreshClosedCount() {
  const p = await api('GET', `/chats?folder=${folderQuery('closed')}&limit=100`);
  counts.closed = items(p).length + (p.next_cursor ? '+' : '');
  paintCounts();
}

function selectFolder(f) {
  if (f === folder) return;
  folder = f;
  try { sessionStorage.setItem('sb.folder', f); } catch { /* private mode */ }
  list = { items: [], next: '', total: null, loaded: false };
  cursorId = '';
  for (const li of $('folders').children) {
    const sel = li.dataset.folder === f;
    li.classList.toggle('active', sel);
    const b = li.querySelector('button');
    if (b) { if (sel) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current'); }
  }
  $('list-title').textContent = t('folder.' + f);
  $('chat-list').innerHTML = '';
  drawn.clear();
  $('more').hidden = true;
  $('list-empty').hidden = true;
  $('list-loading').hidden = false;
  if (narrow.matches) showList();
  runNow('list');
}

// ---------------------------------------------------------------- list

async function loadList(append = false) {
  const f = folder;
  if (f === 'mine') { // the inbox holds my chats
    await runNow('inbox');
    if (f !== folder) return;
    list.items = inbox.sorted();
    list.next = '';
    list.loaded = true;
    renderList(null);
    return;
  }
  let url;
  if (append) {
    if (!list.next) return;
    url = `/chats?folder=${folderQuery(f)}&limit=${PAGE}&cursor=${enc(list.next)}`;
  } else {
    // a refresh reloads as many rows as are shown, in one request
    const n = f === 'closed' ? PAGE : Math.min(1000, Math.max(PAGE, Math.ceil(list.items.length / PAGE) * PAGE));
    url = `/chats?folder=${folderQuery(f)}&limit=${n}`;
  }
  const p = await api('GET', url);
  if (f !== folder) return;
  const got = items(p);
  list.items = append ? list.items.concat(got) : got;
  list.next = p.next_cursor || '';
  list.loaded = true;
  if (typeof p.total === 'number') { list.total = p.total; counts[f] = p.total; paintCounts(); }
  renderList(append ? got : null);
}

// timeInfo says which time a row shows and what it means.
function timeInfo(c) {
  if (c.status === 'new' || c.status === 'queued') return { at: ts(c.wait_started_at) || ts(c.created_at), fmt: 'waiting', title: 'time.waitingSince' };
  if (c.status === 'active') {
    if (ts(c.awaiting_reply_since)) return { at: ts(c.awaiting_reply_since), fmt: 'waiting', title: 'time.waitingSince' };
    if (ts(c.last_message_at)) return { at: ts(c.last_message_at), fmt: 'last', title: 'time.lastMessageAt' };
    return { at: ts(c.assigned_at) || ts(c.created_at), fmt: 'assigned', title: 'time.assignedAt' };
  }
  return { at: ts(c.closed_at) || ts(c.created_at), fmt: 'closed', title: 'time.closedAt' };
}

function previewHtml(id) {
  const m = inbox.previewOf(id);
  if (!m) return '';
  const by = m.author_id === me() ? t('n.you') : operatorName(m.author_id);
  const who = m.kind === 'note' ? `${t('note.label')} (${by}): ` : m.from === 'operator' ? by + ': ' : '';
  const text = m.text.length > 140 ? m.text.slice(0, 140) + '…' : m.text;
  return `${who ? `<span class="pv-who">${esc(who)}</span>` : ''}${esc(text)}`;
}

function rowHtml(c) {
  const unread = inbox.unreadOf(c.id);
  const cls = [];
  if (c.id === openId) cls.push('open');
  if (c.id === cursorId) cls.push('cursor');
  if (c.overdue) cls.push('overdue');
  if (unread) cls.push('has-unread');
  const ti = timeInfo(c);
  const now = Date.now();
  const when = `<span class="ci-time" data-kind="${ti.fmt}" data-fmt="${ti.fmt}" data-since="${ti.at}" title="${esc(t(ti.title, { at: fmtFull(ti.at) }))}">${esc(sinceText(ti.fmt, now - ti.at))}</span>`;
  const badges = [];
  if (unread) badges.push(`<span class="unread badge"><span class="n">${unread}</span><span class="sr-only"> ${esc(t('list.unread', { n: unread }))}</span></span>`);
  const dl = c.operator_id === me() ? acceptDeadline(c) : 0;
  if (dl) badges.push(`<span class="badge warn ci-deadline" data-until="${dl}">${esc(untilText(dl - now))}</span>`);
  else if (c.status === 'active' && !ts(c.accepted_at)) badges.push(`<span class="badge info">${esc(t('list.notAccepted'))}</span>`);
  if (c.overdue) badges.push(`<span class="badge warn">${esc(t('list.overdue'))}</span>`);
  if (c.queue_position) badges.push(`<span class="badge">#${esc(c.queue_position)}</span>`);
  if (c.weight) badges.push(`<span class="badge">${esc(t('list.weight', { w: c.weight }))}</span>`);
  if (c.operator_id && c.operator_id !== me() && isStaff()) badges.push(`<span class="badge">${esc(operatorName(c.operator_id))}</span>`);
  return `<li data-chat-id="${esc(c.id)}"${cls.length ? ` class="${cls.join(' ')}"` : ''}>` +
    `<button type="button" class="chat-item" tabindex="${c.id === cursorId ? 0 : -1}">` +
    `<span class="ci-top"><span class="ci-name">${esc(clientName(c))}</span>${when}</span>` +
    `<span class="ci-preview preview">${previewHtml(c.id)}</span>` +
    `<span class="ci-meta"><span class="ci-id">#${esc(c.id)}</span> <span class="ci-channel">${esc(c.channel)}</span>` +
    `${c.subject_alias ? ` · <span class="ci-topic">${esc(topicName(c.subject_alias))}</span>` : ''}</span>` +
    (badges.length ? `<span class="ci-badges">${badges.join('')}</span>` : '') +
    `</button></li>`;
}

function focusedRow() {
  const a = document.activeElement;
  const li = a && a.closest ? a.closest('#chat-list li') : null;
  return li ? li.dataset.chatId : undefined;
}

// The rows on screen and what each shows, without its clock (the ticker
// keeps times current): a refresh replaces only the rows that changed, so a
// click is never lost to a row drawn again under the pointer.
const drawn = new Map(); // chat id -> row key
const rowKey = (html) => html.replace(/(<span class="ci-time"[^>]*>)[^<]*/, '$1').replace(/(data-until="\d+">)[^<]*/, '$1');

function rowNode(html) {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  return tpl.content.firstElementChild;
}

function renderList(appended) {
  const ul = $('chat-list');
  const focusedId = focusedRow();
  const fresh = [];
  if (appended) {
    for (const c of appended) {
      const html = rowHtml(c);
      const li = rowNode(html);
      drawn.set(c.id, rowKey(html));
      ul.append(li);
      fresh.push(li);
    }
  } else {
    const old = new Map([...ul.children].map((li) => [li.dataset.chatId, li]));
    let at = ul.firstElementChild;
    for (const c of list.items) {
      const html = rowHtml(c);
      const key = rowKey(html);
      let li = old.get(c.id);
      old.delete(c.id);
      if (!li || drawn.get(c.id) !== key) {
        const n = rowNode(html);
        if (li) li.replaceWith(n);
        if (li === at) at = n; // the row in this place was drawn again
        li = n;
        drawn.set(c.id, key);
        fresh.push(li);
      }
      if (li !== at) ul.insertBefore(li, at);
      else at = at.nextElementSibling;
    }
    for (const [id, li] of old) { li.remove(); drawn.delete(id); }
  }
  if (!list.items.some((c) => c.id === cursorId)) cursorId = '';
  if (!cursorId && list.items.length) {
    const first = ul.querySelector('li button');
    if (first) first.tabIndex = 0;
  }
  $('list-loading').hidden = list.loaded;
  $('list-empty').hidden = !list.loaded || list.items.length > 0;
  $('more').hidden = !list.next;
  if (focusedId && focusedRow() !== focusedId) {
    const b = ul.querySelector(`li[data-chat-id="${CSS.escape(focusedId)}"] button`);
    if (b) b.focus({ preventScroll: true });
  }
  observeRows(fresh);
}

// updateRow draws one row again when what it shows changed (a preview, an
// unread count).
function updateRow(id) {
  const li = $('chat-list').querySelector(`li[data-chat-id="${CSS.escape(id)}"]`);
  const c = list.items.find((x) => x.id === id);
  if (!li || !c) return;
  const html = rowHtml(c);
  const key = rowKey(html);
  if (drawn.get(id) === key) return;
  const had = focusedRow() === id;
  const n = rowNode(html);
  li.replaceWith(n);
  drawn.set(id, key);
  if (had) n.querySelector('button').focus({ preventScroll: true });
  observeRows([n]);
}

// Previews are fetched for the rows on screen only.
function observeRows(lis) {
  if (!observer) {
    if (!('IntersectionObserver' in window)) return;
    observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        observer.unobserve(e.target);
        if (e.target.isConnected) inbox.want(e.target.dataset.chatId);
      }
    }, { root: document.querySelector('.list-pane'), rootMargin: '200px 0px' });
  }
  for (const li of lis) if (!inbox.messagesOf(li.dataset.chatId)) observer.observe(li);
}

function paintCursor(focus) {
  const ul = $('chat-list');
  for (const li of ul.querySelectorAll('li.cursor')) { li.classList.remove('cursor'); li.querySelector('button').tabIndex = -1; }
  if (!cursorId) return;
  const li = ul.querySelector(`li[data-chat-id="${CSS.escape(cursorId)}"]`);
  if (!li) return;
  li.classList.add('cursor');
  const b = li.querySelector('button');
  b.tabIndex = 0;
  if (focus) b.focus({ preventScroll: true });
  li.scrollIntoView({ block: 'nearest' });
}

function move(d) {
  if (!list.items.length) return;
  let i = list.items.findIndex((c) => c.id === cursorId);
  if (i < 0) i = list.items.findIndex((c) => c.id === openId);
  i = i < 0 ? (d > 0 ? 0 : list.items.length - 1) : Math.min(list.items.length - 1, Math.max(0, i + d));
  cursorId = list.items[i].id;
  paintCursor(true);
}

// ---------------------------------------------------------------- list and chat on a phone

function showChat() { $('view-chats').classList.add('chat-open'); }
function showList() { $('view-chats').classList.remove('chat-open'); }

function goBack() {
  if (history.state && history.state.sbFromList) history.back();
  else { history.replaceState(null, '', '#chats'); showList(); }
  const li = openId && $('chat-list').querySelector(`li[data-chat-id="${CSS.escape(openId)}"] button`);
  if (li) setTimeout(() => li.focus({ preventScroll: false }), 0);
}

// routeTo follows the address: #/chats/42 opens chat 42, #chats the list.
export function routeTo(id) {
  if (id) {
    showChat();
    if (id !== openId) open(id);
    return;
  }
  showList();
  // on a wide screen the open chat stays on screen: keep it in the address
  if (openId && !narrow.matches) history.replaceState(null, '', `#/chats/${enc(openId)}`);
}

// ---------------------------------------------------------------- chat view

// open shows a chat; the viewer opening a chat it holds accepts it (R7).
export function open(id, { push = false } = {}) {
  if (!id) return;
  if (openId && openId !== id) drafts[openId] = $('reply').value;
  const changed = openId !== id;
  openId = id;
  cursorId = id;
  acceptOnLoad = id;
  inbox.setViewing(id);
  const view = $('chat-view');
  view.dataset.chatId = id;
  for (const li of $('chat-list').querySelectorAll('li.open')) li.classList.remove('open');
  const li = $('chat-list').querySelector(`li[data-chat-id="${CSS.escape(id)}"]`);
  if (li) li.classList.add('open');
  paintCursor(false);
  const want = `#/chats/${enc(id)}`;
  if (location.hash !== want) {
    if (push) history.pushState({ sbFromList: true }, '', want);
    else history.replaceState(null, '', want);
  }
  showChat();
  if (changed) {
    openChat = null;
    messages = inbox.messagesOf(id) || [];
    shown = { id: '', html: '', ids: new Set() };
    $('messages').innerHTML = '';
    $('reply').value = drafts[id] || '';
    $('close-comment').value = '';
    $('offer-decline-reason').value = '';
    $('assign-force').checked = false;
    mode = 'reply';
    closeOfferDialog();
    clearErrors(view);
    view.querySelector('.chat-context').open = !narrow.matches;
  }
  return loadView(true);
}

function closeView(msg) {
  openId = '';
  openChat = null;
  inbox.setViewing('');
  const view = $('chat-view');
  view.removeAttribute('data-chat-id');
  view.querySelector('.chat-body').hidden = true;
  const empty = view.querySelector('.chat-empty');
  empty.hidden = false;
  empty.textContent = msg || t('chat.select');
  emit('chat-shown', '');
  for (const li of $('chat-list').querySelectorAll('li.open')) li.classList.remove('open');
  if (narrow.matches) { // nothing to show: the list again
    history.replaceState(null, '', '#chats');
    showList();
  }
}

async function loadView(withMessages = true) {
  const id = openId;
  if (!id) return;
  const seq = ++viewSeq;
  let chat, msgs;
  try {
    [chat, msgs] = await Promise.all([
      api('GET', `/chats/${enc(id)}`),
      withMessages || !openChat ? api('GET', `/chats/${enc(id)}/messages`) : Promise.resolve(null),
    ]);
  } catch (e) {
    if (seq !== viewSeq || id !== openId) return;
    if (e.status === 404 || e.status === 403) closeView(t('chat.gone'));
    else showError($('chat-view'), e);
    return;
  }
  if (seq !== viewSeq || id !== openId) return;
  openChat = chat;
  if (msgs) { messages = items(msgs); inbox.remember(id, messages); }
  const join = state.focusReply === id; // the monitor's Join
  if (join) { state.focusReply = ''; mode = 'reply'; }
  renderChat(chat);
  renderTimeline();
  if (join && !$('reply').hidden) $('reply').focus();
  timeline.load(chat).then(() => { if (openId === id) renderTimeline(); });
  if (acceptOnLoad === id) {
    acceptOnLoad = '';
    if (chat.status === 'active' && chat.operator_id === me() && !ts(chat.accepted_at)) acceptOpened(id);
  }
}

async function acceptOpened(id) {
  try {
    await api('POST', `/chats/${enc(id)}/accept`, {});
    if (id === openId) await loadView(false);
    schedule('inbox', 'list');
  } catch (e) {
    if (id === openId) showError($('chat-view'), e);
  }
}

function show(el, yes) { el.hidden = !yes; }

function renderChat(c) {
  const view = $('chat-view');
  view.querySelector('.chat-empty').hidden = true;
  view.querySelector('.chat-body').hidden = false;
  emit('chat-shown', c.id);
  const q = (s) => view.querySelector(s);
  const cl = c.client || {};
  q('.client').textContent = clientName(c);
  const st = q('.chat-status');
  st.textContent = t('status.' + c.status) + (c.overdue ? ` · ${t('list.overdue')}` : '') + (c.queue_position ? ` · #${c.queue_position}` : '');
  st.className = `chat-status badge st-${c.status}${c.overdue ? ' warn' : ''}`;
  const dl = c.operator_id === me() ? acceptDeadline(c) : 0;
  const cd = q('.accept-countdown');
  cd.hidden = !dl;
  if (dl) { cd.dataset.until = dl; cd.textContent = untilText(dl - Date.now()); } else delete cd.dataset.until;
  q('.client-id').textContent = cl.id || '—';
  q('.channel').textContent = c.channel || '';
  q('.topic').textContent = c.subject_alias ? `${topicName(c.subject_alias)} (${c.subject_alias})` : '—';
  q('.tags').textContent = c.tags && c.tags.length ? c.tags.join(', ') : '—';
  q('.operator').textContent = c.operator_id ? operatorName(c.operator_id) : '—';
  q('.created').textContent = fmtFull(c.created_at);
  q('.text').textContent = c.text || '—';

  // Whoever holds a chat works it, whatever the role; staff join any
  // active chat (a reply of their own, or a note) and may take it over.
  const open = c.status !== 'closed';
  const active = c.status === 'active';
  const mineActive = active && c.operator_id === me();
  const staff = isStaff();
  const waiting = c.status === 'new' || c.status === 'queued';
  renderComposer(c, mineActive || (staff && active), mineActive || staff || (c.status === 'closed' && c.operator_id === me()));
  show($('accept'), mineActive && !ts(c.accepted_at));
  show($('take'), waiting && (!staff || serves(me(), c.subject_alias)));
  show($('take-over'), staff && active && c.operator_id !== me());
  const canOffer = active && (mineActive || staff) && !c.transfer_offer;
  show($('offer-open'), canOffer);
  renderOffer(c);
  const canClose = open && (staff || mineActive);
  show(q('[data-part=close]'), canClose);
  show($('close'), canClose);
  show($('close-comment'), canClose);
  show($('return-to-bot'), canClose && !!c.add_return_button);
  const canTransfer = open && (staff || mineActive);
  show(q('[data-part=transfer]'), canTransfer);
  show($('transfer'), canTransfer);
  show($('transfer-topic'), canTransfer);
  if (canTransfer) fillTopics(c.subject_alias || '');
  const canAssign = staff && open;
  show(q('[data-part=assign]'), canAssign);
  show($('assign'), canAssign);
  show($('assign-operator'), canAssign);
  if (canAssign) fillOperators();
  q('.chat-actions').hidden = !(mineActive || waiting || canClose || canAssign || canOffer);
}

// ---------------------------------------------------------------- composer: reply or note

// renderComposer shows the reply box for what the viewer may write: a reply
// (its own chat; staff: any active chat, joining it), an internal note (its
// chat, also once closed; staff: any chat), or both with a switch.
function renderComposer(c, canReply, canNote) {
  const box = $('chat-view').querySelector('[data-part=reply]');
  const any = canReply || canNote;
  show(box, any);
  show($('send'), any);
  show($('reply'), any);
  if (!any) return;
  if (mode === 'reply' && !canReply) mode = 'note';
  if (mode === 'note' && !canNote) mode = 'reply';
  show(box.querySelector('.compose-tabs'), canReply && canNote);
  paintMode(c);
}

function paintMode(c) {
  const box = $('chat-view').querySelector('[data-part=reply]');
  const note = mode === 'note';
  const joining = !note && !!c && c.operator_id !== me();
  box.dataset.mode = mode;
  $('mode-reply').setAttribute('aria-pressed', String(!note));
  $('mode-note').setAttribute('aria-pressed', String(note));
  $('reply').placeholder = t(note ? 'compose.noteHint' : joining ? 'compose.joinHint' : 'chat.replyHint');
  box.querySelector('label[for=reply]').textContent = t(note ? 'compose.note' : 'chat.reply');
  $('send').textContent = t(note ? 'compose.addNote' : 'chat.send');
  const hint = box.querySelector('.compose-hint');
  hint.hidden = !note && !joining;
  hint.textContent = note ? t('compose.noteInfo') : joining ? t('compose.joinInfo', { op: operatorName(c.operator_id) }) : '';
}

function setMode(m) {
  if (m === mode || !openChat) return;
  mode = m;
  paintMode(openChat);
  $('reply').focus();
}

// ---------------------------------------------------------------- offers to a colleague

// renderOffer shows an open offer: to the viewer, with Accept and Decline;
// else who it is offered to, counting down, with Withdraw.
function renderOffer(c) {
  const o = c.status === 'active' ? c.transfer_offer : null;
  const toMe = !!o && o.to_operator_id === me();
  const inc = $('offer-incoming');
  const pend = $('offer-pending');
  show(inc, toMe);
  show(pend, !!o && !toMe);
  if (!o) return;
  const box = toMe ? inc : pend;
  const until = ts(o.expires_at);
  const exp = box.querySelector('.offer-expiry');
  show(exp, !!until);
  if (until) { exp.dataset.until = until; exp.textContent = untilText(until - Date.now(), 'offer'); } else delete exp.dataset.until;
  if (toMe) {
    inc.querySelector('.offer-title').textContent = t('offer.incoming', { op: operatorName(o.from_operator_id) });
    inc.querySelector('.offer-note').textContent = o.note || '';
    show(inc.querySelector('.offer-note'), !!o.note);
    show(inc.querySelector('.offer-note-label'), !!o.note);
    return;
  }
  const to = operatorName(o.to_operator_id);
  pend.querySelector('.offer-text').textContent = o.from_operator_id === me()
    ? t('offer.pending', { op: to }) : t('offer.pendingBy', { op: to, from: operatorName(o.from_operator_id) });
  show($('offer-withdraw'), c.operator_id === me() || isStaff());
}

// The colleagues a chat may be offered to: who can take it first (least
// loaded), then those at a limit (staff may force), then who cannot receive.
function candidates(c) {
  const rank = (o) => (!statusOf(o.status).can_receive ? 2 : underLimits(o, c.channel) ? 0 : 1);
  return state.operators.filter((o) => o.id !== c.operator_id)
    .map((o) => ({ o, r: rank(o) }))
    .sort((a, b) => a.r - b.r || loadOf(a.o) - loadOf(b.o) || String(a.o.name || a.o.id).localeCompare(String(b.o.name || b.o.id)))
    .map((x) => x.o);
}

function opOption(o, c, picked) {
  const s = statusOf(o.status);
  const free = underLimits(o, c.channel);
  const off = !s.can_receive || (!free && !isStaff());
  const tag = !s.can_receive ? t('offer.notReceiving') : free ? '' : isStaff() ? t('offer.atLimitForce') : t('offer.atLimit');
  return `<li data-operator-id="${esc(o.id)}" class="${off ? 'off' : free ? 'free' : 'full'}"><label>` +
    `<input type="radio" name="operator_id" value="${esc(o.id)}"${off ? ' disabled' : ''}${o.id === picked ? ' checked' : ''}>` +
    `<span class="op-name">${esc(o.name || o.id)}</span>` +
    `<span class="op-status"><span class="dot" data-color="${esc(safeColor(s.color))}"></span>${esc(s.name)}</span>` +
    `<span class="op-load" title="${esc(t('offer.loadTitle'))}">${esc(loadOf(o))}/${esc(limitOf(o))}</span>` +
    (tag ? `<span class="op-tag badge${off ? '' : ' warn'}">${esc(tag)}</span>` : '') + `</label></li>`;
}

function renderOfferOps() {
  const form = $('offer-form');
  if (!openChat || form.dataset.chat !== openId) return;
  const ul = form.querySelector('.op-options');
  const picked = (form.querySelector('input[name=operator_id]:checked') || {}).value || '';
  const q = form.elements.filter.value.trim().toLowerCase();
  const all = candidates(openChat);
  form.elements.filter.hidden = all.length <= 8;
  const list = q ? all.filter((o) => `${o.name || ''} ${o.id}`.toLowerCase().includes(q)) : all;
  const focused = document.activeElement && ul.contains(document.activeElement);
  ul.innerHTML = list.map((o) => opOption(o, openChat, picked)).join('') || `<li class="empty">${esc(t('offer.nobody'))}</li>`;
  for (const d of ul.querySelectorAll('.dot[data-color]')) d.style.background = d.dataset.color;
  if (focused) { const r = ul.querySelector('input:checked') || ul.querySelector('input:not(:disabled)'); if (r) r.focus(); }
}

function openOfferDialog() {
  if (!openChat) return;
  const dlg = $('offer-dialog');
  const form = $('offer-form');
  clearErrors(form);
  form.reset();
  form.dataset.chat = openId;
  form.querySelector('.offer-hint').textContent = t('offer.hint', { client: clientName(openChat) });
  show(form.querySelector('.offer-force'), isStaff());
  form.querySelector('.op-options').innerHTML = '';
  renderOfferOps();
  runNow('operators'); // fresh statuses and loads (an operator's list is not kept live)
  if (typeof dlg.showModal === 'function') dlg.showModal(); else dlg.setAttribute('open', '');
  const first = form.elements.filter.hidden ? form.querySelector('input[name=operator_id]:not(:disabled)') : form.elements.filter;
  (first || form.elements.note).focus();
}

function closeOfferDialog() {
  const dlg = $('offer-dialog');
  if (!dlg.open) return;
  if (typeof dlg.close === 'function') dlg.close(); else dlg.removeAttribute('open');
  $('offer-open').focus({ preventScroll: true });
}

async function submitOffer(e) {
  e.preventDefault();
  const form = $('offer-form');
  const id = form.dataset.chat;
  const pick = form.querySelector('input[name=operator_id]:checked');
  const btn = form.querySelector('button[type=submit]');
  clearErrors(form);
  if (!pick) { showError(form, { message: t('offer.pickFirst') }); return; }
  const body = { operator_id: pick.value, note: form.elements.note.value.trim() };
  if (isStaff() && form.elements.force.checked) body.force = true;
  btn.disabled = true;
  try {
    const c = await api('POST', `/chats/${enc(id)}/transfer`, body);
    closeOfferDialog();
    notice(t('n.youOffered', { client: clientName(c), op: operatorName(pick.value) }));
    if (id === openId) await loadView(true);
    schedule('inbox');
  } catch (err) {
    showError(form, err, { operator_id: `#offer-form input[value="${CSS.escape(pick.value)}"]` });
  } finally {
    btn.disabled = false;
  }
}

async function declineOffer() {
  const id = openId;
  const reason = $('offer-decline-reason').value.trim();
  await act($('offer-decline'), async () => {
    const c = await api('POST', `/chats/${enc(id)}/offer/decline`, reason ? { reason } : {});
    $('offer-decline-reason').value = '';
    notice(t('n.youDeclined', { client: clientName(c) }));
    schedule('inbox');
    if (id !== openId) return;
    if (isStaff()) await loadView(true); else closeView(t('offer.declinedView'));
  });
}

// offerEnded closes the chat view of a colleague whose offer ended (it may
// no longer see the chat) or of a sender whose chat the colleague took.
function offerEnded(ev) {
  if (ev.chat_id !== openId || isStaff() || !openChat || ev.chat_id !== openChat.id) return false;
  const n = ev.event_name;
  const target = ev.target ? ev.target.name || ev.target.id : '';
  if (ev.target && ev.target.id === me() && openChat.operator_id !== me()) {
    const key = { transfer_declined: 'offer.declinedView', transfer_expired: 'offer.expiredView', transfer_withdrawn: 'offer.withdrawnView' }[n];
    if (key) { closeView(t(key)); return true; }
  }
  if (n === 'transfer_accepted' && ev.operator && ev.operator.id === me()) { closeView(t('offer.acceptedView', { op: target })); return true; }
  return false;
}

function fillTopics(cur) {
  const sel = $('transfer-topic');
  if (document.activeElement === sel) return;
  const keep = sel.dataset.chat === openId ? sel.value : cur;
  sel.innerHTML = `<option value="">${esc(t('chat.noTopicOption'))}</option>` +
    state.topics.map((x) => `<option value="${esc(x.alias)}">${esc(x.name || x.alias)}</option>`).join('');
  sel.value = keep;
  sel.dataset.chat = openId;
}

function fillOperators() {
  const sel = $('assign-operator');
  if (document.activeElement === sel) return;
  const keep = sel.dataset.chat === openId ? sel.value : '';
  sel.innerHTML = `<option value="">${esc(t('chat.assignPick'))}</option>` + state.operators.map((o) => {
    const s = statusOf(o.status);
    return `<option value="${esc(o.id)}">${esc(o.name || o.id)} — ${esc(s.name)}, ${esc(o.active_chats || 0)}/${esc(limitOf(o))}</option>`;
  }).join('');
  sel.value = keep;
  sel.dataset.chat = openId;
}

// renderTimeline draws messages and system entries; new client messages of
// a chat already on screen are announced to screen readers.
function renderTimeline() {
  if (!openChat) return;
  const ol = $('messages');
  const html = timeline.html(openChat, messages);
  if (shown.id === openChat.id && shown.html === html) return;
  const nearBottom = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 80 || shown.id !== openChat.id;
  const fresh = shown.id === openChat.id ? messages.filter((m) => m.from === 'client' && !shown.ids.has(m.id)) : [];
  ol.innerHTML = html;
  shown = { id: openChat.id, html, ids: new Set(messages.map((m) => m.id)) };
  if (nearBottom) ol.scrollTop = ol.scrollHeight;
  if (fresh.length) {
    const a = $('sr-announce');
    a.textContent = fresh.map((m) => t('sr.newMessage', { client: clientName(openChat), text: m.text })).join(' ');
  }
}

// ---------------------------------------------------------------- actions

async function act(btn, fn) {
  const view = $('chat-view');
  clearErrors(view);
  btn.disabled = true;
  try {
    await fn();
  } catch (e) {
    showError(view, e, { text: '#reply', comment: '#close-comment', subject_alias: '#transfer-topic', operator_id: '#assign-operator', reason: '#offer-decline-reason' });
  } finally {
    btn.disabled = false;
  }
}

async function send() {
  const id = openId;
  const text = $('reply').value;
  if (!id || !text.trim() || $('send').hidden || $('send').disabled) return;
  const path = mode === 'note' ? 'notes' : 'messages';
  await act($('send'), async () => {
    const m = await api('POST', `/chats/${enc(id)}/${path}`, { text });
    if (id !== openId) return;
    $('reply').value = '';
    drafts[id] = '';
    if (m && !messages.some((x) => x.id === m.id)) { messages = messages.concat([m]); inbox.remember(id, messages); renderTimeline(); }
    await loadView(false);
    schedule('counts', 'list', 'inbox');
  });
}

function chatAction(btn, path, body, after) {
  const id = openId;
  if (!id) return;
  return act(btn, async () => {
    const c = await api('POST', `/chats/${enc(id)}/${path}`, body);
    if (after) after(c);
    if (id === openId) await loadView(true);
    schedule('counts', 'list', 'inbox');
  });
}

// ---------------------------------------------------------------- keyboard

function typing(el) {
  return el && el.matches && el.matches('input, textarea, select, [contenteditable], [contenteditable] *');
}

function onKey(e) {
  if (state.view !== 'chats' || !state.me || $('app').hidden) return;
  const el = e.target;
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    if (el === $('reply') || !typing(el)) { e.preventDefault(); send(); }
    return;
  }
  if (typing(el) || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
  if (el && el.closest && el.closest('dialog, #topmenu, #notice-history')) return;
  switch (e.key) {
    case 'j': e.preventDefault(); move(1); break;
    case 'k': e.preventDefault(); move(-1); break;
    case 'Enter':
      if (el && el.closest && el.closest('button, a, summary')) return; // the control's own click
      if (cursorId) { e.preventDefault(); open(cursorId, { push: true }); }
      break;
    case 'r':
      if (!$('reply').hidden && !$('chat-view').querySelector('.chat-body').hidden) { e.preventDefault(); $('reply').focus(); }
      break;
  }
}

// ---------------------------------------------------------------- events

export function handleEvent(ev) {
  const name = ev.event_name;
  if (name === 'config_changed') {
    const ent = ev.config && ev.config.entity;
    if (ent === 'settings') return; // app.js reloads settings, then renderFolders
    if (ent === 'skill_group' || ent === 'operator' || ent === 'topic') schedule('counts', 'list');
    return;
  }
  if (name === 'operator_status_changed' || name === 'limit') return;
  if (folder !== 'mine') schedule('list');
  schedule('counts');
  if (name.startsWith('chat_closed')) schedule('closedCount');
  if (ev.chat_id && ev.chat_id === openId) {
    if (offerEnded(ev)) return;
    if (name === 'message_created') {
      // the stream carries the message: show it at once
      const m = ev.message;
      if (m && !messages.some((x) => x.id === m.id)) messages = messages.concat([m]);
      renderTimeline();
      schedule('view');
    } else {
      renderTimeline();
      schedule('view');
    }
  }
}

export function onShow() {
  schedule('counts', 'list', 'closedCount', 'inbox');
  if (openId) schedule('view');
}

// ---------------------------------------------------------------- init

export function init() {
  let saved = '';
  try { saved = sessionStorage.getItem('sb.folder') || ''; } catch { /* private mode */ }
  folder = FOLDERS.includes(saved) && (saved !== 'active' || isStaff()) ? saved : 'mine';
  $('list-title').textContent = t('folder.' + folder);
  $('list-loading').hidden = false;
  renderFolders();
  job('counts', refreshCounts, 500);
  job('closedCount', refreshClosedCount, 2000);
  job('list', () => loadList(false), 500);
  job('view', () => loadView(true), 400);

  $('folders').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-folder]');
    if (li) selectFolder(li.dataset.folder);
  });
  $('chat-list').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-chat-id]');
    if (li) open(li.dataset.chatId, { push: true });
  });
  $('more').addEventListener('click', async () => {
    const b = $('more');
    b.disabled = true;
    try { await loadList(true); } catch (e) { notice(errorText(e), 'error'); } finally { b.disabled = false; }
  });
  $('back').addEventListener('click', goBack);
  $('send').addEventListener('click', send);
  $('accept').addEventListener('click', () => chatAction($('accept'), 'accept', {}, () => notice(t('n.youAccepted', { client: clientName(openChat) }))));
  $('take').addEventListener('click', () => {
    inbox.tookSelf(openId);
    chatAction($('take'), 'take', {}, (c) => notice(t('n.youTook', { client: clientName(c) })));
  });
  $('close').addEventListener('click', () => chatAction($('close'), 'close', { comment: $('close-comment').value },
    () => { $('close-comment').value = ''; schedule('closedCount'); }));
  $('return-to-bot').addEventListener('click', () => chatAction($('return-to-bot'), 'return-to-bot', { comment: $('close-comment').value },
    (c) => { $('close-comment').value = ''; notice(t('n.returnedToBot', { client: clientName(c) })); schedule('closedCount'); }));
  $('transfer').addEventListener('click', () => chatAction($('transfer'), 'transfer', { subject_alias: $('transfer-topic').value },
    (c) => notice(t('n.transferred', { client: clientName(c), topic: topicName(c.subject_alias) || t('chat.noTopic') }))));
  $('assign').addEventListener('click', () => {
    const opId = $('assign-operator').value;
    if (!opId) { showError($('chat-view'), { message: t('chat.assignPickFirst'), field: 'operator_id' }, { operator_id: '#assign-operator' }); return; }
    chatAction($('assign'), 'assign', { operator_id: opId, force: $('assign-force').checked },
      (c) => notice(t('n.assigned', { client: clientName(c), op: operatorName(c.operator_id) })));
  });
  $('take-over').addEventListener('click', () => {
    inbox.tookSelf(openId);
    chatAction($('take-over'), 'assign', { operator_id: me(), force: true }, (c) => notice(t('n.youTookOver', { client: clientName(c) })));
  });
  $('mode-reply').addEventListener('click', () => setMode('reply'));
  $('mode-note').addEventListener('click', () => setMode('note'));
  $('offer-open').addEventListener('click', openOfferDialog);
  $('offer-form').addEventListener('submit', submitOffer);
  $('offer-form').querySelector('.cancel').addEventListener('click', closeOfferDialog);
  $('offer-form').elements.filter.addEventListener('input', renderOfferOps);
  $('offer-withdraw').addEventListener('click', () => chatAction($('offer-withdraw'), 'offer/withdraw', {},
    (c) => notice(t('n.youWithdrew', { client: clientName(c) }))));
  $('offer-accept').addEventListener('click', () => {
    inbox.tookSelf(openId);
    chatAction($('offer-accept'), 'offer/accept', {}, (c) => notice(t('n.youAcceptedOffer', { client: clientName(c) })));
  });
  $('offer-decline').addEventListener('click', declineOffer);
  $('reply').addEventListener('input', () => { if (openId) drafts[openId] = $('reply').value; });
  document.addEventListener('keydown', onKey);

  on('settings', () => { renderFolders(); schedule('counts'); if (openChat) renderChat(openChat); });
  on('groups', () => { if (openChat) renderChat(openChat); if (list.items.length) renderList(null); });
  on('operators', () => {
    if (openChat && isStaff()) { fillOperators(); $('chat-view').querySelector('.operator').textContent = openChat.operator_id ? operatorName(openChat.operator_id) : '—'; }
    if ($('offer-dialog').open) renderOfferOps();
  });
  on('topics', () => { if (openChat) renderChat(openChat); if (list.items.length) renderList(null); });
  on('inbox', () => {
    paintCounts();
    if (folder === 'mine' && list.loaded) { list.items = inbox.sorted(); renderList(null); }
  });
  on('preview', (id) => updateRow(id));
}
