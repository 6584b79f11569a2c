// Working together, outside the chat view: the bar of chats colleagues
// offer the viewer (under the header, each with Open), and the viewer's
// wrap-up in the header ("Wrapping up 1 chat · 0:25" with Ready).

import { t } from './i18n.js';
import {
  state, api, enc, esc, ts, me, clientName, operatorName, job, schedule, runNow, notice, on, errorText, fmtCountdown, untilText,
} from './core.js';
import * as inbox from './inbox.js';

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- offers to me

function offerHtml(c) {
  const o = c.transfer_offer;
  const until = ts(o.expires_at);
  const note = o.note ? ` <q class="offer-note">${esc(o.note.length > 120 ? o.note.slice(0, 120) + '…' : o.note)}</q>` : '';
  const exp = until ? ` <span class="offer-expiry" data-fmt="offer" data-until="${until}"></span>` : '';
  return `<li data-chat-id="${esc(c.id)}"><span class="offer-text">${esc(t('offer.bar', { op: operatorName(o.from_operator_id), client: clientName(c) }))}</span>` +
    `${note}${exp} <button type="button" class="open-offer primary" aria-label="${esc(t('mon.openOf', { client: clientName(c) }))}">${esc(t('offer.openChat'))}</button></li>`;
}

// renderOffers lists the offers to the viewer, but for the chat on screen
// (its view has the offer's own panel).
function renderOffers() {
  const view = $('chat-view');
  const shown = state.view === 'chats' && view.dataset.chatId && !view.querySelector('.chat-body').hidden ? view.dataset.chatId : '';
  const list = inbox.offersToMe().filter((c) => c.id !== shown);
  const bar = $('offers');
  const ul = bar.querySelector('.offer-list');
  const html = list.map(offerHtml).join('');
  if (ul.dataset.html !== html) {
    const focused = document.activeElement && ul.contains(document.activeElement) ? document.activeElement.closest('li').dataset.chatId : '';
    ul.innerHTML = html;
    ul.dataset.html = html;
    for (const el of ul.querySelectorAll('[data-until]')) el.textContent = untilText(Number(el.dataset.until) - Date.now(), 'offer');
    if (focused) { const b = ul.querySelector(`li[data-chat-id="${CSS.escape(focused)}"] button`); if (b) b.focus({ preventScroll: true }); }
  }
  bar.hidden = list.length === 0;
}

// ---------------------------------------------------------------- my wrap-up

let self = null; // the viewer's operator, as last read

async function loadSelf() {
  self = await api('GET', `/operators/${enc(me())}`);
  const i = state.operators.findIndex((o) => o.id === self.id);
  if (i >= 0) state.operators[i] = self;
  renderWrapUp();
}

function renderWrapUp() {
  const w = (self && self.wrap_up) || [];
  const box = $('wrapup');
  box.hidden = w.length === 0;
  if (!w.length) return;
  const until = Math.max(...w.map((x) => ts(x.until)));
  box.querySelector('.text').textContent = t('wrap.text', { n: w.length });
  const clock = box.querySelector('.wrapup-clock');
  clock.dataset.until = until;
  clock.textContent = fmtCountdown(until - Date.now());
  clock.title = t('wrap.until');
}

async function ready() {
  const b = $('ready');
  b.disabled = true;
  try {
    self = await api('POST', `/operators/${enc(me())}/ready`, {});
    renderWrapUp();
    notice(t('n.ready'));
    schedule('operators');
  } catch (e) {
    notice(errorText(e), 'error');
  } finally {
    b.disabled = false;
  }
}

// ---------------------------------------------------------------- events

export function handleEvent(ev) {
  const n = ev.event_name;
  if ((n === 'wrap_up_started' || n === 'wrap_up_ended') && ev.operator && ev.operator.id === me()) runNow('self');
}

export function init() {
  job('self', loadSelf, 300);
  on('inbox', renderOffers);
  on('chat-shown', renderOffers);
  on('operators', () => {
    const o = state.operators.find((x) => x.id === me());
    if (o) { self = o; renderWrapUp(); }
  });
  $('offers').addEventListener('click', (e) => {
    const b = e.target.closest('button.open-offer');
    if (b) location.hash = `#/chats/${enc(b.closest('li').dataset.chatId)}`;
  });
  $('ready').addEventListener('click', ready);
}
