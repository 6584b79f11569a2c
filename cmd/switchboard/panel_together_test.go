package main

// Browser tests of working together at the panels (issue 22): an offer to a
// colleague who hears it and accepts, a decline and an expiry the sender is
// told of, a supervisor who joins a chat and whispers a note, and the
// wrap-up in the header with Ready; accessibility (axe-core) on the new
// dialog and panels, and the phone. They reuse the helpers of panel_test.go
// and panel_day_test.go; SB_SCREENSHOTS=1 also writes their screenshots.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// panelTogetherSetup makes a team: Olena (op-1) and Mykola (op-2) serve
// support and are Online, Iryna supervises (Offline); auto_connect is off,
// so chats go only where the test puts them.
func panelTogetherSetup(t *testing.T, m *Main) (admin, integ *sbAPI) {
	t.Helper()
	admin = m.sbClient(sbAdminSecret)
	admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": "support", "name": "Support"}, 201)
	panelOperator(t, admin, "op-1", "Olena Kovalenko", "olena@example.com", "operator", 3)
	panelOperator(t, admin, "op-2", "Mykola Shevchuk", "mykola@example.com", "operator", 3)
	panelOperator(t, admin, "sup", "Iryna Supervisor", "iryna@example.com", "supervisor", 3)
	admin.sbMust(t, "POST", "/api/v1/skill-groups", map[string]any{"id": "g1", "name": "Support",
		"topics": []string{"support"}, "operators": []string{"op-1", "op-2"}}, 201)
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"auto_connect": false}, 200)
	for _, op := range []string{"op-1", "op-2"} {
		admin.sbMust(t, "PUT", "/api/v1/operators/"+op+"/status", map[string]any{"status": "online"}, 200)
	}
	return admin, m.sbToken(t, admin, "integrator", "")
}

// panelHeldBy connects a client's chat straight to an operator.
func panelHeldBy(t *testing.T, integ *sbAPI, client, name, op string) string {
	t.Helper()
	out := integ.sbMust(t, "POST", sbConnectPath, map[string]any{
		"client": map[string]any{"id": client, "name": name, "channel": "telegram"},
		"text":   "Asks about a refund for order " + client,
		"config": map[string]any{"subject_alias": "support", "assigned_operator": op},
	}, 200)
	c := out["chat"].(map[string]any)
	if c["operator_id"] != op {
		t.Fatalf("connect %s: %v, want it with %s", client, c, op)
	}
	return c["id"].(string)
}

// panelMessages reads a chat's messages with a token.
func panelMessages(t *testing.T, api *sbAPI, chatID string) []map[string]any {
	t.Helper()
	var msgs []map[string]any
	api.sbGet(t, "/api/v1/chats/"+chatID+"/messages", &msgs)
	return msgs
}

// panelChatView is the selector of the chat view showing a chat.
func panelChatView(id string) string {
	return `section#chat-view[data-chat-id="` + id + `"] .chat-body`
}

// panelNoticeSeen waits for a notice matching a regular expression.
func (p *panelPage) noticeSeen(what, re string) {
	p.t.Helper()
	p.waitJS(what, panelStep, "(__panel.notices.concat([__panel.lastNotice])).some(n => /"+re+"/.test(n))",
		"JSON.stringify(__panel.notices)")
}

// write sends text from the composer (a reply or a note, as it is set) and
// waits for it in the timeline in an entry matching entry (a selector
// below ol#messages).
func (p *panelPage) write(text, entry string) {
	p.t.Helper()
	p.fill("textarea#reply", text)
	p.click("button#send")
	p.waitJS("written: "+text, panelStep,
		"__panel.all("+panelJS("ol#messages "+entry)+").some(li => li.textContent.includes("+panelJS(text)+"))",
		"__panel.html('ol#messages', 3000)")
}

