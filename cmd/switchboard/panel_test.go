package main

// Browser tests of the panels (docs/PANELS.md): chromedp drives Debian's
// chromium, headless, against the real Main. Elements are found only by the
// ids and attributes of the DOM contract. SB_SCREENSHOTS=1 also writes the
// screenshots of docs/screenshots/ (README, "Panels").

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	sb "github.com/switchboard/switchboard"
)

// panelStep bounds one wait or action in the browser; a test's whole browser
// context has its own, longer deadline. Only a failing step waits that long:
// it is generous for the panel tests running side by side under the race
// detector on a loaded machine.
const panelStep = 20 * time.Second

// panelEventNames are the SSE event names the page probe listens to, so that
// it knows the last event id the page has received.
var panelEventNames = []string{
	sb.EventChatCreated, sb.EventChatQueued, sb.EventAutoConnected, sb.EventOperatorConnected,
	sb.EventOperatorDisconnected, sb.EventChatAccepted, sb.EventChatTransferred, sb.EventChatUpdated, sb.EventChatReturnedToBot,
	sb.EventClosedByOperator, sb.EventClosedByClient, sb.EventClosedByTimer, sb.EventChatClosed,
	sb.EventLimit, sb.EventQueueTimeout, sb.EventResponseOverdue, sb.EventMessageCreated,
	sb.EventOperatorStatus, sb.EventConfigChanged,
	sb.EventTransferOffered, sb.EventTransferAccepted, sb.EventTransferDeclined, sb.EventTransferExpired,
	sb.EventTransferWithdrawn, sb.EventWrapUpStarted, sb.EventWrapUpEnded, sb.EventChatRated,
}

// panelProbeJS runs in every document before the panel's own scripts. It
// gives the tests small DOM helpers (window.__panel) and watches the page
// without changing it: the first time selectors match (render times measured
// from the navigation start), the notices shown in #notice, the event
// stream (opened, last event id received), fetches in flight, and the longest
// stall of a setTimeout chain and of requestAnimationFrame.
const panelProbeJS = `(() => {
  if (window.__panel) return;
  const P = window.__panel = {
    watch: __WATCH__, marks: {}, notices: [], lastNotice: '',
    sse: {created: 0, open: 0, last: 0, count: 0, list: []},
    fetches: {inflight: 0, total: 0},
    probe: {timer: 0, frame: 0, ticks: 0, frames: 0},
  };
  const visible = el => !!el && el.isConnected && el.checkVisibility({visibilityProperty: true});
  const norm = s => (s || '').replace(/\s+/g, ' ').trim();
  P.q = s => document.querySelector(s);
  P.all = s => Array.from(document.querySelectorAll(s));
  P.vis = s => visible(P.q(s));
  P.visEl = visible;
  P.count = s => document.querySelectorAll(s).length;
  P.text = s => { const e = P.q(s); return e ? norm(e.textContent) : null; };
  P.textv = s => { const e = P.q(s); if (!e) return null; return norm(e.textContent + ' ' + Array.from(e.querySelectorAll('input, select, textarea')).map(i => i.value).join(' ')); };
  P.num = s => { const t = P.text(s); if (t === null) return null; const m = t.match(/\d+/); return m ? Number(m[0]) : null; };
  P.html = (s, n) => { const e = P.q(s); return e ? e.outerHTML.slice(0, n || 600) : '(no ' + s + ')'; };
  P.sseOpen = () => P.sse.list.filter(e => e.readyState === 1).length;
  const check = () => {
    const now = performance.now();
    for (const k in P.watch) if (!(k in P.marks) && document.querySelector(P.watch[k])) P.marks[k] = now;
    const n = document.getElementById('notice');
    if (n && visible(n)) {
      const t = norm(n.textContent);
      if (t && t !== P.lastNotice) { P.lastNotice = t; P.notices.push(t); }
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ['class', 'hidden', 'style']});
  let lt = performance.now();
  const tick = () => {
    const now = performance.now(), gap = now - lt;
    lt = now; P.probe.ticks++;
    if (gap > P.probe.timer) P.probe.timer = gap;
    setTimeout(tick, 10);
  };
  setTimeout(tick, 10);
  let lf = 0;
  const frame = now => {
    if (lf && now - lf > P.probe.frame) P.probe.frame = now - lf;
    lf = now; P.probe.frames++;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  P.resetProbe = () => { P.probe = {timer: 0, frame: 0, ticks: 0, frames: 0}; lt = performance.now(); lf = 0; };
  const ES = window.EventSource;
  if (ES) {
    window.EventSource = class extends ES {
      constructor(url, init) {
        super(url, init);
        P.sse.created++; P.sse.list.push(this);
        const rec = e => { P.sse.count++; const n = Number(e.lastEventId); if (n > P.sse.last) P.sse.last = n; };
        for (const n of __NAMES__.concat(['message'])) super.addEventListener(n, rec);
        super.addEventListener('open', () => { P.sse.open++; });
      }
    };
  }
  const f = window.fetch;
  window.fetch = function (...a) {
    P.fetches.inflight++; P.fetches.total++;
    return f.apply(this, a).then(r => { P.fetches.inflight--; return r; }, e => { P.fetches.inflight--; throw e; });
  };
})();`

// panelPage is one browser (one tab) on a running Main.
type panelPage struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu         sync.Mutex
	exceptions []string
	errors     []string
}

// panelChromium finds the browser. Without one a panel test fails, or skips
// under -short (a laptop without Chromium) unless
// SWITCHBOARD_TEST_REQUIRE_SERVICES is set: the full test command
// (scripts/test) installs it and sets that. Each panel test calls it first, before its
// setup.
func panelChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testing.Short() && os.Getenv("SWITCHBOARD_TEST_REQUIRE_SERVICES") == "" {
		t.Skip("needs Chromium, not in PATH (tried chromium, chromium-browser): skipped under -short")
	}
	t.Fatal("no chromium in PATH (tried chromium, chromium-browser): the panel tests need it; " +
		"install the Debian package chromium (scripts/test does), or run go test -short, which skips them")
	return ""
}

// panelOpen starts a headless browser for the test; watch names the
// selectors whose first appearance the page probe times.
func panelOpen(t *testing.T, m *Main, timeout time.Duration, watch map[string]string) *panelPage {
	t.Helper()
	p := panelBrowser(t, m, timeout, 1280, 800, "en-US")
	if watch == nil {
		watch = map[string]string{}
	}
	w, _ := json.Marshal(watch)
	names, _ := json.Marshal(panelEventNames)
	p.addScripts(strings.NewReplacer("__WATCH__", string(w), "__NAMES__", string(names)).Replace(panelProbeJS))
	return p
}

