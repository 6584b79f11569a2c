// Administration (#view-admin): settings, statuses, topics, skill groups,
// operators, tokens and webhooks.

import { t, fieldLabel } from './i18n.js';
import {
  state, api, items, enc, esc, fmtFull, fmtTime, safeColor, statusOf, topicName, operatorName,
  job, schedule, runNow, notice, clearErrors, showError, on, emit, parseLimits, fmtLimits, errorText,
  labelCells,
} from './core.js';

const PAGE = 100;
const $ = (id) => document.getElementById(id);
const admin = () => $('view-admin');
let visible = false;
let settingsDirty = false;
let opsShown = PAGE;
let editingGroup = ''; // id of the skill group in the form, '' for a new one
let groups = [];
let tokens = [];
let hooks = [];
let deliveries = {}; // webhook id -> attempts

// render(el, fn) re-renders a list unless the user is typing in it; then it
// waits for the focus to leave.
function guarded(el, fn) {
  const a = document.activeElement;
  if (a && el.contains(a) && a.matches('input, select, textarea')) {
    if (!el.dataset.stale) {
      el.dataset.stale = '1';
      el.addEventListener('focusout', function retry() {
        setTimeout(() => {
          if (el.contains(document.activeElement)) return;
          el.removeEventListener('focusout', retry);
          delete el.dataset.stale;
          fn();
        }, 0);
      });
    }
    return;
  }
  fn();
}

const saveDelete = () => `<button type="button" data-act="save">${esc(t('adm.save'))}</button> ` +
  `<button type="button" data-act="delete" class="danger">${esc(t('adm.delete'))}</button>`;

const num = (v) => (v === '' || v === null || v === undefined ? null : Number(v));

// fieldError makes an ApiError-like error for client-side checks.
const fieldError = (field, message) => Object.assign(new Error(message), { field });

async function submitting(form, fn) {
  clearErrors(form);
  const btn = form.querySelector('button[type=submit]');
  if (btn) btn.disabled = true;
  try {
    await fn();
  } catch (e) {
    showError(form, e);
  } finally {
    if (btn) btn.disabled = false;
  }
}

// ---------------------------------------------------------------- settings

function fillSettings() {
  const f = $('settings');
  const s = state.settings;
  if (!s || settingsDirty) return;
  const sel = f.elements.auto_offline_status;
  sel.innerHTML = state.statuses.map((x) => `<option value="${esc(x.id)}">${esc(x.name)}</option>`).join('');
  $('auto-connect').checked = !!s.auto_connect;
  $('distribution-method').value = s.distribution_method;
  for (const k of ['default_max_chats', 'accept_timeout_s', 'max_missed_chats', 'response_timeout_s',
    'chat_inactivity_timeout_s', 'queue_timeout_s', 'auto_offline_after_s']) f.elements[k].value = s[k] ?? 0;
  f.elements.default_channel_limits.value = fmtLimits(s.default_channel_limits);
  f.elements.chat_inactivity_action.value = s.chat_inactivity_action || 'close';
  sel.value = s.auto_offline_status || 'offline';
  f.elements.auto_offline_redistribute.checked = !!s.auto_offline_redistribute;
  f.elements.sla_target_s.value = s.sla_target_s || 20;
  f.elements.sla_goal.value = Math.round((s.sla_goal || 0.8) * 1000) / 10;
}

