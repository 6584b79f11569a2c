package main

// Browser tests of a working day at the panels (issue 26): accept on open
// with the countdown, alerts (desktop notification, tone, title count),
// unread counts and the order of My chats, staff working the chats they
// hold, the timeline and deep links, the status banner, the phone layout
// with every action reached by a click, accessibility (axe-core) on every
// page, and the Ukrainian interface. They reuse the helpers of
// panel_test.go; SB_SCREENSHOTS=1 also writes the phone screenshots.

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// axe-core (MPL-2.0, testdata/axe-core/LICENSE), injected into the page by
// the accessibility checks.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// panelDevice is the browser a test drives: its window, whether it is a
// phone (touch, mobile viewport), its language, the desktop notification
// permission the stubbed Notification API reports, and whether the page
// keeps the browser's real Web Audio API (watched, not replaced).
type panelDevice struct {
	Name       string
	Width      int64
	Height     int64
	Phone      bool
	Lang       string // the browser's language; en-US when empty
	Permission string // granted, default or denied; granted when empty
	RealAudio  bool
}

var (
	panelDesktopWide = panelDevice{Name: "desktop", Width: 1440, Height: 900}
	panelPhone       = panelDevice{Name: "phone", Width: 390, Height: 844, Phone: true}
)

// panelStubsJS replaces the Notification and Web Audio APIs before the
// panel's scripts run, recording what the panel asks of them in
// window.__alerts: notifications shown (title, body), tones started,
// permission requests. With a real audio device (__REALAUDIO__) the
// browser's own AudioContext stays: a subclass counts the oscillators the
// panel starts (real.started) and those started while the context was
// running, i.e. heard (real.running).
const panelStubsJS = `(() => {
  if (window.__alerts) return;
  const A = window.__alerts = {notes: [], tones: 0, asked: 0};
  class N {
    constructor(title, opts) { opts = opts || {}; A.notes.push({title: String(title), body: String(opts.body || ''), tag: String(opts.tag || '')}); }
    close() {}
  }
  N.permission = __PERMISSION__;
  N.requestPermission = () => { A.asked++; N.permission = 'granted'; return Promise.resolve('granted'); };
  window.Notification = N;
  if (__REALAUDIO__) {
    const Real = window.AudioContext;
    A.real = {started: 0, running: 0};
    window.AudioContext = class extends Real {
      createOscillator() {
        const o = super.createOscillator();
        const start = o.start.bind(o);
        o.start = (...args) => { A.real.started++; if (this.state === 'running') A.real.running++; return start(...args); };
        return o;
      }
    };
    return;
  }
  class Osc { constructor() { this.frequency = {value: 0}; this.type = ''; } connect() {} start() { A.tones++; } stop() {} }
  class Gain { constructor() { this.gain = {setValueAtTime() {}, exponentialRampToValueAtTime() {}}; } connect() {} }
  window.AudioContext = class {
    constructor() { this.state = 'running'; this.currentTime = 0; this.destination = {}; }
    resume() { return Promise.resolve(); }
    createOscillator() { return new Osc(); }
    createGain() { return new Gain(); }
  };
})();`