// panelBrowser starts a headless Chromium with a window of width × height
// in the language lang, bounded by timeout, that collects the page's
// exceptions and console errors.
func panelBrowser(t *testing.T, m *Main, timeout time.Duration, width, height int, lang string) *panelPage {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(panelChromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(width, height),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	// The first Run starts the browser and binds it to its context: no
	// timeout there; the test's deadline goes on a derived context.
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(func() { cancel(); bcancel(); acancel() })
	p := &panelPage{t: t, ctx: ctx, base: "http://" + m.Addr}

	messages := chromedp.Console(ctx)
	go func() {
		for msg, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			switch {
			case msg.IsException():
				p.exceptions = append(p.exceptions, fmt.Sprintf("%s (%s:%d)", msg.Text, msg.URL, msg.Line+1))
			case msg.Type == chromedp.ConsoleError:
				p.errors = append(p.errors, msg.Text)
			}
			p.mu.Unlock()
		}
	}()
	return p
}

// addScripts has the page run each script before its own on every load.
func (p *panelPage) addScripts(srcs ...string) {
	p.t.Helper()
	for _, src := range srcs {
		if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			p.t.Fatalf("install the page scripts: %v", err)
		}
	}
}

// panelJS quotes a Go string as a JavaScript string literal.
func panelJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// panelEval evaluates a JavaScript expression and decodes its value.
func panelEval[T any](p *panelPage, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, panelStep)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %.200s: %v", expr, err)
	}
	return v
}

// do runs browser actions, each call bounded by panelStep.
func (p *panelPage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, panelStep)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// nav loads a page of the panel (a real navigation, not a hash change).
func (p *panelPage) nav(path string) {
	p.t.Helper()
	p.do("navigate to "+path, chromedp.Navigate("about:blank"), chromedp.Navigate(p.base+path))
}

// waitJS polls a JavaScript condition until it holds; on timeout it fails
// with the value of got, which should show what the page has instead.
func (p *panelPage) waitJS(what string, d time.Duration, cond, got string) {
	p.t.Helper()
	end := time.Now().Add(d)
	for {
		// A condition that throws (an element not there yet) or a page
		// that is navigating counts as false.
		ctx, cancel := context.WithTimeout(p.ctx, panelStep)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("(() => { try { return !!("+cond+"); } catch (e) { return false; } })()"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			p.t.Fatalf("%s: not within %v\n  condition: %s\n  got: %s\n  (last evaluation error: %v)", what, d, cond,
				panelEval[string](p, "(() => { try { return String("+got+"); } catch (e) { return 'error: ' + e; } })()"), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitVisible waits until the first element matching the CSS selector is
// visible.
func (p *panelPage) waitVisible(sel string) {
	p.t.Helper()
	p.waitJS(sel+" visible", panelStep, "__panel.vis("+panelJS(sel)+")", "__panel.html("+panelJS(sel)+")")
}

// click sends a real mouse click to the first visible match.
func (p *panelPage) click(sel string) {
	p.t.Helper()
	p.waitVisible(sel)
	p.clickNode(sel)
}

// clickNode clicks the element sel names. A list that re-renders between
// finding the element and clicking it leaves a stale node: the element is
// found again (a few times at most) and clicked.
func (p *panelPage) clickNode(sel string) {
	p.t.Helper()
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(p.ctx, panelStep)
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
		cancel()
		switch {
		case err == nil:
			return
		case try < 5 && strings.Contains(err.Error(), "Could not find node"):
			p.waitVisible(sel)
		default:
			p.t.Fatalf("click %s: %v", sel, err)
		}
	}
}

// fill replaces the value of an input by typing.
func (p *panelPage) fill(sel, text string) {
	p.t.Helper()
	p.waitVisible(sel)
	p.do("type into "+sel,
		chromedp.Evaluate[chromedp.Void]("document.querySelector("+panelJS(sel)+").value = ''"),
		chromedp.SendKeys(chromedp.CSS(sel), text))
}

// choose selects an option of a select element and fires input and change.
func (p *panelPage) choose(sel, value string) {
	p.t.Helper()
	opt := sel + " option[value=" + panelJS(value) + "]"
	p.waitJS(sel+" has option "+value, panelStep, "__panel.vis("+panelJS(sel)+") && __panel.q("+panelJS(opt)+")",
		"__panel.html("+panelJS(sel)+")")
	panelEval[chromedp.Void](p, `(() => { const s = document.querySelector(`+panelJS(sel)+`);
		s.value = `+panelJS(value)+`;
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true})); })()`)
}

// signIn signs in through form#login and waits for the header.
func (p *panelPage) signIn(email, password string) {
	p.t.Helper()
	p.fill("form#login input[name=email]", email)
	p.fill("form#login input[name=password]", password)
	p.click("form#login button[type=submit]")
	p.waitJS("signed in as "+email+": #whoami visible and form#login gone", panelStep,
		"__panel.vis('#whoami') && !__panel.vis('form#login')",
		"'#whoami: ' + __panel.html('#whoami') + ' #login-error: ' + __panel.text('#login-error')")
}

// markLoaded tags the current document; notReloaded checks it is the same
// document (nothing reloaded the page since).
func (p *panelPage) markLoaded() { panelEval[chromedp.Void](p, "window.__panelDoc = 'kept'") }

const panelNotReloaded = "window.__panelDoc === 'kept'"

// noExceptions fails the test for every uncaught exception of the page.
func (p *panelPage) noExceptions() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.exceptions {
		p.t.Errorf("uncaught exception in the panel: %s", e)
	}
	if len(p.errors) > 0 {
		p.t.Logf("console errors of the page (%d): %s", len(p.errors), strings.Join(p.errors[:min(len(p.errors), 10)], " | "))
	}
}

// shot writes docs/screenshots/<name>.png when SB_SCREENSHOTS=1: the whole
// page for target "page", the viewport for "viewport", else the element
// matching the CSS selector target.
func (p *panelPage) shot(name, target string) {
	p.t.Helper()
	if os.Getenv("SB_SCREENSHOTS") != "1" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, panelStep)
	defer cancel()
	// Let pending renders and transitions finish: two animation frames.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		"new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))", chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	var (
		buf []byte
		err error
	)
	switch target {
	case "page":
		buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	case "viewport":
		buf, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	default:
		buf, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(target)))
	}
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot docs/screenshots/%s.png (%d bytes)", name, len(buf))
}

// panelOperator creates an operator who can sign in.
func panelOperator(t *testing.T, admin *sbAPI, id, name, email, role string, maxChats int) {
	t.Helper()
	admin.sbMust(t, "POST", "/api/v1/operators", map[string]any{"id": id, "name": name, "email": email,
		"role": role, "password": "secret-password", "max_chats": maxChats}, 201)
}

