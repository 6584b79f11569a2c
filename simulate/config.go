package simulate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Config is one simulation: the contact center (settings, topics, skill
// groups, teams of operators with their schedules), the clients (arrivals,
// handle times, patience) and what to measure. It decodes from JSON (a
// profile file, or the body of a future POST /api/v1/simulations); every
// duration is in seconds, as in the settings. The zero values of the
// optional fields are the defaults that Normalize fills in.
type Config struct {
	// Start is the virtual time of the first instant (default
	// 2026-01-05T00:00:00Z, a Monday). Hours of day (per-hour rates and
	// staffing) are read on Start's clock, in Start's zone offset.
	Start time.Time `json:"start,omitzero"`
	// DurationS is how long clients arrive (default 86400: a day).
	DurationS float64 `json:"duration_s,omitempty"`
	// WarmupS: chats arriving before this are played but not counted, so a
	// steady-state measure does not start from an empty center.
	WarmupS float64 `json:"warmup_s,omitempty"`
	// DrainS is how long the run goes on after DurationS for the chats still
	// open, with the last hour's staffing (default 3600). A chat still
	// waiting then is counted as unfinished.
	DrainS float64 `json:"drain_s,omitempty"`
	// Seed makes the run reproducible: the same Config gives the same Report.
	Seed uint64 `json:"seed"`
	// Replications is how many independent days (seeds Seed, Seed+1, …)
	// Staff plays each candidate staffing on, pooling their SLA shares
	// (default 1). More days give a steadier answer and take longer.
	Replications int `json:"replications,omitempty"`
	// Workers bounds how many hour-runs Staff plays at once (default
	// GOMAXPROCS); a server leaves cores to routing with it.
	Workers int `json:"workers,omitempty"`

	// Settings are the routing settings (nil: a fresh install's). The
	// simulator forces auto_connect on and turns off the timers that need
	// messages or presence it does not play: response_timeout_s,
	// chat_inactivity_timeout_s and auto_offline_after_s.
	Settings *sb.Settings `json:"settings,omitempty"`
	// SLATargetS is the wait the SLA counts as good (default 20 s);
	// SLAGoal the share of chats that should meet it (default 0.8).
	SLATargetS float64 `json:"sla_target_s,omitempty"`
	SLAGoal    float64 `json:"sla_goal,omitempty"`

	// Topics are created before the skill groups; a topic named by a
	// stream, an arrival or a team but missing here is created too.
	Topics []sb.Topic `json:"topics,omitempty"`
	// SkillGroups are the live skill groups; their Operators lists are
	// replaced by the members of the teams that name them.
	SkillGroups []sb.SkillGroup `json:"skill_groups,omitempty"`
	// Teams are the operators, by kind: who serves what, their limits, how
	// many are on shift when, and their breaks.
	Teams []Team `json:"teams"`

	// Arrivals are Poisson streams of clients; Replay lists clients at
	// given times (a server's history). Both may be given.
	Arrivals []Stream  `json:"arrivals,omitempty"`
	Replay   []Arrival `json:"replay,omitempty"`
	// HandleTime is the time from an accepted assignment to the operator's
	// close (default exponential, mean 300 s); HandleTimeByTopic overrides
	// it per topic.
	HandleTime        Dist            `json:"handle_time,omitzero"`
	HandleTimeByTopic map[string]Dist `json:"handle_time_by_topic,omitempty"`
	// ConcurrencySlowdown lengthens a chat's handle time by this share for
	// every other chat its operator holds when it is assigned (0.2: a third
	// concurrent chat takes 1.4 times as long).
	ConcurrencySlowdown float64 `json:"concurrency_slowdown,omitempty"`
	// Patience is how long a client waits in the queue before leaving
	// (zero Dist: clients never leave).
	Patience Dist `json:"patience,omitzero"`
	// MissedAccepts is the share of automatic assignments the operator does
	// not accept, so that the accept timeout (settings accept_timeout_s,
	// which must then be set) returns the chat to the queue.
	MissedAccepts float64 `json:"missed_accepts,omitempty"`
	// ReturnAfterS: an operator the engine switched to the auto-offline
	// status after max_missed_chats misses comes back online after this
	// (default 300).
	ReturnAfterS float64 `json:"return_after_s,omitempty"`
	// Limit makes connects ask for an operator at once (no "status":
	// "queue"): when nobody is free the scenario hears limit and no chat is
	// created. By default chats wait in the queue.
	Limit bool `json:"limit,omitempty"`
}

// Team is a kind of operator: N identical operators whose first k are on
// shift at a time. A server fills it from its live operators with
// TeamsFromOperators.
type Team struct {
	Name string `json:"name"`
	// SkillGroups names the skill groups the team's operators are in;
	// Topics, when set, adds a skill group of its own with these topics.
	// A team with neither gets only chats without topic.
	SkillGroups []string `json:"skill_groups,omitempty"`
	Topics      []string `json:"topics,omitempty"`
	// MaxChats is the general limit (0: settings default_max_chats);
	// ChannelLimits the per-channel ones (nil: the settings' defaults).
	MaxChats      int            `json:"max_chats,omitempty"`
	ChannelLimits map[string]int `json:"channel_limits,omitempty"`
	// PerHour is how many operators are on shift in each hour of day: 24
	// values, or one for the whole day. Shifts is the alternative: named
	// shifts that add their counts while they run.
	PerHour []int   `json:"per_hour,omitempty"`
	Shifts  []Shift `json:"shifts,omitempty"`
	// Break sends each operator on shift on a break at intervals.
	Break Break `json:"break,omitzero"`
	// OperatorIDs names the team's operators, in the order they go on
	// shift (a live server's ids, so that routing breaks ties between them
	// as it does live); operators beyond the list are named NAME-001, ….
	OperatorIDs []string `json:"operator_ids,omitempty"`
}

// Shift is Count operators on shift from Start to End ("08:00", "16:30"),
// on every simulated day; an End before Start runs past midnight.
type Shift struct {
	Name  string `json:"name,omitempty"`
	Start string `json:"start"`
	End   string `json:"end"`
	Count int    `json:"count"`
}

// Break: after EveryS seconds online (the first after a random share of
// it), an operator takes the "break" status for LengthS seconds. Chats it
// holds stay with it; it gets no new ones meanwhile.
type Break struct {
	EveryS  float64 `json:"every_s"`
	LengthS float64 `json:"length_s"`
}

// Stream is a Poisson stream of clients of one topic and channel. PerHour
// is the mean number of arrivals per hour in each hour of day: 24 values,
// or one for the whole day.
type Stream struct {
	Topic   string    `json:"topic,omitempty"`
	Channel string    `json:"channel,omitempty"`
	PerHour []float64 `json:"per_hour"`
}

// Arrival is one client at AtS seconds after Start. HandleS, when set, is
// its handle time; PatienceS, when set, its patience. MinPatienceS says
// the client is known to have waited at least that long (it was served
// after that wait): its patience is drawn from Patience and added to it,
// which is exact for an exponential patience.
type Arrival struct {
	AtS          float64 `json:"at_s"`
	Topic        string  `json:"topic,omitempty"`
	Channel      string  `json:"channel,omitempty"`
	HandleS      float64 `json:"handle_s,omitempty"`
	PatienceS    float64 `json:"patience_s,omitempty"`
	MinPatienceS float64 `json:"min_patience_s,omitempty"`
}

// Distribution kinds.
const (
	DistExponential = "exponential"
	DistLogNormal   = "lognormal"
	DistFixed       = "fixed"
	DistEmpirical   = "empirical"
)

// Dist is a distribution of durations in seconds. Kind is exponential
// (MeanS), lognormal (MeanS and CV, the standard deviation over the mean,
// default 1), fixed (MeanS) or empirical (drawn from SamplesS). The zero
// Dist is "none".
type Dist struct {
	Kind     string    `json:"dist,omitempty"`
	MeanS    float64   `json:"mean_s,omitempty"`
	CV       float64   `json:"cv,omitempty"`
	SamplesS []float64 `json:"samples_s,omitempty"`
}

// IsZero reports whether d is "none".
func (d Dist) IsZero() bool { return d.Kind == "" && d.MeanS == 0 && len(d.SamplesS) == 0 }

// Mean is the distribution's mean in seconds.
func (d Dist) Mean() float64 {
	if d.Kind == DistEmpirical {
		var sum float64
		for _, v := range d.SamplesS {
			sum += v
		}
		return sum / float64(max(1, len(d.SamplesS)))
	}
	return d.MeanS
}

// Defaults filled in by Normalize.
const (
	DefaultDurationS    = 86400
	DefaultDrainS       = 3600
	DefaultSLATargetS   = 20
	DefaultSLAGoal      = 0.8
	DefaultHandleS      = 300
	DefaultReturnAfterS = 300
	defaultChannel      = "widget"
)

// DefaultStart is the virtual start when Config.Start is zero.
var DefaultStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// Normalize returns a copy of c with its defaults filled in and checked;
// the error names the bad field.
func (c Config) Normalize() (Config, error) {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.DurationS = orDefault(c.DurationS, DefaultDurationS)
	c.DrainS = orDefault(c.DrainS, DefaultDrainS)
	c.SLATargetS = orDefault(c.SLATargetS, DefaultSLATargetS)
	c.SLAGoal = orDefault(c.SLAGoal, DefaultSLAGoal)
	c.ReturnAfterS = orDefault(c.ReturnAfterS, DefaultReturnAfterS)
	if c.HandleTime.IsZero() {
		c.HandleTime = Dist{Kind: DistExponential, MeanS: DefaultHandleS}
	}
	set := sb.DefaultSettings()
	if c.Settings != nil {
		set = *c.Settings
	}
	c.Settings = simSettings(set)
	if len(c.Teams) == 0 {
		return c, errors.New("teams: at least one team of operators is needed")
	}
	return c, c.validate()
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// simSettings is set as the simulator plays it: auto_connect on, and the
// timers that need messages or presence off.
func simSettings(set sb.Settings) *sb.Settings {
	set.AutoConnect = true
	set.ResponseTimeoutS, set.ChatInactivityTimeoutS, set.AutoOfflineAfterS = 0, 0, 0
	if set.DistributionMethod == "" {
		set.DistributionMethod = sb.MethodDefault
	}
	if set.DefaultMaxChats <= 0 {
		set.DefaultMaxChats = sb.DefaultSettings().DefaultMaxChats
	}
	switch set.AutoOfflineStatus {
	case sb.StatusOffline, sb.StatusBreak:
	default: // the simulator plays the default statuses only
		set.AutoOfflineStatus = sb.StatusOffline
	}
	if set.ChatInactivityAction == "" {
		set.ChatInactivityAction = sb.InactivityClose
	}
	return &set
}

func (c *Config) validate() error {
	switch {
	case c.DurationS < 0 || math.IsInf(c.DurationS, 0) || math.IsNaN(c.DurationS):
		return fmt.Errorf("duration_s must be positive, not %v", c.DurationS)
	case c.DurationS > 20*366*86400:
		return errors.New("duration_s must be at most 20 years")
	case c.WarmupS < 0 || c.WarmupS >= c.DurationS:
		return errors.New("warmup_s must be at least 0 and below duration_s")
	case c.DrainS < 0:
		return errors.New("drain_s must not be negative")
	case c.SLATargetS < 0:
		return errors.New("sla_target_s must not be negative")
	case c.SLAGoal <= 0 || c.SLAGoal > 1:
		return errors.New("sla_goal must be above 0 and at most 1")
	case c.MissedAccepts < 0 || c.MissedAccepts > 1:
		return errors.New("missed_accepts must be a share from 0 to 1")
	case c.MissedAccepts > 0 && c.Settings.AcceptTimeoutS <= 0:
		return errors.New("missed_accepts needs settings.accept_timeout_s: without it a missed accept never returns the chat")
	case c.ConcurrencySlowdown < 0:
		return errors.New("concurrency_slowdown must not be negative")
	case c.Replications < 0 || c.Replications > 100:
		return errors.New("replications must be 0 to 100")
	case c.Workers < 0:
		return errors.New("workers must not be negative")
	case c.ReturnAfterS < 0:
		return errors.New("return_after_s must not be negative")
	}
	if err := c.validateDists(); err != nil {
		return err
	}
	for i := range c.Teams {
		if err := c.Teams[i].Validate(); err != nil {
			return fmt.Errorf("teams[%d]: %w", i, err)
		}
	}
	return c.validateArrivals()
}

func (c *Config) validateDists() error {
	if err := c.HandleTime.validate(); err != nil {
		return fmt.Errorf("handle_time: %w", err)
	}
	for topic, d := range c.HandleTimeByTopic {
		if err := d.validate(); err != nil {
			return fmt.Errorf("handle_time_by_topic[%s]: %w", topic, err)
		}
	}
	if c.Patience.IsZero() {
		return nil
	}
	if err := c.Patience.validate(); err != nil {
		return fmt.Errorf("patience: %w", err)
	}
	return nil
}

func (c *Config) validateArrivals() error {
	if len(c.Arrivals) == 0 && len(c.Replay) == 0 {
		return errors.New("arrivals: no clients (give arrivals or replay)")
	}
	for i, s := range c.Arrivals {
		if len(s.PerHour) != 1 && len(s.PerHour) != 24 {
			return fmt.Errorf("arrivals[%d].per_hour: give 24 rates (one per hour of day) or one", i)
		}
		for _, r := range s.PerHour {
			if r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
				return fmt.Errorf("arrivals[%d].per_hour: %v is not a rate", i, r)
			}
		}
	}
	if !slices.IsSortedFunc(c.Replay, func(a, b Arrival) int { return cmp.Compare(a.AtS, b.AtS) }) {
		return errors.New("replay: arrivals must be in time order")
	}
	for i, a := range c.Replay {
		if a.AtS < 0 || a.HandleS < 0 || a.PatienceS < 0 || a.MinPatienceS < 0 {
			return fmt.Errorf("replay[%d]: times must not be negative", i)
		}
	}
	return nil
}

func (d Dist) validate() error {
	switch d.Kind {
	case DistExponential, DistFixed, DistLogNormal, "":
		if d.MeanS <= 0 || math.IsInf(d.MeanS, 0) || math.IsNaN(d.MeanS) {
			return fmt.Errorf("mean_s must be positive, not %v", d.MeanS)
		}
		if d.CV < 0 {
			return errors.New("cv must not be negative")
		}
	case DistEmpirical:
		if len(d.SamplesS) == 0 {
			return errors.New("samples_s: an empirical distribution needs samples")
		}
		for _, v := range d.SamplesS {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("samples_s: %v is not a duration", v)
			}
		}
	default:
		return fmt.Errorf("dist: %q is not exponential, lognormal, fixed or empirical", d.Kind)
	}
	return nil
}

