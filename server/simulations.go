package server

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/simulate"
)

// What-if simulations (POST /api/v1/simulations): the live center — its
// settings, topics, skill groups and operators — copied, changed as the
// question says, and played through the routing engine (package simulate)
// on an average day of its recent history. Nothing touches the live
// engine: the copy is taken under the read lock, and the day is played on
// the caller's goroutine, never the writer's. One simulation runs at a
// time, and the bounds below keep one from eating the server.

// Bounds of a what-if question.
const (
	// MaxSimulationDays is the longest history a question may fit.
	MaxSimulationDays = 28
	// MaxSimulationHistory is how many chats of history a question may
	// read; a busy center asks for fewer days.
	MaxSimulationHistory = 300_000
	// MaxSimulatedChats bounds the expected chats of the simulated day
	// (history × arrival_factor).
	MaxSimulatedChats = 100_000
	// MaxSimulationOperators bounds the operators on shift in an hour.
	MaxSimulationOperators = 5_000
	// MaxSimulationReplications bounds the days a staffing search pools.
	MaxSimulationReplications = 4
	// SimulationTimeout stops a simulation that runs longer (the HTTP
	// server's write timeout is 60 s).
	SimulationTimeout = 45 * time.Second
)

// WhatIf is a what-if question: the changes to the live center, and what
// to measure. Zero values are the defaults.
type WhatIf struct {
	// Days is how much history to fit: the chats created in the last Days
	// days (1 to MaxSimulationDays; default 7) give the arrivals per hour
	// of day, topic and channel, the handle times and the patience.
	Days int `json:"days,omitempty"`
	// UTCOffsetMin is the clock of the hours of day, in minutes east of
	// UTC (-840 to 840; the panel sends the browser's): Operators[0] and
	// the report's first hour are 00:00 on that clock.
	UTCOffsetMin int `json:"utc_offset_min,omitempty"`
	// Operators is how many operators are on shift in each hour of day (24
	// values, or one for the whole day), shared among the live teams in
	// proportion to their sizes. Absent: every live operator, all day.
	Operators []int `json:"operators,omitempty"`
	// Teams changes the schedules of teams by name (Simulation.Teams
	// names them); with Operators, Teams may not be given.
	Teams []TeamSchedule `json:"teams,omitempty"`
	// ArrivalFactor multiplies the arrivals (0.1 to 10; default 1): 1.2 is
	// a day with 20 % more clients.
	ArrivalFactor float64 `json:"arrival_factor,omitempty"`
	// SLATargetS and SLAGoal: the wait that counts as good (1 to 3600 s;
	// default 20) and the share of chats that should meet it (above 0, at
	// most 1; default 0.8).
	SLATargetS float64 `json:"sla_target_s,omitempty"`
	SLAGoal    float64 `json:"sla_goal,omitempty"`
	// Staffing searches, hour by hour, the fewest operators that reach
	// the goal (simulate.Staff) instead of playing the given ones.
	Staffing bool `json:"staffing,omitempty"`
	// Replications: with Staffing, how many independent days each
	// candidate is played on (1 to MaxSimulationReplications; default 1).
	Replications int `json:"replications,omitempty"`
	// Seed makes the answer reproducible (default 1).
	Seed uint64 `json:"seed,omitempty"`
	// SVG asks for the chart of the day (Simulation.SVG).
	SVG bool `json:"svg,omitempty"`
}

// TeamSchedule is a team's new schedule: operators per hour of day (24
// values, or one for the whole day) and/or named shifts.
type TeamSchedule struct {
	Name    string           `json:"name"`
	PerHour []int            `json:"per_hour,omitempty"`
	Shifts  []simulate.Shift `json:"shifts,omitempty"`
}

// Simulation is the answer to a what-if question: the simulated day
// (simulate.Report: the day's figures, each hour's, and the staffing
// search's), what the history said, what actually happened in each hour of
// day, and the teams as they were played.
type Simulation struct {
	simulate.Report
	History SimulationHistory `json:"history"`
	// Actual is what happened over the history's days in each hour of day
	// (simulate.Actual): counts are over all the days, shares and waits
	// as in Hours.
	Actual []simulate.Bucket `json:"actual"`
	Teams  []simulate.Team   `json:"teams"`
	// SVG is the chart of the day (simulate.Report.WriteSVG), when asked.
	SVG string `json:"svg,omitempty"`
}

