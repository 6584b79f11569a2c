// The What-if page (#view-whatif, supervisors and administrators): tomorrow
// played through the routing engine. The form sets the operators on shift
// in each hour of day, the SLA target and goal, the days of history and the
// load; POST /api/v1/simulations plays the live center on an average day of
// those days and answers the figures per hour, beside what actually
// happened, with the chart. The markup is built here, so that index.html
// holds only the empty section.

import { t, locale } from './i18n.js';
import { state, api, esc, errorText, clearErrors, showError, labelCells, on } from './core.js';

const $ = (id) => document.getElementById(id);
const HOURS = 24;
const hh = (h) => `${String(h).padStart(2, '0')}:00`;
let visible = false;
let touched = false; // the operator counts were edited: no more prefill
let running = false;
let answer = null;

// ---------------------------------------------------------------- numbers

const fmts = {};
const nf = (key, opts) => fmts[key] || (fmts[key] = new Intl.NumberFormat(locale(), opts));
const pct = (v) => nf('pct', { style: 'percent', maximumFractionDigits: 1 }).format(v || 0);
const secs = (v) => nf('s', { style: 'unit', unit: 'second', unitDisplay: 'narrow', maximumFractionDigits: 0 }).format(v || 0);
const num = (v, d = 0) => nf('n' + d, { maximumFractionDigits: d }).format(v || 0);
const took = (v) => (v < 0.1 ? `< ${num(0.1, 1)}` : nf('took', { maximumSignificantDigits: 2 }).format(v));
// span is a duration: seconds up to 90, then minutes.
const span = (v) => (v < 90 ? secs(v)
  : nf('min', { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }).format(v / 60));

// ---------------------------------------------------------------- markup

function field(name, label, input, hint = '') {
  return `<label class="wi-field"><span>${esc(t(label))}</span>${input}${hint ? `<span class="hint">${esc(t(hint))}</span>` : ''}</label>`;
}

function formHTML() {
  const hours = Array.from({ length: HOURS }, (_, h) =>
    `<label class="wi-hour"><span>${hh(h)}</span><input name="op-${h}" type="number" min="0" max="5000" step="1" inputmode="numeric" ` +
    `aria-label="${esc(t('wi.opsAt', { hour: hh(h) }))}"></label>`).join('');
  const days = [1, 7, 14, 28].map((d) => `<option value="${d}"${d === 7 ? ' selected' : ''}>${esc(t('wi.daysN', { n: d }))}</option>`).join('');
  return `<div class="panel">
  <h2 id="whatif-title">${esc(t('wi.title'))}</h2>
  <p class="hint">${esc(t('wi.hint'))}</p>
  <form id="whatif-form" novalidate aria-labelledby="whatif-title">
    <fieldset class="wi-hours">
      <legend>${esc(t('wi.operators'))}</legend>
      <div class="wi-grid">${hours}</div>
      <div class="wi-fill">
        <label><span>${esc(t('wi.every'))}</span> <input name="every" type="number" min="0" max="5000" step="1" inputmode="numeric"></label>
        <button type="button" id="whatif-fill">${esc(t('wi.apply'))}</button>
        <button type="button" id="whatif-live">${esc(t('wi.live'))}</button>
      </div>
    </fieldset>
    <div class="wi-params">
      ${field('days', 'wi.days', `<select name="days">${days}</select>`)}
      ${field('sla_target_s', 'wi.target', '<input name="sla_target_s" type="number" min="1" max="3600" step="1" value="20">')}
      ${field('sla_goal', 'wi.goal', '<input name="sla_goal" type="number" min="1" max="100" step="1" value="80">')}
      ${field('arrival_factor', 'wi.load', '<input name="arrival_factor" type="number" min="10" max="1000" step="5" value="100">', 'wi.loadHint')}
      <label class="wi-field check"><input name="staffing" type="checkbox"> <span>${esc(t('wi.staffing'))}</span></label>
      <label class="wi-field wi-reps" hidden><span>${esc(t('wi.replications'))}</span><input name="replications" type="number" min="1" max="4" step="1" value="1"></label>
    </div>
    <p class="form-error" role="alert" hidden></p>
    <div class="wi-go">
      <button type="submit" class="primary" id="whatif-run">${esc(t('wi.run'))}</button>
      <span id="whatif-status" class="muted" role="status" aria-live="polite"></span>
    </div>
  </form>
</div>
<section id="whatif-result" class="panel" hidden aria-labelledby="whatif-result-title">
  <h2 id="whatif-result-title">${esc(t('wi.result'))} <span class="muted" id="whatif-summary"></span></h2>
  <div class="cards" id="whatif-cards"></div>
  <figure class="wi-chart"><img id="whatif-chart" alt="${esc(t('wi.chartAlt'))}" hidden></figure>
  <p class="wi-use" hidden><button type="button" id="whatif-use">${esc(t('wi.useCounts'))}</button></p>
  <div class="table-wrap">
    <table id="whatif-hours" class="grid cards-on-phone">
      <thead><tr></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <p class="hint">${esc(t('wi.defs'))}</p>
</section>`;
}

