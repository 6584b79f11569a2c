package routing

import (
	"time"

	sb "github.com/switchboard/switchboard"
)

// Connect outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeBanned  = "banned"
	OutcomeLimit   = "limit"
)

// Limit reason and warning codes.
const (
	ReasonNoOperatorForTopic  = "no_operator_for_topic"
	ReasonNoOperatorOnline    = "no_operator_online"
	ReasonAllOperatorsBusy    = "all_operators_busy"
	ReasonOperatorsExcluded   = "operators_excluded" // a waiting chat's only operators are excluded
	ReasonChannelLimit        = "channel_limit"      // free operators are at the chat's channel limit
	ReasonOutOfHours          = "out_of_hours"       // the topic's business hours are closed
	ReasonQueueFull           = "queue_full"         // max_queue_length or max_estimated_wait_s
	WarnAutoConnectDisabled   = "auto_connect_disabled"
	WarnAssignedOpIgnored     = "assigned_operator_ignored"
	WarnOperatorCannotReceive = "operator_cannot_receive"
	WarnOperatorOverLimit     = "operator_over_limit"
	WarnOperatorNotInTopic    = "operator_not_in_topic"
)

// Result is what one command did.
type Result struct {
	// Events in the order they happened; Seq is set.
	Events []sb.Event
	// Decisions are the audit records of the routing decisions made.
	Decisions []sb.Decision
	// Chat is the chat the command was about, as it stands afterwards
	// (connect, take, assign, accept, transfer, close, messages).
	Chat *sb.Chat
	// Outcome, Reason and Warnings answer a Connect.
	Outcome  string
	Reason   *sb.Reason
	Warnings []sb.Reason
	// Ban is the ban a CreateBan made.
	Ban *sb.Ban
	// Changes lists what a store must write.
	Changes Changes
}

// Changes is the state a command changed, for the store.
type Changes struct {
	// Chats holds the final state of every chat changed, closed ones
	// included (the engine forgets closed chats beyond its recent list).
	Chats []sb.Chat
	// Operators holds the final state of every operator changed.
	Operators        []sb.Operator
	DeletedOperators []string
	Messages         []sb.Message
	// Config is true when statuses, topics, skill groups, settings or bans
	// changed; the store then writes Engine.Config.
	Config bool
}

// Config, State and Counters are the vocabulary's; the aliases keep the
// engine's API self-contained.
type (
	Config   = sb.Config
	State    = sb.State
	Counters = sb.Counters
)

// QueueEntry is one waiting chat with why it waits.
type QueueEntry struct {
	Chat     sb.Chat       `json:"chat"`
	Position int           `json:"position"`
	Waiting  time.Duration `json:"waiting_ns"`
	Reasons  []sb.Reason   `json:"reasons"`
}

// Diagnostics says why an operator gets no chats.
type Diagnostics struct {
	OperatorID string                 `json:"operator_id"`
	Status     string                 `json:"status"`
	CanReceive bool                   `json:"can_receive"`
	Topics     []string               `json:"topics"`
	Active     int                    `json:"active_chats"`
	MaxChats   int                    `json:"max_chats"`
	Channels   map[string]ChannelLoad `json:"channels,omitempty"`
	// Eligible is true when the operator could get a chat now.
	Eligible bool `json:"eligible"`
	// ExcludedFrom lists the waiting chats the operator is excluded from.
	ExcludedFrom []string    `json:"excluded_from,omitempty"`
	Reasons      []sb.Reason `json:"reasons"`
}

// ChannelLoad is an operator's load on one limited channel.
type ChannelLoad struct {
	Active int `json:"active"`
	Limit  int `json:"limit"`
}

// Folders.
const (
	FolderInQueue = "in_queue"
	FolderNew     = "new"
	FolderMine    = "mine"
	FolderActive  = "active"
	FolderOverdue = "overdue"
	FolderClosed  = "closed"
	// FolderOffers holds the chats with an open offer to the operator (all
	// open offers without an operator id): how a panel finds them again.
	FolderOffers = "offers"
)
