// The operator panel (#view-chats): folders with live counts, the chat list
// (pages of 100, previews, unread counts), the chat view (timeline, client
// context, actions, accept on open), the keyboard, list → chat on a phone.

import { t } from './i18n.js';
import {
  state, api, items, enc, esc, ts, me, fmtFull, sinceText, untilText, topicName, operatorName, clientName,
  statusOf, isStaff, serves, acceptDeadline, job, schedule, runNow, notice, clearErrors, showError, errorText,
  on, limitOf,
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
  const who = m.from === 'operator' ? (m.author_id === me() ? t('n.you') : operatorName(m.author_id)) + ': ' : '';
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
    $('assign-force').checked = false;
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
  renderChat(chat);
  renderTimeline();
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

  // Whoever holds a chat works it, whatever the role.
  const open = c.status !== 'closed';
  const mineActive = c.status === 'active' && c.operator_id === me();
  const staff = isStaff();
  const waiting = c.status === 'new' || c.status === 'queued';
  show(q('[data-part=reply]'), mineActive);
  show($('send'), mineActive);
  show($('reply'), mineActive);
  show($('accept'), mineActive && !ts(c.accepted_at));
  show($('take'), waiting && (!staff || serves(me(), c.subject_alias)));
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
  q('.chat-actions').hidden = !(mineActive || waiting || canClose || canAssign);
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
    showError(view, e, { text: '#reply', comment: '#close-comment', subject_alias: '#transfer-topic', operator_id: '#assign-operator' });
  } finally {
    btn.disabled = false;
  }
}

async function send() {
  const id = openId;
  const text = $('reply').value;
  if (!id || !text.trim() || $('send').hidden || $('send').disabled) return;
  await act($('send'), async () => {
    const m = await api('POST', `/chats/${enc(id)}/messages`, { text });
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
  $('reply').addEventListener('input', () => { if (openId) drafts[openId] = $('reply').value; });
  document.addEventListener('keydown', onKey);

  on('settings', () => { renderFolders(); schedule('counts'); if (openChat) renderChat(openChat); });
  on('groups', () => { if (openChat) renderChat(openChat); if (list.items.length) renderList(null); });
  on('operators', () => {
    if (openChat && isStaff()) { fillOperators(); $('chat-view').querySelector('.operator').textContent = openChat.operator_id ? operatorName(openChat.operator_id) : '—'; }
  });
  on('topics', () => { if (openChat) renderChat(openChat); if (list.items.length) renderList(null); });
  on('inbox', () => {
    paintCounts();
    if (folder === 'mine' && list.loaded) { list.items = inbox.sorted(); renderList(null); }
  });
  on('preview', (id) => updateRow(id));
}