// Validate checks a team as Normalize does; the error starts with the
// field's name.
func (t *Team) Validate() error {
	switch {
	case t.Name == "":
		return errors.New("name must not be empty")
	case len(t.PerHour) == 0 && len(t.Shifts) == 0:
		return errors.New("per_hour or shifts: say how many operators are on shift")
	case len(t.PerHour) != 0 && len(t.PerHour) != 1 && len(t.PerHour) != 24:
		return errors.New("per_hour: give 24 counts (one per hour of day) or one")
	case t.MaxChats < 0:
		return errors.New("max_chats must not be negative")
	case t.Break.EveryS < 0 || t.Break.LengthS < 0 || (t.Break.LengthS > 0) != (t.Break.EveryS > 0):
		return errors.New("break: every_s and length_s must both be positive, or both 0")
	}
	for _, n := range t.PerHour {
		if n < 0 {
			return errors.New("per_hour: counts must not be negative")
		}
	}
	for i, s := range t.Shifts {
		if _, err := clockS(s.Start); err != nil {
			return fmt.Errorf("shifts[%d].start: %w", i, err)
		}
		if _, err := clockS(s.End); err != nil {
			return fmt.Errorf("shifts[%d].end: %w", i, err)
		}
		if s.Count < 0 {
			return fmt.Errorf("shifts[%d].count must not be negative", i)
		}
	}
	for ch, l := range t.ChannelLimits {
		if l < 0 || ch == "" {
			return fmt.Errorf("channel_limits: %q: %d is not a limit", ch, l)
		}
	}
	return nil
}

// clockS parses "HH:MM" into seconds after midnight.
func clockS(s string) (float64, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm > 0) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return float64(hh*3600 + mm*60), nil
}

// maxChats is the team's general limit under settings set.
func (t *Team) maxChats(set *sb.Settings) int {
	if t.MaxChats > 0 {
		return t.MaxChats
	}
	return set.DefaultMaxChats
}
