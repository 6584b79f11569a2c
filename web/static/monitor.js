// The supervisor monitor (#view-monitor): operators with status and load,
// the queue with waiting times, the distribution audit and diagnostics.

import {
  state, api, items, enc, esc, ts, fmtDur, fmtTime, fmtFull, fmtNs, safeColor, topicName, operatorName,
  statusOf, limitOf, channelLimitsOf, busy, job, schedule, runNow, notice, on,
} from './core.js';

const PAGE = 100;
const $ = (id) => document.getElementById(id);
let opsShown = PAGE;
let queue = { items: [], next: '', total: 0, fetchedAt: 0 };
let diagId = '';
let visible = false;

// ---------------------------------------------------------------- operators

function loadCell(o) {
  const lim = channelLimitsOf(o);
  const act = o.active_by_channel || {};
  const chans = [...new Set([...Object.keys(lim), ...Object.keys(act)])].sort();
  const per = chans.map((ch) => {
    const a = act[ch] || 0;
    const full = ch in lim && a >= lim[ch];
    return `<span class="chan${full ? ' full' : ''}">${esc(ch)} ${esc(a)}${ch in lim ? '/' + esc(lim[ch]) : ''}</span>`;
  }).join(' ');
  return `<span class="total">${esc(o.active_chats || 0)}/${esc(limitOf(o))}</span>${per ? ' ' + per : ''}`;
}

function activityCell(o) {
  const a = ts(o.last_assigned_at);
  const c = ts(o.last_closed_at);
  if (!a && !c) return '<span class="muted">—</span>';
  const [what, iso] = c > a ? ['closed', o.last_closed_at] : ['assigned', o.last_assigned_at];
  return `<span title="${esc(fmtFull(iso))}">${what} ${esc(fmtTime(iso))}</span>`;
}

function opRow(o) {
  const s = statusOf(o.status);
  const b = busy(o);
  return `<tr data-operator-id="${esc(o.id)}"${b ? ' class="is-busy"' : ''}>` +
    `<td class="name">${esc(o.name || o.id)} <span class="muted">${esc(o.id)}</span></td>` +
    `<td class="status"><span class="dot" style="background:${safeColor(s.color)}"></span>${esc(s.name)}` +
    `${o.connected ? '' : ' <span class="muted" title="no panel open">· no panel</span>'}</td>` +
    `<td class="busy">${b ? 'Busy' : ''}</td>` +
    `<td class="load">${loadCell(o)}</td>` +
    `<td class="activity">${activityCell(o)}</td>` +
    `<td class="actions"><button type="button" class="redistribute" title="Set offline and return the chats to routing">Redistribute</button></td></tr>`;
}

function renderOperators() {
  const ops = state.operators;
  const tb = $('view-monitor').querySelector('table[data-view-id=operators] tbody');
  tb.innerHTML = ops.slice(0, opsShown).map(opRow).join('');
  $('operators-more').hidden = ops.length <= opsShown;
  const online = ops.filter((o) => statusOf(o.status).can_receive).length;
  const nbusy = ops.filter(busy).length;
  $('ops-summary').textContent = `${ops.length} · ${online} can receive · ${nbusy} busy`;
  renderDiagSelect();
}

// ---------------------------------------------------------------- queue

function queueRow(e) {
  const c = e.chat || {};
  const since = queue.fetchedAt - Math.floor((e.waiting_ns || 0) / 1e6);
  const reasons = (e.reasons || []).map((r) =>
    `<span class="reason"><code>${esc(r.code)}</code> ${esc(r.message)}</span>`).join('');
  const cl = c.client || {};
  return `<tr data-chat-id="${esc(c.id)}">` +
    `<td class="position">${esc(e.position)}</td>` +
    `<td class="chat"><button type="button" class="link open-chat">#${esc(c.id)} ${esc(cl.name || cl.id || '')}</button>` +
    ` <span class="muted">${esc(c.channel)}${c.subject_alias ? ' · ' + esc(topicName(c.subject_alias)) : ''}</span></td>` +
    `<td class="waiting" data-since="${since}">${fmtDur(Date.now() - since)}</td>` +
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
  const tb = $('queue').querySelector('tbody');
  queue.fetchedAt = Date.now();
  if (append) {
    queue.items = queue.items.concat(got);
    tb.insertAdjacentHTML('beforeend', got.map(queueRow).join(''));
  } else {
    queue.items = got;
    tb.innerHTML = got.map(queueRow).join('');
  }
  queue.next = p.next_cursor || '';
  queue.total = typeof p.total === 'number' ? p.total : queue.items.length;
  $('queue-more').hidden = !queue.next;
  $('queue-empty').hidden = queue.items.length > 0;
  $('queue-summary').textContent = `${queue.total} waiting` + (queue.items.length < queue.total ? ` · showing ${queue.items.length}` : '');
}

