package switchboard

import "time"

// Config is the configuration part of the state.
type Config struct {
	Settings Settings     `json:"settings"`
	Statuses []Status     `json:"statuses"`
	Topics   []Topic      `json:"topics"`
	Groups   []SkillGroup `json:"skill_groups"`
	Bans     []Ban        `json:"bans"`
	// Calendars are the business hours topics may name.
	Calendars []Calendar `json:"calendars"`
}

// State is everything the engine holds; Import(Export()) rebuilds an engine
// that makes the same decisions.
type State struct {
	Config    Config     `json:"config"`
	Operators []Operator `json:"operators"`
	Chats     []Chat     `json:"chats"`  // open chats, by id
	Closed    []Chat     `json:"closed"` // recent closed chats, oldest first
	Audit     []Decision `json:"audit"`  // recent decisions, oldest first
	Counters  Counters   `json:"counters"`
	Now       time.Time  `json:"now"`
}

// Counters are the engine's sequence numbers (the last one used).
type Counters struct {
	Event    int64 `json:"event"`
	Chat     int64 `json:"chat"`
	Message  int64 `json:"message"`
	Assign   int64 `json:"assign"`
	Close    int64 `json:"close"`
	Decision int64 `json:"decision"`
	Ban      int64 `json:"ban"`
}