async function saveSettings(e) {
  e.preventDefault();
  const f = $('settings');
  await submitting(f, async () => {
    const body = {
      auto_connect: $('auto-connect').checked,
      distribution_method: $('distribution-method').value,
      chat_inactivity_action: f.elements.chat_inactivity_action.value,
      auto_offline_status: f.elements.auto_offline_status.value,
      auto_offline_redistribute: f.elements.auto_offline_redistribute.checked,
    };
    for (const k of ['default_max_chats', 'accept_timeout_s', 'max_missed_chats', 'response_timeout_s',
      'chat_inactivity_timeout_s', 'queue_timeout_s', 'auto_offline_after_s', 'sla_target_s']) {
      const v = f.elements[k].value.trim();
      if (v === '' || !/^\d+$/.test(v)) throw fieldError(k, t('err.wholeNumber', { field: fieldLabel(k) }));
      body[k] = Number(v);
    }
    try { body.default_channel_limits = parseLimits(f.elements.default_channel_limits.value); } catch (x) { throw fieldError('default_channel_limits', x.message); }
    const goal = Number(f.elements.sla_goal.value.trim());
    if (!(goal > 0 && goal <= 100)) throw fieldError('sla_goal', t('err.slaGoal'));
    body.sla_goal = goal / 100;
    const s = await api('PATCH', '/settings', body);
    settingsDirty = false;
    state.settings = s;
    fillSettings();
    emit('settings');
    notice(t('n.settingsSaved'));
  });
}

// ---------------------------------------------------------------- statuses

function renderStatuses() {
  const root = $('statuses');
  guarded(root.querySelector('tbody'), () => {
    root.querySelector('tbody').innerHTML = state.statuses.map((s) =>
      `<tr data-id="${esc(s.id)}"><td><span class="dot" style="background:${safeColor(s.color)}"></span>${esc(s.id)}</td>` +
      `<td><input name="name" value="${esc(s.name)}" aria-label="${esc(t('adm.name'))}"></td>` +
      `<td><input name="color" type="color" value="${esc(/^#[0-9a-fA-F]{6}$/.test(s.color) ? s.color : '#8a8f98')}" aria-label="${esc(t('adm.colour'))}"></td>` +
      `<td><input name="can_receive" type="checkbox"${s.can_receive ? ' checked' : ''} aria-label="${esc(t('adm.canReceive'))}"></td>` +
      `<td class="actions">${saveDelete()}</td></tr>`).join('');
    labelCells(root.querySelector('table'));
  });
}

// ---------------------------------------------------------------- topics

function renderTopics() {
  const root = $('topics');
  guarded(root.querySelector('tbody'), () => {
    const opts = (cur, self) => `<option value="">${esc(t('adm.noParent'))}</option>` + state.topics.filter((x) => x.alias !== self)
      .map((x) => `<option value="${esc(x.alias)}"${x.alias === cur ? ' selected' : ''}>${esc(x.name || x.alias)}</option>`).join('');
    root.querySelector('tbody').innerHTML = state.topics.map((x) =>
      `<tr data-id="${esc(x.alias)}"><td><code>${esc(x.alias)}</code></td>` +
      `<td><input name="name" value="${esc(x.name)}" aria-label="${esc(t('adm.name'))}"></td>` +
      `<td><select name="parent" aria-label="${esc(t('adm.parent'))}">${opts(x.parent || '', x.alias)}</select></td>` +
      `<td class="actions">${saveDelete()}</td></tr>`).join('') ||
      `<tr><td colspan="4" class="empty">${esc(t('adm.noTopics'))}</td></tr>`;
    labelCells(root.querySelector('table'));
    const create = root.querySelector('form select[name=parent]');
    const keep = create.value;
    create.innerHTML = opts('', '');
    create.value = keep;
  });
}

// ---------------------------------------------------------------- skill groups

async function loadGroups() { groups = items(await api('GET', '/skill-groups')); renderGroups(); }

function renderGroups() {
  const root = $('skill-groups');
  root.querySelector('tbody').innerHTML = groups.map((g) => {
    const ops = g.operators || [];
    const opText = ops.slice(0, 6).map(operatorName).join(', ') + (ops.length > 6 ? ` +${ops.length - 6}` : '');
    return `<tr data-id="${esc(g.id)}"><td><code>${esc(g.id)}</code></td><td>${esc(g.name)}</td>` +
      `<td>${esc((g.topics || []).map(topicName).join(', ') || '—')}</td>` +
      `<td title="${esc(ops.map(operatorName).join(', '))}">${esc(opText || '—')} <span class="muted">(${ops.length})</span></td>` +
      `<td>${g.active ? esc(t('adm.yes')) : `<span class="muted">${esc(t('adm.no'))}</span>`}</td>` +
      `<td>${esc(t('adm.timeoutsValue', { a: g.accept_timeout_s || 0, r: g.response_timeout_s || 0 }))}</td>` +
      `<td class="actions"><button type="button" data-act="edit">${esc(t('adm.edit'))}</button> <button type="button" data-act="delete" class="danger">${esc(t('adm.delete'))}</button></td></tr>`;
  }).join('') || `<tr><td colspan="7" class="empty">${esc(t('adm.noGroups'))}</td></tr>`;
  labelCells(root.querySelector('table'));
  renderGroupChecklists();
}