// panelWrapUpEnded waits until an operator has no wrap-up left.
func panelWrapUpEnded(t *testing.T, admin *sbAPI, op string) {
	t.Helper()
	panelPoll(t, "Ready ended the wrap-up of "+op, func() (bool, string) {
		o := panelGetOperator(t, admin, op)
		return o["wrap_up"] == nil, fmt.Sprint(o["wrap_up"])
	})
}

// offerTo offers the open chat to a colleague through the dialog.
func (p *panelPage) offerTo(op, note string) {
	p.t.Helper()
	p.click("button#offer-open")
	p.waitVisible("dialog#offer-dialog")
	p.click(`#offer-form li[data-operator-id="` + op + `"] input[type=radio]`)
	if note != "" {
		p.fill("#offer-form textarea[name=note]", note)
	}
	p.click("#offer-form button[type=submit]")
	p.waitJS("the dialog closed and the chat says it is offered", panelStep,
		"!__panel.vis('dialog#offer-dialog') && __panel.vis('#offer-pending') && __panel.vis('button#offer-withdraw')",
		"__panel.html('#offer-form', 1500) + __panel.html('#offer-pending', 800)")
}

// TestPanelTransferToColleague: Olena offers a chat to Mykola with a
// handover note; Mykola's panel plays a tone on the real Web Audio API,
// shows a desktop notification, a notice and the bar of offers; he opens the
// chat, reads the note and accepts: the chat is his (the API agrees) and
// Olena is told. A second chat is declined with a reason after Mykola's
// panel reloads (the offer comes back from the offers folder): it stays with
// Olena, who is told why. A third offer expires and Olena is told.
func TestPanelTransferToColleague(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin, integ := panelTogetherSetup(t, m)
	a := panelHeldBy(t, integ, "t-1", "Taras Bondar", "op-1")

	pa := panelOpenOn(t, m, 150*time.Second, panelDesktopWide)
	pa.nav("/#/chats/" + a)
	pa.signIn("olena@example.com", "secret-password")
	pb := panelOpenOn(t, m, 150*time.Second, panelDevice{Name: "desktop", Width: 1440, Height: 900, RealAudio: true})
	pb.nav("/")
	pb.signIn("mykola@example.com", "secret-password")
	pb.waitJS("Mykola's panel has its audio context running (the sign-in click unlocked it)", panelStep,
		"__panel.sseOpen() > 0 && window.__alerts.real !== undefined", "JSON.stringify(window.__alerts)")

	// The dialog: Mykola can take it, Iryna (Offline) cannot.
	pa.waitVisible(panelChatView(a))
	pa.waitVisible("button#offer-open")
	pa.click("button#offer-open")
	pa.waitVisible("dialog#offer-dialog")
	op2, sup := `#offer-form li[data-operator-id="op-2"]`, `#offer-form li[data-operator-id="sup"]`
	pa.waitJS("Mykola is offered with his status and load; Iryna cannot receive", panelStep,
		"!__panel.q("+panelJS(op2+" input")+").disabled && /Online/.test(__panel.text("+panelJS(op2)+")) && /0\\/3/.test(__panel.text("+panelJS(op2)+")) && "+
			"__panel.q("+panelJS(sup+" input")+").disabled && /receives no chats/.test(__panel.text("+panelJS(sup)+")) && "+
			"!__panel.q('#offer-form li[data-operator-id=\"op-1\"]') && !__panel.vis('#offer-form .offer-force')",
		"__panel.html('#offer-form', 3000)")
	pa.axe("desktop offer dialog")
	pa.click(op2 + " input[type=radio]")
	pa.fill("#offer-form textarea[name=note]", "Wants a refund for order 1182, card already blocked")
	pa.shot("together-offer-form", "viewport")
	beforeTones := panelEval[int](pb, "window.__alerts.real.running")
	pa.click("#offer-form button[type=submit]")
	pa.waitJS("Olena sees the offer waiting, counting down, with Withdraw", panelStep,
		"!__panel.vis('dialog#offer-dialog') && /Offered to Mykola Shevchuk, waiting/.test(__panel.text('#offer-pending')) && "+
			"/expires in \\d+:\\d\\d/.test(__panel.text('#offer-pending .offer-expiry')) && __panel.vis('button#offer-withdraw')",
		"__panel.html('#offer-pending', 1000)")
	if c := panelGetChat(t, admin, a); c["operator_id"] != "op-1" || c["transfer_offer"] == nil {
		t.Fatalf("after the offer: %v, want it still with op-1 and offered", c)
	}

	// Mykola hears it (a tone on a running AudioContext), gets a desktop
	// notification and a notice, and sees it in the bar of offers.
	pb.waitJS("a tone was played on the real, running AudioContext", panelStep,
		fmt.Sprintf("window.__alerts.real.running > %d", beforeTones), "JSON.stringify(window.__alerts)")
	pb.waitNote("a desktop notification says who offers which chat", "Olena Kovalenko offers you the chat with Taras Bondar")
	pb.noticeSeen("a notice says so", "Olena Kovalenko offers you the chat with Taras Bondar")
	bar := `#offers li[data-chat-id="` + a + `"]`
	pb.waitJS("the bar of offers lists it with the note and the expiry", panelStep,
		"__panel.vis("+panelJS(bar)+") && /order 1182/.test(__panel.text("+panelJS(bar)+")) && /expires in/.test(__panel.text("+panelJS(bar)+"))",
		"__panel.html('#offers', 1500)")
	pb.waitJS("the title counts the offer", panelStep, "document.title === '(1) Switchboard'", "document.title")
	pb.shotQuiet("together-offer-bar")
	pb.click(bar + " button.open-offer")
	pb.waitVisible(panelChatView(a))
	pb.waitJS("the bar leaves out the chat on screen", panelStep, "!__panel.vis('#offers')", "__panel.html('#offers', 800)")
	pb.waitJS("the chat view: who offers it, the note, Accept and Decline; no reply box", panelStep,
		"/Olena Kovalenko offers you this chat/.test(__panel.text('#offer-incoming')) && /order 1182/.test(__panel.text('#offer-incoming .offer-note')) && "+
			"__panel.vis('button#offer-accept') && __panel.vis('button#offer-decline') && !__panel.vis('textarea#reply')",
		"__panel.html('#offer-incoming', 1500)")
	pb.waitJS("the timeline shows the handover note as an internal note", panelStep,
		"__panel.all('ol#messages li.message.note[data-kind=note]').some(li => /Handover note/.test(li.textContent) && /order 1182/.test(li.textContent) && /Olena/.test(li.textContent))",
		"__panel.html('ol#messages', 3000)")
	pb.shotQuiet("together-offer-incoming")
	pb.axe("desktop incoming offer")

	pb.click("button#offer-accept")
	panelPoll(t, "the chat is Mykola's, accepted, with no offer", func() (bool, string) {
		c := panelGetChat(t, admin, a)
		return c["operator_id"] == "op-2" && c["accepted_at"] != nil && c["transfer_offer"] == nil, fmt.Sprint(c["operator_id"], c["transfer_offer"])
	})
	pb.waitJS("Mykola's view is the normal one: reply box, no offer, the bar gone", panelStep,
		"__panel.vis('textarea#reply') && !__panel.vis('#offer-incoming') && !__panel.vis('#offers') && __panel.vis("+panelJS(panelRow(a))+")",
		"__panel.html('#chat-view .chat-dock', 1500) + __panel.html('#offers', 500)")
	pa.noticeSeen("Olena is told Mykola accepted", "Mykola Shevchuk accepted the chat with Taras Bondar")
	pa.waitJS("Olena's view lets the chat go", panelStep,
		"/accepted the chat/.test(__panel.text('#chat-view .chat-empty')) && !__panel.q("+panelJS(panelRow(a))+")",
		"__panel.html('#chat-view', 800)")

	// A decline, answered after a reload: the offers folder brings it back.
	d := panelHeldBy(t, integ, "t-2", "Anna Melnyk", "op-1")
	pa.nav("/#/chats/" + d)
	pa.waitVisible(panelChatView(d))
	pa.offerTo("op-2", "")
	pb.nav("/")
	bar = `#offers li[data-chat-id="` + d + `"]`
	pb.waitVisible(bar)
	pb.click(bar + " button.open-offer")
	pb.waitVisible("button#offer-decline")
	pb.fill("input#offer-decline-reason", "on a call")
	pb.click("button#offer-decline")
	panelPoll(t, "the declined chat stays with Olena, without an offer", func() (bool, string) {
		c := panelGetChat(t, admin, d)
		return c["operator_id"] == "op-1" && c["transfer_offer"] == nil, fmt.Sprint(c["operator_id"], c["transfer_offer"])
	})
	pb.waitJS("Mykola's view says he declined", panelStep, "/You declined the chat/.test(__panel.text('#chat-view .chat-empty'))",
		"__panel.html('#chat-view', 800)")
	pa.noticeSeen("Olena is told, with the reason", "Mykola Shevchuk declined the chat with Anna Melnyk \\(on a call\\)")
	pa.waitJS("Olena's chat: no offer waiting, Transfer to colleague again, the timeline says declined", panelStep,
		"!__panel.vis('#offer-pending') && __panel.vis('button#offer-open') && "+
			"/declined the chat: on a call/.test(__panel.text('ol#messages li.system-event[data-kind=offer_declined]'))",
		"__panel.html('#chat-view .chat-dock', 1500) + __panel.html('ol#messages', 3000)")

	// An offer nobody answers expires; Olena is told.
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"transfer_offer_timeout_s": 2}, 200)
	pa.offerTo("op-2", "")
	pa.noticeSeen("Olena is told the offer expired", "did not answer: the chat with Anna Melnyk stays with you")
	pb.noticeSeen("Mykola is told the offer expired", "The offer of the chat with Anna Melnyk expired")
	if c := panelGetChat(t, admin, d); c["operator_id"] != "op-1" || c["transfer_offer"] != nil {
		t.Errorf("after the expiry: %v", c)
	}
	pa.noExceptions()
	pb.noExceptions()
}