// ---------------------------------------------------------------- the form

const form = () => $('whatif-form');
const hourInputs = () => [...form().querySelectorAll('.wi-hour input')];

// liveCount is today's operators as the simulation counts them: those in
// an active skill group (the server leaves out the others while no chat
// without topic comes), or all when no group has members.
function liveCount() {
  const inGroups = new Set(state.groups.filter((g) => g.active).flatMap((g) => g.operators || []));
  return inGroups.size || state.operators.length;
}

function prefill() {
  if (touched || !form()) return;
  for (const i of hourInputs()) i.value = String(liveCount());
}

function setAll(v) {
  for (const i of hourInputs()) i.value = String(v);
  touched = true;
}

// question reads the form into a what-if question (POST body).
function question() {
  const f = form().elements;
  const counts = hourInputs().map((i) => (i.value.trim() === '' ? NaN : Number(i.value)));
  const q = {
    days: Number(f.days.value),
    utc_offset_min: -new Date(Date.now() + 86400000).getTimezoneOffset(), // tomorrow's clock
    sla_target_s: Number(f.sla_target_s.value),
    sla_goal: Number(f.sla_goal.value) / 100,
    arrival_factor: Number(f.arrival_factor.value) / 100,
    staffing: f.staffing.checked,
    svg: true,
    operators: counts,
  };
  if (q.staffing) q.replications = Number(f.replications.value);
  return q;
}

function wholeNumbers(q) {
  const bad = (q.operators || []).findIndex((n) => !Number.isInteger(n) || n < 0);
  if (bad >= 0) return { message: t('wi.badCount', { hour: hh(bad) }), field: `op-${bad}` };
  return null;
}

async function run(e) {
  e.preventDefault();
  if (running) return;
  const f = form();
  clearErrors(f);
  const q = question();
  const bad = wholeNumbers(q);
  if (bad) { showError(f, bad); return; }
  running = true;
  const btn = $('whatif-run');
  btn.disabled = true;
  const status = $('whatif-status');
  status.innerHTML = `<span class="spinner" aria-hidden="true"></span> ${esc(t(q.staffing ? 'wi.searching' : 'wi.playing'))}`;
  try {
    answer = await api('POST', '/simulations', q);
    status.textContent = t('wi.done', { n: num(answer.chats), s: took(answer.wall_s) });
    render(answer);
  } catch (err) {
    status.textContent = '';
    showError(f, { ...err, message: words(err, q) }, { operators: '#whatif-form input[name="op-0"]' });
  } finally {
    running = false;
    btn.disabled = false;
  }
}

// words is an error of the simulation in words for people.
function words(err, q) {
  if (err.status === 429) return t('wi.busy');
  if (err.status === 503) return t('wi.tooLong');
  const m = String(err.message || '');
  if (err.field === 'days' && /no chats/.test(m)) return t('wi.noHistory', { n: q.days });
  if (/over \d+ chats|chats, over/.test(m)) return t('wi.tooMany');
  if (err.field === 'operators' && /no operators/.test(m)) return t('wi.noOperators');
  return errorText(err);
}

// ---------------------------------------------------------------- the result

function card(label, value, extra = '') {
  return `<div class="card${extra}"><span class="value">${esc(value)}</span><span class="label">${esc(t(label))}</span></div>`;
}

function columns(staffing) {
  const cols = ['wi.hour', 'wi.colOperators', 'wi.colChats', 'wi.colActualChats', 'wi.colSLA', 'wi.colActualSLA',
    'wi.colWait50', 'wi.colWait90', 'wi.colActualWait90', 'wi.colOccupancy', 'wi.colAbandoned'];
  if (staffing) cols.push('wi.colNeeded', 'wi.colErlangC');
  return cols;
}