// panelConnect runs the connect action for a client and returns the chat.
func panelConnect(t *testing.T, integ *sbAPI, client, name, topic, status string, weight int) map[string]any {
	t.Helper()
	cfg := map[string]any{"subject_alias": topic, "auto_connect_operator": true, "weight": weight}
	if status != "" {
		cfg["status"] = status
	}
	out := integ.sbMust(t, "POST", sbConnectPath, map[string]any{
		"client": map[string]any{"id": client, "name": name, "channel": "telegram"},
		"text":   "Asks about a refund for order " + client,
		"config": cfg,
	}, 200)
	if out["event"] != "success" {
		t.Fatalf("connect %s: %v", client, out)
	}
	return out["chat"].(map[string]any)
}

// panelPoll polls an API condition.
func panelPoll(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	end := time.Now().Add(panelStep)
	for {
		ok, got := cond()
		if ok {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v; got %s", what, panelStep, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func panelGetOperator(t *testing.T, admin *sbAPI, id string) map[string]any {
	t.Helper()
	var o map[string]any
	admin.sbGet(t, "/api/v1/operators/"+id, &o)
	return o
}

func panelGetChat(t *testing.T, admin *sbAPI, id string) map[string]any {
	t.Helper()
	var c map[string]any
	admin.sbGet(t, "/api/v1/chats/"+id, &c)
	return c
}

// panelRow is the selector of a chat's row in the chat list.
func panelRow(id string) string { return `ul#chat-list li[data-chat-id="` + id + `"]` }

// TestPanelOperatorFlow: an operator signs in, goes online, sees a new chat
// arrive live in My chats, opens it, replies and closes it with a comment;
// the chat queued behind it (max_chats 1) then arrives live.
func TestPanelOperatorFlow(t *testing.T) {
	t.Parallel()
	panelChromium(t)
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1 "One", one@example.com, topic support, group g1
	admin.sbMust(t, "PATCH", "/api/v1/operators/op-1", map[string]any{"max_chats": 1}, 200)
	integ := m.sbToken(t, admin, "integrator", "")
	p := panelOpen(t, m, 120*time.Second, nil)

	// Sign-in: a wrong password shows #login-error, the right one the panel.
	p.nav("/")
	p.waitVisible("form#login")
	p.shot("sign-in", "viewport")
	p.fill("form#login input[name=email]", "one@example.com")
	p.fill("form#login input[name=password]", "not-the-password")
	p.click("form#login button[type=submit]")
	p.waitJS("wrong password: #login-error says so", panelStep,
		"__panel.vis('#login-error') && __panel.text('#login-error') !== '' && __panel.vis('form#login')",
		"__panel.html('#login-error')")
	p.signIn("one@example.com", "secret-password")
	p.markLoaded()
	p.waitJS("#whoami names the operator and the role", panelStep,
		"/One/.test(__panel.text('#whoami')) && /operator/i.test(__panel.text('#whoami'))", "__panel.text('#whoami')")
	p.waitJS("an operator sees no monitor and no administration link", panelStep,
		"!__panel.vis('nav a[data-nav=monitor]') && !__panel.vis('nav a[data-nav=admin]') && __panel.vis('nav a[data-nav=chats]')",
		"__panel.html('nav', 1000)")
	p.waitJS("select#status has one option per status, labelled by name", panelStep,
		`(() => { const o = Object.fromEntries(__panel.all('select#status option').map(o => [o.value, o.textContent.trim()]));
			return /Online/.test(o.online) && /break/i.test(o.break) && /Offline/.test(o.offline); })()`,
		"__panel.html('select#status')")

	// Online through the status switcher; the open event stream is the
	// operator's panel session (presence).
	p.choose("select#status", "online")
	panelPoll(t, "op-1 online with a panel session", func() (bool, string) {
		o := panelGetOperator(t, admin, "op-1")
		return o["status"] == "online" && o["connected"] == true, fmt.Sprintf("status %v connected %v", o["status"], o["connected"])
	})
	p.click(`ul#folders li[data-folder=mine]`)
	p.waitJS("My chats selected and empty", panelStep,
		"__panel.num('ul#folders li[data-folder=mine] span.count') === 0 && __panel.count('ul#chat-list li[data-chat-id]') === 0",
		"__panel.html('ul#folders', 1500) + ' list: ' + __panel.html('ul#chat-list')")
	notices := panelEval[int](p, "__panel.notices.length")

	// A chat created by a scenario arrives in My chats without reload.
	a := panelConnect(t, integ, "c-1", "Olena Petrenko", "support", "", 0)
	if a["status"] != "active" || a["operator_id"] != "op-1" {
		t.Fatalf("first chat: %v, want active with op-1", a)
	}
	aid := a["id"].(string)
	p.waitJS("the new chat appears in My chats live", panelStep,
		"__panel.vis("+panelJS(panelRow(aid))+") && __panel.num('ul#folders li[data-folder=mine] span.count') === 1 && "+panelNotReloaded,
		"__panel.html('ul#folders', 1500) + ' list: ' + __panel.html('ul#chat-list', 1500) + ' same document: ' + "+panelNotReloaded)
	p.waitJS("the row names the client, channel and topic", panelStep,
		"/Olena Petrenko/.test(__panel.text("+panelJS(panelRow(aid))+")) && /telegram/i.test(__panel.text("+panelJS(panelRow(aid))+"))",
		"__panel.text("+panelJS(panelRow(aid))+")")
	p.waitJS("a #notice appeared for the new chat", panelStep,
		fmt.Sprintf("__panel.notices.length > %d", notices), "JSON.stringify(__panel.notices) + ' ' + __panel.html('#notice')")
	if role := panelEval[string](p, "String(__panel.q('#notice').getAttribute('role'))"); role != "status" {
		t.Errorf(`#notice role = %q, want "status"`, role)
	}
	t.Logf("notices seen: %v", panelEval[[]string](p, "__panel.notices"))

	// A second chat waits in the queue: the operator is at max_chats 1.
	b := panelConnect(t, integ, "c-2", "Taras Bondar", "support", "queue", 0)
	if b["status"] != "queued" {
		t.Fatalf("second chat: %v, want queued", b)
	}
	bid := b["id"].(string)
	p.waitJS("In Queue counts the waiting chat live", panelStep,
		"__panel.num('ul#folders li[data-folder=in_queue] span.count') === 1", "__panel.html('ul#folders', 1500)")

	// Open the first chat, reply, close it with a comment.
	p.click(panelRow(aid))
	view := `section#chat-view[data-chat-id="` + aid + `"]`
	p.waitVisible(view)
	p.waitJS("the chat view shows client, channel, topic, text and the client's message", panelStep,
		"/Olena Petrenko/.test(__panel.text('#chat-view .client')) && /telegram/i.test(__panel.text('#chat-view .channel')) && "+
			"/support/i.test(__panel.text('#chat-view .topic')) && /order c-1/.test(__panel.text('#chat-view .text')) && "+
			"__panel.count('ol#messages li.message[data-from=client]') >= 1",
		"__panel.html('#chat-view', 3000)")
	reply := "Hello Olena, I am checking order c-1 now."
	p.fill("textarea#reply", reply)
	p.click("button#send")
	p.waitJS("the reply appears in ol#messages", panelStep,
		"__panel.all('ol#messages li.message[data-from=operator]').some(li => li.textContent.includes("+panelJS(reply)+"))",
		"__panel.html('ol#messages', 2000)")
	var msgs []map[string]any
	admin.sbGet(t, "/api/v1/chats/"+aid+"/messages", &msgs)
	if !slices.ContainsFunc(msgs, func(m map[string]any) bool { return m["text"] == reply }) {
		t.Errorf("the reply is not among the chat's messages: %v", msgs)
	}
	p.waitJS("the reply accepted the chat: its row says so live", panelStep,
		"!/not accepted/.test(__panel.text("+panelJS(panelRow(aid))+"))", "__panel.html("+panelJS(panelRow(aid))+")")
	p.shot("operator-chats", "viewport")

	comment := "Refund approved"
	p.fill("input#close-comment", comment)
	p.click("button#close")
	panelPoll(t, "the first chat closed with the comment", func() (bool, string) {
		c := panelGetChat(t, admin, aid)
		return c["status"] == "closed" && c["close_comment"] == comment, fmt.Sprintf("%v %q", c["status"], c["close_comment"])
	})
	// The queued chat is now op-1's and arrives without reload.
	if c := panelGetChat(t, admin, bid); c["status"] != "active" || c["operator_id"] != "op-1" {
		t.Fatalf("queued chat after the close: %v %v, want active with op-1", c["status"], c["operator_id"])
	}
	p.waitJS("the queued chat arrives in My chats live; the closed one left", panelStep,
		"__panel.vis("+panelJS(panelRow(bid))+") && !__panel.q("+panelJS(panelRow(aid))+") && "+
			"__panel.num('ul#folders li[data-folder=mine] span.count') === 1 && "+
			"__panel.num('ul#folders li[data-folder=in_queue] span.count') === 0 && "+panelNotReloaded,
		"__panel.html('ul#folders', 1500) + ' list: ' + __panel.html('ul#chat-list', 1500) + ' same document: ' + "+panelNotReloaded)

	// Return to bot: offered only for a chat the scenario connected with
	// add_return_button.
	p.click(panelRow(bid))
	p.waitVisible(`section#chat-view[data-chat-id="` + bid + `"]`)
	p.waitJS("no Return to bot for a chat without add_return_button", panelStep,
		"__panel.vis('button#close') && !__panel.vis('button#return-to-bot')", "__panel.html('.chat-actions', 2000)")
	admin.sbMust(t, "POST", "/api/v1/chats/"+bid+"/close", nil, 200)
	c3 := integ.sbMust(t, "POST", sbConnectPath, map[string]any{
		"client": map[string]any{"id": "c-3", "name": "Iryna", "channel": "telegram"}, "text": "Menu, please",
		"config": map[string]any{"subject_alias": "support", "auto_connect_operator": true, "add_return_button": true},
	}, 200)["chat"].(map[string]any)
	cid := c3["id"].(string)
	p.waitVisible(panelRow(cid))
	p.click(panelRow(cid))
	p.waitJS("Return to bot is offered", panelStep, "__panel.vis('button#return-to-bot')", "__panel.html('.chat-actions', 2000)")
	p.click("button#return-to-bot")
	panelPoll(t, "the chat returned to the bot", func() (bool, string) {
		c := panelGetChat(t, admin, cid)
		return c["status"] == "closed" && c["closed_by"] == "bot", fmt.Sprintf("%v by %v", c["status"], c["closed_by"])
	})
	p.noExceptions()
}

// TestPanelKeyboard: the operator panel works from the keyboard alone: j and
// k move in the list, Enter opens the chat under the cursor, r focuses the
// reply and Ctrl+Enter sends it.
func TestPanelKeyboard(t *testing.T) {
	t.Parallel()
	panelChromium(t)
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin) // op-1, max_chats 2
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ := m.sbToken(t, admin, "integrator", "")
	first := panelConnect(t, integ, "k-1", "Maria Koval", "support", "", 0)["id"].(string)
	second := panelConnect(t, integ, "k-2", "Ivan Hrytsenko", "support", "", 0)["id"].(string)
	p := panelOpen(t, m, 120*time.Second, nil)
	p.nav("/")
	p.waitVisible("form#login")
	p.signIn("one@example.com", "secret-password")
	p.waitJS("both chats listed in My chats", panelStep,
		"__panel.vis("+panelJS(panelRow(first))+") && __panel.vis("+panelJS(panelRow(second))+")",
		"__panel.html('ul#chat-list', 1500)")
	panelEval[chromedp.Void](p, "document.activeElement && document.activeElement.blur()")
	rows := panelEval[[]string](p, "__panel.all('ul#chat-list li[data-chat-id]').map(li => li.dataset.chatId)")
	if len(rows) != 2 {
		t.Fatalf("rows %v, want two", rows)
	}
	// key presses one key as a keyboard does: keyDown carries the text, so
	// a handler that prevents the default also prevents the typing
	// (chromedp.KeyEvent sends the text in a separate char event).
	key := func(k string, mods ...chromedp.Modifier) {
		t.Helper()
		var mod int64
		for _, m := range mods {
			mod |= int64(m)
		}
		ev := kb.Encode([]rune(k)[0])
		down, up := *ev[0], *ev[len(ev)-1]
		down.Modifiers, up.Modifiers = mod, mod
		if len(ev) == 3 && mod == 0 {
			down.Text, down.UnmodifiedText = ev[1].Text, ev[1].UnmodifiedText
		}
		ctx, cancel := context.WithTimeout(p.ctx, panelStep)
		defer cancel()
		for _, e := range []input.DispatchKeyEventParams{down, up} {
			if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, e); err != nil {
				t.Fatalf("press %q: %v", k, err)
			}
		}
	}
	key("j")
	key("j")
	p.waitJS("j j puts the cursor on the second row", panelStep,
		"__panel.q('ul#chat-list li.cursor') && __panel.q('ul#chat-list li.cursor').dataset.chatId === "+panelJS(rows[1]),
		"__panel.html('ul#chat-list', 1500)")
	key("k")
	p.waitJS("k moves it back to the first row", panelStep,
		"__panel.q('ul#chat-list li.cursor').dataset.chatId === "+panelJS(rows[0]), "__panel.html('ul#chat-list', 1500)")
	key("\r")
	view := `section#chat-view[data-chat-id="` + rows[0] + `"]`
	p.waitJS("Enter opens the chat under the cursor", panelStep, "__panel.vis("+panelJS(view+" .chat-body")+")",
		"__panel.html('#chat-view', 1000)")
	key("r")
	p.waitJS("r focuses the reply box", panelStep, "document.activeElement === __panel.q('textarea#reply')",
		"String(document.activeElement && document.activeElement.outerHTML.slice(0, 200))")
	reply := "Typed and sent from the keyboard"
	p.do("type the reply", chromedp.KeyEvent(reply))
	key("\r", chromedp.ModifierCtrl)
	p.waitJS("Ctrl+Enter sends the reply", panelStep,
		"__panel.all('ol#messages li.message[data-from=operator]').some(li => li.textContent.includes("+panelJS(reply)+"))",
		"__panel.html('ol#messages', 2000)")
	var msgs []map[string]any
	admin.sbGet(t, "/api/v1/chats/"+rows[0]+"/messages", &msgs)
	if !slices.ContainsFunc(msgs, func(m map[string]any) bool { return m["text"] == reply && m["from"] == "operator" }) {
		t.Errorf("the keyboard reply is not stored as an operator message: %v", msgs)
	}
	p.noExceptions()
}

