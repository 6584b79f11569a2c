package switchboard

import "time"

// Roles.
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleOperator   = "operator"
	RoleIntegrator = "integrator"
)

// Operator is a person who works chats.
type Operator struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role"`
	// MaxChats is the general limit; nil uses Settings.DefaultMaxChats.
	MaxChats *int `json:"max_chats"`
	// ChannelLimits are per-channel limits; nil uses
	// Settings.DefaultChannelLimits.
	ChannelLimits map[string]int `json:"channel_limits"`
	Status        string         `json:"status"`
	StatusSince   time.Time      `json:"status_since"`
	// Connected is true while the operator has an open panel session.
	Connected bool `json:"connected"`
	// PresenceLostAt is when the last panel session ended (or the operator
	// was created, if it never had one).
	PresenceLostAt time.Time `json:"presence_lost_at,omitzero"`
	MissedInRow    int       `json:"missed_in_row"`
	CreatedAt      time.Time `json:"created_at"`

	// Load, kept by the engine.
	Active          int            `json:"active_chats"`
	ActiveByChannel map[string]int `json:"active_by_channel,omitempty"`
	LastAssignedAt  time.Time      `json:"last_assigned_at,omitzero"`
	LastClosedAt    time.Time      `json:"last_closed_at,omitzero"`
	// AssignSeq and CloseSeq order assignments and closes as they were made
	// (R2 tie-breaks); 0 means never.
	AssignSeq int64 `json:"assign_seq"`
	CloseSeq  int64 `json:"close_seq"`
	// WrapUp holds the chats the operator closed and is still wrapping up:
	// each keeps its place in the operator's limits until it ends.
	WrapUp []WrapUp `json:"wrap_up,omitempty"`
}

// WrapUp is a closed chat still counted in its operator's load.
type WrapUp struct {
	ChatID  string    `json:"chat_id"`
	Channel string    `json:"channel"`
	Until   time.Time `json:"until"`
}

// Status is an operator status such as Online or Lunch.
type Status struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CanReceive bool   `json:"can_receive"`
	Color      string `json:"color"`
}

// Default status ids.
const (
	StatusOnline  = "online"
	StatusBreak   = "break"
	StatusOffline = "offline"
)

// DefaultStatuses are the statuses of a fresh install.
func DefaultStatuses() []Status {
	return []Status{
		{ID: StatusOnline, Name: "Online", CanReceive: true, Color: "#2e9d5b"},
		{ID: StatusBreak, Name: "On break", CanReceive: false, Color: "#e0a526"},
		{ID: StatusOffline, Name: "Offline", CanReceive: false, Color: "#8a8f98"},
	}
}

// Topic is a subject a chat can be about; Alias is the id scenarios use.
type Topic struct {
	Alias  string `json:"alias"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	// CalendarID names the topic's business hours; empty: its parent's,
	// else settings.default_calendar_id, else always open.
	CalendarID string `json:"calendar_id,omitempty"`
	// MaxQueueLength and MaxEstimatedWaitS, when non-zero, override the
	// settings of the same name for chats of the topic.
	MaxQueueLength    int `json:"max_queue_length,omitempty"`
	MaxEstimatedWaitS int `json:"max_estimated_wait_s,omitempty"`
	// SLATargetS and SLAGoal, when not 0, override the settings' for the
	// topic's chats and its subtopics' (the nearest topic up the tree that
	// sets one wins).
	SLATargetS int     `json:"sla_target_s,omitempty"`
	SLAGoal    float64 `json:"sla_goal,omitempty"`
}

// SkillGroup joins operators to the topics they serve. Timeouts, when
// non-zero, override the global ones for chats of its topics.
type SkillGroup struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Topics           []string `json:"topics"`
	Operators        []string `json:"operators"`
	Active           bool     `json:"active"`
	AcceptTimeoutS   int      `json:"accept_timeout_s"`
	ResponseTimeoutS int      `json:"response_timeout_s"`
	// WrapUpS, when non-zero, overrides the wrap-up time for chats of its
	// topics.
	WrapUpS int `json:"wrap_up_s"`
}
