package simulate_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	sbhttp "github.com/switchboard/switchboard/http"
	"github.com/switchboard/switchboard/internal/playday"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/simulate"
	"github.com/switchboard/switchboard/sqlite"
)

// liveDay is a server (the real single writer over a real SQLite store)
// that played three hours of clients, driven through server.Do on a clock
// the test sets.
type liveDay struct {
	store    *sqlite.Store
	srv      *server.Server
	from, to time.Time
	// admin is the secret of an admin token, for the API.
	admin string
}

// playLiveDay starts the server and plays the day: clients of two topics on
// two channels arrive at random, operators close each chat an exponential
// time after it was connected, clients leave the queue after an exponential
// patience.
func playLiveDay(t *testing.T) *liveDay {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	d := &liveDay{store: st, from: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	d.to = d.from.Add(3 * time.Hour)
	var clock atomic.Int64
	clock.Store(d.from.Add(-time.Minute).UnixNano())
	d.srv = server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.srv.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	if err := d.srv.Open(ctx); err != nil {
		t.Fatal(err)
	}
	go d.srv.Run(ctx)
	do := func(cmd routing.Command) routing.Result {
		res, err := d.srv.Do(ctx, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return res
	}
	setUpCenter(do)
	playClients(d, &clock, do)
	if _, d.admin, err = d.srv.CreateToken(ctx, sb.RoleAdmin, ""); err != nil {
		t.Fatal(err)
	}
	return d
}

// setUpCenter: billing served by a1, a2 and the generalist g1, tech by t1
// and g1; g1 takes one telegram chat at a time. No presence timer (the
// test has no panels), no accept timeout.
func setUpCenter(do func(routing.Command) routing.Result) {
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS = 0
	do(routing.UpdateSettings{Settings: set})
	do(routing.CreateTopic{Topic: sb.Topic{Alias: "billing", Name: "Billing"}})
	do(routing.CreateTopic{Topic: sb.Topic{Alias: "tech", Name: "Tech"}})
	two, one, three := 2, 1, 3
	for _, o := range []sb.Operator{
		{ID: "a1", Name: "A1", MaxChats: &two}, {ID: "a2", Name: "A2", MaxChats: &two},
		{ID: "t1", Name: "T1", MaxChats: &one}, {ID: "g1", Name: "G1", MaxChats: &three, ChannelLimits: map[string]int{"telegram": 1}},
	} {
		do(routing.CreateOperator{Operator: o})
		do(routing.SetOperatorStatus{OperatorID: o.ID, Status: sb.StatusOnline})
	}
	do(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "billing-team", Name: "Billing", Topics: []string{"billing"}, Operators: []string{"a1", "a2", "g1"}, Active: true}})
	do(routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "tech-team", Name: "Tech", Topics: []string{"tech"}, Operators: []string{"t1", "g1"}, Active: true}})
}

// playClients plays the arrivals in time order, closing and abandoning as
// the events say, until every chat is closed.
func playClients(d *liveDay, clock *atomic.Int64, do func(routing.Command) routing.Result) {
	r := rand.New(rand.NewPCG(42, 7))
	us := func(sec float64) time.Duration { return time.Duration(sec*1e6) * time.Microsecond }
	var clients []playday.Client
	for at := d.from.Add(us(r.ExpFloat64() * 45)); at.Before(d.to); at = at.Add(us(r.ExpFloat64() * 45)) {
		clients = append(clients, playday.Client{At: at, Topic: []string{"billing", "billing", "tech"}[r.IntN(3)],
			Channel: []string{"telegram", "widget"}[r.IntN(2)], Handle: us(r.ExpFloat64() * 300), Patience: us(r.ExpFloat64() * 90)})
	}
	playday.Play(clients, clock, do)
}

// outcome is what the stored chats say happened.
type outcome struct {
	chats, served, abandoned int
	waits                    []float64
}

func outcomeOf(chats []sb.Chat) outcome {
	var o outcome
	for _, c := range chats {
		o.chats++
		switch {
		case !c.AssignedAt.IsZero():
			o.served++
			o.waits = append(o.waits, c.AssignedAt.Sub(c.CreatedAt).Seconds())
		case c.ClosedBy == sb.ByClient:
			o.abandoned++
		}
	}
	slices.Sort(o.waits)
	return o
}

