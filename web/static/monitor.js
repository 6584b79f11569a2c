// The supervisor monitor (#view-monitor): operators with status and load
// (a supervisor sets an operator's status, or redistributes after a
// dialog; each operator's chats unfold under its row, to open, join or take
// over), the queue with waiting times, the distribution audit and
// diagnostics. On a phone the tables are cards.

import { t } from './i18n.js';
import {
  state, api, items, enc, esc, ts, fmtDur, fmtTime, fmtFull, fmtNs, safeColor, topicName, operatorName,
  statusOf, limitOf, channelLimitsOf, busy, job, schedule, runNow, notice, on, errorText, clearErrors, showError,
  labelCells, clientName, keepFocus, loadOf, loadOn, me, sinceText,
} from './core.js';

const PAGE = 100;
const $ = (id) => document.getElementById(id);
let opsShown = PAGE;
let queue = { items: [], next: '', total: 0, fetchedAt: 0 };
let diagId = '';
let visible = false;
let redistributing = ''; // the operator the dialog is about
const unfolded = new Set(); // operators whose chats are shown
let activeChats = null; // everyone's active chats, while some operator is unfolded

const opsTable = () => $('view-monitor').querySelector('table[data-view-id=operators]');

// ---------------------------------------------------------------- operators

// loadCell is an operator's load against its limits (wrap-ups count), per
// channel, and the switch that unfolds its chats.
function loadCell(o) {
  const lim = channelLimitsOf(o);
  const act = o.active_by_channel || {};
  const wrap = o.wrap_up || [];
  const chans = [...new Set([...Object.keys(lim), ...Object.keys(act), ...wrap.map((w) => w.channel)])].sort();
  const per = chans.map((ch) => {
    const a = loadOn(o, ch);
    const full = ch in lim && a >= lim[ch];
    return `<span class="chan${full ? ' full' : ''}">${esc(ch)} ${esc(a)}${ch in lim ? '/' + esc(lim[ch]) : ''}</span>`;
  }).join(' ');
  const w = wrap.length ? ` <span class="chan wrap" title="${esc(t('mon.wrapHint'))}">${esc(t('mon.wrapN', { n: wrap.length }))}</span>` : '';
  const n = o.active_chats || 0;
  const open = unfolded.has(o.id);
  const toggle = n ? ` <button type="button" class="show-chats link" aria-expanded="${open}" aria-controls="op-chats-${esc(o.id)}">` +
    `${esc(t(open ? 'mon.hideChats' : 'mon.showChats', { n }))}</button>` : '';
  return `<span class="total">${esc(loadOf(o))}/${esc(limitOf(o))}</span>${per ? ' ' + per : ''}${w}${toggle}`;
}

// chatsRow lists an operator's active chats under its row, each with Open,
// Join (the chat with the reply box focused) and Take over.
function chatsRow(o) {
  const list = (activeChats || []).filter((c) => c.operator_id === o.id);
  const now = Date.now();
  const li = (c) => {
    const at = ts(c.awaiting_reply_since) || ts(c.last_message_at) || ts(c.assigned_at);
    const fmt = ts(c.awaiting_reply_since) ? 'waiting' : ts(c.last_message_at) ? 'last' : 'assigned';
    const badges = [];
    if (!ts(c.accepted_at)) badges.push(`<span class="badge info">${esc(t('list.notAccepted'))}</span>`);
    if (c.overdue) badges.push(`<span class="badge warn">${esc(t('list.overdue'))}</span>`);
    if (c.transfer_offer) badges.push(`<span class="badge info">${esc(t('mon.offeredTo', { op: operatorName(c.transfer_offer.to_operator_id) }))}</span>`);
    const name = clientName(c);
    const take = o.id === me() ? '' : `<button type="button" class="take-over" aria-label="${esc(t('mon.takeOverOf', { client: name }))}">${esc(t('chat.takeOver'))}</button>`;
    return `<li data-chat-id="${esc(c.id)}"><span class="oc-who"><span class="oc-client">${esc(name)}</span> ` +
      `<span class="muted">#${esc(c.id)} · ${esc(c.channel)}${c.subject_alias ? ' · ' + esc(topicName(c.subject_alias)) : ''}</span></span> ` +
      (at ? `<span class="oc-time muted" data-fmt="${fmt}" data-since="${at}">${esc(sinceText(fmt, now - at))}</span> ` : '') +
      badges.join(' ') +
      `<span class="oc-actions"><button type="button" class="open-chat" aria-label="${esc(t('mon.openOf', { client: name }))}">${esc(t('mon.open'))}</button>` +
      `<button type="button" class="join-chat" aria-label="${esc(t('mon.joinOf', { client: name }))}">${esc(t('mon.join'))}</button>${take}</span></li>`;
  };
  const body = activeChats === null ? `<p class="muted">${esc(t('app.loading'))}</p>`
    : list.length ? `<ul class="op-chat-list">${list.map(li).join('')}</ul>` : `<p class="muted">${esc(t('mon.noChats'))}</p>`;
  return `<tr class="op-chats" data-operator-id="${esc(o.id)}" id="op-chats-${esc(o.id)}"><td colspan="6" data-label="">${body}</td></tr>`;
}

