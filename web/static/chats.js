// The operator panel (#view-chats): folders with live counts, the chat list
// (pages of 100), the chat view and its actions, the keyboard.

import {
  state, api, items, enc, esc, ts, fmtDur, fmtTime, fmtFull, topicName, operatorName, statusOf,
  isStaff, isOperator, job, schedule, runNow, notice, clearErrors, showError, on, limitOf,
} from './core.js';

const PAGE = 100;
const FOLDERS = [
  ['in_queue', 'In Queue'],
  ['new', 'New'],
  ['mine', 'My chats'],
  ['overdue', 'Overdue'],
  ['closed', 'Closed'],
];

const $ = (id) => document.getElementById(id);
let folder = 'mine';
let list = { items: [], next: '', total: null };
let cursorId = ''; // the chat j/k points at
let openId = ''; // the chat in the view
let openChat = null;
let messages = [];
let drafts = {};
let viewSeq = 0; // discards answers for a chat no longer open
const counts = {};

// The folder a tab asks the API for: staff have no chats of their own, so
// their "mine" tab shows every active chat.
const apiFolder = (f) => (f === 'mine' && isStaff() ? 'active' : f);
const folderLabel = (f, l) => (f === 'mine' && isStaff() ? 'Active chats' : l);

function visibleFolders() {
  const on = !state.settings || state.settings.auto_connect;
  return FOLDERS.filter(([f]) => f !== 'in_queue' || on);
}

// ---------------------------------------------------------------- folders

export function renderFolders() {
  const vis = visibleFolders();
  if (!vis.some(([f]) => f === folder)) selectFolder(vis.some(([f]) => f === 'new') ? 'new' : vis[0][0]);
  const ul = $('folders');
  ul.innerHTML = vis.map(([f, l]) => `<li data-folder="${f}"${f === folder ? ' class="active"' : ''}>` +
    `<button type="button"${f === folder ? ' aria-current="true"' : ''}><span class="label">${esc(folderLabel(f, l))}</span>` +
    `<span class="count">${esc(countText(f))}</span></button></li>`).join('');
}

function countText(f) {
  const c = counts[f];
  if (c === undefined || c === null) return '';
  return String(c);
}

function paintCounts() {
  for (const li of $('folders').children) {
    const span = li.querySelector('.count');
    if (span) span.textContent = countText(li.dataset.folder);
  }
}

async function refreshCounts() {
  const fs = visibleFolders().map(([f]) => f).filter((f) => f !== 'closed');
  await Promise.all(fs.map(async (f) => {
    const p = await api('GET', `/chats?folder=${apiFolder(f)}&limit=1`);
    counts[f] = typeof p.total === 'number' ? p.total : items(p).length;
  }));
  paintCounts();
}

// The closed folder has no total in the API: count the first page.
async function refreshClosedCount() {
  const p = await api('GET', '/chats?folder=closed&limit=100');
  counts.closed = items(p).length + (p.next_cursor ? '+' : '');
  paintCounts();
}