// TestHistoryReplayReproducesTheServersDay: replaying a server's own
// three hours — its chats from the store, its live settings, skill groups
// and operators, each chat's own handle time and each leaver's patience —
// plays the day again exactly: the same chats served and abandoned, the
// same waits.
func TestHistoryReplayReproducesTheServersDay(t *testing.T) {
	d := playLiveDay(t)
	ctx := context.Background()
	chats, err := d.store.ChatsCreated(ctx, d.from, d.to)
	if err != nil {
		t.Fatal(err)
	}
	live := outcomeOf(chats)
	if live.abandoned == 0 || live.served < live.chats/2 {
		t.Fatalf("the live day is not a useful test: %d chats, %d served, %d abandoned", live.chats, live.served, live.abandoned)
	}
	state, _, err := d.store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cfg simulate.Config
	simulate.Live(&cfg, state.Config, state.Operators)
	h := simulate.FitHistory(chats, d.from, d.to)
	h.Use(&cfg, true)
	if h.Chats != live.chats || h.Abandoned != live.abandoned || h.Connected != live.served || h.Patience.MeanS <= 0 {
		t.Fatalf("history: %d chats, %d connected, %d abandoned, patience %+v; live %+v", h.Chats, h.Connected, h.Abandoned, h.Patience, live)
	}
	rep, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var waits []float64
	for _, p := range []int{50, 90, 99} {
		waits = append(waits, live.waits[(len(live.waits)-1)*p/100])
	}
	got := []float64{rep.WaitP50S, rep.WaitP90S, rep.WaitP99S}
	if rep.Chats != live.chats || rep.Served != live.served || rep.Abandoned != live.abandoned || !reflect.DeepEqual(got, waits) {
		t.Fatalf("replay: %d chats, %d served, %d abandoned, waits p50/p90/p99 %v; live: %d, %d, %d, %v",
			rep.Chats, rep.Served, rep.Abandoned, got, live.chats, live.served, live.abandoned, waits)
	}
	t.Logf("%d chats, %d served, %d abandoned, waits p50/p90/p99 %v s, both live and replayed", rep.Chats, rep.Served, rep.Abandoned, got)
}

// TestHistoryFromTheAPIMatchesTheStore: the event log read through
// GET /api/v1/events gives the chats the store gives, for the whole day
// and for a window that starts in its middle (found by bisection); the
// live configuration read through the API gives the same teams.
func TestHistoryFromTheAPIMatchesTheStore(t *testing.T) {
	d := playLiveDay(t)
	ctx := context.Background()
	ts := httptest.NewServer(sbhttp.NewHandler(d.srv, slog.New(slog.NewTextHandler(io.Discard, nil)), http.NotFoundHandler(), http.NotFoundHandler()))
	defer ts.Close()
	api := &simulate.API{URL: ts.URL, Token: d.admin}
	for _, from := range []time.Time{d.from, d.from.Add(90 * time.Minute)} {
		want, err := d.store.ChatsCreated(ctx, from, d.to)
		if err != nil {
			t.Fatal(err)
		}
		got, err := api.ChatsCreated(ctx, from, d.to)
		if err != nil {
			t.Fatal(err)
		}
		hw, hg := simulate.FitHistory(want, from, d.to), simulate.FitHistory(got, from, d.to)
		if len(want) == 0 || !reflect.DeepEqual(hw, hg) {
			t.Fatalf("from %s: the API's history (%d chats) differs from the store's (%d)", from.Format(time.TimeOnly), len(got), len(want))
		}
	}
	cfg, ops, err := api.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state, _, err := d.store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var a, b simulate.Config
	simulate.Live(&a, cfg, ops)
	simulate.Live(&b, state.Config, state.Operators)
	if !reflect.DeepEqual(a.Teams, b.Teams) || len(a.Teams) != 3 {
		t.Fatalf("teams from the API %+v, from the store %+v", a.Teams, b.Teams)
	}
}
