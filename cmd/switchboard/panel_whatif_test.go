package main

// Browser test of the What-if page (issue 24): a supervisor opens it on a
// server with a week of history, plays tomorrow with the operators it sets,
// reads the hours beside what actually happened, has the staffing searched
// and takes its counts, and sees a bad field named; on a desktop and on a
// phone. SB_SCREENSHOTS=1 writes docs/screenshots/whatif*.png.

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/playday"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/sqlite"
)

// panelWhatIfRates are the clients of an hour of day (UTC) on topic
// support; billing gets half as many.
var panelWhatIfRates = [24]float64{1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 6, 8, 8, 8, 7, 7, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1}

// panelWhatIfCenter plays a week of a small center's clients through a
// real server over a SQLite store on a clock the test sets (support served
// by op-1, op-2 and op-4; billing by op-3 and op-4; 15 minutes a chat,
// clients who leave after 5 minutes on average), then serves that data
// folder with Main. The supervisor iryna@example.com answers no chats.
func panelWhatIfCenter(t *testing.T) *Main {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().UTC().Add(-3 * time.Hour) // every chat closes before now
	from := end.Add(-7 * 24 * time.Hour)
	var clock atomic.Int64
	clock.Store(from.Add(-time.Minute).UnixNano())
	srv := server.New(st, quietLog())
	srv.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	if err := srv.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Run(ctx); close(done) }()
	do := func(cmd routing.Command) routing.Result {
		res, err := srv.Do(ctx, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return res
	}
	panelWhatIfStaff(t, ctx, srv, do)
	playday.Play(panelWhatIfClients(from, end), &clock, do)
	cancel()
	<-done
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return sbStart(t, dir)
}

// panelWhatIfStaff creates the center: topics, operators, skill groups,
// the supervisor who signs in; no presence timer (nobody has a panel).
func panelWhatIfStaff(t *testing.T, ctx context.Context, srv *server.Server, do func(routing.Command) routing.Result) {
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS = 0
	do(routing.UpdateSettings{Settings: set})
	do(routing.CreateTopic{Topic: sb.Topic{Alias: "support", Name: "Support"}})
	do(routing.CreateTopic{Topic: sb.Topic{Alias: "billing", Name: "Billing"}})
	two, three := 2, 3
	for _, o := range []sb.Operator{
		{ID: "op-1", Name: "Olena Kovalenko", MaxChats: &two}, {ID: "op-2", Name: "Mykola Shevchuk", MaxChats: &two},
		{ID: "op-3", Name: "Anna Melnyk", MaxChats: &two}, {ID: "op-4", Name: "Taras Bondar", MaxChats: &three},
	} {
		do(routing.CreateOperator{Operator: o})
		do(routing.SetOperatorStatus{OperatorID: o.ID, Status: sb.StatusOnline})
	}
	pw := "secret-password"
	if _, err := srv.CreateOperator(ctx, sb.Operator{ID: "sup", Name: "Iryna Supervisor", Email: "iryna@example.com", Role: sb.RoleSupervisor}, &pw); err != nil {
		t.Fatal(err)
	}
	do(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "support-team", Name: "Support", Topics: []string{"support"}, Operators: []string{"op-1", "op-2", "op-4"}, Active: true}})
	do(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "billing-team", Name: "Billing", Topics: []string{"billing"}, Operators: []string{"op-3", "op-4"}, Active: true}})
}

// panelWhatIfClients draws the week's clients: Poisson arrivals at the
// hour's rate (thinning), exponential handle times and patience.
func panelWhatIfClients(from, end time.Time) []playday.Client {
	r := rand.New(rand.NewPCG(24, 7))
	dur := func(mean float64) time.Duration { return time.Duration(r.ExpFloat64()*mean*1e6) * time.Microsecond }
	var out []playday.Client
	for at := from.Add(dur(300)); at.Before(end); at = at.Add(dur(300)) { // 12 an hour, thinned to the hour's 1.5 × rate
		if r.Float64()*12 >= 1.5*panelWhatIfRates[at.Hour()] {
			continue
		}
		topic := "support"
		if r.Float64() < 1.0/3 {
			topic = "billing"
		}
		out = append(out, playday.Client{At: at, Topic: topic, Channel: []string{"telegram", "widget"}[r.IntN(2)],
			Handle: min(dur(900), 2*time.Hour), Patience: dur(300)})
	}
	return out
}