function hourRow(r, h, staffing) {
  const b = r.hours[h] || {};
  const a = (r.actual || [])[h] || {};
  const days = (r.history && r.history.days) || 1;
  const dash = '<span class="muted">—</span>';
  const below = b.chats && b.sla_share < r.sla_goal;
  const cells = [
    `<th scope="row">${hh(h)}</th>`,
    `<td class="num">${num(b.operators, 1)}</td>`,
    `<td class="num">${num(b.chats)}</td>`,
    `<td class="num">${num((a.chats || 0) / days, 1)}</td>`,
    `<td class="num sla${below ? ' below' : ''}">${b.chats ? pct(b.sla_share) : dash}</td>`,
    `<td class="num">${a.chats ? pct(a.sla_share) : dash}</td>`,
    `<td class="num">${b.served ? secs(b.wait_p50_s) : dash}</td>`,
    `<td class="num">${b.served ? secs(b.wait_p90_s) : dash}</td>`,
    `<td class="num">${a.served ? secs(a.wait_p90_s) : dash}</td>`,
    `<td class="num">${b.operators ? pct(b.occupancy) : dash}</td>`,
    `<td class="num">${b.chats ? pct(b.abandon_share) : dash}</td>`,
  ];
  if (staffing) {
    const s = r.staffing[h] || {};
    cells.push(`<td class="num needed${s.reached === false ? ' below' : ''}">${num(s.operators)}</td>`, `<td class="num">${num(s.erlang_c)}</td>`);
  }
  return `<tr data-hour="${h}"${below ? ' class="below-goal"' : ''}>${cells.join('')}</tr>`;
}

function render(r) {
  const staffing = (r.staffing || []).length > 0;
  $('whatif-result').hidden = false;
  $('whatif-summary').textContent = t('wi.summary', {
    n: r.history.days, chats: num(r.history.arrivals_per_day), handle: span(r.history.handle_mean_s),
  });
  $('whatif-cards').innerHTML = [
    card('wi.cardChats', num(r.chats)),
    card('wi.cardSLA', pct(r.sla_share), r.sla_share < r.sla_goal ? ' alert' : ''),
    card('wi.cardGoal', t('wi.goalText', { goal: pct(r.sla_goal), target: secs(r.sla_target_s) })),
    card('wi.cardWait', secs(r.wait_p90_s)),
    card('wi.cardOccupancy', pct(r.occupancy)),
    card('wi.cardAbandoned', pct(r.abandon_share)),
  ].join('');
  const img = $('whatif-chart');
  img.hidden = !r.svg;
  if (r.svg) img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(r.svg);
  form().closest('.view').querySelector('.wi-use').hidden = !staffing;
  const table = $('whatif-hours');
  table.querySelector('thead tr').innerHTML = columns(staffing).map((k) => `<th scope="col">${esc(t(k))}</th>`).join('');
  table.querySelector('tbody').innerHTML = Array.from({ length: HOURS }, (_, h) => hourRow(r, h, staffing)).join('');
  labelCells(table);
}

// showReps shows the days to average only for a staffing search.
function showReps() { form().querySelector('.wi-reps').hidden = !form().elements.staffing.checked; }

// useCounts puts the staffing search's answer into the form.
function useCounts() {
  if (!answer || !answer.staffing) return;
  hourInputs().forEach((i, h) => { if (answer.staffing[h]) i.value = String(answer.staffing[h].operators); });
  touched = true;
  form().elements.staffing.checked = false;
  showReps();
  hourInputs()[0].focus();
}

// ---------------------------------------------------------------- view

export function onShow() {
  visible = true;
  prefill();
}
export function onHide() { visible = false; }

export function init() {
  const view = $('view-whatif');
  view.innerHTML = formHTML();
  const f = form();
  f.addEventListener('submit', run);
  f.addEventListener('input', (e) => { if (e.target.closest('.wi-hour')) touched = true; });
  f.elements.staffing.addEventListener('change', showReps);
  $('whatif-fill').addEventListener('click', () => {
    const v = f.elements.every.value.trim();
    if (/^\d+$/.test(v)) setAll(Number(v));
  });
  $('whatif-live').addEventListener('click', () => { touched = false; prefill(); });
  $('whatif-use').addEventListener('click', useCounts);
  on('operators', () => { if (visible) prefill(); });
  on('groups', () => { if (visible) prefill(); });
  prefill();
}