// panelOpenOn starts a headless browser as panelOpen does, on a device.
func panelOpenOn(t *testing.T, m *Main, timeout time.Duration, dev panelDevice) *panelPage {
	t.Helper()
	lang := dev.Lang
	if lang == "" {
		lang = "en-US"
	}
	p := panelBrowser(t, m, timeout, int(dev.Width), int(dev.Height), lang)
	names, _ := json.Marshal(panelEventNames)
	probe := strings.NewReplacer("__WATCH__", "{}", "__NAMES__", string(names)).Replace(panelProbeJS)
	perm := dev.Permission
	if perm == "" {
		perm = "granted"
	}
	stubs := strings.NewReplacer("__PERMISSION__", panelJS(perm), "__REALAUDIO__", fmt.Sprint(dev.RealAudio)).Replace(panelStubsJS)
	p.addScripts(probe, stubs)
	if dev.Phone {
		p.do("emulate a phone", chromedp.EmulateViewport(dev.Width, dev.Height, chromedp.EmulateScale(2),
			chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	}
	return p
}

// reach checks that a control can be used where it is: visible, inside the
// viewport's width, not cut off, and the topmost element at its centre
// once scrolled into view (nothing covers it).
func (p *panelPage) reach(sel string) {
	p.t.Helper()
	p.waitVisible(sel)
	p.waitJS(sel+" is reachable", panelStep, `(() => {
		const el = document.querySelector(`+panelJS(sel)+`);
		el.scrollIntoView({block: 'nearest', inline: 'nearest'});
		const r = el.getBoundingClientRect();
		if (r.width < 1 || r.height < 1 || r.left < -1 || r.right > innerWidth + 1 || r.top < -1 || r.bottom > innerHeight + 1) return false;
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return !!hit && (hit === el || el.contains(hit) || (el.control && el.control === hit));
	})()`, `(() => {
		const el = document.querySelector(`+panelJS(sel)+`);
		const r = el.getBoundingClientRect();
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return JSON.stringify({rect: [r.left, r.top, r.right, r.bottom], viewport: [innerWidth, innerHeight],
			hit: hit ? hit.outerHTML.slice(0, 200) : null});
	})()`)
}

// tap clicks a control after checking that it is reachable.
func (p *panelPage) tap(sel string) {
	p.t.Helper()
	p.reach(sel)
	p.clickNode(sel)
}

// shotQuiet takes a viewport screenshot once no notice lies over the page.
func (p *panelPage) shotQuiet(name string) {
	p.t.Helper()
	if os.Getenv("SB_SCREENSHOTS") != "1" {
		return
	}
	p.waitJS("no notice on screen", panelStep, "!__panel.vis('#notice')", "__panel.html('#notice')")
	p.shot(name, "viewport")
}

// noSidewaysScroll fails when the page is wider than the viewport.
func (p *panelPage) noSidewaysScroll(what string) {
	p.t.Helper()
	p.waitJS(what+": nothing wider than the screen", panelStep,
		"document.documentElement.scrollWidth <= innerWidth + 1 && document.body.scrollWidth <= innerWidth + 1",
		`(() => { const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && e.checkVisibility())
			.slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
		  return 'scrollWidth ' + document.documentElement.scrollWidth + ' > ' + innerWidth + ': ' + wide.join(' | '); })()`)
}

// axeViolation is one rule axe-core found broken, with the elements.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core on the page as it is and fails the test for every
// serious or critical violation; it returns a one-line summary.
func (p *panelPage) axe(what string) string {
	p.t.Helper()
	if panelEval[bool](p, "typeof window.axe === 'undefined'") {
		panelEval[chromedp.Void](p, axeSource+"\n;void 0")
	}
	vs := panelEval[[]axeViolation](p, `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, failureSummary: n.failureSummary}))})))`)
	counts := map[string]int{}
	var ids []string
	for _, v := range vs {
		counts[v.Impact]++
		ids = append(ids, v.ID+"("+v.Impact+")")
		if v.Impact == "serious" || v.Impact == "critical" {
			var nodes []string
			for _, n := range v.Nodes {
				nodes = append(nodes, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
			}
			p.t.Errorf("axe on %s: %s (%s): %s\n    %s", what, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n    "))
		}
	}
	sum := fmt.Sprintf("axe %s: critical %d, serious %d, moderate %d, minor %d %v", what,
		counts["critical"], counts["serious"], counts["moderate"], counts["minor"], ids)
	p.t.Log(sum)
	return sum
}

// pressTab presses Tab (Shift+Tab when back) as a keyboard does.
func (p *panelPage) pressTab(back bool) {
	p.t.Helper()
	var mod int64
	if back {
		mod = 8 // Shift
	}
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		ev := input.DispatchKeyEventParams{Type: typ, Key: "Tab", Code: "Tab", WindowsVirtualKeyCode: 9, NativeVirtualKeyCode: 9, Modifiers: mod}
		ctx, cancel := context.WithTimeout(p.ctx, panelStep)
		_, err := chromedp.Call(ctx, input.DispatchKeyEvent, ev)
		cancel()
		if err != nil {
			p.t.Fatalf("press Tab: %v", err)
		}
	}
}

// alerts is what the stubbed Notification and Web Audio APIs recorded.
type panelAlerts struct {
	Notes []struct {
		Title string `json:"title"`
		Body  string `json:"body"`
		Tag   string `json:"tag"`
	} `json:"notes"`
	Tones int `json:"tones"`
	Asked int `json:"asked"`
}

func (p *panelPage) alerts() panelAlerts { return panelEval[panelAlerts](p, "window.__alerts") }

// waitNote waits for a desktop notification whose title contains want.
func (p *panelPage) waitNote(what, want string) {
	p.t.Helper()
	p.waitJS(what, panelStep, "window.__alerts.notes.some(n => n.title.includes("+panelJS(want)+"))",
		"JSON.stringify(window.__alerts)")
}

// panelClientMessage posts a client message into a chat (the channel's
// integration does).
func panelClientMessage(t *testing.T, integ *sbAPI, chatID, text string) {
	t.Helper()
	integ.sbMust(t, "POST", "/api/v1/chats/"+chatID+"/messages", map[string]any{"text": text}, 201)
}

// TestPanelAcceptOnOpen: a chat assigned automatically shows in the list
// the countdown to its accept deadline (the skill group's override, as the
// engine computes it); opening it accepts it (R7), and the countdown goes.
// The deep link of the open chat survives a reload.
func TestPanelAcceptOnOpen(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1, topic support, group g1
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"accept_timeout_s": 600}, 200)
	admin.sbMust(t, "PATCH", "/api/v1/skill-groups/g1", map[string]any{"accept_timeout_s": 300}, 200)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ := m.sbToken(t, admin, "integrator", "")

	p := panelOpenOn(t, m, 90*time.Second, panelDesktopWide)
	p.nav("/")
	p.signIn("one@example.com", "secret-password")
	p.waitJS("My chats is empty", panelStep, "__panel.num('ul#folders li[data-folder=mine] span.count') === 0", "__panel.html('ul#folders', 1500)")

	a := panelConnect(t, integ, "c-1", "Olena Petrenko", "support", "", 0)
	id := a["id"].(string)
	if a["status"] != "active" || a["operator_id"] != "op-1" || a["auto_assigned"] != true {
		t.Fatalf("chat %v, want active with op-1, assigned automatically", a)
	}
	row := panelRow(id)
	cd := row + " .ci-deadline[data-until]"
	p.waitVisible(cd)
	// The group's 300 s override, not the setting's 600 s.
	p.waitJS("the countdown says accept in at most 5:00", panelStep,
		`(() => { const m = __panel.text(`+panelJS(cd)+`).match(/accept in (\d+):(\d\d)/); return m && m[1] * 60 + +m[2] <= 300 && m[1] * 60 + +m[2] > 240; })()`,
		"__panel.text("+panelJS(cd)+")")
	first := panelEval[string](p, "__panel.text("+panelJS(cd)+")")
	p.waitJS("the countdown counts down", 5*time.Second, "__panel.text("+panelJS(cd)+") !== "+panelJS(first), "__panel.text("+panelJS(cd)+")")
	p.waitJS("the tab title counts the chat that needs me", panelStep, "document.title === '(1) Switchboard'", "document.title")
	p.shot("operator-countdown", "viewport")

	p.click(row)
	panelPoll(t, "opening the chat accepted it", func() (bool, string) {
		c := panelGetChat(t, admin, id)
		return c["accepted_at"] != nil && c["accepted_at"] != "", fmt.Sprintf("accepted_at %v", c["accepted_at"])
	})
	p.waitJS("accepted: no countdown, no Accept button, the title count gone", panelStep,
		"!__panel.q("+panelJS(cd)+") && !__panel.vis('button#accept') && !__panel.vis('#chat-view .accept-countdown') && document.title === 'Switchboard'",
		"__panel.html("+panelJS(row)+", 1500) + ' title ' + document.title")
	p.waitJS("the address is the chat's deep link", panelStep, "location.hash === "+panelJS("#/chats/"+id), "location.hash")

	// A reload keeps the chat open.
	p.nav("/#/chats/" + id)
	p.waitVisible(`section#chat-view[data-chat-id="` + id + `"] .chat-body`)
	p.waitJS("the reloaded page shows the chat", panelStep, "/Olena Petrenko/.test(__panel.text('#chat-view .client'))", "__panel.html('#chat-view', 1000)")
	p.noExceptions()
}

// TestPanelAlerts: a chat assigned to me and a client message in my chat
// (not the one on screen) raise a desktop notification naming the client,
// a tone and the count in the tab title; notices name clients, not chat
// ids; the bell keeps them; muting stops tones and notifications and is
// kept per user.
func TestPanelAlerts(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1, max_chats 2
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ := m.sbToken(t, admin, "integrator", "")

	p := panelOpenOn(t, m, 90*time.Second, panelDevice{Name: "desktop", Width: 1440, Height: 900, Permission: "default"})
	p.nav("/")
	p.signIn("one@example.com", "secret-password")

	// Permission is asked on a click, from the bell.
	p.click("button#bell")
	p.waitVisible("#notice-history")
	p.click("button#notify-permission")
	p.waitJS("the permission was asked once and the button left", panelStep,
		"window.__alerts.asked === 1 && !__panel.vis('button#notify-permission')", "JSON.stringify(window.__alerts)")
	p.click("button#bell")

	a := panelConnect(t, integ, "c-1", "Olena Petrenko", "support", "", 0)["id"].(string)
	p.waitNote("a notification names the client of the new chat", "Olena Petrenko")
	p.waitJS("the title counts one chat", panelStep, "document.title === '(1) Switchboard'", "document.title")
	p.click(panelRow(a)) // on screen and accepted: needs nothing
	p.waitJS("the title count is gone", panelStep, "document.title === 'Switchboard'", "document.title")

	b := panelConnect(t, integ, "c-2", "Taras Bondar", "support", "", 0)["id"].(string)
	p.waitNote("a notification for the second chat", "Taras Bondar")
	p.click(panelRow(b))
	p.waitJS("chat b open, the title count gone", panelStep,
		"__panel.vis('section#chat-view[data-chat-id=\""+b+"\"] .chat-body') && document.title === 'Switchboard'", "document.title")
	before := p.alerts()

	// A client message in chat a, not on screen.
	panelClientMessage(t, integ, a, "Is the refund on its way?")
	p.waitJS("a notification: Olena wrote, with the text", panelStep,
		"window.__alerts.notes.some(n => n.title.includes('Olena Petrenko') && n.body.includes('Is the refund on its way?'))",
		"JSON.stringify(window.__alerts.notes)")
	p.waitJS("the title counts the unread chat", panelStep, "document.title === '(1) Switchboard'", "document.title")
	p.waitJS("the row of chat a shows 1 unread", panelStep, "__panel.num("+panelJS(panelRow(a)+" .unread")+") === 1",
		"__panel.html("+panelJS(panelRow(a))+", 1500)")
	if got := p.alerts(); got.Tones <= before.Tones {
		t.Errorf("no tone for the client message: %d tones before, %d after", before.Tones, got.Tones)
	}
	notices := panelEval[[]string](p, "__panel.notices")
	t.Logf("notices: %q", notices)
	for _, n := range notices {
		if strings.Contains(n, "chat "+a) || strings.Contains(n, "chat "+b) || strings.Contains(n, "Chat "+a) {
			t.Errorf("notice %q names a chat id, want the client", n)
		}
	}
	if !slices.ContainsFunc(notices, func(n string) bool { return strings.Contains(n, "Olena Petrenko") }) {
		t.Errorf("no notice names Olena Petrenko: %q", notices)
	}

	// The bell keeps the notices.
	p.click("button#bell")
	p.waitJS("the bell lists the notices", panelStep,
		"__panel.vis('#notice-history') && __panel.count('#notice-history ol.history li') >= 3 && /Olena Petrenko/.test(__panel.text('#notice-history'))",
		"__panel.html('#notice-history', 2000)")
	p.shot("operator-bell", "viewport")
	p.click("button#bell")

	// Muted: no tone, no notification; the mute is kept for this user.
	p.click("button#mute")
	p.waitJS("mute pressed", panelStep, "__panel.q('button#mute').getAttribute('aria-pressed') === 'true'", "__panel.html('button#mute')")
	muted := p.alerts()
	panelClientMessage(t, integ, a, "Hello?")
	p.waitJS("the unread count follows", panelStep, "__panel.num("+panelJS(panelRow(a)+" .unread")+") === 2",
		"__panel.html("+panelJS(panelRow(a))+", 1500)")
	if got := p.alerts(); got.Tones != muted.Tones || len(got.Notes) != len(muted.Notes) {
		t.Errorf("muted, yet %d tones and %d notifications more", got.Tones-muted.Tones, len(got.Notes)-len(muted.Notes))
	}
	p.nav("/")
	p.waitJS("the mute is kept after a reload", panelStep,
		"__panel.q('button#mute') && __panel.q('button#mute').getAttribute('aria-pressed') === 'true'", "__panel.html('button#mute')")

	// Unmuted, a chat going overdue (no reply in time) alerts. (The stub's
	// permission does not outlive the page as a browser's does: ask again.)
	p.click("button#bell")
	p.click("button#notify-permission")
	p.click("button#bell")
	p.click("button#mute")
	p.waitJS("mute released", panelStep, "__panel.q('button#mute').getAttribute('aria-pressed') === 'false'", "__panel.html('button#mute')")
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"response_timeout_s": 1}, 200)
	panelClientMessage(t, integ, b, "Anyone?")
	p.waitNote("a notification: Taras waits for a reply, overdue", "Taras Bondar is waiting for your reply (overdue)")
	p.noExceptions()
}