// TestPanelSupervisorJoins: Iryna unfolds Olena's chats in the monitor,
// joins one (the reply box focused), answers the client as herself and
// whispers an internal note; Olena sees both, the note marked internal;
// the integrator (the client's channel) reads the reply but never the
// note. Iryna then takes over another chat from the monitor.
func TestPanelSupervisorJoins(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin, integ := panelTogetherSetup(t, m)
	a := panelHeldBy(t, integ, "j-1", "Taras Bondar", "op-1")
	b := panelHeldBy(t, integ, "j-2", "Anna Melnyk", "op-1")
	panelClientMessage(t, integ, a, "Where is my refund?")

	po := panelOpenOn(t, m, 150*time.Second, panelDesktopWide)
	po.nav("/#/chats/" + a)
	po.signIn("olena@example.com", "secret-password")
	po.waitVisible(panelChatView(a))

	ps := panelOpenOn(t, m, 150*time.Second, panelDesktopWide)
	ps.nav("/#monitor")
	ps.signIn("iryna@example.com", "secret-password")
	row := `table#operators tr[data-operator-id="op-1"]`
	ps.click(row + " button.show-chats")
	sub := `table#operators tr.op-chats[data-operator-id="op-1"]`
	ps.waitJS("Olena's chats unfold under her row, with Open, Join and Take over", panelStep,
		"__panel.q("+panelJS(row+" button.show-chats")+").getAttribute('aria-expanded') === 'true' && "+
			"['"+a+"', '"+b+"'].every(id => __panel.q("+panelJS(sub)+" + ' li[data-chat-id=\"' + id + '\"] button.join-chat') && __panel.q("+panelJS(sub)+" + ' li[data-chat-id=\"' + id + '\"] button.take-over'))",
		"__panel.html('table#operators', 3000)")
	ps.shot("together-monitor-chats", "viewport")
	ps.axe("desktop monitor with an operator's chats")

	ps.click(sub + ` li[data-chat-id="` + a + `"] button.join-chat`)
	ps.waitVisible(panelChatView(a))
	ps.waitJS("Join opens the chat with the reply box focused, saying Iryna joins", panelStep,
		"document.activeElement === __panel.q('textarea#reply') && /You join the chat/.test(__panel.text('#chat-view .compose-hint')) && __panel.vis('button#take-over')",
		"String(document.activeElement && document.activeElement.outerHTML.slice(0, 200)) + __panel.html('#chat-view .chat-dock', 1500)")
	reply := "Hello Taras, I am Olena's supervisor: your refund left today."
	ps.write(reply, "li.message[data-from=operator]")
	ps.click("button#mode-note")
	ps.waitJS("the composer is a note now, styled as one", panelStep,
		"__panel.q('#chat-view .composer').dataset.mode === 'note' && __panel.text('button#send') === 'Add note' && /only your team/.test(__panel.text('#chat-view .compose-hint'))",
		"__panel.html('#chat-view .composer', 1500)")
	whisper := "Olena: offer him the 10% voucher too"
	ps.write(whisper, "li.message.note")
	ps.waitJS("the note is marked internal", panelStep,
		"__panel.all('ol#messages li.message.note').some(li => li.textContent.includes("+panelJS(whisper)+") && /Internal note/.test(li.querySelector('.m-label').textContent))",
		"__panel.html('ol#messages', 3000)")

	// The API: a reply by Iryna, the chat still Olena's; the integrator
	// reads the reply, never the note.
	if c := panelGetChat(t, admin, a); c["operator_id"] != "op-1" {
		t.Errorf("after the join the chat is with %v, want op-1", c["operator_id"])
	}
	kinds := func(msgs []map[string]any) []string {
		var out []string
		for _, m := range msgs {
			out = append(out, fmt.Sprint(m["kind"], ":", m["author_id"], ":", m["text"]))
		}
		return out
	}
	all := kinds(panelMessages(t, admin, a))
	if !slices.Contains(all, "operator:sup:"+reply) || !slices.Contains(all, "note:sup:"+whisper) {
		t.Errorf("messages %v, want Iryna's reply and note", all)
	}
	for _, m := range kinds(panelMessages(t, integ, a)) {
		if m == "note:sup:"+whisper {
			t.Errorf("the integrator reads the note: %v", m)
		}
	}
	if got := kinds(panelMessages(t, integ, a)); !slices.Contains(got, "operator:sup:"+reply) {
		t.Errorf("the integrator reads %v, want the reply", got)
	}

	// Olena sees both live: the note as an internal note by Iryna.
	po.waitJS("Olena sees the reply and the note, the note internal and by Iryna", panelStep,
		"__panel.all('ol#messages li.message[data-from=operator]').some(li => li.textContent.includes("+panelJS(reply)+") && /Iryna Supervisor/.test(li.textContent)) && "+
			"__panel.all('ol#messages li.message.note').some(li => li.textContent.includes("+panelJS(whisper)+") && /Internal note/.test(li.textContent) && /Iryna Supervisor/.test(li.textContent))",
		"__panel.html('ol#messages', 3000)")
	po.click("button#mode-note")
	po.write("Voucher sent with the refund", "li.message.note")
	po.shotQuiet("together-notes")
	po.axe("desktop timeline with notes, note composer")

	// Take over from the monitor.
	ps.nav("/#monitor")
	ps.click(row + " button.show-chats")
	ps.click(sub + ` li[data-chat-id="` + b + `"] button.take-over`)
	panelPoll(t, "Iryna took over chat b", func() (bool, string) {
		c := panelGetChat(t, admin, b)
		return c["operator_id"] == "sup", fmt.Sprint(c["operator_id"])
	})
	ps.noticeSeen("Iryna is told", "You took over the chat with Anna Melnyk")
	po.noExceptions()
	ps.noExceptions()
}