function selectFolder(f) {
  if (f === folder) return;
  folder = f;
  list = { items: [], next: '', total: null };
  cursorId = '';
  for (const li of $('folders').children) {
    const on = li.dataset.folder === f;
    li.classList.toggle('active', on);
    const b = li.querySelector('button');
    if (b) { if (on) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current'); }
  }
  const def = FOLDERS.find(([x]) => x === f);
  $('list-title').textContent = def ? folderLabel(f, def[1]) : f;
  $('chat-list').innerHTML = '';
  $('more').hidden = true;
  $('list-empty').hidden = true;
  runNow('list');
}

// ---------------------------------------------------------------- list

async function loadList(append = false) {
  const f = folder;
  const q = apiFolder(f);
  let url;
  if (append) {
    if (!list.next) return;
    url = `/chats?folder=${q}&limit=${PAGE}&cursor=${enc(list.next)}`;
  } else {
    // a refresh reloads as many rows as are shown, in one request
    const n = f === 'closed' ? PAGE : Math.min(1000, Math.max(PAGE, Math.ceil(list.items.length / PAGE) * PAGE));
    url = `/chats?folder=${q}&limit=${n}`;
  }
  const p = await api('GET', url);
  if (f !== folder) return;
  const got = items(p);
  list.items = append ? list.items.concat(got) : got;
  list.next = p.next_cursor || '';
  if (typeof p.total === 'number') { list.total = p.total; counts[f] = p.total; paintCounts(); }
  renderList(append ? got : null);
}

function waitSince(c) {
  if (c.status === 'new' || c.status === 'queued') return ts(c.wait_started_at) || ts(c.created_at);
  if (c.status === 'active') return ts(c.awaiting_reply_since) || 0;
  return 0;
}

function rowHtml(c) {
  const cls = [];
  if (c.id === openId) cls.push('open');
  if (c.id === cursorId) cls.push('cursor');
  if (c.overdue) cls.push('overdue');
  const since = waitSince(c);
  const when = since
    ? `<span class="ci-wait" data-since="${since}" title="waiting">${fmtDur(Date.now() - since)}</span>`
    : `<span class="ci-when">${esc(fmtTime(c.closed_at || c.assigned_at || c.created_at))}</span>`;
  const badges = [];
  if (c.overdue) badges.push('<span class="badge warn">overdue</span>');
  if (c.status === 'active' && !ts(c.accepted_at)) badges.push('<span class="badge info">not accepted</span>');
  if (c.queue_position) badges.push(`<span class="badge">#${esc(c.queue_position)}</span>`);
  if (c.weight) badges.push(`<span class="badge">w ${esc(c.weight)}</span>`);
  if (isStaff() && c.operator_id) badges.push(`<span class="badge">${esc(operatorName(c.operator_id))}</span>`);
  const name = (c.client && (c.client.name || c.client.id)) || '';
  return `<li data-chat-id="${esc(c.id)}"${cls.length ? ` class="${cls.join(' ')}"` : ''}>` +
    `<button type="button" class="chat-item" tabindex="${c.id === cursorId ? 0 : -1}">` +
    `<span class="ci-top"><span class="ci-name">${esc(name)}</span>${when}</span>` +
    `<span class="ci-meta"><span class="ci-id">#${esc(c.id)}</span> <span class="ci-channel">${esc(c.channel)}</span>` +
    `${c.subject_alias ? ` · <span class="ci-topic">${esc(topicName(c.subject_alias))}</span>` : ''}</span>` +
    (badges.length ? `<span class="ci-badges">${badges.join('')}</span>` : '') +
    `</button></li>`;
}

function renderList(appended) {
  const ul = $('chat-list');
  const focusedId = document.activeElement && document.activeElement.closest
    ? (document.activeElement.closest('#chat-list li') || {}).dataset?.chatId : undefined;
  if (appended) {
    ul.insertAdjacentHTML('beforeend', appended.map(rowHtml).join(''));
  } else {
    ul.innerHTML = list.items.map(rowHtml).join('');
  }
  if (!list.items.some((c) => c.id === cursorId)) cursorId = '';
  if (!cursorId && list.items.length) {
    const first = ul.querySelector('li button');
    if (first) first.tabIndex = 0;
  }
  $('list-empty').hidden = list.items.length > 0;
  $('more').hidden = !list.next;
  if (focusedId) {
    const b = ul.querySelector(`li[data-chat-id="${CSS.escape(focusedId)}"] button`);
    if (b) b.focus({ preventScroll: true });
  }
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

// ---------------------------------------------------------------- chat view

export function open(id) {
  if (!id) return;
  if (openId && openId !== id) drafts[openId] = $('reply').value;
  const changed = openId !== id;
  openId = id;
  cursorId = id;
  const view = $('chat-view');
  view.dataset.chatId = id;
  for (const li of $('chat-list').querySelectorAll('li.open')) li.classList.remove('open');
  const li = $('chat-list').querySelector(`li[data-chat-id="${CSS.escape(id)}"]`);
  if (li) li.classList.add('open');
  paintCursor(false);
  if (changed) {
    openChat = null;
    messages = [];
    $('messages').innerHTML = '';
    $('reply').value = drafts[id] || '';
    $('close-comment').value = '';
    $('assign-force').checked = false;
    clearErrors(view);
  }
  return loadView(true);
}

function closeView(msg) {
  openId = '';
  openChat = null;
  const view = $('chat-view');
  delete view.dataset.chatId;
  view.removeAttribute('data-chat-id');
  view.querySelector('.chat-body').hidden = true;
  const empty = view.querySelector('.chat-empty');
  empty.hidden = false;
  empty.textContent = msg || 'Select a chat.';
  for (const li of $('chat-list').querySelectorAll('li.open')) li.classList.remove('open');
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
    if (e.status === 404 || e.status === 403) closeView(`Chat ${id} is no longer available to you.`);
    else showError($('chat-view'), e);
    return;
  }
  if (seq !== viewSeq || id !== openId) return;
  openChat = chat;
  renderChat(chat);
  if (msgs) renderMessages(items(msgs));
}

function show(el, on) { el.hidden = !on; }

function renderChat(c) {
  const view = $('chat-view');
  view.querySelector('.chat-empty').hidden = true;
  view.querySelector('.chat-body').hidden = false;
  const q = (s) => view.querySelector(s);
  const cl = c.client || {};
  q('.client').textContent = cl.name ? `${cl.name}` : cl.id || '';
  q('.client').title = `client ${cl.id || ''}`;
  const st = q('.chat-status');
  st.textContent = c.status + (c.overdue ? ' · overdue' : '') + (c.queue_position ? ` · #${c.queue_position}` : '');
  st.className = `chat-status badge st-${c.status}${c.overdue ? ' warn' : ''}`;
  q('.channel').textContent = c.channel || '';
  q('.topic').textContent = c.subject_alias ? `${topicName(c.subject_alias)} (${c.subject_alias})` : '—';
  q('.tags').textContent = c.tags && c.tags.length ? c.tags.join(', ') : '—';
  q('.operator').textContent = c.operator_id ? operatorName(c.operator_id) : '—';
  q('.created').textContent = fmtFull(c.created_at);
  q('.text').textContent = c.text || '—';

  const me = state.me.operator_id;
  const open = c.status !== 'closed';
  const mineActive = c.status === 'active' && c.operator_id === me;
  const op = isOperator();
  const staff = isStaff();
  show(q('[data-part=reply]'), op && mineActive);
  show($('send'), op && mineActive);
  show($('reply'), op && mineActive);
  show($('accept'), op && mineActive && !ts(c.accepted_at));
  show($('take'), op && (c.status === 'new' || c.status === 'queued'));
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
}

function fillTopics(cur) {
  const sel = $('transfer-topic');
  if (document.activeElement === sel) return;
  const keep = sel.dataset.chat === openId ? sel.value : cur;
  sel.innerHTML = `<option value="">(no topic)</option>` +
    state.topics.map((t) => `<option value="${esc(t.alias)}">${esc(t.name || t.alias)}</option>`).join('');
  sel.value = keep;
  sel.dataset.chat = openId;
}

function fillOperators() {
  const sel = $('assign-operator');
  if (document.activeElement === sel) return;
  const keep = sel.dataset.chat === openId ? sel.value : '';
  sel.innerHTML = `<option value="">Assign to…</option>` + state.operators.map((o) => {
    const s = statusOf(o.status);
    return `<option value="${esc(o.id)}">${esc(o.name || o.id)} — ${esc(s.name)}, ${esc(o.active_chats || 0)}/${esc(limitOf(o))}</option>`;
  }).join('');
  sel.value = keep;
  sel.dataset.chat = openId;
}

function renderMessages(msgs) {
  const ol = $('messages');
  const same = msgs.length === messages.length && (!msgs.length || msgs[msgs.length - 1].id === messages[messages.length - 1].id);
  if (same && ol.children.length === msgs.length) return;
  const nearBottom = ol.scrollHeight - ol.scrollTop - ol.clientHeight < 60 || !messages.length;
  messages = msgs;
  const client = openChat && openChat.client ? (openChat.client.name || openChat.client.id) : 'Client';
  ol.innerHTML = msgs.map((m) => {
    const from = m.from === 'operator' ? 'operator' : 'client';
    const who = from === 'client' ? client : (m.author_id === state.me.operator_id ? 'You' : operatorName(m.author_id) || 'Operator');
    return `<li class="message" data-from="${from}" data-id="${esc(m.id)}"><div class="m-text">${esc(m.text)}</div>` +
      `<div class="m-meta">${esc(who)} · <time datetime="${esc(m.created_at)}">${esc(fmtTime(m.created_at))}</time></div></li>`;
  }).join('');
  if (nearBottom) ol.scrollTop = ol.scrollHeight;
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
    if (m && !messages.some((x) => x.id === m.id)) renderMessages(messages.concat([m]));
    await loadView(false);
    schedule('counts', 'list');
  });
}