// TestPanelUnreadAndOrder: each row shows the last message and the unread
// client messages (kept per user across a reload, zero once viewed); My
// chats puts who waits for a reply longest first, then the latest activity.
func TestPanelUnreadAndOrder(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	admin.sbMust(t, "PATCH", "/api/v1/operators/op-1", map[string]any{"max_chats": 5}, 200)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ := m.sbToken(t, admin, "integrator", "")
	op := m.sbToken(t, admin, "operator", "op-1")
	var ids []string
	for i, name := range []string{"Maria Koval", "Ivan Hrytsenko", "Oksana Lysenko"} {
		ids = append(ids, panelConnect(t, integ, fmt.Sprintf("u-%d", i), name, "support", "", 0)["id"].(string))
		time.Sleep(20 * time.Millisecond) // distinct waiting times
	}

	p := panelOpenOn(t, m, 90*time.Second, panelDesktopWide)
	p.nav("/")
	p.signIn("one@example.com", "secret-password")
	p.waitJS("three chats, the longest waiting first", panelStep,
		"JSON.stringify(__panel.all('ul#chat-list li[data-chat-id]').map(li => li.dataset.chatId)) === "+panelJS(mustJSON(ids)),
		"JSON.stringify(__panel.all('ul#chat-list li[data-chat-id]').map(li => li.dataset.chatId))")
	for _, id := range ids {
		p.waitJS("row "+id+": preview, 1 unread, waiting", panelStep,
			"/Asks about a refund/.test(__panel.text("+panelJS(panelRow(id)+" .preview")+")) && __panel.num("+panelJS(panelRow(id)+" .unread")+") === 1 && "+
				"/waiting/.test(__panel.text("+panelJS(panelRow(id)+" .ci-time")+"))",
			"__panel.html("+panelJS(panelRow(id))+", 1500)")
	}

	// The operator answers the first (through the API): it no longer waits
	// and goes after those who do.
	op.sbMust(t, "POST", "/api/v1/chats/"+ids[0]+"/messages", map[string]any{"text": "On it"}, 201)
	want := []string{ids[1], ids[2], ids[0]}
	p.waitJS("answered: the chat goes after the waiting ones", panelStep,
		"JSON.stringify(__panel.all('ul#chat-list li[data-chat-id]').map(li => li.dataset.chatId)) === "+panelJS(mustJSON(want)),
		"JSON.stringify(__panel.all('ul#chat-list li[data-chat-id]').map(li => li.dataset.chatId))")
	p.waitJS("its row: my reply as the preview, the last message's time", panelStep,
		"/On it/.test(__panel.text("+panelJS(panelRow(ids[0])+" .preview")+")) && /last message/.test(__panel.text("+panelJS(panelRow(ids[0])+" .ci-time")+"))",
		"__panel.html("+panelJS(panelRow(ids[0]))+", 1500)")

	// Two more client messages in the last chat: 3 unread; opening it reads
	// them, and the mark survives a reload.
	panelClientMessage(t, integ, ids[2], "Are you there?")
	panelClientMessage(t, integ, ids[2], "Hello?")
	p.waitJS("3 unread, the preview is the latest", panelStep,
		"__panel.num("+panelJS(panelRow(ids[2])+" .unread")+") === 3 && /Hello\\?/.test(__panel.text("+panelJS(panelRow(ids[2])+" .preview")+"))",
		"__panel.html("+panelJS(panelRow(ids[2]))+", 1500)")
	p.shot("operator-unread", "viewport")
	p.click(panelRow(ids[2]))
	p.waitJS("read once opened", panelStep, "!__panel.q("+panelJS(panelRow(ids[2])+" .unread")+")", "__panel.html("+panelJS(panelRow(ids[2]))+", 1500)")
	p.nav("/#chats")
	p.waitJS("after a reload: still read; the others still unread", panelStep,
		"__panel.vis("+panelJS(panelRow(ids[2]))+") && !__panel.q("+panelJS(panelRow(ids[2])+" .unread")+") && __panel.num("+panelJS(panelRow(ids[1])+" .unread")+") === 1",
		"__panel.html('ul#chat-list', 3000)")
	p.noExceptions()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestPanelSupervisorHoldsChat: a supervisor goes Online in the panel, is
// given a chat (it serves the topic), sees it in My chats, opens it
// (accepting it), replies and closes it; staff also have All active.
func TestPanelSupervisorHoldsChat(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "support", "name": "Support"}, 201)
	panelOperator(t, admin, "sup", "Iryna Supervisor", "iryna@example.com", "supervisor", 3)
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "leads", "name": "Leads",
		"topics": []string{"support"}, "operators": []string{"sup"}}, 201)
	integ := m.sbToken(t, admin, "integrator", "")

	p := panelOpenOn(t, m, 90*time.Second, panelDesktopWide)
	p.nav("/")
	p.signIn("iryna@example.com", "secret-password")
	p.waitJS("staff have My chats and All active", panelStep,
		"__panel.vis('ul#folders li[data-folder=mine]') && __panel.vis('ul#folders li[data-folder=active]')", "__panel.html('ul#folders', 1500)")
	p.choose("select#status", "online")
	panelPoll(t, "the supervisor is online", func() (bool, string) {
		o := panelGetOperator(t, admin, "sup")
		return o["status"] == "online", fmt.Sprint(o["status"])
	})
	c := panelConnect(t, integ, "c-9", "Anna Melnyk", "support", "", 0)
	if c["operator_id"] != "sup" {
		t.Fatalf("chat %v, want it with sup", c)
	}
	id := c["id"].(string)
	p.click(`ul#folders li[data-folder=mine]`)
	p.waitVisible(panelRow(id))
	p.click(panelRow(id))
	p.waitJS("the holder works its chat: reply, Close, Transfer; no Take", panelStep,
		"__panel.vis('textarea#reply') && __panel.vis('button#send') && __panel.vis('button#close') && __panel.vis('button#transfer') && !__panel.vis('button#take')",
		"__panel.html('#chat-view .chat-dock', 2500)")
	panelPoll(t, "opening accepted it", func() (bool, string) {
		c := panelGetChat(t, admin, id)
		return c["accepted_at"] != nil, fmt.Sprint(c["accepted_at"])
	})
	// A client message in the chat on screen is announced to screen readers.
	panelClientMessage(t, integ, id, "Thank you!")
	p.waitJS("the new message is announced (aria-live)", panelStep,
		"__panel.q('#sr-announce').getAttribute('aria-live') === 'polite' && /Anna Melnyk: Thank you!/.test(__panel.text('#sr-announce'))",
		"__panel.html('#sr-announce', 500)")
	reply := "Hello Anna, Iryna here."
	p.fill("textarea#reply", reply)
	p.click("button#send")
	p.waitJS("the reply is in the timeline", panelStep,
		"__panel.all('ol#messages li.message[data-from=operator]').some(li => li.textContent.includes("+panelJS(reply)+"))",
		"__panel.html('ol#messages', 2000)")
	var msgs []map[string]any
	admin.sbGet(t, "/api/v1/chats/"+id+"/messages", &msgs)
	if !slices.ContainsFunc(msgs, func(m map[string]any) bool { return m["text"] == reply && m["author_id"] == "sup" }) {
		t.Errorf("the supervisor's reply is not stored as its message: %v", msgs)
	}
	p.shot("supervisor-holds-chat", "viewport")
	p.fill("input#close-comment", "Answered")
	p.click("button#close")
	panelPoll(t, "closed", func() (bool, string) {
		c := panelGetChat(t, admin, id)
		return c["status"] == "closed", fmt.Sprint(c["status"])
	})
	p.noExceptions()
}