// TestPanelWrapUp: with wrap_up_s set, Olena closes a chat: the header says
// she is wrapping it up, counting down; she adds a wrap-up note to the
// closed chat; Ready ends the wrap-up (the API agrees).
func TestPanelWrapUp(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin, integ := panelTogetherSetup(t, m)
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"wrap_up_s": 600}, 200)
	a := panelHeldBy(t, integ, "w-1", "Taras Bondar", "op-1")

	p := panelOpenOn(t, m, 90*time.Second, panelDesktopWide)
	p.nav("/#/chats/" + a)
	p.signIn("olena@example.com", "secret-password")
	p.waitVisible(panelChatView(a))
	p.waitJS("no wrap-up yet", panelStep, "!__panel.vis('#wrapup')", "__panel.html('#wrapup')")
	p.fill("input#close-comment", "Refund sent")
	p.click("button#close")
	p.waitJS("the header: wrapping up 1 chat, counting down from 10:00, with Ready", panelStep,
		"__panel.vis('#wrapup') && /Wrapping up 1 chat/.test(__panel.text('#wrapup')) && /^(10:00|9:[0-5]\\d)$/.test(__panel.text('#wrapup .wrapup-clock')) && __panel.vis('button#ready')",
		"__panel.html('#wrapup', 800)")
	clock := panelEval[string](p, "__panel.text('#wrapup .wrapup-clock')")
	p.waitJS("the wrap-up counts down", 5*time.Second, "__panel.text('#wrapup .wrapup-clock') !== "+panelJS(clock), "__panel.text('#wrapup')")
	if o := panelGetOperator(t, admin, "op-1"); len(o["wrap_up"].([]any)) != 1 {
		t.Fatalf("op-1 wrap_up %v, want the closed chat", o["wrap_up"])
	}

	// The closed chat takes a wrap-up note (only notes: it is closed).
	p.waitJS("the closed chat offers notes only", panelStep,
		"__panel.vis('textarea#reply') && __panel.q('#chat-view .composer').dataset.mode === 'note' && !__panel.vis('#chat-view .compose-tabs')",
		"__panel.html('#chat-view .chat-dock', 1500)")
	p.write("Refund 1182 done, card unblocked", "li.message.note")
	if msgs := panelMessages(t, admin, a); msgs[len(msgs)-1]["kind"] != "note" {
		t.Errorf("last message %v, want the note", msgs[len(msgs)-1])
	}
	p.shotQuiet("together-wrapup")
	p.axe("desktop wrap-up header")

	p.click("button#ready")
	panelWrapUpEnded(t, admin, "op-1")
	p.waitJS("the header lets it go", panelStep, "!__panel.vis('#wrapup')", "__panel.html('#wrapup', 800)")
	p.noticeSeen("a notice says so", "Ready: you get new chats again")
	p.noExceptions()
}

