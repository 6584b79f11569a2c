package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/sqlite"
	"github.com/switchboard/switchboard/stats/statstest"
)

// panelHistory writes a week of a small contact center's history into a
// fresh SQLite store in dir, up to a minute ago, as the server commits it:
// statstest.Sim plays it through the routing engine at set times and
// routing.Batcher turns each simulated hour into one store batch. Eight
// operators in two groups of four, one chat at a time each, four topics,
// three channels, chats mostly by day (enough at the peaks that clients
// wait, and some leave), operators always on shift but for a break a day.
func panelHistory(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	to := time.Now().UTC().Add(-time.Minute)
	from := to.Truncate(time.Hour).Add(-7 * 24 * time.Hour)
	e := routing.New(from.Add(-2 * time.Hour))
	var bt routing.Batcher
	hour := from.Add(-time.Hour)
	commit := func() {
		if err := st.Commit(ctx, bt.Done(e)); err != nil {
			t.Fatalf("commit the history: %v", err)
		}
		bt.Reset(1 << 12)
	}
	sim := statstest.Sim{From: from, To: to, Chats: 5000, Operators: 8, GroupSize: 4, TopicsPerGroup: 2, MaxChats: 1,
		Channels: []string{"telegram", "whatsapp", "widget"}, ShiftFrom: 0, ShiftTo: 24, Seed: 26,
		Shape: func(h time.Time) float64 { // quiet at night, busiest after noon
			return 0.15 + math.Max(0, math.Sin(math.Pi*float64(h.Hour()-6)/14))
		},
		Apply: func(at time.Time, cmd routing.Command) (routing.Result, error) {
			if at.Truncate(time.Hour).After(hour) {
				commit()
				hour = at.Truncate(time.Hour)
			}
			return bt.Apply(e, at, cmd)
		},
		Chat: e.Chat,
	}
	if err := sim.Run(); err != nil {
		t.Fatal(err)
	}
	commit()
}

// TestPanelDashboard: a supervisor opens the dashboard over a week of
// history: today's cards agree with the API, each chart of a figure is
// drawn with its points, the operator and topic tables are filled, and a
// CSV export downloads. Also on a phone, without sideways scrolling.
func TestPanelDashboard(t *testing.T) {
	data := t.TempDir()
	panelHistory(t, data)
	m := sbStart(t, data)
	admin := m.sbClient(sbAdminSecret)
	panelOperator(t, admin, "sup", "Iryna Supervisor", "iryna@example.com", "supervisor", 3)
	integ := m.sbToken(t, admin, "integrator", "")
	for i := range 2 { // waiting now: nobody serves this topic
		admin.sbMust(t, "POST", "/api/v1/topics", map[string]any{"alias": fmt.Sprintf("vip-%d", i), "name": fmt.Sprintf("VIP line %d", i+1)}, 201)
		panelConnect(t, integ, fmt.Sprintf("now-%d", i), "Olena Petrenko", fmt.Sprintf("vip-%d", i), "queue", 0)
	}

	// A desktop window tall enough for the whole dashboard in its
	// screenshot, and a phone.
	tall := panelDevice{Name: "desktop", Width: 1440, Height: 1900}
	for _, dev := range []panelDevice{tall, panelPhone} {
		t.Run(dev.Name, func(t *testing.T) {
			p := panelOpenOn(t, m, 120*time.Second, dev)
			p.nav("/")
			p.signIn("iryna@example.com", "secret-password")
			p.nav("/#dashboard")
			p.waitVisible("section#view-dashboard #dash-cards .card[data-card=waiting]")

			// Today's cards: the API's figures for the browser's today.
			q := panelEval[string](p, `'/api/v1/stats?from=' + encodeURIComponent(new Date(new Date().setHours(0, 0, 0, 0)).toISOString()) +
				'&time_zone=' + encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)`)
			var today struct {
				Total struct {
					Arrivals int64 `json:"arrivals"`
				} `json:"total"`
				Now struct {
					Waiting int `json:"waiting"`
				} `json:"now"`
			}
			admin.sbGet(t, q, &today)
			if today.Now.Waiting != 2 || today.Total.Arrivals == 0 {
				t.Fatalf("API today: %+v; want 2 waiting and arrivals", today)
			}
			p.waitJS("the waiting and arrivals cards show the API's figures", panelStep,
				fmt.Sprintf("__panel.num('#dash-cards .card[data-card=waiting] .value') === %d && "+
					"Number(__panel.text('#dash-cards .card[data-card=arrivals] .value').replace(/\\D/g, '')) === %d",
					today.Now.Waiting, today.Total.Arrivals), "__panel.html('#dash-cards', 2000)")
			p.waitJS("the SLA card names its goal, the status list counts operators", panelStep,
				"/80/.test(__panel.text('#dash-cards .card[data-card=sla] .label')) && __panel.count('#dash-statuses li') >= 3",
				"__panel.html('#dash-today', 2000)")

			// Seven days: a chart per figure, each with a point per hour.
			p.click("#dash-range-form button[data-days='7']")
			for _, c := range []string{"arrivals", "wait", "sla", "occupancy", "status"} {
				fig := "#dash-charts figure[data-chart=" + c + "]"
				p.waitJS("chart "+c+" drawn over the week", panelStep,
					"__panel.q("+panelJS(fig+" canvas")+") && Number(__panel.q("+panelJS(fig)+").dataset.points) === 7 * 24 && "+
						"Number(__panel.q("+panelJS(fig)+").dataset.series) >= 1",
					"__panel.html("+panelJS(fig)+", 600)")
			}
			p.waitJS("the operator and topic tables", panelStep,
				"__panel.count('table#dash-operators tbody tr[data-operator-id]') === 8 && __panel.count('table#dash-topics tbody tr[data-topic]') >= 4",
				"__panel.html('table#dash-operators', 800) + __panel.html('table#dash-topics', 800)")
			p.axe(dev.Name + " dashboard")
			if dev.Phone {
				p.noSidewaysScroll("the dashboard")
				p.shotQuiet("phone-dashboard")
			} else {
				p.shotQuiet("dashboard")
				panelDownloadCSV(t, p)
			}
			p.noExceptions()
		})
	}
}