// panelReasonCodes maps each queued chat to the codes of why it waits, as
// the API says.
func panelReasonCodes(t *testing.T, admin *sbAPI) map[string][]string {
	t.Helper()
	var q struct {
		Items []struct {
			Chat     sb.Chat     `json:"chat"`
			Position int         `json:"position"`
			Reasons  []sb.Reason `json:"reasons"`
		} `json:"items"`
	}
	admin.sbGet(t, "/api/v1/queue", &q)
	out := map[string][]string{}
	for _, x := range q.Items {
		for _, r := range x.Reasons {
			out[x.Chat.ID] = append(out[x.Chat.ID], r.Code)
		}
	}
	return out
}

// TestPanelSupervisor: the monitor shows operators (Busy at the limit), the
// queue with positions and why each chat waits, live; the audit shows its
// cards, the decision log and an operator's diagnostics.
func TestPanelSupervisor(t *testing.T) {
	t.Parallel()
	panelChromium(t)
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "support", "name": "Support"}, 201)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "billing", "name": "Billing"}, 201)
	panelOperator(t, admin, "op-1", "Olena Kovalenko", "olena@example.com", "operator", 1)
	panelOperator(t, admin, "op-2", "Mykola Shevchuk", "mykola@example.com", "operator", 3)
	panelOperator(t, admin, "sup", "Iryna Supervisor", "iryna@example.com", "supervisor", 5)
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "g1", "name": "Support team",
		"topics": []string{"support"}, "operators": []string{"op-1", "op-2"}}, 201)
	admin.sbMust(t, "PUT", "/api/v1/operators/op-1/status", map[string]any{"status": "online"}, 200)
	integ := m.sbToken(t, admin, "integrator", "")

	active := panelConnect(t, integ, "c-1", "Olena Petrenko", "support", "", 0)
	if active["operator_id"] != "op-1" {
		t.Fatalf("first chat: %v, want op-1", active)
	}
	busy := panelConnect(t, integ, "c-2", "Taras Bondar", "support", "queue", 0)["id"].(string)
	orphan := panelConnect(t, integ, "c-3", "Anna Melnyk", "billing", "queue", 0)["id"].(string)
	codes := panelReasonCodes(t, admin)
	if !slices.Contains(codes[busy], "all_operators_busy") {
		t.Fatalf("API: chat %s waits for %v, want all_operators_busy", busy, codes[busy])
	}
	if len(codes[orphan]) == 0 {
		t.Fatalf("API: chat %s waits for no reason", orphan)
	}

	p := panelOpen(t, m, 120*time.Second, nil)
	p.nav("/")
	p.signIn("iryna@example.com", "secret-password")
	p.markLoaded()
	p.waitJS("a supervisor has the monitor but no administration", panelStep,
		"__panel.vis('nav a[data-nav=monitor]') && !__panel.vis('nav a[data-nav=admin]')", "__panel.html('nav', 1000)")
	p.click("nav a[data-nav=monitor]")
	p.waitJS("#monitor selects section#view-monitor", panelStep,
		"location.hash === '#monitor' && __panel.vis('section#view-monitor') && !__panel.vis('section#view-chats')",
		"location.hash + ' ' + __panel.html('section#view-monitor', 300)")

	// Operators: status, Busy at the limit, load.
	op1 := `table#operators tr[data-operator-id="op-1"]`
	op2 := `table#operators tr[data-operator-id="op-2"]`
	p.waitJS("op-1: Online, Busy, load 1/1", panelStep,
		"/Online/.test(__panel.text("+panelJS(op1+" td.status")+")) && /Busy/.test(__panel.text("+panelJS(op1+" td.busy")+
			")) && /1\\s*\\/\\s*1/.test(__panel.text("+panelJS(op1+" td.load")+"))",
		"__panel.html("+panelJS(op1)+", 1500)")
	p.waitJS("op-2: Offline, not Busy", panelStep,
		"/Offline/.test(__panel.text("+panelJS(op2+" td.status")+")) && !/Busy/.test(__panel.text("+panelJS(op2+" td.busy")+"))",
		"__panel.html("+panelJS(op2)+", 1500)")
	p.waitJS("each operator row has button.redistribute", panelStep,
		"!!__panel.q("+panelJS(op1+" button.redistribute")+")", "__panel.html("+panelJS(op1)+", 1500)")

	// Queue: positions and reasons.
	row := func(id string) string { return `table#queue tr[data-chat-id="` + id + `"]` }
	for i, id := range []string{busy, orphan} {
		cond := fmt.Sprintf("__panel.num(%s) === %d", panelJS(row(id)+" td.position"), i+1)
		for _, c := range codes[id] {
			cond += " && __panel.text(" + panelJS(row(id)+" td.reasons") + ").includes(" + panelJS(c) + ")"
		}
		p.waitJS(fmt.Sprintf("queue row of chat %s: position %d, reasons %v", id, i+1, codes[id]), panelStep, cond,
			"__panel.html("+panelJS(row(id))+", 1500)")
	}
	waiting := panelEval[string](p, "__panel.text("+panelJS(row(busy)+" td.waiting")+")")
	p.waitJS("td.waiting counts up", 5*time.Second,
		"__panel.text("+panelJS(row(busy)+" td.waiting")+") !== "+panelJS(waiting),
		"__panel.text("+panelJS(row(busy)+" td.waiting")+")")
	// A chat queued now appears live, behind the others.
	late := panelConnect(t, integ, "c-4", "Petro Lysenko", "support", "queue", 0)["id"].(string)
	p.waitJS("a newly queued chat appears in table#queue live at position 3", panelStep,
		"__panel.num("+panelJS(row(late)+" td.position")+") === 3 && "+panelNotReloaded,
		"__panel.html('table#queue', 2000)")
	p.shot("monitor", "page")

	// Audit: cards for the last 24 h, the decision log, diagnostics.
	p.waitVisible("section#audit")
	for _, card := range []string{"decisions", "distributed", "skipped", "anomalies", "avg"} {
		p.waitJS("audit card "+card, panelStep, "__panel.vis("+panelJS(`section#audit .card[data-card=`+card+`]`)+")",
			"__panel.html('section#audit', 1500)")
	}
	p.waitJS("the decisions and distributed cards count", panelStep,
		"__panel.num('section#audit .card[data-card=decisions]') >= 3 && __panel.num('section#audit .card[data-card=distributed]') >= 1",
		"__panel.text('section#audit .card[data-card=decisions]') + ' | ' + __panel.text('section#audit .card[data-card=distributed]')")
	p.waitJS("table#decisions lists decisions", panelStep,
		"__panel.all('table#decisions tr').filter(r => r.querySelector('td')).length >= 3",
		"__panel.html('table#decisions', 1500)")
	for _, op := range []string{"op-2", "op-1"} {
		var d struct {
			Reasons []sb.Reason `json:"reasons"`
		}
		admin.sbGet(t, "/api/v1/operators/"+op+"/diagnostics", &d)
		if len(d.Reasons) == 0 {
			t.Fatalf("API: no diagnostics for %s", op)
		}
		p.choose("select#diag-operator", op)
		cond := "__panel.count('ul#diagnostics li') >= 1"
		for _, r := range d.Reasons {
			cond += " && __panel.text('ul#diagnostics').includes(" + panelJS(r.Code) + ")"
		}
		p.waitJS(fmt.Sprintf("ul#diagnostics of %s lists %v", op, d.Reasons), panelStep, cond, "__panel.html('ul#diagnostics', 1500)")
	}
	p.do("scroll to the audit", chromedp.ScrollIntoView(chromedp.CSS("section#audit")))
	p.shot("audit", "viewport")

	// Redistribute op-1: it goes offline and its chat returns to the queue
	// (op-2, the only other operator of the topic, is offline).
	aid := active["id"].(string)
	p.click(op1 + " button.redistribute")
	// It asks first: a dialog with the status (Offline by default) and the weight.
	p.waitJS("the redistribute dialog asks", panelStep,
		"__panel.vis('dialog#redistribute-dialog') && __panel.q('dialog#redistribute-dialog select[name=status]').value === 'offline'",
		"__panel.html('dialog#redistribute-dialog', 1500)")
	p.click("dialog#redistribute-dialog button[type=submit]")
	panelPoll(t, "op-1 offline and its chat back in the queue", func() (bool, string) {
		o, c := panelGetOperator(t, admin, "op-1"), panelGetChat(t, admin, aid)
		return o["status"] == "offline" && c["status"] == "queued", fmt.Sprintf("op-1 %v, chat %v", o["status"], c["status"])
	})
	p.waitJS("op-1 shows Offline and the chat is in table#queue again", panelStep,
		"/Offline/.test(__panel.text("+panelJS(op1+" td.status")+")) && !!__panel.q("+panelJS(row(aid))+")",
		"__panel.html("+panelJS(op1)+", 800) + ' ' + __panel.html('table#queue', 2000)")

	// Assign it to op-2 from the chat view: the queue's link opens it.
	p.click(row(aid) + " button.open-chat")
	p.waitVisible(`section#chat-view[data-chat-id="` + aid + `"] .chat-body`)
	p.choose("select#assign-operator", "op-2")
	p.click("button#assign")
	panelPoll(t, "the chat assigned to op-2", func() (bool, string) {
		c := panelGetChat(t, admin, aid)
		return c["status"] == "active" && c["operator_id"] == "op-2", fmt.Sprintf("%v %v", c["status"], c["operator_id"])
	})
	p.waitJS("the chat view names op-2", panelStep, "/Mykola/.test(__panel.text('#chat-view .operator'))",
		"__panel.html('#chat-view .chat-meta', 1000)")
	p.noExceptions()
}