// TestPanelTogetherPhone: at 390×844 the offer dialog, an incoming offer,
// the monitor's chats of an operator with Join, a timeline with notes and
// the wrap-up header fit the screen, are reached where they are, and pass
// axe.
func TestPanelTogetherPhone(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin, integ := panelTogetherSetup(t, m)
	admin.sbMust(t, "PATCH", "/api/v1/settings", map[string]any{"wrap_up_s": 600}, 200)
	a := panelHeldBy(t, integ, "p-1", "Taras Bondar", "op-1")
	panelClientMessage(t, integ, a, "Where is my refund?")
	p := panelOpenOn(t, m, 180*time.Second, panelPhone)
	signOut := func() {
		t.Helper()
		p.tap("button#menu")
		p.tap("button#logout")
		p.waitVisible("form#login")
	}

	// Olena offers the chat to Mykola.
	p.nav("/#/chats/" + a)
	p.signIn("olena@example.com", "secret-password")
	p.waitVisible(panelChatView(a))
	p.tap("button#offer-open")
	p.waitVisible("dialog#offer-dialog")
	p.tap(`#offer-form li[data-operator-id="op-2"] input[type=radio]`)
	p.fill("#offer-form textarea[name=note]", "Wants a refund for order 1182")
	p.noSidewaysScroll("the offer dialog")
	p.reach("#offer-form button[type=submit]")
	p.shot("phone-offer-form", "viewport")
	p.axe("phone offer dialog")
	p.tap("#offer-form button[type=submit]")
	p.waitVisible("#offer-pending")
	p.reach("button#offer-withdraw")
	signOut()

	// Mykola: the bar, the chat with the offer, accept.
	p.signIn("mykola@example.com", "secret-password")
	bar := `#offers li[data-chat-id="` + a + `"]`
	p.waitVisible(bar)
	p.noSidewaysScroll("the bar of offers")
	p.tap(bar + " button.open-offer")
	p.waitVisible("#offer-incoming")
	p.noSidewaysScroll("an incoming offer")
	p.reach("button#offer-decline")
	p.reach("button#offer-accept")
	p.shotQuiet("phone-offer-incoming")
	p.axe("phone incoming offer")
	p.tap("button#offer-accept")
	panelPoll(t, "the chat is Mykola's", func() (bool, string) {
		c := panelGetChat(t, admin, a)
		return c["operator_id"] == "op-2", fmt.Sprint(c["operator_id"])
	})
	signOut()

	// Iryna: Mykola's chats in the monitor, Join, a reply and a note.
	p.signIn("iryna@example.com", "secret-password")
	p.tap("nav a[data-nav=monitor]")
	row := `table#operators tr[data-operator-id="op-2"]`
	p.tap(row + " button.show-chats")
	join := `table#operators tr.op-chats[data-operator-id="op-2"] li[data-chat-id="` + a + `"] button.join-chat`
	p.waitVisible(join)
	p.noSidewaysScroll("the monitor with an operator's chats")
	p.reach(`table#operators tr.op-chats[data-operator-id="op-2"] li[data-chat-id="` + a + `"] button.take-over`)
	p.do("scroll to the chats", chromedp.ScrollIntoView(chromedp.CSS(row)))
	p.shot("phone-monitor-chats", "viewport")
	p.axe("phone monitor with an operator's chats")
	p.tap(join)
	p.waitVisible(panelChatView(a))
	p.waitJS("the reply box is focused", panelStep, "document.activeElement === __panel.q('textarea#reply')",
		"String(document.activeElement && document.activeElement.outerHTML.slice(0, 200))")
	p.reach("button#send")
	p.write("Hello Taras, your refund left today.", "li.message[data-from=operator]")
	p.tap("button#mode-note")
	p.write("Mykola: the voucher too, please", "li.message.note")
	p.noSidewaysScroll("a timeline with notes")
	p.shotQuiet("phone-notes")
	p.axe("phone timeline with notes")
	signOut()

	// Mykola closes it: the wrap-up in the header, Ready.
	p.nav("/#/chats/" + a)
	p.signIn("mykola@example.com", "secret-password")
	p.waitVisible(panelChatView(a))
	p.reach("button#close")
	p.tap("button#close")
	p.waitVisible("#wrapup")
	p.noSidewaysScroll("the wrap-up header")
	p.reach("button#ready")
	p.shotQuiet("phone-wrapup")
	p.axe("phone wrap-up header")
	p.tap("button#ready")
	panelWrapUpEnded(t, admin, "op-2")
	p.noExceptions()
}
