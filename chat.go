// Package switchboard is the vocabulary of Switchboard: chats, operators,
// statuses, topics, skill groups, settings, events and errors. It does no I/O;
// the routing engine, the stores and the HTTP layer are its sub-packages.
package switchboard

import "time"

// ChatStatus is where a chat is in its life.
type ChatStatus string

// Chat statuses.
const (
	ChatNew    ChatStatus = "new"    // waits for a manual take
	ChatQueued ChatStatus = "queued" // In Queue, routed automatically
	ChatActive ChatStatus = "active" // connected to one operator
	ChatClosed ChatStatus = "closed"
)

// ClosedBy says who closed a chat.
type ClosedBy string

// Closers.
const (
	ByOperator ClosedBy = "operator"
	ByClient   ClosedBy = "client"
	ByTimer    ClosedBy = "timer"
	BySystem   ClosedBy = "system"
	// ByBot: the operator part ended and the scenario goes on with the
	// client (return to the bot).
	ByBot ClosedBy = "bot"
)

// Client is the person on the other side of a chat.
type Client struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Channel string `json:"channel"`
}

// Chat is one client's conversation on one channel.
type Chat struct {
	ID            string     `json:"id"`
	Status        ChatStatus `json:"status"`
	OperatorID    string     `json:"operator_id"`
	Channel       string     `json:"channel"`
	Client        Client     `json:"client"`
	Topic         string     `json:"subject_alias"`
	Tags          []string   `json:"tags,omitempty"`
	Weight        int        `json:"weight"`
	Text          string     `json:"text,omitempty"`
	WebhookURL    string     `json:"event_webhook_url,omitempty"`
	QueuePosition int        `json:"queue_position,omitempty"`
	Overdue       bool       `json:"overdue"`

	CreatedAt       time.Time `json:"created_at"`
	QueuedAt        time.Time `json:"queued_at,omitzero"`       // first queue entry; keeps the R3 place
	WaitStartedAt   time.Time `json:"wait_started_at,omitzero"` // latest entry to queue or New
	AssignedAt      time.Time `json:"assigned_at,omitzero"`
	AcceptedAt      time.Time `json:"accepted_at,omitzero"`
	FirstResponseAt time.Time `json:"first_response_at,omitzero"`
	ClosedAt        time.Time `json:"closed_at,omitzero"`
	ClosedBy        ClosedBy  `json:"closed_by,omitempty"`
	CloseComment    string    `json:"close_comment,omitempty"`

	// AutoAssigned is true while the current assignment came from
	// auto-distribution; only such chats have an accept timeout.
	AutoAssigned bool `json:"auto_assigned,omitempty"`
	// Excluded lists operators who may not get this chat again (a missed
	// accept, a redistribution) until it closes or is transferred.
	Excluded []string `json:"excluded_operators,omitempty"`
	// LastMessageAt is the time of the latest message either way.
	LastMessageAt time.Time `json:"last_message_at,omitzero"`
	// AwaitingSince is the time of the latest client message not yet
	// answered by an operator; zero when the operator spoke last.
	AwaitingSince time.Time `json:"awaiting_reply_since,omitzero"`
	// Requeues counts redistributions, missed accepts and requeues.
	Requeues int `json:"requeues,omitempty"`
	// ReturnButton is true when the scenario connected the chat with
	// add_return_button: the panel offers "Return to bot".
	ReturnButton bool `json:"add_return_button,omitempty"`
	// Offer is the open offer of the chat to a colleague, if any.
	Offer *TransferOffer `json:"transfer_offer,omitempty"`
	// HeldUntil is set on a chat queued outside its topic's business
	// hours: routing gives it to no one before then.
	HeldUntil time.Time `json:"held_until,omitzero"`
	// EstimatedWaitS is a queued chat's estimated wait in seconds, derived
	// like QueuePosition (absent when nothing is known to estimate from).
	EstimatedWaitS *int `json:"estimated_wait_s,omitempty"`
	// WaitOpenS is on the events that end a wait (auto_connected,
	// operator_connected, chat_closed) of a chat whose topic has business
	// hours: the open time of the wait, in seconds. The statistics count
	// it rather than the time on the wall.
	WaitOpenS *float64 `json:"wait_open_s,omitempty"`
	// Rating is the client's satisfaction score, given once after the
	// chat closed (CSAT).
	Rating *Rating `json:"rating,omitempty"`
}

// TransferOffer is a chat offered by its operator (or a supervisor) to a
// colleague, who accepts or declines it; until then the chat stays where
// it is.
type TransferOffer struct {
	From      string    `json:"from_operator_id"` // the chat's operator when it was offered
	To        string    `json:"to_operator_id"`
	Note      string    `json:"note,omitempty"`
	Force     bool      `json:"force,omitempty"` // a supervisor's: over the target's limits
	OfferedAt time.Time `json:"offered_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero: no expiry
}

// Rating is a client's satisfaction score of a closed chat: 1 (bad) to 5
// (very good), with an optional comment.
type Rating struct {
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	RatedAt time.Time `json:"rated_at"`
}

// Open reports whether the chat is not closed.
func (c *Chat) Open() bool { return c.Status != ChatClosed }

// Ban bars a client, on one channel or on all (empty Channel), until a time.
type Ban struct {
	ID       string    `json:"id"`
	ClientID string    `json:"client_id"`
	Channel  string    `json:"channel,omitempty"`
	Until    time.Time `json:"until"`
	Reason   string    `json:"reason,omitempty"`
}

// Message is one chat message.
type Message struct {
	ID       int64  `json:"id"`
	ChatID   string `json:"chat_id"`
	From     string `json:"from"` // "client" or "operator"
	AuthorID string `json:"author_id,omitempty"`
	// Kind is MessageClient, MessageOperator, MessageNote (internal: never
	// sent towards the client) or MessageSystem.
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Message kinds.
const (
	MessageClient   = "client"
	MessageOperator = "operator"
	MessageNote     = "note"
	MessageSystem   = "system"
)