async function loadActiveChats() {
  if (!visible || !unfolded.size) return;
  activeChats = items(await api('GET', '/chats?folder=active&limit=1000'));
  renderOperators();
}

function toggleChats(id) {
  if (unfolded.has(id)) unfolded.delete(id); else unfolded.add(id);
  renderOperators();
  if (unfolded.size) runNow('activeChats');
}

async function takeOver(btn, chatId) {
  btn.disabled = true;
  try {
    const c = await api('POST', `/chats/${enc(chatId)}/assign`, { operator_id: me(), force: true });
    notice(t('n.youTookOver', { client: clientName(c) }));
    schedule('activeChats', 'operators', 'inbox');
  } catch (e) {
    notice(errorText(e), 'error');
  } finally {
    btn.disabled = false;
  }
}

function activityCell(o) {
  const a = ts(o.last_assigned_at);
  const c = ts(o.last_closed_at);
  if (!a && !c) return '<span class="muted">—</span>';
  const [what, iso] = c > a ? ['mon.closedAt', o.last_closed_at] : ['mon.assignedAt', o.last_assigned_at];
  return `<span title="${esc(fmtFull(iso))}">${esc(t(what, { at: fmtTime(iso) }))}</span>`;
}

function statusSelect(o) {
  const opts = state.statuses.map((s) => `<option value="${esc(s.id)}"${s.id === o.status ? ' selected' : ''}>${esc(s.name)}</option>`).join('');
  return `<select class="set-status" aria-label="${esc(t('mon.setStatusOf', { op: o.name || o.id }))}">${opts}</select>`;
}

function opRow(o) {
  const s = statusOf(o.status);
  const b = busy(o);
  const redis = (o.active_chats || 0) > 0
    ? ` <button type="button" class="redistribute" title="${esc(t('mon.redistributeHint'))}">${esc(t('mon.redistribute'))}</button>` : '';
  return `<tr data-operator-id="${esc(o.id)}"${b ? ' class="is-busy"' : ''}>` +
    `<td class="name">${esc(o.name || o.id)} <span class="muted">${esc(o.id)}</span></td>` +
    `<td class="status"><span class="dot" style="background:${safeColor(s.color)}"></span>${esc(s.name)}` +
    `${o.connected ? '' : ` <span class="muted" title="${esc(t('mon.noPanelHint'))}">· ${esc(t('mon.noPanel'))}</span>`}</td>` +
    `<td class="busy">${b ? esc(t('mon.busyYes')) : ''}</td>` +
    `<td class="load">${loadCell(o)}</td>` +
    `<td class="activity">${activityCell(o)}</td>` +
    `<td class="actions">${statusSelect(o)}${redis}</td></tr>` +
    (unfolded.has(o.id) && (o.active_chats || 0) > 0 ? chatsRow(o) : '');
}

