package main

// switchboard simulate plays a day (or any period) of a contact center on a
// virtual clock through the routing engine itself (package simulate): no
// server, no store, no sleeping. See docs/SIMULATION.md.
//
//	switchboard simulate --operators 10 --max-chats 1 --rate 0.05 --handle-time 180 --duration 24h
//	switchboard simulate --profile day.json --staffing --svg day.svg
//	switchboard simulate --history ./switchboard-data --from 2026-03-02 --to 2026-03-09 --staffing
//	switchboard simulate --history http://host:8080 --admin-token … --history-profile

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/simulate"
	"github.com/switchboard/switchboard/sqlite"
)

// simulateFlags are the simulate command's flags; set names those given.
type simulateFlags struct {
	profile, history, adminToken, from, to string
	historyProfile                         bool
	operators, maxChats, acceptTimeoutS    int
	rate, handleS, handleCV, patienceS     float64
	handleDist                             string
	duration, warmup                       time.Duration
	targetS, goal, missed, slowdown        float64
	limit, staffing                        bool
	seed                                   uint64
	replications, heapFloorMiB             int
	jsonOut, svgOut                        string
	set                                    map[string]bool
}

func runSimulate(args []string) error {
	return simulateMain(context.Background(), args, os.Getenv, os.Stdout, os.Stderr)
}

// simulateMain parses the flags, builds the configuration, runs it (or the
// staffing search) and writes the table, the JSON and the chart.
func simulateMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseSimulateFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	defer startHeapFloor(uint64(f.heapFloorMiB) << 20)()
	cfg, err := f.config(ctx)
	if err != nil {
		return err
	}
	run := simulate.Run
	if f.staffing {
		run = simulate.Staff
	}
	rep, err := run(cfg)
	if err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "simulated in %.2f s\n", rep.WallS)
	return f.write(&rep)
}

func parseSimulateFlags(args []string, getenv func(string) string, stderr io.Writer) (*simulateFlags, error) {
	f := &simulateFlags{set: map[string]bool{}}
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.profile, "profile", "", "a JSON profile (simulate.Config): topics, skill groups, teams with shifts and breaks, arrival rates per hour, handle times, patience")
	fs.StringVar(&f.history, "history", "", "replay a server's own history: its data folder (SQLite) or its URL (with --admin-token); its live settings, skill groups and operators too, unless --profile gives them")
	fs.StringVar(&f.adminToken, "admin-token", getenv("SWITCHBOARD_ADMIN_TOKEN"), "admin token of the --history server (SWITCHBOARD_ADMIN_TOKEN)")
	fs.StringVar(&f.from, "from", "", "start of the history: a date (2026-03-02, UTC) or an RFC 3339 time; default: 7 days before --to")
	fs.StringVar(&f.to, "to", "", "end of the history (exclusive), as --from; default: today 00:00 UTC")
	fs.BoolVar(&f.historyProfile, "history-profile", false, "with --history: play an average day of Poisson arrivals (rates per hour of day, topic and channel) instead of replaying the chats")
	fs.IntVar(&f.operators, "operators", 10, "operators on shift all day (with a profile or a history: the teams scaled to this total)")
	fs.IntVar(&f.maxChats, "max-chats", 1, "general limit of every operator")
	fs.Float64Var(&f.rate, "rate", 0.05, "arrivals per second, Poisson (replaces a profile's arrivals)")
	fs.Float64Var(&f.handleS, "handle-time", 180, "mean handle time in seconds (assignment accepted → close)")
	fs.StringVar(&f.handleDist, "handle-dist", simulate.DistExponential, "handle time distribution: exponential, lognormal or fixed")
	fs.Float64Var(&f.handleCV, "handle-cv", 1, "lognormal handle time: standard deviation ÷ mean")
	fs.Float64Var(&f.patienceS, "patience-s", 0, "mean patience in seconds (exponential): clients leave the queue after it; 0: they never leave")
	fs.DurationVar(&f.duration, "duration", 24*time.Hour, "how long clients arrive")
	fs.DurationVar(&f.warmup, "warmup", 0, "chats arriving before this are played but not counted")
	fs.Float64Var(&f.targetS, "sla-target-s", simulate.DefaultSLATargetS, "the wait the SLA counts as good, seconds")
	fs.Float64Var(&f.goal, "sla-goal", simulate.DefaultSLAGoal, "the share of chats that should be connected within the target")
	fs.Float64Var(&f.missed, "missed-accepts", 0, "share of automatic assignments the operator does not accept (needs --accept-timeout-s)")
	fs.IntVar(&f.acceptTimeoutS, "accept-timeout-s", 0, "settings accept_timeout_s")
	fs.Float64Var(&f.slowdown, "concurrency-slowdown", 0, "each other chat the operator holds lengthens a chat's handle time by this share")
	fs.BoolVar(&f.limit, "limit", false, `connects without "status":"queue": when nobody is free the answer is limit and no chat is made`)
	fs.Uint64Var(&f.seed, "seed", 1, "random seed: the same seed gives the same result")
	fs.BoolVar(&f.staffing, "staffing", false, "find the fewest operators per hour that reach the SLA goal, beside Erlang C and Erlang A")
	fs.IntVar(&f.replications, "replications", 1, "--staffing: independent days each candidate is played on, pooled")
	fs.IntVar(&f.heapFloorMiB, "heap-floor", 256, "MiB the heap may reach before the garbage collector runs (as serve's)")
	fs.StringVar(&f.jsonOut, "json", "", "write the report as JSON to this file")
	fs.StringVar(&f.svgOut, "svg", "", "write an SVG chart of the hours to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	switch {
	case f.operators < 0 || f.maxChats < 1:
		return nil, errors.New("--operators must be 0 or more and --max-chats at least 1")
	case f.rate < 0 || f.handleS <= 0 || f.patienceS < 0:
		return nil, errors.New("--rate and --patience-s must not be negative, --handle-time must be positive")
	case f.duration <= 0 || f.warmup < 0:
		return nil, errors.New("--duration must be positive and --warmup not negative")
	case f.heapFloorMiB < 0:
		return nil, errors.New("--heap-floor must not be negative")
	}
	return f, nil
}