function checked(form, name) {
  return [...form.querySelectorAll(`fieldset[data-name=${name}] input[type=checkbox]:checked`)].map((i) => i.value);
}

function renderGroupChecklists(sel) {
  const form = $('skill-groups').querySelector('form');
  const cur = sel || { topics: checked(form, 'topics'), operators: checked(form, 'operators') };
  const box = (name, list) => list.map(([v, label]) =>
    `<label class="check"><input type="checkbox" name="${name}" value="${esc(v)}"${cur[name].includes(v) ? ' checked' : ''}> ${esc(label)}</label>`).join('');
  form.querySelector('fieldset[data-name=topics] .opts').innerHTML =
    box('topics', state.topics.map((x) => [x.alias, `${x.name || x.alias} (${x.alias})`])) || `<span class="muted">${esc(t('adm.noTopicsShort'))}</span>`;
  form.querySelector('fieldset[data-name=operators] .opts').innerHTML =
    box('operators', state.operators.map((o) => [o.id, `${o.name || o.id} (${o.id})`])) || `<span class="muted">${esc(t('adm.noOperatorsShort'))}</span>`;
  filterOps();
}

function filterOps() {
  const form = $('skill-groups').querySelector('form');
  const q = form.querySelector('.filter').value.trim().toLowerCase();
  for (const l of form.querySelectorAll('fieldset[data-name=operators] label')) l.hidden = !!q && !l.textContent.toLowerCase().includes(q);
}

function editGroup(g) {
  const form = $('skill-groups').querySelector('form');
  clearErrors(form);
  editingGroup = g ? g.id : '';
  form.elements.id.value = g ? g.id : '';
  form.elements.id.disabled = !!g;
  form.elements.name.value = g ? g.name : '';
  form.elements.active.checked = g ? !!g.active : true;
  form.elements.accept_timeout_s.value = g ? g.accept_timeout_s || 0 : 0;
  form.elements.response_timeout_s.value = g ? g.response_timeout_s || 0 : 0;
  form.querySelector('.group-form-title').textContent = g ? t('adm.editGroup', { id: g.id }) : t('adm.newGroup');
  form.querySelector('.cancel').hidden = !g;
  renderGroupChecklists({ topics: g ? g.topics || [] : [], operators: g ? g.operators || [] : [] });
  if (g) form.scrollIntoView({ block: 'nearest' });
}

async function saveGroup(e) {
  e.preventDefault();
  const form = e.target;
  await submitting(form, async () => {
    const body = {
      name: form.elements.name.value.trim(),
      topics: checked(form, 'topics'),
      operators: checked(form, 'operators'),
      active: form.elements.active.checked,
      accept_timeout_s: Number(form.elements.accept_timeout_s.value || 0),
      response_timeout_s: Number(form.elements.response_timeout_s.value || 0),
    };
    if (editingGroup) {
      await api('PATCH', `/skill-groups/${enc(editingGroup)}`, body);
      notice(t('n.entitySaved', { what: t('entity.skill_group'), id: editingGroup }));
    } else {
      const id = form.elements.id.value.trim();
      if (id) body.id = id;
      const g = await api('POST', '/skill-groups', body);
      notice(t('n.entityCreated', { what: t('entity.skill_group'), id: g.id }));
    }
    editGroup(null);
    await loadGroups();
  });
}

// ---------------------------------------------------------------- operators

function opsRoot() { return admin().querySelector('[data-view-id=operators]'); }