// TestPanelTimelineAndBanner: the timeline shows what happened to the chat
// (assigned, accepted, transferred, returned to the queue, closed, with the
// comment) and a day separator; the folder on screen survives a reload; a
// status the server set (auto-offline after a missed accept) raises a
// banner that stays until dismissed.
func TestPanelTimelineAndBanner(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "billing", "name": "Billing"}, 201)
	admin.sbMust(t, "PATCH", "/api/v1/skill-groups/g1", map[string]any{"topics": []string{"support", "billing"}}, 200)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ := m.sbToken(t, admin, "integrator", "")
	id := panelConnect(t, integ, "t-1", "Petro Lysenko", "support", "", 0)["id"].(string)

	p := panelOpenOn(t, m, 90*time.Second, panelDesktopWide)
	p.nav("/#/chats/" + id)
	p.signIn("one@example.com", "secret-password")
	p.waitVisible(`section#chat-view[data-chat-id="` + id + `"] .chat-body`)
	p.choose("select#transfer-topic", "billing")
	p.click("button#transfer")
	p.waitJS("transferred: back with op-1 (it serves billing too)", panelStep,
		"/Billing/.test(__panel.text('#chat-view .topic'))", "__panel.html('#chat-view .chat-meta', 1500)")
	p.waitVisible("button#close")
	p.fill("input#close-comment", "Refund approved")
	p.click("button#close")
	tl := "ol#messages li.system-event"
	p.waitJS("the timeline: created, assigned, accepted, transferred, closed with the comment", panelStep,
		"['created', 'assigned', 'accepted', 'transferred', 'closed'].every(k => __panel.q("+panelJS(tl)+" + '[data-kind=' + k + ']')) && "+
			"/Refund approved/.test(__panel.text("+panelJS(tl+"[data-kind=closed]")+")) && /One|you/.test(__panel.text("+panelJS(tl+"[data-kind=closed]")+")) && "+
			"__panel.count('ol#messages li.day-sep') === 1 && /Today/.test(__panel.text('ol#messages li.day-sep'))",
		"__panel.html('ol#messages', 4000)")
	p.waitJS("every entry has its absolute time on hover", panelStep,
		"__panel.all('ol#messages time').every(t => t.title && t.getAttribute('datetime'))", "__panel.html('ol#messages', 2000)")
	p.shot("operator-timeline", "viewport")

	// The Closed folder stays selected across a reload.
	p.click(`ul#folders li[data-folder=closed]`)
	p.waitVisible(panelRow(id))
	p.nav("/#chats")
	p.waitJS("after a reload the Closed folder is still on screen", panelStep,
		"__panel.q('ul#folders li.active') && __panel.q('ul#folders li.active').dataset.folder === 'closed' && __panel.vis("+panelJS(panelRow(id))+")",
		"__panel.html('ul#folders', 1500)")

	// A chat nobody accepts: the panel warns that its deadline is near, then
	// the missed accept switches op-1 to auto-offline: the banner says so
	// and stays until dismissed.
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"accept_timeout_s": 3, "max_missed_chats": 1}, 200)
	panelConnect(t, integ, "t-2", "Olha Bondarenko", "support", "", 0)
	p.waitNote("the accept deadline is near", "Accept the chat with Olha Bondarenko")
	p.waitJS("the banner says the status changed and why", 15*time.Second,
		"__panel.vis('#status-banner') && /Offline/.test(__panel.text('#status-banner')) && /not accepted in time/.test(__panel.text('#status-banner'))",
		"__panel.html('#status-banner', 1000)")
	p.shot("operator-banner", "viewport")
	time.Sleep(6 * time.Second) // longer than any notice lasts
	if !panelEval[bool](p, "__panel.vis('#status-banner')") {
		t.Errorf("the banner left by itself")
	}
	p.click("#status-banner button.dismiss")
	p.waitJS("dismissed", panelStep, "!__panel.vis('#status-banner')", "__panel.html('#status-banner', 500)")
	p.noExceptions()
}