// TestPanelAdminAutoConnect: with auto_connect off there is no In Queue
// folder; an administrator turns it on in form#settings and the folder
// appears without a manual reload (and leaves live when the setting is
// turned off elsewhere).
func TestPanelAdminAutoConnect(t *testing.T) {
	t.Parallel()
	panelChromium(t)
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	sbSetupTopic(t, admin)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "billing", "name": "Billing"}, 201)
	admin.sbMust(t, "POST", "/api/v1/statuses", map[string]any{"id": "lunch", "name": "Lunch", "can_receive": false, "color": "#f59e0b"}, 201)
	panelOperator(t, admin, "adm", "Ada Admin", "ada@example.com", "admin", 5)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer hook.Close()
	sbAllowPrivateWebhooks(t, admin)
	admin.sbMust(t, "POST", "/api/v1/webhooks", map[string]any{"url": hook.URL + "/switchboard", "events": []string{"*"}, "max_batch_size": 10}, 201)
	m.sbToken(t, admin, "integrator", "")
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"auto_connect": false}, 200)
	var before sb.Settings
	admin.sbGet(t, "/api/v1/settings", &before)

	p := panelOpen(t, m, 120*time.Second, nil)
	p.nav("/")
	p.signIn("ada@example.com", "secret-password")
	p.markLoaded()
	p.waitJS("an admin has all three views", panelStep,
		"__panel.vis('nav a[data-nav=chats]') && __panel.vis('nav a[data-nav=monitor]') && __panel.vis('nav a[data-nav=admin]')",
		"__panel.html('nav', 1000)")
	p.click("nav a[data-nav=chats]")
	p.waitJS("auto_connect off: folders without In Queue", panelStep,
		"__panel.vis('ul#folders li[data-folder=new]') && __panel.vis('ul#folders li[data-folder=mine]') && !__panel.vis('ul#folders li[data-folder=in_queue]')",
		"__panel.html('ul#folders', 1500)")

	p.click("nav a[data-nav=admin]")
	p.waitJS("#admin selects section#view-admin with form#settings", panelStep,
		"location.hash === '#admin' && __panel.vis('section#view-admin') && __panel.vis('form#settings')",
		"location.hash + ' ' + __panel.html('section#view-admin', 500)")
	p.waitJS("form#settings shows the settings", panelStep,
		"__panel.q('input#auto-connect').checked === false && __panel.q('select#distribution-method').value === 'default' && "+
			"__panel.q('form#settings [name=default_max_chats]').value === '5' && "+
			"/Automatic connection of a free operator to a new dialog/i.test(__panel.text('form#settings'))",
		"__panel.html('form#settings', 3000)")
	p.shot("admin-settings", "form#settings")
	p.click("input#auto-connect")
	p.waitJS("the checkbox is checked", panelStep, "__panel.q('input#auto-connect').checked", "__panel.html('input#auto-connect')")
	p.click("button#save-settings")
	panelPoll(t, "auto_connect on after the save, the other settings kept", func() (bool, string) {
		var s sb.Settings
		admin.sbGet(t, "/api/v1/settings", &s)
		want := before
		want.AutoConnect = true
		a, _ := json.Marshal(s)
		b, _ := json.Marshal(want)
		return string(a) == string(b), fmt.Sprintf("%s, want %s", a, b)
	})
	p.click("nav a[data-nav=chats]")
	p.waitJS("the In Queue folder appears without a manual reload", panelStep,
		"__panel.vis('ul#folders li[data-folder=in_queue]') && __panel.q('ul#folders li[data-folder=in_queue] span.count') && "+panelNotReloaded,
		"__panel.html('ul#folders', 1500) + ' same document: ' + "+panelNotReloaded)
	// Turned off elsewhere: the folder leaves live (config_changed).
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"auto_connect": false}, 200)
	p.waitJS("the In Queue folder leaves live when another admin turns auto_connect off", panelStep,
		"!__panel.vis('ul#folders li[data-folder=in_queue]') && "+panelNotReloaded, "__panel.html('ul#folders', 1500)")

	// The administration lists.
	p.click("nav a[data-nav=admin]")
	for sel, want := range map[string][]string{
		"#view-admin #statuses":     {"Online", "Offline", "Lunch"},
		"#view-admin #topics":       {"Support", "Billing"},
		"#view-admin #skill-groups": {"Support"},
		"#view-admin #operators":    {"One", "Ada Admin"},
		"#view-admin #tokens":       {"integrator", "admin"},
		"#view-admin #webhooks":     {hook.URL, "up to 10 events per request"},
	} {
		cond := "__panel.vis(" + panelJS(sel) + ")"
		for _, w := range want {
			cond += " && __panel.textv(" + panelJS(sel) + ").includes(" + panelJS(w) + ")"
		}
		p.waitJS(fmt.Sprintf("%s lists %v", sel, want), panelStep, cond, "__panel.html("+panelJS(sel)+", 1500)")
	}
	p.waitJS("the subscription's recent deliveries list a delivered one", panelStep,
		"document.querySelector('#view-admin #webhooks table.deliveries tbody tr.ok') !== null",
		"__panel.html('#view-admin #webhooks', 1500)")
	p.do("scroll to the lists", chromedp.ScrollIntoView(chromedp.CSS("#view-admin #statuses")))
	p.shot("admin-lists", "page")
	p.fill("#webhooks form.create input[name=url]", "https://203.0.113.5/hook")
	p.fill("#webhooks form.create input[name=max_batch_size]", "5000")
	p.click("#webhooks form.create button[type=submit]")
	p.waitJS("a batch size out of range is explained in words", panelStep,
		"__panel.textv('#webhooks form.create .form-error') === 'Events per request must be 1 to 1000.' && "+
			"__panel.q('#webhooks input[name=max_batch_size]').getAttribute('aria-invalid') === 'true'",
		"__panel.html('#webhooks form.create', 1500)")
	p.do("scroll to the webhooks", chromedp.ScrollIntoView(chromedp.CSS("#view-admin #webhooks")))
	p.shot("admin-webhooks", "viewport")
	p.noExceptions()
}