function renderOperators() {
  const root = opsRoot();
  const tb = root.querySelector('tbody');
  guarded(tb, () => {
    const ops = state.operators;
    tb.innerHTML = ops.slice(0, opsShown).map((o) => {
      const s = statusOf(o.status);
      return `<tr data-id="${esc(o.id)}" data-operator-id="${esc(o.id)}"><td><code>${esc(o.id)}</code></td><td>${esc(o.name)}</td>` +
        `<td>${esc(o.email || '')}</td><td>${esc(t('role.' + o.role))}</td>` +
        `<td><span class="dot" style="background:${safeColor(s.color)}"></span>${esc(s.name)}</td>` +
        `<td><input name="max_chats" type="number" min="0" value="${o.max_chats ?? ''}" placeholder="${esc(t('adm.default'))}" aria-label="${esc(t('adm.maxChats'))}"></td>` +
        `<td><input name="channel_limits" value="${esc(o.channel_limits ? fmtLimits(o.channel_limits) : '')}" placeholder="${esc(t('adm.default'))}" aria-label="${esc(t('adm.channelLimits'))}"></td>` +
        `<td class="actions">${saveDelete()}</td></tr>`;
    }).join('') || `<tr><td colspan="8" class="empty">${esc(t('adm.noOperators'))}</td></tr>`;
    labelCells(root.querySelector('table'));
    root.querySelector('button.more').hidden = ops.length <= opsShown;
    $('admin-ops-summary').textContent = `${ops.length}`;
  });
}

// ---------------------------------------------------------------- tokens

async function loadTokens() { tokens = items(await api('GET', '/tokens')); renderTokens(); }

function renderTokens() {
  const root = $('tokens');
  root.querySelector('tbody').innerHTML = tokens.map((x) =>
    `<tr data-id="${esc(x.id)}"><td><code>${esc(x.id)}</code></td><td>${esc(t('role.' + x.role))}</td>` +
    `<td>${esc(x.operator_id ? operatorName(x.operator_id) : '')}</td><td>${esc(fmtFull(x.created_at))}</td>` +
    `<td class="actions"><button type="button" data-act="delete" class="danger">${esc(t('adm.revoke'))}</button></td></tr>`).join('') ||
    `<tr><td colspan="5" class="empty">${esc(t('adm.noTokens'))}</td></tr>`;
  labelCells(root.querySelector('table'));
  const sel = root.querySelector('form select[name=operator_id]');
  const keep = sel.value;
  sel.innerHTML = `<option value="">${esc(t('adm.noOperatorOption'))}</option>` +
    state.operators.map((o) => `<option value="${esc(o.id)}">${esc(o.name || o.id)} (${esc(o.id)})</option>`).join('');
  sel.value = keep;
}

function showSecret(form, label, secret) {
  const box = form.querySelector('.secret');
  box.hidden = false;
  box.innerHTML = `<strong>${esc(label)}</strong> — ${esc(t('adm.secretOnce'))}<code class="secret-value">${esc(secret)}</code>` +
    `<button type="button" class="copy">${esc(t('adm.copy'))}</button> <button type="button" class="dismiss">${esc(t('adm.done'))}</button>`;
}

// ---------------------------------------------------------------- webhooks

async function loadHooks() {
  hooks = items(await api('GET', '/webhooks'));
  const got = await Promise.all(hooks.slice(0, 50).map((h) =>
    api('GET', `/webhooks/${enc(h.id)}/deliveries?limit=10`).then(items).then(attemptRows).catch(() => null)));
  deliveries = {};
  hooks.slice(0, 50).forEach((h, i) => { deliveries[h.id] = got[i]; });
  renderHooks();
}

// attemptRows turns a page of deliveries into one row each: its latest
// attempt, or "pending" for one not tried yet.
function attemptRows(ds) {
  return ds.map((d) => {
    const a = (d.last_attempts || [])[0];
    return a ? { ...a, ok: d.status === 'delivered' }
      : { at: d.created_at, event_id: d.event_id, status_code: 0, duration_ms: 0, error: d.status, ok: false };
  });
}