// config builds the configuration: the profile, the history or the simple
// single queue, then the flags given on top.
func (f *simulateFlags) config(ctx context.Context) (simulate.Config, error) {
	var cfg simulate.Config
	switch {
	case f.profile != "":
		if err := readProfile(f.profile, &cfg); err != nil {
			return cfg, err
		}
	case f.history == "":
		f.simple(&cfg)
	}
	if f.history != "" {
		if err := f.useHistory(ctx, &cfg); err != nil {
			return cfg, err
		}
	}
	f.override(&cfg)
	return cfg, nil
}

// simple is one queue: --operators with --max-chats, --rate arrivals.
func (f *simulateFlags) simple(cfg *simulate.Config) {
	cfg.Teams = []simulate.Team{{Name: "operators", MaxChats: f.maxChats, PerHour: []int{f.operators}}}
	cfg.Arrivals = []simulate.Stream{{PerHour: []float64{f.rate * 3600}}}
	for _, name := range []string{"operators", "max-chats", "rate", "duration", "seed"} {
		f.set[name] = true // the simple case is made of these flags, defaults or not
	}
	cfg.HandleTime = f.handleDistValue()
}

func readProfile(path string, cfg *simulate.Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("--profile %s: %w", path, err)
	}
	return nil
}

func (f *simulateFlags) handleDistValue() simulate.Dist {
	return simulate.Dist{Kind: f.handleDist, MeanS: f.handleS, CV: f.handleCV}
}

// override applies the flags given explicitly.
func (f *simulateFlags) override(cfg *simulate.Config) {
	given := func(names ...string) bool {
		for _, n := range names {
			if f.set[n] {
				return true
			}
		}
		return false
	}
	if given("duration") && (f.history == "" || f.historyProfile) {
		cfg.DurationS = f.duration.Seconds()
	}
	if given("warmup") {
		cfg.WarmupS = f.warmup.Seconds()
	}
	if given("rate") {
		cfg.Arrivals, cfg.Replay = []simulate.Stream{{PerHour: []float64{f.rate * 3600}}}, nil
	}
	if given("handle-time", "handle-dist", "handle-cv") {
		cfg.HandleTime, cfg.HandleTimeByTopic = f.handleDistValue(), nil
	}
	if given("patience-s") {
		cfg.Patience = simulate.Dist{}
		if f.patienceS > 0 {
			cfg.Patience = simulate.Dist{Kind: simulate.DistExponential, MeanS: f.patienceS}
		}
	}
	f.overrideTeams(cfg, given("operators"), given("max-chats"))
	f.overrideSettings(cfg, given)
}