// panelPhoneSetup makes the contact center of the phone test: op-1 and
// op-2 serve support and billing, sup supervises; auto_connect is off, so
// new chats wait in New.
func panelPhoneSetup(t *testing.T, m *Main) (admin, integ *sbAPI) {
	t.Helper()
	admin = m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "billing", "name": "Billing"}, 201)
	panelOperator(t, admin, "op-2", "Mykola Shevchuk", "mykola@example.com", "operator", 3)
	panelOperator(t, admin, "sup", "Iryna Supervisor", "iryna@example.com", "supervisor", 3)
	admin.sbMust(t, "PATCH", "/api/v1/operators/op-1", map[string]any{"max_chats": 4}, 200)
	admin.sbMust(t, "PATCH", "/api/v1/skill-groups/g1", map[string]any{"operators": []string{"op-1", "op-2"}}, 200)
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "g2", "name": "Billing", "topics": []string{"billing"}, "operators": []string{"op-2"}}, 201)
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"auto_connect": false}, 200)
	integ = m.sbToken(t, admin, "integrator", "")
	return admin, integ
}

// TestPanelPhone: at 390×844 every action of the operator panel and the
// monitor is reached by a click where it is (not covered, not cut off,
// nothing wider than the screen): the menu and sign-out, a chat opened from
// the list and back, take, accept, reply, close, transfer, and the
// operator cards of the monitor (status, redistribute).
func TestPanelPhone(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin, integ := panelPhoneSetup(t, m)
	a := panelConnect(t, integ, "p-1", "Olena Petrenko", "support", "", 0)["id"].(string)
	b := panelConnect(t, integ, "p-2", "Taras Bondar", "support", "", 0)["id"].(string)
	c := panelConnect(t, integ, "p-3", "Anna Melnyk", "support", "", 0)["id"].(string)

	p := panelOpenOn(t, m, 120*time.Second, panelPhone)
	p.nav("/")
	p.waitVisible("form#login")
	p.noSidewaysScroll("sign-in")
	p.shot("phone-sign-in", "viewport")
	p.signIn("one@example.com", "secret-password")
	p.noSidewaysScroll("chats")

	// The New folder; take chat a from the list.
	p.tap(`ul#folders li[data-folder=new] button`)
	p.waitVisible(panelRow(a))
	p.shot("phone-list", "viewport")
	p.tap(panelRow(a) + " button")
	p.waitVisible(`section#chat-view[data-chat-id="` + a + `"] .chat-body`)
	p.waitJS("the chat fills the screen: no list beside it", panelStep, "!__panel.vis('ul#chat-list') && __panel.vis('button#back')",
		"__panel.html('#view-chats', 500)")
	p.noSidewaysScroll("a chat")
	p.tap("button#take")
	panelPoll(t, "op-1 took chat a", func() (bool, string) {
		c := panelGetChat(t, admin, a)
		return c["operator_id"] == "op-1", fmt.Sprint(c["operator_id"])
	})

	// Reply, then close with a comment.
	p.reach("textarea#reply")
	p.fill("textarea#reply", "Hello from the phone")
	p.tap("button#send")
	p.waitJS("the reply is on screen", panelStep,
		"__panel.all('ol#messages li.message[data-from=operator]').some(li => li.textContent.includes('Hello from the phone'))", "__panel.html('ol#messages', 2000)")
	p.shotQuiet("phone-chat")
	p.reach("input#close-comment")
	p.fill("input#close-comment", "Done on the phone")
	p.tap("button#close")
	panelPoll(t, "chat a closed", func() (bool, string) {
		c := panelGetChat(t, admin, a)
		return c["status"] == "closed" && c["close_comment"] == "Done on the phone", fmt.Sprint(c["status"], c["close_comment"])
	})

	// Back to the list; chat b is given to op-1 by a supervisor while op-1
	// looks at it: Accept appears and is reached.
	p.tap("button#back")
	p.waitJS("back: the list again", panelStep, "__panel.vis('ul#chat-list') && !__panel.vis('#chat-view .chat-body')", "__panel.html('#view-chats', 500)")
	p.tap(`ul#folders li[data-folder=new] button`)
	p.tap(panelRow(b) + " button")
	p.waitVisible(`section#chat-view[data-chat-id="` + b + `"] .chat-body`)
	p.waitVisible("button#take") // loaded as a New chat: opening it accepted nothing
	admin.sbMust(t, "POST", "/api/v1/chats/"+b+"/assign", map[string]any{"operator_id": "op-1"}, 200)
	p.tap("button#accept")
	panelPoll(t, "chat b accepted", func() (bool, string) {
		c := panelGetChat(t, admin, b)
		return c["accepted_at"] != nil, fmt.Sprint(c["accepted_at"])
	})

	// Transfer chat b to Billing (op-1 does not serve it).
	p.reach("select#transfer-topic")
	p.choose("select#transfer-topic", "billing")
	p.tap("button#transfer")
	panelPoll(t, "chat b transferred to billing", func() (bool, string) {
		c := panelGetChat(t, admin, b)
		return c["subject_alias"] == "billing", fmt.Sprint(c["subject_alias"])
	})

	// Sign out through the menu.
	p.tap("button#menu")
	p.shotQuiet("phone-menu")
	p.tap("button#logout")
	p.waitVisible("form#login")

	// The supervisor's monitor: operator cards, no sideways scrolling.
	admin.sbMust(t, "POST", "/api/v1/chats/"+c+"/assign", map[string]any{"operator_id": "op-2", "force": true}, 200)
	p.signIn("iryna@example.com", "secret-password")
	p.tap("nav a[data-nav=monitor]")
	card := `table#operators tr[data-operator-id="op-2"]`
	p.waitVisible(card + " td.load")
	p.noSidewaysScroll("the monitor")
	p.waitJS("operator rows are cards: cells under their headings", panelStep,
		"getComputedStyle(__panel.q("+panelJS(card)+")).display === 'block' && __panel.q("+panelJS(card+" td.load")+").dataset.label === 'Load'",
		"__panel.html("+panelJS(card)+", 1500)")
	p.shot("phone-monitor", "viewport")
	p.reach(card + " select.set-status")
	p.choose(card+" select.set-status", "break")
	panelPoll(t, "op-2 on break", func() (bool, string) {
		o := panelGetOperator(t, admin, "op-2")
		return o["status"] == "break", fmt.Sprint(o["status"])
	})
	p.tap(card + " button.redistribute")
	p.waitVisible("dialog#redistribute-dialog")
	p.shot("phone-redistribute", "viewport")
	p.tap("dialog#redistribute-dialog button[type=submit]")
	panelPoll(t, "op-2 redistributed: offline, chat c returned", func() (bool, string) {
		o, ch := panelGetOperator(t, admin, "op-2"), panelGetChat(t, admin, c)
		return o["status"] == "offline" && ch["operator_id"] != "op-2", fmt.Sprint(o["status"], " ", ch["operator_id"])
	})
	p.tap("button#menu")
	p.tap("button#logout")
	p.waitVisible("form#login")
	p.noExceptions()
}