// ---------------------------------------------------------------- audit

const card = (name, v) => { $('audit').querySelector(`.card[data-card=${name}] .value`).textContent = v; };

function decisionRow(d) {
  const flags = (d.anomalies || []).map((a) => `<span class="badge warn">${esc(a)}</span>`).join(' ');
  const skipped = d.skipped || [];
  const skipTitle = skipped.map((s) => `${s.operator_id}: ${s.reason}`).join('\n');
  return `<tr data-seq="${esc(d.seq)}"${flags ? ' class="anomaly"' : ''}>` +
    `<td title="${esc(fmtFull(d.at))}">${esc(fmtTime(d.at))}</td>` +
    `<td><span class="kind kind-${esc(d.kind)}">${esc(d.kind)}</span><div class="muted small">${esc(d.trigger)}</div></td>` +
    `<td>${esc(d.chat_id)}</td>` +
    `<td>${esc(d.operator_id ? operatorName(d.operator_id) : '')}</td>` +
    `<td>${esc(d.method)}</td>` +
    `<td class="num">${esc(d.considered)}</td>` +
    `<td class="num" title="${esc(skipTitle)}">${skipped.length || ''}</td>` +
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
  $('decisions').querySelector('tbody').innerHTML = recs.map(decisionRow).join('') ||
    '<tr><td colspan="9" class="empty">No decisions in the last 24 hours.</td></tr>';
}

function renderDiagSelect() {
  const sel = $('diag-operator');
  if (document.activeElement === sel) return;
  sel.innerHTML = '<option value="">Choose an operator…</option>' +
    state.operators.map((o) => `<option value="${esc(o.id)}">${esc(o.name || o.id)} (${esc(o.id)})</option>`).join('');
  sel.value = diagId;
}

async function loadDiag() {
  const id = diagId;
  const ul = $('diagnostics');
  if (!id) { ul.innerHTML = ''; $('diag-summary').textContent = 'Why does an operator get no chats? Choose one.'; return; }
  const d = await api('GET', `/operators/${enc(id)}/diagnostics`);
  if (id !== diagId) return;
  const chans = Object.entries(d.channels || {}).map(([ch, l]) => `${ch} ${l.active}/${l.limit}`).join(', ');
  $('diag-summary').textContent = `${operatorName(id)}: ${statusOf(d.status).name}` +
    `${d.can_receive ? ' (can receive)' : ' (cannot receive)'} · ${d.active_chats}/${d.max_chats} chats` +
    (chans ? ` · ${chans}` : '') + ` · topics: ${(d.topics || []).map(topicName).join(', ') || 'none'}` +
    ` · ${d.eligible ? 'eligible' : 'not eligible'}`;
  ul.innerHTML = (d.reasons || []).map((r) =>
    `<li data-code="${esc(r.code)}"><code>${esc(r.code)}</code> ${esc(r.message)}</li>`).join('');
}

// ---------------------------------------------------------------- events

export function handleEvent(ev) {
  if (!visible) return;
  const n = ev.event_name;
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
  on('operators', () => { if (visible) renderOperators(); });
  on('settings', () => { if (visible) { renderOperators(); schedule('queue'); } });
  on('topics', () => { if (visible) schedule('queue'); });

  $('operators-more').addEventListener('click', () => { opsShown += PAGE; renderOperators(); });
  $('queue-more').addEventListener('click', async () => {
    const b = $('queue-more');
    b.disabled = true;
    try { await loadQueue(true); } catch (e) { notice(e.message, 'error'); } finally { b.disabled = false; }
  });
  $('view-monitor').querySelector('table[data-view-id=operators]').addEventListener('click', async (e) => {
    const b = e.target.closest('button.redistribute');
    if (!b) return;
    const id = b.closest('tr').dataset.operatorId;
    b.disabled = true;
    try {
      const r = await api('POST', `/operators/${enc(id)}/redistribute`, {});
      const n = (r && r.decisions ? r.decisions.length : 0);
      notice(`${operatorName(id)} redistributed: ${n} chat${n === 1 ? '' : 's'} returned to routing`);
      runNow('operators');
      schedule('queue', 'audit');
    } catch (err) {
      notice(err.message, 'error');
    } finally {
      b.disabled = false;
    }
  });
  $('queue').addEventListener('click', (e) => {
    const b = e.target.closest('button.open-chat');
    if (!b) return;
    const id = b.closest('tr').dataset.chatId;
    location.hash = '#chats';
    import('./chats.js').then((m) => m.openChatById(id));
  });
  $('diag-operator').addEventListener('change', () => { diagId = $('diag-operator').value; runNow('diag'); });
}