// SimulationHistory is the history a simulation fitted.
type SimulationHistory struct {
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	Days           int       `json:"days"`
	Chats          int       `json:"chats"`
	Connected      int       `json:"connected"`
	Abandoned      int       `json:"abandoned"`
	ArrivalsPerDay float64   `json:"arrivals_per_day"`
	// HandleMeanS is the mean handle time played: the history's, or the
	// simulator's default when no chat of it was closed by an operator.
	HandleMeanS   float64 `json:"handle_mean_s"`
	PatienceMeanS float64 `json:"patience_mean_s"` // 0: nobody left the queue, so nobody leaves
}

// HoldSimulation takes the one simulation slot, as Simulate does while it
// runs; ok is false when it is taken. release gives it back.
func (s *Server) HoldSimulation() (release func(), ok bool) {
	if !s.simulating.CompareAndSwap(false, true) {
		return nil, false
	}
	return func() { s.simulating.Store(false) }, true
}

// Simulate answers a what-if question (EINVALID naming the field for a bad
// one; ETOOMANY while another simulation runs).
func (s *Server) Simulate(ctx context.Context, q WhatIf) (Simulation, error) {
	if err := q.normalize(); err != nil {
		return Simulation{}, err
	}
	release, ok := s.HoldSimulation()
	if !ok {
		return Simulation{}, sb.Errorf(sb.ETOOMANY, "", "a simulation is running, and one runs at a time; try again when it is done")
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, SimulationTimeout)
	defer cancel()
	cfg, out, err := s.whatIfConfig(ctx, &q)
	if err != nil {
		return Simulation{}, err
	}
	if _, err := cfg.Normalize(); err != nil {
		return Simulation{}, sb.Errorf(sb.EINVALID, "", "the live configuration cannot be simulated: %v", err)
	}
	run := simulate.RunContext
	if q.Staffing {
		run = simulate.StaffContext
	}
	if out.Report, err = run(ctx, cfg); err != nil {
		return Simulation{}, simulationError(ctx, err)
	}
	if q.SVG {
		var b bytes.Buffer
		if err := out.WriteSVG(&b); err != nil {
			return Simulation{}, err
		}
		out.SVG = b.String()
	}
	return out, nil
}