function renderHooks() {
  const ul = $('webhooks').querySelector('ul.hooks');
  ul.innerHTML = hooks.map((h) => {
    const ds = deliveries[h.id];
    let dl;
    if (!ds) dl = `<p class="muted small">${esc(t('adm.deliveriesNotLoaded'))}</p>`;
    else if (!ds.length) dl = `<p class="muted small">${esc(t('adm.noDeliveries'))}</p>`;
    else {
      const recent = [...ds].sort((a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0)).slice(0, 10);
      dl = `<table class="grid deliveries"><thead><tr><th>${esc(t('adm.at'))}</th><th>${esc(t('adm.event'))}</th><th>${esc(t('mon.status'))}</th><th>${esc(t('audit.took'))}</th><th>${esc(t('adm.error'))}</th></tr></thead><tbody>` +
        recent.map((a) => `<tr class="${a.ok ? 'ok' : 'fail'}">` +
          `<td title="${esc(fmtFull(a.at))}">${esc(fmtTime(a.at))}</td><td>${esc(a.event_id)}</td>` +
          `<td>${esc(a.status_code || '—')}</td><td>${esc(a.duration_ms)} ms</td><td>${esc(a.error || '')}</td></tr>`).join('') +
        `</tbody></table>`;
    }
    const evs = h.events && h.events.length ? h.events.join(', ') : '*';
    const batch = h.max_batch_size > 1 ? ` · ${t('adm.batchOf', { n: h.max_batch_size })}` : '';
    return `<li data-webhook-id="${esc(h.id)}"><div class="hook-head"><code class="url">${esc(h.url)}</code>` +
      `<span class="muted small">${esc(evs + batch)} · ${esc(fmtFull(h.created_at))}</span>` +
      `<button type="button" data-act="delete" class="danger">${esc(t('adm.delete'))}</button></div>` +
      `<div class="hook-deliveries"><h4>${esc(t('adm.recentDeliveries'))}</h4>${dl}</div></li>`;
  }).join('') || `<li class="empty">${esc(t('adm.noWebhooks'))}</li>`;
  for (const tb of ul.querySelectorAll('table.deliveries')) labelCells(tb);
}

// ---------------------------------------------------------------- row actions

async function rowAction(root, e, handlers) {
  const b = e.target.closest('button[data-act]');
  if (!b) return;
  const tr = b.closest('[data-id],[data-webhook-id]');
  const id = tr.dataset.id || tr.dataset.webhookId;
  const h = handlers[b.dataset.act];
  if (!h) return;
  if (b.dataset.act === 'delete' && !b.dataset.armed) {
    // a second click within 4 s confirms (no blocking confirm() dialog)
    b.dataset.armed = '1';
    const label = b.textContent;
    b.textContent = t('adm.confirm');
    setTimeout(() => { if (b.isConnected) { delete b.dataset.armed; b.textContent = label; } }, 4000);
    return;
  }
  clearErrors(root);
  b.disabled = true;
  try {
    await h(id, tr);
  } catch (err) {
    const box = root.querySelector(':scope > .form-error') || root.querySelector('form .form-error');
    if (box) { box.textContent = errorText(err); box.hidden = false; } else notice(errorText(err), 'error');
    if (err.field && tr) {
      const el = tr.querySelector(`[name="${CSS.escape(err.field)}"]`);
      if (el) { el.classList.add('invalid'); el.setAttribute('aria-invalid', 'true'); el.focus(); }
    }
  } finally {
    b.disabled = false;
  }
}

// ---------------------------------------------------------------- events

export function handleEvent(ev) {
  if (!visible) return;
  if (ev.event_name === 'config_changed') {
    const ent = ev.config && ev.config.entity;
    if (ent === 'skill_group' || ent === 'operator' || ent === 'topic') schedule('groups');
  }
  schedule('hooks');
}

export function onShow() {
  visible = true;
  fillSettings();
  renderStatuses();
  renderTopics();
  renderOperators();
  schedule('groups', 'tokens', 'hooks');
}
export function onHide() { visible = false; }

// ---------------------------------------------------------------- init

