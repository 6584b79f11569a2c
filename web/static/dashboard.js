// The supervisor's dashboard (#view-dashboard, docs/STATS.md): today's
// numbers at a glance (waiting now, the longest wait, the service level
// today against its goal, abandoned chats, operators by status), charts over
// a chosen range (arrivals and waiting, wait percentiles, the service level
// against the goal, occupancy, time in status), a table per operator and per
// topic, and CSV exports. Every figure comes from GET /api/v1/stats; the
// charts are drawn by uPlot (web/static/vendor/uplot), loaded the first time
// the dashboard is shown.

import { t, locale } from './i18n.js';
import {
  state, api, enc, esc, fmtFull, safeColor, statusOf, topicName, operatorName, job, schedule, runNow, on, notice,
  errorText, labelCells,
} from './core.js';

const $ = (id) => document.getElementById(id);
const DAY = 86400e3;
let visible = false;
let range = { from: '', to: '' }; // local dates, YYYY-MM-DD, both included
let charts = {}; // by data-chart: {plot, box}
let resize = null;

const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// ---------------------------------------------------------------- uPlot, loaded once

let uplotReady = null;
function loadUPlot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  uplotReady ||= new Promise((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = 'vendor/uplot/uPlot.min.css';
    document.head.append(css);
    const s = document.createElement('script');
    s.src = 'vendor/uplot/uPlot.iife.min.js';
    s.onload = () => resolve(window.uPlot);
    s.onerror = () => { uplotReady = null; reject(new Error(t('dash.noCharts'))); };
    document.head.append(s);
  });
  return uplotReady;
}

// ---------------------------------------------------------------- formatting

const nf = (opts) => new Intl.NumberFormat(locale(), opts);
const pct = (v) => (v === null || v === undefined ? '—' : nf({ style: 'percent', maximumFractionDigits: 0 }).format(v));
const num = (v, d = 0) => (v === null || v === undefined ? '—' : nf({ maximumFractionDigits: d }).format(v));