// panelDownloadCSV clicks the CSV export by operator and reads the file the
// browser saved.
func panelDownloadCSV(t *testing.T, p *panelPage) {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.Call(p.ctx, browser.SetDownloadBehavior,
		browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	p.click("#view-dashboard a[data-csv=operator]")
	var name string
	panelPoll(t, "the CSV downloaded", func() (bool, string) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		if len(files) == 1 {
			name = files[0]
		}
		return name != "", fmt.Sprint(files)
	})
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	// a header, the total, the eight operators of the history and the
	// supervisor
	if err != nil || len(recs) != 2+9 || recs[0][0] != "group_by" || recs[1][0] != "total" || recs[2][0] != "operator" {
		t.Fatalf("the downloaded CSV %s: %v %v", filepath.Base(name), recs, err)
	}
	if !strings.HasSuffix(name, "-operator.csv") {
		t.Errorf("downloaded as %s", filepath.Base(name))
	}
}

// TestPanelSLASettings: an administrator sets the service level's target
// and goal in form#settings (the goal in percent); the API has them, and
// the dashboard's card judges today against the new goal.
func TestPanelSLASettings(t *testing.T) {
	m := sbStart(t, t.TempDir())
	admin := m.sbClient(sbAdminSecret)
	panelOperator(t, admin, "adm", "Ada Admin", "ada@example.com", "admin", 3)
	p := panelOpenOn(t, m, 60*time.Second, panelDesktopWide)
	p.nav("/")
	p.signIn("ada@example.com", "secret-password")
	p.nav("/#admin")
	p.waitJS("the settings show the defaults", panelStep,
		"__panel.q('form#settings input[name=sla_target_s]').value === '20' && __panel.q('form#settings input[name=sla_goal]').value === '80'",
		"__panel.html('form#settings', 3000)")
	p.fill("form#settings input[name=sla_target_s]", "30")
	p.fill("form#settings input[name=sla_goal]", "92.5")
	p.click("button#save-settings")
	panelPoll(t, "the settings saved", func() (bool, string) {
		var s sb.Settings
		admin.sbGet(t, "/api/v1/settings", &s)
		return s.SLATargetS == 30 && s.SLAGoal == 0.925, fmt.Sprint(s.SLATargetS, s.SLAGoal)
	})
	p.nav("/#dashboard")
	p.waitJS("the SLA card names the new target and goal", panelStep,
		"/30/.test(__panel.text('#dash-cards .card[data-card=sla] .label')) && /93|92/.test(__panel.text('#dash-cards .card[data-card=sla] .label'))",
		"__panel.html('#dash-cards', 2000)")
	p.noExceptions()
}