function renderOperators() {
  const ops = state.operators;
  const table = opsTable();
  const tb = table.querySelector('tbody');
  // not while the supervisor is choosing a status in a row
  if (!(document.activeElement && tb.contains(document.activeElement) && document.activeElement.matches('select'))) {
    keepFocus(tb, 'operator-id', () => { tb.innerHTML = ops.slice(0, opsShown).map(opRow).join(''); });
    labelCells(table);
  }
  $('operators-more').hidden = ops.length <= opsShown;
  const online = ops.filter((o) => statusOf(o.status).can_receive).length;
  const nbusy = ops.filter(busy).length;
  $('ops-summary').textContent = t('mon.summary', { n: ops.length, online, busy: nbusy });
  renderDiagSelect();
}

async function setStatus(sel) {
  const id = sel.closest('tr').dataset.operatorId;
  sel.disabled = true;
  try {
    const o = await api('PUT', `/operators/${enc(id)}/status`, { status: sel.value });
    notice(t('n.opStatus', { op: operatorName(id), status: statusOf(o.status).name }));
  } catch (e) {
    notice(errorText(e), 'error');
  } finally {
    sel.disabled = false;
    sel.blur();
    runNow('operators');
  }
}

// ---------------------------------------------------------------- redistribute, after a dialog