func (f *simulateFlags) overrideTeams(cfg *simulate.Config, operators, maxChats bool) {
	if operators && len(cfg.Teams) > 0 && !(len(cfg.Teams) == 1 && f.profile == "" && f.history == "") {
		simulate.ScaleTeams(cfg.Teams, f.operators)
	}
	if maxChats {
		for i := range cfg.Teams {
			cfg.Teams[i].MaxChats = f.maxChats
		}
	}
}

func (f *simulateFlags) overrideSettings(cfg *simulate.Config, given func(...string) bool) {
	if given("sla-target-s") {
		cfg.SLATargetS = f.targetS
	}
	if given("sla-goal") {
		cfg.SLAGoal = f.goal
	}
	if given("seed") {
		cfg.Seed = f.seed
	}
	if given("missed-accepts") {
		cfg.MissedAccepts = f.missed
	}
	if given("concurrency-slowdown") {
		cfg.ConcurrencySlowdown = f.slowdown
	}
	if given("limit") {
		cfg.Limit = f.limit
	}
	if given("replications") {
		cfg.Replications = f.replications
	}
	if given("accept-timeout-s") {
		set := sb.DefaultSettings()
		if cfg.Settings != nil {
			set = *cfg.Settings
		}
		set.AcceptTimeoutS = f.acceptTimeoutS
		cfg.Settings = &set
	}
}

// useHistory reads the chats created in [--from, --to) from a data folder
// or a server URL, fits arrivals, handle times and patience to them, and,
// without a profile, takes the server's live settings, skill groups and
// operators.
func (f *simulateFlags) useHistory(ctx context.Context, cfg *simulate.Config) error {
	from, to, err := historyPeriod(f.from, f.to, time.Now())
	if err != nil {
		return err
	}
	src, live, ops, closeSrc, err := f.historySource(ctx)
	if err != nil {
		return err
	}
	defer closeSrc()
	chats, err := src.ChatsCreated(ctx, from, to)
	if err != nil {
		return fmt.Errorf("--history: %w", err)
	}
	if len(chats) == 0 {
		return fmt.Errorf("--history: no chats were created from %s to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if f.profile == "" {
		simulate.Live(cfg, live, ops)
	}
	simulate.FitHistory(chats, from, to).Use(cfg, !f.historyProfile)
	return nil
}

// historySource opens the data folder's store, or the server's API.
func (f *simulateFlags) historySource(ctx context.Context) (simulate.ChatsCreator, sb.Config, []sb.Operator, func(), error) {
	if strings.HasPrefix(f.history, "http://") || strings.HasPrefix(f.history, "https://") {
		api := &simulate.API{URL: f.history, Token: f.adminToken}
		live, ops, err := api.Live(ctx)
		if err != nil {
			return nil, live, nil, nil, fmt.Errorf("--history: %w", err)
		}
		return api, live, ops, func() {}, nil
	}
	path := filepath.Join(f.history, "switchboard.db")
	if _, err := os.Stat(path); err != nil {
		return nil, sb.Config{}, nil, nil, fmt.Errorf("--history: %w", err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, sb.Config{}, nil, nil, fmt.Errorf("--history: %w", err)
	}
	state, _, err := st.Load(ctx)
	if err != nil {
		st.Close()
		return nil, sb.Config{}, nil, nil, fmt.Errorf("--history: %w", err)
	}
	return st, state.Config, state.Operators, func() { st.Close() }, nil
}

// historyPeriod parses --from and --to: dates (UTC midnight) or RFC 3339
// times; by default the 7 days before today.
func historyPeriod(fromS, toS string, now time.Time) (from, to time.Time, err error) {
	to = now.UTC().Truncate(24 * time.Hour)
	if toS != "" {
		if to, err = parseWhen(toS); err != nil {
			return from, to, fmt.Errorf("--to: %w", err)
		}
	}
	from = to.AddDate(0, 0, -7)
	if fromS != "" {
		if from, err = parseWhen(fromS); err != nil {
			return from, to, fmt.Errorf("--from: %w", err)
		}
	}
	if !from.Before(to) {
		return from, to, errors.New("--from must be before --to")
	}
	return from, to, nil
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func (f *simulateFlags) write(rep *simulate.Report) error {
	if f.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if f.svgOut == "" {
		return nil
	}
	out, err := os.Create(f.svgOut)
	if err != nil {
		return err
	}
	err = rep.WriteSVG(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
