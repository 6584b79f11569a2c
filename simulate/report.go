package simulate

import "time"

// Bucket is what happened to the chats that arrived in one hour (or in the
// whole run), and the operators' load during it. Definitions
// (docs/SIMULATION.md):
//
//   - wait: creation → first assignment, for the chats connected;
//   - SLA share: chats connected within the target ÷ (chats connected +
//     chats abandoned, timed out or unfinished after the target);
//   - abandoned: the client left while waiting, never connected;
//   - occupancy: Σ active chats ÷ max_chats of the staffed operators
//     (status online), integrated over time, ÷ staffed operator-time;
//     busy share: time with at least one chat ÷ staffed time.
type Bucket struct {
	Start time.Time `json:"start"`
	// Chats created; Served: connected to an operator (by auto-distribution).
	Chats      int `json:"chats"`
	Served     int `json:"served"`
	Abandoned  int `json:"abandoned"`
	TimedOut   int `json:"timed_out"`  // closed by the queue timeout, never connected
	Unfinished int `json:"unfinished"` // still waiting when the run stopped
	// Limit counts connects answered limit (Config.Limit): no chat was made.
	Limit int `json:"limit"`
	// MissedAccepts counts assignments not accepted; LeftAfterMiss the
	// clients who left while waiting again after one.
	MissedAccepts int `json:"missed_accepts"`
	LeftAfterMiss int `json:"left_after_missed_accept"`

	SLAShare     float64 `json:"sla_share"`
	WaitedShare  float64 `json:"waited_share"` // chats not connected at once
	AbandonShare float64 `json:"abandon_share"`
	WaitMeanS    float64 `json:"wait_mean_s"`
	WaitP50S     float64 `json:"wait_p50_s"`
	WaitP90S     float64 `json:"wait_p90_s"`
	WaitP99S     float64 `json:"wait_p99_s"`
	HandleMeanS  float64 `json:"handle_mean_s"` // accepted assignment → close, chats closed by operators
	Occupancy    float64 `json:"occupancy"`
	BusyShare    float64 `json:"busy_share"`
	// Operators is the mean number of staffed operators (status online).
	Operators float64 `json:"operators"`
}

// Report is a run's result: the whole run (after the warm-up) at the top
// level, then each hour.
type Report struct {
	Bucket
	Seed       uint64   `json:"seed"`
	SLATargetS float64  `json:"sla_target_s"`
	SLAGoal    float64  `json:"sla_goal"`
	Hours      []Bucket `json:"hours"`
	// Staffing is set by Staff: the fewest operators per hour, beside the
	// formulas' answers.
	Staffing []StaffHour `json:"staffing,omitempty"`
	// WallS is how long the run took on the machine (seconds); the only
	// figure that differs between two runs of one Config.
	WallS float64 `json:"wall_s"`
}

// report closes the books: chats still waiting are unfinished.
func (s *sim) report() Report {
	for _, c := range s.chats {
		if !c.connected {
			s.st.unfinished(c.bucket)
		}
	}
	rep := Report{Seed: s.cfg.Seed, SLATargetS: s.cfg.SLATargetS, SLAGoal: s.cfg.SLAGoal}
	rep.Bucket = s.st.total.bucket()
	rep.Start = s.start.Add(time.Duration(s.warmup)).In(s.cfg.Start.Location())
	rep.Operators /= secOf(s.end - s.warmup)
	for h := range s.st.hours {
		b := s.st.hours[h].bucket()
		from := int64(h) * hourNs
		b.Start = s.start.Add(time.Duration(from)).In(s.cfg.Start.Location())
		b.Operators /= secOf(min(s.end, from+hourNs) - from)
		rep.Hours = append(rep.Hours, b)
	}
	return rep
}
