// Alerts: a short tone (Web Audio, no files), desktop notifications (after
// the browser's permission), the count in the tab title, the per-user mute,
// the bell with the latest notices, and the banner that says the server
// changed the viewer's status.

import { t, lang } from './i18n.js';
import { state, loadPref, savePref, notice, on, esc, fmtTime, fmtFull, clientName, statusOf } from './core.js';

const $ = (id) => document.getElementById(id);
const HISTORY = 20;
const BASE_TITLE = 'Switchboard';

let muted = false;
let audio = null;
const history = []; // {text, kind, at}, newest first
let unseen = 0;
let expected = null; // {status, until}: a status change the viewer asked for
const lastAlert = new Map(); // chat id -> {kind, at}
let disconnects = []; // {reason, at}: recent chats taken from the viewer

// ---------------------------------------------------------------- sound

// unlockAudio creates (or resumes) the audio context; browsers allow that
// only during a user gesture, so every click and key calls it.
export function unlockAudio() {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!AC) return;
  try {
    if (!audio) audio = new AC();
    if (audio.state === 'suspended') audio.resume();
  } catch { audio = null; }
}

function tone(urgent) {
  if (muted) return;
  if (!audio) unlockAudio(); // allowed once the page has had a user gesture
  if (!audio) return;
  try {
    const now = audio.currentTime;
    const notes = urgent ? [880, 660, 880] : [660, 880];
    notes.forEach((f, i) => {
      const o = audio.createOscillator();
      const g = audio.createGain();
      const t0 = now + i * 0.15;
      o.type = 'sine';
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t0);
      g.gain.exponentialRampToValueAtTime(0.2, t0 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.13);
      o.connect(g);
      g.connect(audio.destination);
      o.start(t0);
      o.stop(t0 + 0.14);
    });
  } catch { /* no sound then */ }
}

// ---------------------------------------------------------------- desktop notifications