// normalize fills in the defaults and checks the bounds, naming the field.
func (q *WhatIf) normalize() error {
	q.Days = cmp.Or(q.Days, 7)
	q.ArrivalFactor = cmp.Or(q.ArrivalFactor, 1)
	q.SLATargetS = cmp.Or(q.SLATargetS, simulate.DefaultSLATargetS)
	q.SLAGoal = cmp.Or(q.SLAGoal, simulate.DefaultSLAGoal)
	q.Replications = cmp.Or(q.Replications, 1)
	q.Seed = cmp.Or(q.Seed, 1)
	switch {
	case q.Days < 1 || q.Days > MaxSimulationDays:
		return sb.Errorf(sb.EINVALID, "days", "days must be 1 to %d", MaxSimulationDays)
	case q.UTCOffsetMin < -840 || q.UTCOffsetMin > 840:
		return sb.Errorf(sb.EINVALID, "utc_offset_min", "utc_offset_min must be -840 to 840 (minutes east of UTC)")
	case !(q.ArrivalFactor >= 0.1 && q.ArrivalFactor <= 10):
		return sb.Errorf(sb.EINVALID, "arrival_factor", "arrival_factor must be 0.1 to 10")
	case !(q.SLATargetS >= 1 && q.SLATargetS <= 3600):
		return sb.Errorf(sb.EINVALID, "sla_target_s", "sla_target_s must be 1 to 3600 seconds")
	case !(q.SLAGoal > 0 && q.SLAGoal <= 1):
		return sb.Errorf(sb.EINVALID, "sla_goal", "sla_goal must be a share above 0 and at most 1 (0.8 is 80 %%)")
	case q.Replications < 1 || q.Replications > MaxSimulationReplications:
		return sb.Errorf(sb.EINVALID, "replications", "replications must be 1 to %d", MaxSimulationReplications)
	case q.Replications > 1 && !q.Staffing:
		return sb.Errorf(sb.EINVALID, "replications", "replications pool the days of a staffing search; a plain run plays one day")
	case len(q.Operators) > 0 && len(q.Teams) > 0:
		return sb.Errorf(sb.EINVALID, "teams", "give operators (the whole center) or teams, not both")
	}
	if err := checkCounts("operators", q.Operators); err != nil {
		return err
	}
	for i, t := range q.Teams {
		if err := t.check(fmt.Sprintf("teams[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// checkCounts checks operators per hour of day: 24 values, or one.
func checkCounts(field string, v []int) error {
	if len(v) != 0 && len(v) != 1 && len(v) != 24 {
		return sb.Errorf(sb.EINVALID, field, "%s must have 24 values (one per hour of day) or one for the whole day, not %d", field, len(v))
	}
	for _, n := range v {
		if n < 0 || n > MaxSimulationOperators {
			return sb.Errorf(sb.EINVALID, field, "%s must be 0 to %d operators in each hour", field, MaxSimulationOperators)
		}
	}
	return nil
}

func (t *TeamSchedule) check(field string) error {
	switch {
	case t.Name == "":
		return sb.Errorf(sb.EINVALID, field+".name", "%s.name must name a team", field)
	case len(t.PerHour) == 0 && len(t.Shifts) == 0:
		return sb.Errorf(sb.EINVALID, field+".per_hour", "%s needs per_hour or shifts", field)
	case len(t.Shifts) > 48:
		return sb.Errorf(sb.EINVALID, field+".shifts", "%s.shifts must be at most 48", field)
	}
	if err := checkCounts(field+".per_hour", t.PerHour); err != nil {
		return err
	}
	for _, sh := range t.Shifts {
		if sh.Count > MaxSimulationOperators {
			return sb.Errorf(sb.EINVALID, field+".shifts", "%s.shifts: count must be at most %d", field, MaxSimulationOperators)
		}
	}
	tm := simulate.Team{Name: t.Name, PerHour: t.PerHour, Shifts: t.Shifts}
	if err := tm.Validate(); err != nil {
		return sb.Errorf(sb.EINVALID, field+".shifts", "%s.%v", field, err)
	}
	return nil
}

// whatIfConfig builds the simulation: the live center, the history fitted
// to an average day starting at the next midnight on the question's clock,
// and the question's changes.
func (s *Server) whatIfConfig(ctx context.Context, q *WhatIf) (simulate.Config, Simulation, error) {
	zone := time.FixedZone("", q.UTCOffsetMin*60)
	to := s.Now().In(zone)
	from := to.AddDate(0, 0, -q.Days)
	chats, err := s.history(ctx, from, to)
	if err != nil {
		return simulate.Config{}, Simulation{}, err
	}
	var cfg simulate.Config
	s.View(func(e *routing.Engine) { simulate.Live(&cfg, e.Config(), e.Operators()) })
	if len(cfg.Teams) == 0 {
		return cfg, Simulation{}, sb.Errorf(sb.EINVALID, "operators", "the server has no operators to simulate")
	}
	h := simulate.FitHistory(chats, from, to)
	h.Use(&cfg, false)
	if cfg.HandleTime.IsZero() { // nothing closed yet: the simulator's default, said in the answer
		cfg.HandleTime = simulate.Dist{Kind: simulate.DistExponential, MeanS: simulate.DefaultHandleS}
	}
	cfg.Teams = servingTeams(cfg.Teams, cfg.Arrivals)
	cfg.Start = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, zone) // tomorrow
	cfg.Seed, cfg.SLATargetS, cfg.SLAGoal, cfg.Replications = q.Seed, q.SLATargetS, q.SLAGoal, q.Replications
	cfg.Workers = max(1, runtime.GOMAXPROCS(0)-1) // a core for routing
	if err := q.apply(&cfg); err != nil {
		return cfg, Simulation{}, err
	}
	out := Simulation{Actual: simulate.Actual(chats, from, to, q.SLATargetS), Teams: cfg.Teams}
	out.History = SimulationHistory{From: from.UTC(), To: to.UTC(), Days: q.Days, Chats: h.Chats, Connected: h.Connected,
		Abandoned: h.Abandoned, ArrivalsPerDay: float64(h.Chats) / float64(q.Days),
		HandleMeanS: cfg.HandleTime.Mean(), PatienceMeanS: h.Patience.Mean()}
	return cfg, out, nil
}

// servingTeams leaves out the team of operators in no skill group (they
// serve only chats without topic) when no such chat came, unless no other
// team is left: a supervisor who answers no chats is not staff.
func servingTeams(teams []simulate.Team, arrivals []simulate.Stream) []simulate.Team {
	if slices.ContainsFunc(arrivals, func(s simulate.Stream) bool { return s.Topic == "" }) {
		return teams
	}
	out := slices.DeleteFunc(slices.Clone(teams), func(t simulate.Team) bool { return len(t.SkillGroups) == 0 && len(t.Topics) == 0 })
	if len(out) == 0 {
		return teams
	}
	return out
}

// history reads the chats created in [from, to) a day at a time, keeping
// only what the simulator reads, and stops past MaxSimulationHistory.
func (s *Server) history(ctx context.Context, from, to time.Time) ([]sb.Chat, error) {
	var out []sb.Chat
	for day := from; day.Before(to); day = day.Add(24 * time.Hour) {
		end := day.Add(24 * time.Hour)
		if end.After(to) {
			end = to
		}
		chats, err := s.Store.ChatsCreated(ctx, day, end)
		if err != nil {
			return nil, err
		}
		for _, c := range chats {
			out = append(out, sb.Chat{Topic: c.Topic, Channel: c.Channel, CreatedAt: c.CreatedAt,
				AssignedAt: c.AssignedAt, ClosedAt: c.ClosedAt, ClosedBy: c.ClosedBy})
		}
		if len(out) > MaxSimulationHistory {
			return nil, sb.Errorf(sb.EINVALID, "days", "the last %d days hold over %d chats, more than a simulation reads; ask for fewer days",
				int(to.Sub(from).Hours()/24), MaxSimulationHistory)
		}
	}
	if len(out) == 0 {
		return nil, sb.Errorf(sb.EINVALID, "days", "no chats were created in the last %d days: there is nothing to play", int(math.Round(to.Sub(from).Hours()/24)))
	}
	return out, nil
}

// apply makes the question's changes to the configuration.
func (q *WhatIf) apply(cfg *simulate.Config) error {
	var expected float64
	for i := range cfg.Arrivals {
		for h := range cfg.Arrivals[i].PerHour {
			cfg.Arrivals[i].PerHour[h] *= q.ArrivalFactor
			expected += cfg.Arrivals[i].PerHour[h]
		}
	}
	if expected > MaxSimulatedChats {
		return sb.Errorf(sb.EINVALID, "arrival_factor", "the simulated day would have about %.0f chats, over the %d a simulation plays; lower arrival_factor or ask for fewer days",
			expected, MaxSimulatedChats)
	}
	if len(q.Operators) > 0 {
		simulate.ScaleTeamsPerHour(cfg.Teams, q.Operators)
	}
	for i, t := range q.Teams {
		k := slices.IndexFunc(cfg.Teams, func(x simulate.Team) bool { return x.Name == t.Name })
		if k < 0 {
			return sb.Errorf(sb.EINVALID, fmt.Sprintf("teams[%d].name", i), "there is no team %q; the teams are named by their skill groups (the answer's teams)", t.Name)
		}
		cfg.Teams[k].PerHour, cfg.Teams[k].Shifts = t.PerHour, t.Shifts
	}
	return nil
}

// simulationError words a run that did not finish in time; any other
// error is the caller's going away, or a fault.
func simulationError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return sb.Errorf(sb.EUNAVAILABLE, "", "the simulation did not finish within %s; ask for fewer replications, a lower arrival_factor or no staffing search", SimulationTimeout)
	}
	return err
}