// TestPanelAccessibility runs axe-core on every page — sign-in, chats (with
// a chat open), monitor, administration — on a desktop and on a phone: no
// serious or critical violation.
func TestPanelAccessibility(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin, integ := panelPhoneSetup(t, m)
	panelOperator(t, admin, "adm", "Ada Admin", "ada@example.com", "admin", 5)
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"auto_connect": true}, 200)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	a := panelConnect(t, integ, "x-1", "Olena Petrenko", "support", "", 0)["id"].(string)
	panelClientMessage(t, integ, a, "<b>not bold</b> & more")
	panelConnect(t, integ, "x-2", "Taras Bondar", "billing", "queue", 0)

	var sums []string
	for _, dev := range []panelDevice{panelDesktopWide, panelPhone} {
		p := panelOpenOn(t, m, 120*time.Second, dev)
		p.nav("/")
		p.waitVisible("form#login")
		sums = append(sums, p.axe(dev.Name+" sign-in"))
		p.signIn("ada@example.com", "secret-password")
		p.nav("/#/chats/" + a)
		p.waitVisible(`section#chat-view[data-chat-id="` + a + `"] .chat-body`)
		p.waitJS("the client's text is shown as text", panelStep,
			"__panel.all('ol#messages li.message').some(li => li.textContent.includes('<b>not bold</b> & more')) && !__panel.q('ol#messages b')",
			"__panel.html('ol#messages', 2000)")
		sums = append(sums, p.axe(dev.Name+" chats"))
		p.nav("/#monitor")
		p.waitVisible("table#operators tr[data-operator-id]")
		p.waitVisible("table#decisions tbody tr")
		sums = append(sums, p.axe(dev.Name+" monitor"))
		if !dev.Phone {
			// The decision log is reached with Tab (a focusable region).
			panelEval[chromedp.Void](p, "__panel.q('select#diag-operator').focus()")
			p.pressTab(true)
			p.waitJS("Tab reaches the decision log", panelStep,
				"document.activeElement === __panel.q('table#decisions').closest('[role=region]') && document.activeElement.tabIndex === 0",
				"String(document.activeElement && document.activeElement.outerHTML.slice(0, 200))")
		}
		if dev.Phone {
			p.click("button#menu")
			p.waitVisible("button#logout")
			sums = append(sums, p.axe(dev.Name+" menu"))
			p.click("button#menu")
		}
		p.nav("/#admin")
		p.waitVisible("form#settings")
		p.waitJS("the admin lists loaded", panelStep, "__panel.textv('#view-admin #tokens').includes('integrator')", "__panel.html('#tokens', 500)")
		sums = append(sums, p.axe(dev.Name+" admin"))
		if dev.Phone {
			p.shot("phone-admin", "viewport")
		}
		p.noExceptions()
	}
	if out := os.Getenv("SB_AXE_REPORT"); out != "" {
		_ = os.WriteFile(out, []byte(strings.Join(sums, "\n")+"\n"), 0o644)
	}
}