// panelLastSeq is the id of the latest event, paging from after.
func panelLastSeq(t *testing.T, admin *sbAPI, after int64) int64 {
	t.Helper()
	for {
		var page struct {
			Events    []json.RawMessage `json:"events"`
			NextAfter int64             `json:"next_after"`
		}
		admin.sbGet(t, fmt.Sprintf("/api/v1/events?after=%d&limit=1000", after), &page)
		if page.NextAfter == after {
			return after
		}
		after = page.NextAfter
	}
}

// panelParallel runs n calls of f on workers goroutines and fails on the
// first error.
func panelParallel(t *testing.T, n, workers int, f func(i int) error) {
	t.Helper()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %v", len(errs), errs[0])
	}
}

// panelQueueMany queues n chats of clients prefix-0 … prefix-(n-1).
func panelQueueMany(t *testing.T, integ *sbAPI, prefix string, n int) {
	t.Helper()
	panelParallel(t, n, 32, func(i int) error {
		client := fmt.Sprintf("%s-%d", prefix, i)
		var out struct {
			Event string  `json:"event"`
			Chat  sb.Chat `json:"chat"`
		}
		code, err := integ.call("POST", sbConnectPath, sbConnectBody(client, "queue"), &out)
		if err != nil || code != 200 || out.Event != "success" || out.Chat.Status != sb.ChatQueued {
			return fmt.Errorf("connect %s: %d %v %s %s", client, code, err, out.Event, out.Chat.Status)
		}
		return nil
	})
}