// tallShot writes a screenshot of the whole What-if view: the window is
// made as tall as the header and the view's content for it.
func (p *panelPage) tallShot(name string, dev panelDevice) {
	p.t.Helper()
	if os.Getenv("SB_SCREENSHOTS") != "1" {
		return
	}
	p.waitJS("no notice on screen", panelStep, "!__panel.vis('#notice')", "__panel.html('#notice')")
	h := panelEval[int64](p, "Math.ceil(__panel.q('#topbar').getBoundingClientRect().height + __panel.q('#view-whatif').scrollHeight)")
	p.do("make the window tall", chromedp.EmulateViewport(dev.Width, h))
	p.shot(name, "viewport")
	p.do("give the window back its height", chromedp.EmulateViewport(dev.Width, dev.Height))
}

// TestPanelWhatIf: a supervisor plays tomorrow on the What-if page.
func TestPanelWhatIf(t *testing.T) {
	m := panelWhatIfCenter(t)
	for _, dev := range []panelDevice{panelDesktopWide, panelPhone} {
		p := panelOpenOn(t, m, 120*time.Second, dev)
		p.nav("/")
		p.signIn("iryna@example.com", "secret-password")
		if dev.Phone {
			p.nav("/#whatif")
		} else {
			p.click("nav a[data-nav=whatif]")
		}
		p.waitJS("the page prefilled with today's 4 operators in every hour", panelStep,
			"location.hash === '#whatif' && __panel.vis('form#whatif-form') && __panel.all('#whatif-form .wi-hour input').length === 24 && "+
				"__panel.all('#whatif-form .wi-hour input').every(i => i.value === '4')",
			"__panel.html('#whatif-form fieldset', 800)")
		// Two operators all day, three from 08:00 to 18:00.
		p.fill("#whatif-form input[name=every]", "2")
		p.click("button#whatif-fill")
		for h := 8; h < 18; h++ {
			p.fill("#whatif-form input[name=op-"+strconv.Itoa(h)+"]", "3")
		}
		p.click("button#whatif-run")
		p.waitJS("24 hours played, beside what happened, with the chart", 60*time.Second,
			"__panel.vis('#whatif-result') && __panel.count('table#whatif-hours tbody tr') === 24 && __panel.vis('img#whatif-chart') && "+
				"__panel.q('img#whatif-chart').naturalWidth > 0 && /chats played/.test(__panel.text('#whatif-status'))",
			"__panel.text('#whatif-status') + ' ' + __panel.html('#whatif-form .form-error') + ' ' + __panel.html('#whatif-result', 600)")
		p.waitJS("10:00 has 3 operators and a share within the target; 03:00 has 2", panelStep,
			"/^3(\\.0)?$/.test(__panel.text('tr[data-hour=\"10\"] td:nth-child(2)')) && /%/.test(__panel.text('tr[data-hour=\"10\"] td.sla')) && "+
				"/^2(\\.0)?$/.test(__panel.text('tr[data-hour=\"3\"] td:nth-child(2)'))",
			"__panel.html('tr[data-hour=\"10\"]', 1500)")
		p.axe(dev.Name + " what-if")
		if dev.Phone {
			p.noSidewaysScroll("what-if on a phone")
			panelEval[chromedp.Void](p, `(() => { const v = __panel.q('#view-whatif');
				v.scrollTop += __panel.q('#whatif-result').getBoundingClientRect().top - v.getBoundingClientRect().top - 8; })()`)
			p.shotQuiet("phone-whatif")
			p.noExceptions()
			continue
		}
		p.tallShot("whatif", dev)
		// The staffing search, and its counts taken into the form.
		p.click("#whatif-form input[name=staffing]")
		p.click("button#whatif-run")
		p.waitJS("the search's answer in every hour", 60*time.Second,
			"__panel.count('table#whatif-hours td.needed') === 24 && __panel.vis('button#whatif-use')",
			"__panel.text('#whatif-status') + ' ' + __panel.html('#whatif-form .form-error')")
		p.tallShot("whatif-staffing", dev)
		needed := panelEval[string](p, "__panel.text('tr[data-hour=\"10\"] td.needed')")
		p.click("button#whatif-use")
		p.waitJS("the form holds the counts found", panelStep,
			"__panel.q('#whatif-form input[name=op-10]').value === "+panelJS(needed)+" && !__panel.q('#whatif-form input[name=staffing]').checked",
			"__panel.q('#whatif-form input[name=op-10]').value")
		// A bad field is named, in words.
		p.fill("#whatif-form input[name=sla_goal]", "150")
		p.click("button#whatif-run")
		p.waitJS("the goal is refused and marked", panelStep,
			"/SLA goal/.test(__panel.text('#whatif-form .form-error')) && __panel.q('#whatif-form input[name=sla_goal]').getAttribute('aria-invalid') === 'true'",
			"__panel.html('#whatif-form .form-error')")
		p.noExceptions()
	}
}