export function init() {
  job('groups', () => (visible ? loadGroups() : null), 800);
  job('tokens', () => (visible ? loadTokens() : null), 800);
  job('hooks', () => (visible ? loadHooks() : null), 5000);
  on('settings', () => { if (visible) fillSettings(); });
  on('statuses', () => { if (visible) { renderStatuses(); fillSettings(); renderOperators(); } });
  on('topics', () => { if (visible) { renderTopics(); renderGroups(); } });
  on('operators', () => { if (visible) { renderOperators(); renderGroupChecklists(); renderTokens(); } });

  // settings
  const sf = $('settings');
  sf.addEventListener('input', () => { settingsDirty = true; });
  sf.addEventListener('change', () => { settingsDirty = true; });
  sf.addEventListener('submit', saveSettings);

  // statuses
  const st = $('statuses');
  st.querySelector('tbody').addEventListener('click', (e) => rowAction(st, e, {
    save: async (id, tr) => {
      await api('PATCH', `/statuses/${enc(id)}`, {
        name: tr.querySelector('[name=name]').value.trim(),
        color: tr.querySelector('[name=color]').value,
        can_receive: tr.querySelector('[name=can_receive]').checked,
      });
      notice(t('n.entitySaved', { what: t('entity.status'), id }));
      await runNow('statuses');
    },
    delete: async (id) => { await api('DELETE', `/statuses/${enc(id)}`); notice(t('n.entityDeleted', { what: t('entity.status'), id })); await runNow('statuses'); },
  }));
  st.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    submitting(f, async () => {
      const s = await api('POST', '/statuses', {
        id: f.elements.id.value.trim(), name: f.elements.name.value.trim(),
        color: f.elements.color.value, can_receive: f.elements.can_receive.checked,
      });
      f.reset();
      notice(t('n.entityCreated', { what: t('entity.status'), id: s.name }));
      await runNow('statuses');
    });
  });

  // topics
  const tp = $('topics');
  tp.querySelector('tbody').addEventListener('click', (e) => rowAction(tp, e, {
    save: async (id, tr) => {
      await api('PATCH', `/topics/${enc(id)}`, { name: tr.querySelector('[name=name]').value.trim(), parent: tr.querySelector('[name=parent]').value });
      notice(t('n.entitySaved', { what: t('entity.topic'), id }));
      await runNow('topics');
    },
    delete: async (id) => { await api('DELETE', `/topics/${enc(id)}`); notice(t('n.entityDeleted', { what: t('entity.topic'), id })); await runNow('topics'); },
  }));
  tp.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    submitting(f, async () => {
      const body = { alias: f.elements.alias.value.trim(), name: f.elements.name.value.trim() };
      if (f.elements.parent.value) body.parent = f.elements.parent.value;
      const x = await api('POST', '/topics', body);
      f.reset();
      notice(t('n.entityCreated', { what: t('entity.topic'), id: x.alias }));
      await runNow('topics');
    });
  });

  // skill groups
  const sg = $('skill-groups');
  const gf = sg.querySelector('form');
  sg.querySelector('tbody').addEventListener('click', (e) => rowAction(sg, e, {
    edit: async (id) => editGroup(groups.find((g) => g.id === id)),
    delete: async (id) => {
      await api('DELETE', `/skill-groups/${enc(id)}`);
      notice(t('n.entityDeleted', { what: t('entity.skill_group'), id }));
      if (editingGroup === id) editGroup(null);
      await loadGroups();
    },
  }));
  gf.addEventListener('submit', saveGroup);
  gf.querySelector('.cancel').addEventListener('click', () => editGroup(null));
  gf.querySelector('.filter').addEventListener('input', filterOps);

  // operators
  const or = opsRoot();
  or.querySelector('tbody').addEventListener('click', (e) => rowAction(or, e, {
    save: async (id, tr) => {
      const mc = tr.querySelector('[name=max_chats]').value.trim();
      if (mc !== '' && !/^\d+$/.test(mc)) throw fieldError('max_chats', t('err.wholeNumber', { field: fieldLabel('max_chats') }));
      let cl = null;
      const clText = tr.querySelector('[name=channel_limits]').value.trim();
      if (clText) {
        try { cl = parseLimits(clText); } catch (x) { throw fieldError('channel_limits', x.message); }
      }
      await api('PATCH', `/operators/${enc(id)}`, { max_chats: num(mc), channel_limits: cl });
      notice(t('n.entitySaved', { what: t('entity.operator'), id: operatorName(id) }));
      await runNow('operators');
    },
    delete: async (id) => { await api('DELETE', `/operators/${enc(id)}`); notice(t('n.entityDeleted', { what: t('entity.operator'), id })); await runNow('operators'); },
  }));
  or.querySelector('button.more').addEventListener('click', () => { opsShown += PAGE; renderOperators(); });
  or.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    submitting(f, async () => {
      const body = {
        id: f.elements.id.value.trim(), name: f.elements.name.value.trim(), role: f.elements.role.value,
      };
      if (f.elements.email.value.trim()) body.email = f.elements.email.value.trim();
      if (f.elements.password.value) body.password = f.elements.password.value;
      const mc = f.elements.max_chats.value.trim();
      if (mc !== '') {
        if (!/^\d+$/.test(mc)) throw fieldError('max_chats', t('err.wholeNumber', { field: fieldLabel('max_chats') }));
        body.max_chats = Number(mc);
      }
      if (f.elements.channel_limits.value.trim()) {
        try { body.channel_limits = parseLimits(f.elements.channel_limits.value); } catch (x) { throw fieldError('channel_limits', x.message); }
      }
      const o = await api('POST', '/operators', body);
      f.reset();
      notice(t('n.entityCreated', { what: t('entity.operator'), id: o.name || o.id }));
      await runNow('operators');
    });
  });

  // tokens
  const tk = $('tokens');
  tk.querySelector('tbody').addEventListener('click', (e) => rowAction(tk, e, {
    delete: async (id) => { await api('DELETE', `/tokens/${enc(id)}`); notice(t('n.tokenRevoked', { id })); await loadTokens(); },
  }));
  tk.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    submitting(f, async () => {
      const body = { role: f.elements.role.value };
      if (f.elements.operator_id.value) body.operator_id = f.elements.operator_id.value;
      const x = await api('POST', '/tokens', body);
      showSecret(f, t('adm.tokenLabel', { id: x.id, role: t('role.' + x.role) }), x.token);
      await loadTokens();
    });
  });

  // webhooks
  const wh = $('webhooks');
  wh.querySelector('ul.hooks').addEventListener('click', (e) => rowAction(wh, e, {
    delete: async (id) => { await api('DELETE', `/webhooks/${enc(id)}`); notice(t('n.webhookDeleted')); await loadHooks(); },
  }));
  wh.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = e.target;
    submitting(f, async () => {
      const events = f.elements.events.value.split(/[\s,]+/).filter(Boolean);
      const body = { url: f.elements.url.value.trim(), events };
      if (f.elements.secret.value) body.secret = f.elements.secret.value;
      if (f.elements.max_batch_size.value) body.max_batch_size = Number(f.elements.max_batch_size.value);
      const h = await api('POST', '/webhooks', body);
      f.elements.url.value = '';
      f.elements.events.value = '';
      f.elements.secret.value = '';
      f.elements.max_batch_size.value = '';
      showSecret(f, t('adm.webhookSecret', { url: h.url }), h.secret);
      await loadHooks();
    });
  });

  // the secret boxes: copy and dismiss
  for (const f of [tk.querySelector('form'), wh.querySelector('form')]) {
    f.querySelector('.secret').addEventListener('click', async (e) => {
      const box = e.currentTarget;
      if (e.target.closest('button.dismiss')) { box.hidden = true; box.innerHTML = ''; return; }
      if (e.target.closest('button.copy')) {
        const v = box.querySelector('.secret-value').textContent;
        try { await navigator.clipboard.writeText(v); notice(t('adm.copied')); } catch {
          const r = document.createRange(); r.selectNodeContents(box.querySelector('.secret-value'));
          const s = getSelection(); s.removeAllRanges(); s.addRange(r);
        }
      }
    });
  }
}