function askRedistribute(id) {
  redistributing = id;
  const dlg = $('redistribute-dialog');
  const form = $('redistribute-form');
  clearErrors(form);
  $('redistribute-title').textContent = t('redis.title', { op: operatorName(id) });
  const sel = form.elements.status;
  const def = state.statuses.find((s) => s.id === 'offline') || state.statuses.find((s) => !s.can_receive) || state.statuses[0];
  sel.innerHTML = state.statuses.map((s) => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join('');
  if (def) sel.value = def.id;
  form.elements.weight.value = '0';
  if (typeof dlg.showModal === 'function') dlg.showModal(); else dlg.setAttribute('open', '');
  sel.focus();
}

function closeDialog() {
  const dlg = $('redistribute-dialog');
  if (typeof dlg.close === 'function') dlg.close(); else dlg.removeAttribute('open');
  redistributing = '';
}

async function confirmRedistribute(e) {
  e.preventDefault();
  const id = redistributing;
  const form = $('redistribute-form');
  const btn = form.querySelector('button[type=submit]');
  const w = form.elements.weight.value.trim();
  clearErrors(form);
  if (w !== '' && !/^\d+$/.test(w)) { showError(form, { message: t('err.wholeNumber', { field: t('redis.weight') }), field: 'weight' }); return; }
  btn.disabled = true;
  try {
    const r = await api('POST', `/operators/${enc(id)}/redistribute`, { status: form.elements.status.value, weight: Number(w || 0) });
    const n = r && r.decisions ? r.decisions.length : 0;
    closeDialog();
    notice(t('n.redistributed', { op: operatorName(id), n }));
    runNow('operators');
    schedule('queue', 'audit');
  } catch (err) {
    showError(form, err);
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------- queue

function queueRow(e) {
  const c = e.chat || {};
  const since = queue.fetchedAt - Math.floor((e.waiting_ns || 0) / 1e6);
  const reasons = (e.reasons || []).map((r) =>
    `<span class="reason"><code>${esc(r.code)}</code> ${esc(r.message)}</span>`).join('');
  return `<tr data-chat-id="${esc(c.id)}">` +
    `<td class="position">${esc(e.position)}</td>` +
    `<td class="chat"><button type="button" class="link open-chat">${esc(clientName(c))}</button>` +
    ` <span class="muted">#${esc(c.id)} · ${esc(c.channel)}${c.subject_alias ? ' · ' + esc(topicName(c.subject_alias)) : ''}</span></td>` +
    `<td class="waiting" data-since="${since}" title="${esc(t('time.waitingSince', { at: fmtFull(since) }))}">${fmtDur(Date.now() - since)}</td>` +
    `<td class="weight">${esc(c.weight || 0)}</td>` +
    `<td class="reasons">${reasons}</td></tr>`;
}

async function loadQueue(append = false) {
  let url;
  if (append) {
    if (!queue.next) return;
    url = `/queue?limit=${PAGE}&cursor=${enc(queue.next)}`;
  } else {
    const n = Math.min(1000, Math.max(PAGE, Math.ceil(queue.items.length / PAGE) * PAGE));
    url = `/queue?limit=${n}`;
  }
  const p = await api('GET', url);
  const got = items(p);
  const table = $('queue');
  const tb = table.querySelector('tbody');
  queue.fetchedAt = Date.now();
  if (append) {
    queue.items = queue.items.concat(got);
    tb.insertAdjacentHTML('beforeend', got.map(queueRow).join(''));
  } else {
    queue.items = got;
    keepFocus(tb, 'chat-id', () => { tb.innerHTML = got.map(queueRow).join(''); });
  }
  labelCells(table);
  queue.next = p.next_cursor || '';
  queue.total = typeof p.total === 'number' ? p.total : queue.items.length;
  $('queue-more').hidden = !queue.next;
  $('queue-empty').hidden = queue.items.length > 0;
  $('queue-summary').textContent = t('mon.waitingN', { n: queue.total }) +
    (queue.items.length < queue.total ? ` · ${t('mon.showing', { n: queue.items.length })}` : '');
}

// ---------------------------------------------------------------- audit

const card = (name, v) => { $('audit').querySelector(`.card[data-card=${name}] .value`).textContent = v; };

function decisionRow(d) {
  const flags = (d.anomalies || []).map((a) => `<span class="badge warn">${esc(a)}</span>`).join(' ');
  const skipped = d.skipped || [];
  const skipText = skipped.map((s) => `${operatorName(s.operator_id)}: ${s.reason}`).join(', ');
  return `<tr data-seq="${esc(d.seq)}"${flags ? ' class="anomaly"' : ''}>` +
    `<td title="${esc(fmtFull(d.at))}">${esc(fmtTime(d.at))}</td>` +
    `<td><span class="kind kind-${esc(d.kind)}">${esc(d.kind)}</span><div class="muted small">${esc(d.trigger)}</div></td>` +
    `<td>${esc(d.chat_id)}</td>` +
    `<td>${esc(d.operator_id ? operatorName(d.operator_id) : '')}</td>` +
    `<td>${esc(d.method)}</td>` +
    `<td class="num">${esc(d.considered)}</td>` +
    `<td class="num">${skipped.length ? `${skipped.length}<div class="muted small skipped">${esc(skipText)}</div>` : ''}</td>` +
    `<td>${d.reason ? `<code>${esc(d.reason)}</code> ` : ''}${flags}</td>` +
    `<td class="num">${esc(fmtNs(d.duration_ns))}</td></tr>`;
}

async function loadAudit() {
  const a = await api('GET', '/distribution/audit');
  card('decisions', a.decisions);
  card('distributed', a.distributed);
  card('skipped', a.skipped);
  card('anomalies', a.anomalies);
  card('avg', fmtNs(a.avg_decision_time_ns));
  $('audit').querySelector('.card[data-card=anomalies]').classList.toggle('alert', a.anomalies > 0);
  // records come oldest first: show the latest 200, newest first
  const recs = (a.records || []).slice(-200).reverse();
  const table = $('decisions');
  table.querySelector('tbody').innerHTML = recs.map(decisionRow).join('') ||
    `<tr><td colspan="9" class="empty">${esc(t('audit.none'))}</td></tr>`;
  labelCells(table);
}

function renderDiagSelect() {
  const sel = $('diag-operator');
  if (document.activeElement === sel) return;
  sel.innerHTML = `<option value="">${esc(t('audit.diagPick'))}</option>` +
    state.operators.map((o) => `<option value="${esc(o.id)}">${esc(o.name || o.id)} (${esc(o.id)})</option>`).join('');
  sel.value = diagId;
}

async function loadDiag() {
  const id = diagId;
  const ul = $('diagnostics');
  if (!id) { ul.innerHTML = ''; $('diag-summary').textContent = t('audit.diagHint'); return; }
  const d = await api('GET', `/operators/${enc(id)}/diagnostics`);
  if (id !== diagId) return;
  const chans = Object.entries(d.channels || {}).map(([ch, l]) => `${ch} ${l.active}/${l.limit}`).join(', ');
  $('diag-summary').textContent = [
    `${operatorName(id)}: ${statusOf(d.status).name} (${d.can_receive ? t('status.receives') : t('status.receivesNot')})`,
    t('audit.diagChats', { a: d.active_chats, m: d.max_chats }) + (chans ? ` · ${chans}` : ''),
    t('audit.diagTopics', { topics: (d.topics || []).map(topicName).join(', ') || t('audit.none2') }),
    d.eligible ? t('audit.eligible') : t('audit.notEligible'),
  ].join(' · ');
  ul.innerHTML = (d.reasons || []).map((r) =>
    `<li data-code="${esc(r.code)}"><code>${esc(r.code)}</code> ${esc(r.message)}</li>`).join('');
}

// ---------------------------------------------------------------- events

export function handleEvent(ev) {
  if (!visible) return;
  const n = ev.event_name;
  if (unfolded.size && ev.chat_id) schedule('activeChats');
  if (n === 'message_created') return;
  schedule('queue', 'audit');
  if (diagId) schedule('diag');
}

export function onShow() {
  visible = true;
  renderOperators();
  schedule('operators', 'queue', 'audit');
  if (diagId) schedule('diag');
}
export function onHide() { visible = false; }

// ---------------------------------------------------------------- init

export function init() {
  job('queue', () => (visible ? loadQueue(false) : null), 500);
  job('audit', () => (visible ? loadAudit() : null), 3000);
  job('diag', () => (visible ? loadDiag() : null), 1500);
  job('activeChats', loadActiveChats, 800);
  on('operators', () => { if (visible) renderOperators(); });
  on('statuses', () => { if (visible) renderOperators(); });
  on('settings', () => { if (visible) { renderOperators(); schedule('queue'); } });
  on('topics', () => { if (visible) schedule('queue'); });

  $('operators-more').addEventListener('click', () => { opsShown += PAGE; renderOperators(); });
  $('queue-more').addEventListener('click', async () => {
    const b = $('queue-more');
    b.disabled = true;
    try { await loadQueue(true); } catch (e) { notice(errorText(e), 'error'); } finally { b.disabled = false; }
  });
  const ops = opsTable();
  ops.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    const chat = b.closest('li[data-chat-id]');
    const id = chat ? chat.dataset.chatId : '';
    if (b.matches('.redistribute')) askRedistribute(b.closest('tr').dataset.operatorId);
    else if (b.matches('.show-chats')) toggleChats(b.closest('tr').dataset.operatorId);
    else if (b.matches('.open-chat')) location.hash = `#/chats/${enc(id)}`;
    else if (b.matches('.join-chat')) { state.focusReply = id; location.hash = `#/chats/${enc(id)}`; }
    else if (b.matches('.take-over')) takeOver(b, id);
  });
  ops.addEventListener('change', (e) => {
    if (e.target.matches('select.set-status')) setStatus(e.target);
  });
  $('redistribute-form').addEventListener('submit', confirmRedistribute);
  $('redistribute-form').querySelector('.cancel').addEventListener('click', closeDialog);
  $('redistribute-dialog').addEventListener('close', () => { redistributing = ''; });
  $('queue').addEventListener('click', (e) => {
    const b = e.target.closest('button.open-chat');
    if (!b) return;
    location.hash = `#/chats/${enc(b.closest('tr').dataset.chatId)}`;
  });
  $('diag-operator').addEventListener('change', () => { diagId = $('diag-operator').value; runNow('diag'); });
}
