package simulate_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/simulate"
)

// day reads the 100,000-chat day of testdata/day.json, cut to hours.
func day(t testing.TB, hours float64) simulate.Config {
	t.Helper()
	b, err := os.ReadFile("testdata/day.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg simulate.Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	cfg.DurationS = hours * 3600
	return cfg
}

func reportJSON(t *testing.T, rep simulate.Report) string {
	t.Helper()
	rep.WallS = 0
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSameSeedSameReport: a run is a function of its Config; only the
// wall time differs. Another seed gives another day.
func TestSameSeedSameReport(t *testing.T) {
	cfg := day(t, 3)
	a, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if reportJSON(t, a) != reportJSON(t, b) {
		t.Fatal("two runs of one Config differ")
	}
	cfg.Seed++
	c, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if reportJSON(t, a) == reportJSON(t, c) {
		t.Fatal("another seed gave the same report")
	}
	if a.Chats == 0 || a.Served == 0 || a.MissedAccepts == 0 || a.Abandoned == 0 {
		t.Fatalf("the day's features did not all play: %+v", a.Bucket)
	}
}

// TestShiftsStaffTheirHours: two named shifts overlap at midday; without
// breaks the mean staffed operators of each hour are the shifts' counts.
func TestShiftsStaffTheirHours(t *testing.T) {
	cfg := simulate.Config{DurationS: 24 * 3600, Seed: 3,
		Teams: []simulate.Team{{Name: "ops", MaxChats: 2, Shifts: []simulate.Shift{
			{Name: "early", Start: "08:00", End: "16:00", Count: 5},
			{Name: "late", Start: "12:00", End: "20:00", Count: 3},
			{Name: "night", Start: "22:00", End: "02:00", Count: 1},
		}}},
		Arrivals: []simulate.Stream{{PerHour: []float64{20}}},
	}
	rep, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for h, b := range rep.Hours {
		want := 0
		switch {
		case h >= 8 && h < 12:
			want = 5
		case h >= 12 && h < 16:
			want = 8
		case h >= 16 && h < 20:
			want = 3
		case h >= 22 || h < 2:
			want = 1
		}
		if math.Abs(b.Operators-float64(want)) > 1e-9 {
			t.Errorf("hour %d: %.3f operators staffed, want %d", h, b.Operators, want)
		}
	}
}

// TestBreaksTakeTheirShare: each operator is on break 10 of every 60
// minutes, so a sixth of the shift's operator-time is not staffed.
func TestBreaksTakeTheirShare(t *testing.T) {
	cfg := simulate.Config{DurationS: 48 * 3600, Seed: 4,
		Teams:    []simulate.Team{{Name: "ops", MaxChats: 3, PerHour: []int{30}, Break: simulate.Break{EveryS: 3000, LengthS: 600}}},
		Arrivals: []simulate.Stream{{PerHour: []float64{300}}},
	}
	rep, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := 30 * 3000.0 / 3600; math.Abs(rep.Operators-want) > 0.3 {
		t.Fatalf("%.2f operators staffed on average, want about %.2f", rep.Operators, want)
	}
}

// TestMissedAcceptsGoBackToTheQueue: a missed accept returns the chat after
// the accept timeout, so the operator's misses are counted and the chat is
// still served (by another operator).
func TestMissedAcceptsGoBackToTheQueue(t *testing.T) {
	set := sb.DefaultSettings()
	set.AcceptTimeoutS, set.MaxMissedChats = 15, 2
	cfg := simulate.Config{DurationS: 4 * 3600, Seed: 5, Settings: &set, MissedAccepts: 0.2,
		Teams:    []simulate.Team{{Name: "ops", MaxChats: 2, PerHour: []int{12}}},
		Arrivals: []simulate.Stream{{PerHour: []float64{200}}},
	}
	rep, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	assignments := float64(rep.Served + rep.MissedAccepts)
	if share := float64(rep.MissedAccepts) / assignments; math.Abs(share-0.2) > 0.03 {
		t.Errorf("%.3f of assignments missed, want about 0.2", share)
	}
	if rep.Served != rep.Chats {
		t.Errorf("served %d of %d chats: a missed chat must be served by another operator", rep.Served, rep.Chats)
	}
	cfg.MissedAccepts = 0.2
	set.AcceptTimeoutS = 0
	if _, err := simulate.Run(cfg); err == nil || !strings.Contains(err.Error(), "accept_timeout_s") {
		t.Errorf("missed accepts without an accept timeout: err %v", err)
	}
}

// TestLimitAnswersInsteadOfWaiting: with Limit a connect finds a free
// operator at once or hears limit; nobody waits.
func TestLimitAnswersInsteadOfWaiting(t *testing.T) {
	cfg := simulate.Config{DurationS: 40 * 3600, Seed: 6, Limit: true,
		Teams:      []simulate.Team{{Name: "ops", MaxChats: 1, PerHour: []int{5}}},
		Arrivals:   []simulate.Stream{{PerHour: []float64{120}}},
		HandleTime: simulate.Dist{Kind: simulate.DistExponential, MeanS: 180},
	}
	rep, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Erlang B (the loss system): 5 servers and 6 Erlangs block 36.2 %.
	b := 1.0
	for k := 1; k <= 5; k++ {
		b = 6 * b / (float64(k) + 6*b)
	}
	blocked := float64(rep.Limit) / float64(rep.Limit+rep.Chats)
	if rep.WaitedShare != 0 || rep.Served != rep.Chats || math.Abs(blocked-b) > 0.02 {
		t.Fatalf("limit %d, chats %d (blocked %.3f, Erlang B %.3f), waited share %v", rep.Limit, rep.Chats, blocked, b, rep.WaitedShare)
	}
	t.Logf("blocked %.4f, Erlang B %.4f", blocked, b)
}

// TestChannelLimitsAndSkills: a channel limit of 0 bars telegram from the
// only team, so telegram chats wait until the run stops; a topic nobody
// serves waits too; the others are served.
func TestChannelLimitsAndSkills(t *testing.T) {
	cfg := simulate.Config{DurationS: 2 * 3600, DrainS: 600, Seed: 7,
		SkillGroups: []sb.SkillGroup{{ID: "billing-team", Topics: []string{"billing"}, Active: true}},
		Teams: []simulate.Team{{Name: "ops", MaxChats: 3, SkillGroups: []string{"billing-team"},
			ChannelLimits: map[string]int{"telegram": 0}, PerHour: []int{5}}},
		Arrivals: []simulate.Stream{
			{Topic: "billing", Channel: "widget", PerHour: []float64{30}},
			{Topic: "billing", Channel: "telegram", PerHour: []float64{10}},
			{Topic: "tech", Channel: "widget", PerHour: []float64{10}},
		},
	}
	rep, err := simulate.Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unfinished == 0 || rep.Served+rep.Unfinished != rep.Chats || rep.Served < rep.Chats/2 {
		t.Fatalf("chats %d, served %d, unfinished %d", rep.Chats, rep.Served, rep.Unfinished)
	}
}

// TestOutputs: the table has a line per hour and the total; the chart is
// well-formed XML.
func TestOutputs(t *testing.T) {
	rep, err := simulate.Run(day(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	var tb strings.Builder
	if err := rep.WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(tb.String(), "\n"); lines < 4 || !strings.Contains(tb.String(), "total") {
		t.Fatalf("table:\n%s", tb.String())
	}
	var svg bytes.Buffer
	if err := rep.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&svg)
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("SVG: %v", err)
		}
	}
}

// TestBadConfigNamesTheField: Normalize's errors say what to fix.
func TestBadConfigNamesTheField(t *testing.T) {
	ok := simulate.Config{Teams: []simulate.Team{{Name: "a", PerHour: []int{1}}}, Arrivals: []simulate.Stream{{PerHour: []float64{1}}}}
	for name, change := range map[string]func(c *simulate.Config){
		"teams":        func(c *simulate.Config) { c.Teams = nil },
		"arrivals":     func(c *simulate.Config) { c.Arrivals = nil },
		"per_hour":     func(c *simulate.Config) { c.Arrivals[0].PerHour = []float64{1, 2} },
		"sla_goal":     func(c *simulate.Config) { c.SLAGoal = 2 },
		"shifts[0]":    func(c *simulate.Config) { c.Teams[0].Shifts = []simulate.Shift{{Start: "25:00", End: "08:00"}} },
		"handle_time":  func(c *simulate.Config) { c.HandleTime = simulate.Dist{Kind: "gamma", MeanS: 1} },
		"skill group":  func(c *simulate.Config) { c.Teams[0].SkillGroups = []string{"nope"} },
		"replay":       func(c *simulate.Config) { c.Replay = []simulate.Arrival{{AtS: 5}, {AtS: 1}} },
		"warmup_s":     func(c *simulate.Config) { c.WarmupS = 1e9 },
		"replications": func(c *simulate.Config) { c.Replications = -1 },
	} {
		c := ok
		c.Teams = append([]simulate.Team(nil), ok.Teams...)
		c.Arrivals = append([]simulate.Stream(nil), ok.Arrivals...)
		change(&c)
		if _, err := simulate.Run(c); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}