function permission() {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

function desktop(title, body, chatId) {
  if (muted || permission() !== 'granted') return;
  try {
    const n = new Notification(title, { body: body || '', tag: chatId ? `sb-chat-${chatId}` : undefined, lang: lang() });
    n.onclick = () => {
      window.focus();
      if (chatId) location.hash = `#/chats/${encodeURIComponent(chatId)}`;
      if (n.close) n.close();
    };
  } catch { /* some browsers allow notifications only from a service worker */ }
}

async function askPermission() {
  if (!('Notification' in window)) return;
  try { await Notification.requestPermission(); } catch { /* old callback form: nothing to do */ }
  paintPermission();
}

function paintPermission() {
  const p = permission();
  $('notify-permission').hidden = p !== 'default';
  $('notice-history').querySelector('.notify-state').textContent = t('notify.' + p);
}

// ---------------------------------------------------------------- alerts

const ALERT_KEYS = {
  assigned: 'alert.assigned', message: 'alert.message', deadline: 'alert.deadline', overdue: 'alert.overdue', offer: 'alert.offer',
};

// alert tells the viewer about one of its chats: kind is assigned, message,
// deadline (the accept deadline is near), overdue or offer (a colleague
// offers it the chat; params.op names the colleague); body is the text to
// show (the client's message, the handover note).
export function alert(kind, chat, body, params = {}) {
  const id = chat.id;
  const prev = lastAlert.get(id);
  const now = Date.now();
  // one alert for the same news arriving twice at once
  if (prev && now - prev.at < 1000 && prev.kind === kind) return;
  lastAlert.set(id, { kind, at: now });
  const title = t(ALERT_KEYS[kind], { ...params, client: clientName(chat) });
  tone(kind === 'deadline' || kind === 'overdue' || kind === 'offer');
  desktop(title, body, id);
  if (kind === 'deadline') notice(title, 'warn');
}

// ---------------------------------------------------------------- title and mute

export function setAttention(n) {
  document.title = n > 0 ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
}

function paintMute() {
  const b = $('mute');
  b.setAttribute('aria-pressed', String(muted));
  b.textContent = t('mute.label');
  b.classList.toggle('on', muted);
}

// ---------------------------------------------------------------- the bell

let bellFrame = 0;
function addHistory(n) {
  history.unshift(n);
  history.length = Math.min(history.length, HISTORY);
  if ($('notice-history').hidden) unseen++;
  // a burst of events: paint once
  if (!bellFrame) bellFrame = requestAnimationFrame(() => { bellFrame = 0; paintBell(); });
}

function paintBell() {
  const c = $('bell').querySelector('.bell-count');
  c.textContent = unseen > 9 ? '9+' : String(unseen);
  c.hidden = unseen === 0;
  $('bell').setAttribute('aria-label', unseen ? t('bell.labelN', { n: unseen }) : t('bell.label'));
  const box = $('notice-history');
  if (box.hidden) return;
  box.querySelector('.history').innerHTML = history.map((h) =>
    `<li class="${esc(h.kind)}"><time datetime="${new Date(h.at).toISOString()}" title="${esc(fmtFull(h.at))}">${esc(fmtTime(new Date(h.at).toISOString()))}</time> ${esc(h.text)}</li>`).join('');
  box.querySelector('.history-empty').hidden = history.length > 0;
}

function toggleBell(open) {
  const box = $('notice-history');
  box.hidden = !open;
  if (open) $('notice').hidden = true;
  $('bell').setAttribute('aria-expanded', String(open));
  if (open) { unseen = 0; paintPermission(); }
  paintBell();
}

// ---------------------------------------------------------------- status banner

// expectStatus notes a status change the viewer asked for, so that its
// event raises no banner.
export function expectStatus(status) { expected = { status, until: Date.now() + 15000 }; }
export function isExpected(status) { return !!expected && expected.status === status && Date.now() < expected.until; }

// noteDisconnect remembers why a chat left the viewer (the banner names it).
export function noteDisconnect(reason) {
  const now = Date.now();
  disconnects = disconnects.filter((d) => now - d.at < 60000);
  disconnects.push({ reason: reason || '', at: now });
}

// statusChanged is called for each change of the viewer's own status.
export function statusChanged(ev) {
  if (expected && expected.status === ev.status && Date.now() < expected.until) { expected = null; return; }
  // the events of one change arrive together: let the disconnects in
  setTimeout(() => {
    const s = statusOf(ev.status);
    const now = Date.now();
    const why = disconnects.filter((d) => now - d.at < 60000).map((d) => d.reason);
    let reason;
    if (why.includes('missed_accept')) reason = t('banner.missed');
    else if (why.includes('redistribution')) reason = t('banner.redistributed');
    else if (why.includes('presence_lost')) reason = t('banner.presence');
    else if (state.settings && ev.status === state.settings.auto_offline_status && !s.can_receive) reason = t('banner.auto');
    else reason = t('banner.other');
    showBanner(`${t('banner.changed', { status: s.name })} ${reason}${s.can_receive ? '' : ' ' + t('banner.noChats')}`);
    tone(true);
    desktop(t('banner.changed', { status: s.name }), reason, '');
  }, 300);
}

function showBanner(text) {
  const b = $('status-banner');
  b.querySelector('.text').textContent = text;
  b.hidden = false;
}

export function hideBanner() { $('status-banner').hidden = true; }

// ---------------------------------------------------------------- init

export function init() {
  muted = !!loadPref('mute', false);
  paintMute();
  paintPermission();
  $('mute').addEventListener('click', () => { muted = !muted; savePref('mute', muted); paintMute(); });
  $('bell').addEventListener('click', () => toggleBell($('notice-history').hidden));
  $('notify-permission').addEventListener('click', askPermission);
  $('status-banner').querySelector('.dismiss').addEventListener('click', hideBanner);
  document.addEventListener('click', (e) => {
    if (!$('notice-history').hidden && !e.target.closest('#notice-history, #bell')) toggleBell(false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('notice-history').hidden) { toggleBell(false); $('bell').focus(); }
  });
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, unlockAudio, { passive: true });
  on('notice', addHistory);
  on('attention', setAttention);
}