// secs is a duration in seconds in words: "45 s", "3 min 20 s", "2 h 5 min".
function secs(v) {
  if (v === null || v === undefined) return '—';
  const s = Math.round(v);
  if (s < 60) return t('dur.s', { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return `${t('dur.m', { n: m })} ${t('dur.s', { n: String(s % 60).padStart(2, '0') })}`;
  return `${t('dur.h', { n: Math.floor(m / 60) })} ${t('dur.m', { n: String(m % 60).padStart(2, '0') })}`;
}

const hours = (s) => num((s || 0) / 3600, 1);

// ---------------------------------------------------------------- dates

const isoDate = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
function localDay(iso) { const [y, m, d] = iso.split('-').map(Number); return new Date(y, m - 1, d); }
function startOfToday() { const n = new Date(); return new Date(n.getFullYear(), n.getMonth(), n.getDate()); }

function setRange(days) {
  const to = startOfToday();
  range = { from: isoDate(new Date(to.getFullYear(), to.getMonth(), to.getDate() - (days - 1))), to: isoDate(to) };
  const f = $('dash-range-form');
  f.elements.from.value = range.from;
  f.elements.to.value = range.to;
}

// windowQuery is the query of the range: from the first day's start to
// the day after the last's, in the viewer's time zone, grouped by groupBy
// (by default hours for up to a week, else days; '' for the total only).
function windowQuery(groupBy) {
  const from = localDay(range.from);
  const last = localDay(range.to);
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  const by = groupBy ?? ((to - from) / DAY <= 7 ? 'hour' : 'day');
  return `from=${enc(from.toISOString())}&to=${enc(to.toISOString())}${by ? '&group_by=' + by : ''}&time_zone=${enc(zone())}`;
}

// ---------------------------------------------------------------- today

function card(name, value, label, cls = '') {
  return `<div class="card${cls ? ' ' + cls : ''}" data-card="${name}"><span class="value">${esc(value)}</span>` +
    `<span class="label">${esc(label)}</span></div>`;
}

async function loadToday() {
  const r = await api('GET', `/stats?from=${enc(startOfToday().toISOString())}&time_zone=${enc(zone())}`);
  const tot = r.total;
  const now = r.now || {};
  const goal = tot.sla_goal;
  const met = tot.sla_share === null ? '' : (tot.sla_share >= goal ? 'ok' : 'alert');
  $('dash-cards').innerHTML = [
    card('waiting', num(now.waiting), t('dash.waiting')),
    card('longest', now.waiting ? secs(now.longest_wait_s) : '—', t('dash.longest')),
    card('sla', pct(tot.sla_share), t('dash.slaToday', { goal: pct(goal), target: secs(tot.sla_target_s) }), met),
    card('abandoned', num(tot.abandoned), t('dash.abandoned')),
    card('arrivals', num(tot.arrivals), t('dash.arrivals')),
    card('csat', tot.csat_count ? num(tot.csat_avg, 1) : '—', t('dash.csat', { n: tot.csat_count })),
  ].join('');
  const by = now.operators_by_status || {};
  const ids = [...new Set([...state.statuses.map((s) => s.id), ...Object.keys(by)])];
  $('dash-statuses').innerHTML = ids.map((id) => {
    const s = statusOf(id);
    return `<li data-status="${esc(id)}"><span class="dot" style="background:${safeColor(s.color)}"></span>` +
      `${esc(s.name)} <b>${esc(num(by[id] || 0))}</b></li>`;
  }).join('');
  $('dash-today-at').textContent = t('dash.asOf', { at: fmtFull(now.at) });
}

// ---------------------------------------------------------------- the range

// x is a row's time, Unix seconds: an hour's RFC 3339 key, a day's date.
const x = (key) => (key.length === 10 ? localDay(key).getTime() : Date.parse(key)) / 1000;

const COLORS = ['#2459c2', '#1c7443', '#b3261e', '#7d5200', '#6b3fa0', '#00796b'];

// The charts: each names its series and draws them from the rows.
const CHARTS = {
  arrivals: {
    unit: t('dash.chats'),
    series: (rows, span) => [
      [t('dash.arrivals'), rows.map((r) => r.arrivals)],
      [t('dash.served'), rows.map((r) => r.served)],
      [t('dash.abandoned'), rows.map((r) => r.abandoned)],
      // chat-seconds waited in the bucket over its length: the average
      // number of chats waiting (waits are counted where they end)
      [t('dash.waitingAvg'), rows.map((r) => ((r.wait_avg_s || 0) * r.served + (r.abandon_wait_avg_s || 0) * r.abandoned) / span)],
    ],
  },
  wait: {
    unit: t('dash.seconds'),
    series: (rows) => [
      [t('dash.p50'), rows.map((r) => r.wait_p50_s)],
      [t('dash.p90'), rows.map((r) => r.wait_p90_s)],
      [t('dash.p95'), rows.map((r) => r.wait_p95_s)],
    ],
  },
  sla: {
    unit: '%',
    series: (rows) => [
      [t('dash.slaShare'), rows.map((r) => (r.sla_share === null ? null : r.sla_share * 100))],
      [t('dash.goal'), rows.map((r) => r.sla_goal * 100), { dash: [6, 4] }],
    ],
  },
  occupancy: {
    unit: '%',
    series: (rows) => [[t('dash.occupancy'), rows.map((r) => (r.occupancy === null ? null : r.occupancy * 100))]],
  },
  status: {
    unit: t('dash.hours'),
    series: (rows, span, statuses) => statuses.filter((id) => rows.some((r) => r.status_s[id])).map((id) =>
      [statusOf(id).name, rows.map((r) => (r.status_s[id] || 0) / 3600), { stroke: safeColor(statusOf(id).color) }]),
  },
};

function drawChart(U, name, rows, span, statuses) {
  const box = document.querySelector(`#dash-charts figure[data-chart=${name}] .plot`);
  const spec = CHARTS[name];
  const ser = spec.series(rows, span, statuses);
  // the hours still to come keep their place on the axis, without values
  const xs = rows.map((r) => x(r.key));
  const now = Date.now() / 1000;
  const data = [xs, ...ser.map((s) => s[1].map((v, i) => (xs[i] > now ? null : v)))];
  const opts = {
    width: Math.max(box.clientWidth, 200),
    height: 200,
    series: [{}, ...ser.map(([label, , o = {}], i) => ({
      label, stroke: o.stroke || COLORS[i % COLORS.length], width: 2, dash: o.dash, spanGaps: false,
      points: { show: rows.length <= 48 },
    }))],
    axes: [{}, { label: spec.unit, size: 56 }],
    scales: { x: { time: true } },
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
  };
  if (charts[name]) charts[name].plot.destroy();
  box.innerHTML = '';
  charts[name] = { plot: new U(opts, data, box), box };
  box.closest('figure').dataset.points = String(rows.length);
  box.closest('figure').dataset.series = String(ser.length);
}

function opRow(r) {
  return `<tr data-operator-id="${esc(r.key)}"><td class="name">${esc(r.name || operatorName(r.key))}</td>` +
    `<td class="num">${esc(num(r.handled))}</td><td class="num">${esc(secs(r.handle_avg_s))}</td>` +
    `<td class="num">${esc(secs(r.first_response_avg_s))}</td><td class="num">${esc(num(r.missed_accepts))}</td>` +
    `<td class="num">${esc(num(r.transfers))}</td><td class="num">${esc(hours(r.receiving_s))}</td>` +
    `<td class="num">${esc(pct(r.occupancy))}</td>` +
    `<td class="num">${r.csat_count ? `${esc(num(r.csat_avg, 1))} <span class="muted">(${esc(r.csat_count)})</span>` : '—'}</td></tr>`;
}

function topicRow(r) {
  const cls = r.sla_share === null ? '' : (r.sla_share >= r.sla_goal ? 'ok' : 'alert');
  return `<tr data-topic="${esc(r.key)}"><td class="name">${esc(r.key ? (r.name || topicName(r.key)) : t('dash.noTopic'))}</td>` +
    `<td class="num">${esc(num(r.arrivals))}</td><td class="num">${esc(num(r.served))}</td>` +
    `<td class="num">${esc(num(r.abandoned))}</td><td class="num">${esc(num(r.limit_answers))}</td>` +
    `<td class="num">${esc(secs(r.wait_p50_s))} / ${esc(secs(r.wait_p90_s))}</td>` +
    `<td class="num sla ${cls}">${esc(pct(r.sla_share))} <span class="muted">/ ${esc(pct(r.sla_goal))}</span></td>` +
    `<td class="num">${r.csat_count ? `${esc(num(r.csat_avg, 1))} <span class="muted">(${esc(r.csat_count)})</span>` : '—'}</td></tr>`;
}

function fillTable(id, rows, row, empty) {
  const table = $(id);
  const cols = table.querySelectorAll('thead th').length;
  table.querySelector('tbody').innerHTML = rows.map(row).join('') ||
    `<tr><td colspan="${cols}" class="empty">${esc(t(empty))}</td></tr>`;
  labelCells(table);
}

async function loadRange() {
  const [series, ops, topics, U] = await Promise.all([
    api('GET', `/stats?${windowQuery()}`), api('GET', `/stats?${windowQuery('operator')}`), api('GET', `/stats?${windowQuery('topic')}`),
    loadUPlot(),
  ]);
  const span = series.group_by === 'hour' ? 3600 : 86400;
  for (const name of Object.keys(CHARTS)) drawChart(U, name, series.rows, span, series.statuses);
  fillTable('dash-operators', ops.rows.filter((r) => r.connections || r.receiving_s || r.handled), opRow, 'dash.noOperators');
  fillTable('dash-topics', topics.rows.filter((r) => r.arrivals || r.served || r.abandoned || r.limit_answers || r.key), topicRow, 'dash.noTopics');
  for (const a of document.querySelectorAll('#view-dashboard a[data-csv]')) {
    const by = a.dataset.csv;
    a.href = `/api/v1/stats?${windowQuery(by === 'series' ? undefined : by)}&format=csv`;
  }
  $('dash-range-title').textContent = t('dash.rangeOf', { from: range.from, to: range.to, by: t('dash.by.' + series.group_by) });
}

// ---------------------------------------------------------------- the view

function render() {
  const sec = $('view-dashboard');
  if (sec.dataset.built) return;
  sec.dataset.built = '1';
  const th = (k) => `<th>${esc(t(k))}</th>`;
  sec.innerHTML = `
  <div class="panel" id="dash-today">
    <h2>${esc(t('dash.today'))} <span id="dash-today-at" class="muted small"></span></h2>
    <div id="dash-cards" class="cards"></div>
    <h3>${esc(t('dash.operatorsByStatus'))}</h3>
    <ul id="dash-statuses" class="dash-statuses"></ul>
  </div>
  <div class="panel" id="dash-range">
    <form id="dash-range-form" class="dash-controls" novalidate>
      <label>${esc(t('dash.from'))} <input type="date" name="from" required></label>
      <label>${esc(t('dash.to'))} <input type="date" name="to" required></label>
      <span class="dash-quick">
        <button type="button" data-days="1">${esc(t('dash.today'))}</button>
        <button type="button" data-days="7">${esc(t('dash.days', { n: 7 }))}</button>
        <button type="button" data-days="30">${esc(t('dash.days', { n: 30 }))}</button>
      </span>
      <span class="dash-csv">${esc(t('dash.csv'))}:
        <a data-csv="series" download>${esc(t('dash.csvSeries'))}</a> ·
        <a data-csv="operator" download>${esc(t('dash.csvOperators'))}</a> ·
        <a data-csv="topic" download>${esc(t('dash.csvTopics'))}</a></span>
    </form>
    <h2 id="dash-range-title"></h2>
    <div id="dash-charts" class="dash-charts">
      ${Object.keys(CHARTS).map((n) => `<figure class="chart" data-chart="${n}"><figcaption>${esc(t('dash.chart.' + n))}</figcaption><div class="plot"></div></figure>`).join('')}
    </div>
  </div>
  <div class="panel">
    <h2>${esc(t('mon.operators'))}</h2>
    <div class="table-wrap"><table id="dash-operators" class="grid cards-on-phone"><thead><tr>
      ${th('mon.operator')}${th('dash.handled')}${th('dash.handleAvg')}${th('dash.firstResponse')}${th('dash.missed')}
      ${th('dash.transfers')}${th('dash.receivingH')}${th('dash.occupancy')}${th('dash.csatCol')}
    </tr></thead><tbody></tbody></table></div>
  </div>
  <div class="panel">
    <h2>${esc(t('adm.topics'))}</h2>
    <div class="table-wrap"><table id="dash-topics" class="grid cards-on-phone"><thead><tr>
      ${th('ctx.topic')}${th('dash.arrivals')}${th('dash.served')}${th('dash.abandoned')}${th('dash.limits')}
      ${th('dash.waitP50P90')}${th('dash.slaVsGoal')}${th('dash.csatCol')}
    </tr></thead><tbody></tbody></table></div>
  </div>`;
  setRange(1);
  const f = $('dash-range-form');
  f.addEventListener('change', () => {
    const from = f.elements.from.value;
    const to = f.elements.to.value;
    if (!from || !to || from > to) { notice(t('dash.badRange'), 'error'); return; }
    range = { from, to };
    runNow('dash-range');
  });
  f.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-days]');
    if (!b) return;
    setRange(Number(b.dataset.days));
    runNow('dash-range');
  });
  resize = new ResizeObserver(() => {
    for (const c of Object.values(charts)) c.plot.setSize({ width: Math.max(c.box.clientWidth, 200), height: 200 });
  });
  resize.observe($('dash-charts'));
}

const guarded = (fn) => async () => {
  if (!visible) return;
  try { await fn(); } catch (e) { notice(errorText(e), 'error'); }
};

export function handleEvent(ev) {
  if (!visible || ev.event_name === 'message_created') return;
  schedule('dash-today');
}

export function onShow() {
  visible = true;
  render();
  schedule('dash-today', 'dash-range');
}
export function onHide() { visible = false; }

export function init() {
  job('dash-today', guarded(loadToday), 2000);
  job('dash-range', guarded(loadRange), 2000);
  on('statuses', () => { if (visible) schedule('dash-today'); });
  // the service level of today moves with the clock, not only with events
  setInterval(() => { if (visible && !document.hidden) schedule('dash-today'); }, 30000);
  setInterval(() => { if (visible && !document.hidden) schedule('dash-range'); }, 300000);
}