// TestPanelUkrainian: with the browser in Ukrainian the panel speaks
// Ukrainian (sign-in and its error, folders, the list's times, chat
// actions, the timeline's days, an administration error in words), sets
// lang="uk", and the switch in the header brings English back.
func TestPanelUkrainian(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	panelOperator(t, admin, "adm", "Ada Admin", "ada@example.com", "admin", 5)
	integ := m.sbToken(t, admin, "integrator", "")
	id := panelConnect(t, integ, "ua-1", "Олена Петренко", "support", "", 0)["id"].(string)

	p := panelOpenOn(t, m, 90*time.Second, panelDevice{Name: "desktop", Width: 1440, Height: 900, Lang: "uk"})
	p.nav("/")
	p.waitVisible("form#login")
	p.waitJS("the sign-in speaks Ukrainian", panelStep,
		"document.documentElement.lang === 'uk' && __panel.text('form#login button[type=submit]') === 'Увійти' && /Пароль/.test(__panel.text('form#login'))",
		"navigator.languages + ' ' + __panel.html('form#login', 1500)")
	p.shot("sign-in-uk", "viewport")
	p.fill("form#login input[name=email]", "one@example.com")
	p.fill("form#login input[name=password]", "wrong-password")
	p.click("form#login button[type=submit]")
	p.waitJS("the error in Ukrainian", panelStep, "__panel.text('#login-error') === 'Неправильна пошта або пароль.'", "__panel.text('#login-error')")
	p.signIn("one@example.com", "secret-password")
	p.waitJS("folders, role and list in Ukrainian", panelStep,
		"/Мої чати/.test(__panel.text('ul#folders')) && /Закриті/.test(__panel.text('ul#folders')) && /оператор/.test(__panel.text('#whoami')) && "+
			"/чекає/.test(__panel.text("+panelJS(panelRow(id)+" .ci-time")+"))",
		"__panel.html('ul#folders', 1500) + __panel.html("+panelJS(panelRow(id))+", 1500)")
	p.click(panelRow(id))
	p.waitJS("the chat view in Ukrainian", panelStep,
		"__panel.text('button#close') === 'Закрити' && __panel.text('button#transfer') === 'Передати' && /Сьогодні/.test(__panel.text('ol#messages li.day-sep'))",
		"__panel.html('#chat-view .chat-dock', 2000)")
	p.shot("operator-chats-uk", "viewport")
	// An error in words: an administrator adds a status whose id exists.
	p.click("button#logout")
	p.signIn("ada@example.com", "secret-password")
	p.click("nav a[data-nav=admin]")
	form := "#view-admin #statuses form.create"
	p.fill(form+" input[name=id]", "online")
	p.fill(form+" input[name=name]", "Знову онлайн")
	p.click(form + " button[type=submit]")
	p.waitJS("the error in Ukrainian words, naming the field by its label", panelStep,
		"__panel.text("+panelJS(form+" .form-error")+") === 'Ідентифікатор: такий уже є.' && __panel.q("+panelJS(form+" input[name=id]")+").getAttribute('aria-invalid') === 'true'",
		"__panel.html("+panelJS(form)+", 1500)")
	// The switch brings English back (kept for this browser).
	p.choose("select#lang", "en")
	p.waitJS("English after the switch", panelStep,
		"document.documentElement.lang === 'en' && /Save settings/.test(__panel.text('form#settings') || '') && __panel.text('#whoami') === 'Ada Admin · admin'",
		"__panel.html('#whoami', 500)")
	p.noExceptions()
}