// panelSettled waits until the page has received every event up to seq and
// has had no fetch in flight for half a second.
func (p *panelPage) settled(what string, seq int64) {
	p.t.Helper()
	end, quiet := time.Now().Add(30*time.Second), 0
	for quiet < 10 {
		s := panelEval[struct {
			Last     int64 `json:"last"`
			Inflight int   `json:"inflight"`
		}](p, "({last: __panel.sse.last, inflight: __panel.fetches.inflight})")
		if s.Last >= seq && s.Inflight == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if time.Now().After(end) {
			p.t.Fatalf("%s: the page did not settle: last event %d (want %d), %d fetches in flight", what, s.Last, seq, s.Inflight)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type panelProbe struct {
	Timer  float64 `json:"timer"`
	Frame  float64 `json:"frame"`
	Ticks  int     `json:"ticks"`
	Frames int     `json:"frames"`
}

// burst queues n chats while the page shows a view and returns the longest
// stalls of the page meanwhile.
func (p *panelPage) burst(t *testing.T, admin, integ *sbAPI, prefix string, n int, seq *int64) (panelProbe, time.Duration) {
	t.Helper()
	panelEval[chromedp.Void](p, "__panel.resetProbe()")
	start := time.Now()
	panelQueueMany(t, integ, prefix, n)
	took := time.Since(start)
	*seq = panelLastSeq(t, admin, *seq)
	p.settled("burst "+prefix, *seq)
	return panelEval[panelProbe](p, "__panel.probe"), took
}

// TestPanelScale: 200 operators and 2,000 queued chats. The monitor and the
// In Queue folder render one page of rows, follow bursts of 200 chats live
// and page on with button#more. The render times and the page's longest
// stalls during the bursts are logged, not asserted: a wall-clock bound
// fails on a loaded machine and under the race detector (docs/PANELS.md has
// the figures measured on a quiet one).
func TestPanelScale(t *testing.T) {
	t.Parallel()
	panelChromium(t)
	const (
		operators = 200
		queued    = 2000
		burst     = 200
	)
	t0 := time.Now()
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "support", "name": "Support"}, 201)
	ids := make([]string, operators)
	panelParallel(t, operators, 16, func(i int) error {
		ids[i] = fmt.Sprintf("op-%03d", i)
		code, err := admin.call("POST", "/api/v1/operators", map[string]any{"id": ids[i], "name": fmt.Sprintf("Operator %03d", i), "max_chats": 3}, nil)
		if err != nil || code != 201 {
			return fmt.Errorf("create %s: %d %v", ids[i], code, err)
		}
		return nil
	})
	panelOperator(t, admin, "sup", "Iryna Supervisor", "iryna@example.com", "supervisor", 5)
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "all", "name": "Everyone",
		"topics": []string{"support"}, "operators": append(ids, "sup")}, 201)
	integ := m.sbToken(t, admin, "integrator", "")
	panelQueueMany(t, integ, "scale", queued) // nobody online: all wait
	seq := panelLastSeq(t, admin, 0)
	t.Logf("setup: %d operators, %d queued chats, %d events in %v", operators, queued, seq, time.Since(t0).Round(time.Millisecond))

	p := panelOpen(t, m, 240*time.Second, map[string]string{
		"queue":     "table#queue tr[data-chat-id]",
		"operators": "table#operators tr[data-operator-id]",
	})
	p.nav("/")
	p.signIn("iryna@example.com", "secret-password")

	// The monitor, loaded afresh: performance.now() counts from the
	// navigation start; the probe notes when the first rows exist.
	p.nav("/#monitor")
	p.waitJS("the monitor renders its rows", 30*time.Second, "'queue' in __panel.marks && 'operators' in __panel.marks",
		"JSON.stringify(__panel.marks) + ' ' + __panel.html('section#view-monitor', 500)")
	marks := panelEval[map[string]float64](p, "__panel.marks")
	rows := panelEval[int](p, "__panel.count('table#queue tr[data-chat-id]')")
	opRows := panelEval[int](p, "__panel.count('table#operators tr[data-operator-id]')")
	t.Logf("monitor: queue rows after %.0f ms, operator rows after %.0f ms (from navigation start); %d queue rows, %d operator rows rendered",
		marks["queue"], marks["operators"], rows, opRows)
	if rows < 1 || rows > 100 {
		t.Errorf("table#queue renders %d rows of %d queued chats, want one page (1..100)", rows, queued)
	}
	p.waitJS("the queue starts at position 1", panelStep,
		"__panel.num('table#queue tr[data-chat-id] td.position') === 1", "__panel.html('table#queue tr[data-chat-id]')")

	probe, took := p.burst(t, admin, integ, "burst-monitor", burst, &seq)
	t.Logf("burst of %d chats (%v) on the monitor: max stall %.0f ms (setTimeout, %d ticks), %.0f ms (animation frames, %d frames)",
		burst, took.Round(time.Millisecond), probe.Timer, probe.Ticks, probe.Frame, probe.Frames)
	if rows := panelEval[int](p, "__panel.count('table#queue tr[data-chat-id]')"); rows > 100 {
		t.Errorf("after the burst table#queue renders %d rows, want at most one page (100)", rows)
	}

	// The In Queue folder, measured in the page from the hash change until
	// its rows exist.
	inQueue := panelEval[float64](p, `(async () => {
		const t0 = performance.now();
		const until = async (f, what) => {
			while (!f()) {
				if (performance.now() - t0 > 30000) throw new Error('timeout: ' + what);
				await new Promise(r => setTimeout(r, 5));
			}
		};
		location.hash = '#chats';
		await until(() => __panel.vis('ul#folders li[data-folder=in_queue]'), 'In Queue folder');
		const li = __panel.q('ul#folders li[data-folder=in_queue]');
		(li.querySelector('a, button') || li).click();
		await until(() => __panel.vis('section#view-chats') && __panel.count('ul#chat-list li[data-chat-id]') > 0, 'rows');
		return performance.now() - t0;
	})()`)
	total := queued + burst
	rows = panelEval[int](p, "__panel.count('ul#chat-list li[data-chat-id]')")
	t.Logf("In Queue folder: rows after %.0f ms (from the hash change); %d rows rendered", inQueue, rows)
	if rows > 100 {
		t.Errorf("ul#chat-list renders %d rows of %d queued chats, want one page (at most 100)", rows, total)
	}
	p.waitJS(fmt.Sprintf("the In Queue count says %d", total), panelStep,
		fmt.Sprintf("__panel.num('ul#folders li[data-folder=in_queue] span.count') === %d", total),
		"__panel.text('ul#folders li[data-folder=in_queue]')")

	probe, took = p.burst(t, admin, integ, "burst-folder", burst, &seq)
	total += burst
	t.Logf("burst of %d chats (%v) on In Queue: max stall %.0f ms (setTimeout, %d ticks), %.0f ms (animation frames, %d frames)",
		burst, took.Round(time.Millisecond), probe.Timer, probe.Ticks, probe.Frame, probe.Frames)
	p.waitJS(fmt.Sprintf("the In Queue count follows live to %d", total), panelStep,
		fmt.Sprintf("__panel.num('ul#folders li[data-folder=in_queue] span.count') === %d", total),
		"__panel.text('ul#folders li[data-folder=in_queue]')")
	if rows := panelEval[int](p, "__panel.count('ul#chat-list li[data-chat-id]')"); rows > 100 {
		t.Errorf("after the burst ul#chat-list renders %d rows, want at most one page (100)", rows)
	}
	// button#more loads the next page.
	p.click("#view-chats button#more")
	p.waitJS("button#more loads the next page", panelStep,
		"__panel.count('ul#chat-list li[data-chat-id]') > 100 && __panel.count('ul#chat-list li[data-chat-id]') <= 200",
		"__panel.count('ul#chat-list li[data-chat-id]')")
	p.noExceptions()
	t.Logf("scale test: %v in all", time.Since(t0).Round(time.Millisecond))
}