function chatAction(btn, path, body, after) {
  const id = openId;
  if (!id) return;
  return act(btn, async () => {
    const c = await api('POST', `/chats/${enc(id)}/${path}`, body);
    if (after) after(c);
    if (id === openId) await loadView(true);
    schedule('counts', 'list');
  });
}

// ---------------------------------------------------------------- keyboard

function typing(t) {
  return t && t.matches && t.matches('input, textarea, select, [contenteditable], [contenteditable] *');
}

function onKey(e) {
  if (state.view !== 'chats' || !state.me || $('app').hidden) return;
  const t = e.target;
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    if (t === $('reply') || !typing(t)) { e.preventDefault(); send(); }
    return;
  }
  if (typing(t) || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
  switch (e.key) {
    case 'j': e.preventDefault(); move(1); break;
    case 'k': e.preventDefault(); move(-1); break;
    case 'Enter':
      if (t && t.closest && t.closest('button, a')) return; // the button's own click
      if (cursorId) { e.preventDefault(); open(cursorId); }
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
  schedule('counts', 'list');
  if (name.startsWith('chat_closed')) schedule('closedCount');
  if (ev.chat_id && ev.chat_id === openId) schedule(name === 'message_created' ? 'messages' : 'view');
}

export function onShow() {
  schedule('counts', 'list', 'closedCount');
  if (openId) schedule('view');
}

// ---------------------------------------------------------------- init

export function init() {
  folder = 'mine';
  const def = FOLDERS.find(([x]) => x === folder);
  $('list-title').textContent = folderLabel(folder, def[1]);
  renderFolders();
  job('counts', refreshCounts, 500);
  job('closedCount', refreshClosedCount, 2000);
  job('list', () => loadList(false), 500);
  job('view', () => loadView(true), 400);
  job('messages', () => loadView(true), 300);

  $('folders').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-folder]');
    if (li) selectFolder(li.dataset.folder);
  });
  $('chat-list').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-chat-id]');
    if (li) open(li.dataset.chatId);
  });
  $('more').addEventListener('click', async () => {
    const b = $('more');
    b.disabled = true;
    try { await loadList(true); } catch (e) { notice(e.message, 'error'); } finally { b.disabled = false; }
  });
  $('send').addEventListener('click', send);
  $('accept').addEventListener('click', () => chatAction($('accept'), 'accept', {}, () => notice(`Chat ${openId} accepted`)));
  $('take').addEventListener('click', () => chatAction($('take'), 'take', {}, (c) => notice(`You took chat ${c.id}`)));
  $('close').addEventListener('click', () => chatAction($('close'), 'close', { comment: $('close-comment').value },
    () => { $('close-comment').value = ''; schedule('closedCount'); }));
  $('return-to-bot').addEventListener('click', () => chatAction($('return-to-bot'), 'return-to-bot', { comment: $('close-comment').value },
    (c) => { $('close-comment').value = ''; notice(`Chat ${c.id} returned to the bot`); schedule('closedCount'); }));
  $('transfer').addEventListener('click', () => chatAction($('transfer'), 'transfer', { subject_alias: $('transfer-topic').value },
    (c) => notice(`Chat ${c.id} transferred to ${topicName(c.subject_alias) || 'no topic'}`)));
  $('assign').addEventListener('click', () => {
    const opId = $('assign-operator').value;
    if (!opId) { showError($('chat-view'), { message: 'Choose an operator', field: 'operator_id' }, { operator_id: '#assign-operator' }); return; }
    chatAction($('assign'), 'assign', { operator_id: opId, force: $('assign-force').checked },
      (c) => notice(`Chat ${c.id} assigned to ${operatorName(c.operator_id)}`));
  });
  $('reply').addEventListener('input', () => { if (openId) drafts[openId] = $('reply').value; });
  document.addEventListener('keydown', onKey);

  on('settings', () => { renderFolders(); schedule('counts'); });
  on('operators', () => { if (openChat && isStaff()) { fillOperators(); $('chat-view').querySelector('.operator').textContent = openChat.operator_id ? operatorName(openChat.operator_id) : '—'; } });
  on('topics', () => { if (openChat) renderChat(openChat); if (list.items.length) renderList(null); });
}

// openFromElsewhere lets the monitor open a chat in this view.
export function openChatById(id) {
  open(id);
}
