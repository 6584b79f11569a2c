package switchboard

import (
	"encoding/json"
	"time"
)

// Event names (PRODUCT.md §7), plus chat_accepted, chat_transferred,
// chat_updated, chat_returned_to_bot, chat_rated and config_changed.
const (
	EventChatCreated          = "chat_created"
	EventChatQueued           = "chat_queued"
	EventAutoConnected        = "auto_connected"
	EventOperatorConnected    = "operator_connected"
	EventOperatorDisconnected = "operator_disconnected"
	EventChatAccepted         = "chat_accepted"
	EventChatTransferred      = "chat_transferred"
	EventChatUpdated          = "chat_updated"
	EventChatReturnedToBot    = "chat_returned_to_bot"
	EventTransferOffered      = "transfer_offered"
	EventTransferAccepted     = "transfer_accepted"
	EventTransferDeclined     = "transfer_declined"
	EventTransferExpired      = "transfer_expired"
	EventTransferWithdrawn    = "transfer_withdrawn"
	EventWrapUpStarted        = "wrap_up_started"
	EventWrapUpEnded          = "wrap_up_ended"
	EventQueuePosition        = "queue_position_changed"
	EventClosedByOperator     = "chat_closed_by_operator"
	EventClosedByClient       = "chat_closed_by_client"
	EventClosedByTimer        = "chat_closed_by_timer"
	EventChatClosed           = "chat_closed"
	EventLimit                = "limit"
	EventQueueTimeout         = "queue_timeout"
	EventResponseOverdue      = "response_overdue"
	EventMessageCreated       = "message_created"
	EventOperatorStatus       = "operator_status_changed"
	EventConfigChanged        = "config_changed"
	EventChatRated            = "chat_rated" // the client rated a closed chat (CSAT)
)

// Why a chat left its operator or entered the queue: the reason codes of
// operator_disconnected and chat_queued events, and of requeue decisions.
const (
	ReasonNew             = "new"            // first entry to the queue
	ReasonRedistribution  = "redistribution" // R6, by a supervisor
	ReasonMissedAccept    = "missed_accept"
	ReasonInactivity      = "inactivity" // the inactivity action requeue
	ReasonTransfer        = "transfer"
	ReasonAssign          = "assign"   // a supervisor gave the chat to another operator
	ReasonHandover        = "handover" // a colleague accepted the chat offered to it
	ReasonOperatorDeleted = "operator_deleted"
	ReasonPresenceLost    = "presence_lost" // auto-offline returned the chats
)

// OperatorRef names an operator inside an event.
type OperatorRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Reason is a machine code with a human message: why a connect got `limit`,
// a warning, or why a chat waits.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the request field a warning is about, if any.
	Field string `json:"field,omitempty"`
	// NextOpenAt is when the topic's business hours open next
	// (out_of_hours; zero: never).
	NextOpenAt time.Time `json:"next_open_at,omitzero"`
}

// ConfigChange says which configuration entity changed.
type ConfigChange struct {
	Entity string `json:"entity"` // status, topic, skill_group, operator, settings, ban
	ID     string `json:"id,omitempty"`
	Action string `json:"action"` // created, updated, deleted
}

// Event is one state change. Seq increases by one per event.
type Event struct {
	Seq        int64        `json:"id"`
	Name       string       `json:"event_name"`
	OccurredAt time.Time    `json:"occurred_at"`
	ChatID     string       `json:"chat_id,omitempty"`
	Chat       *Chat        `json:"chat,omitempty"`
	Operator   *OperatorRef `json:"operator,omitempty"`
	// Target is the colleague a transfer offer is made to (transfer_*).
	Target     *OperatorRef  `json:"target,omitempty"`
	Reason     *Reason       `json:"reason,omitempty"`
	Message    *Message      `json:"message,omitempty"`
	Status     string        `json:"status,omitempty"`      // operator_status_changed: the new status
	PrevStatus string        `json:"prev_status,omitempty"` // operator_status_changed: the old one
	Config     *ConfigChange `json:"config,omitempty"`

	// Encoded, when set, is the event's JSON exactly as encoding/json
	// writes it. The server encodes each event once; the stores and the
	// event stream use these bytes instead of encoding it again.
	Encoded []byte `json:"-"`
}

// JSON returns the event's JSON: Encoded when set, else a fresh encoding.
func (e *Event) JSON() ([]byte, error) {
	if e.Encoded != nil {
		return e.Encoded, nil
	}
	return json.Marshal(e)
}

// Decision kinds.
const (
	DecisionAuto    = "auto_connect" // auto-distribution connected an operator
	DecisionTake    = "take"
	DecisionAssign  = "assign"
	DecisionQueue   = "queue"   // no eligible operator: the chat waits
	DecisionLimit   = "limit"   // no eligible operator: the scenario hears limit
	DecisionRequeue = "requeue" // an operator was disconnected and the chat returned
	// DecisionQueueTimeout: the chat waited too long and was closed.
	DecisionQueueTimeout = "queue_timeout"
	// DecisionOffer: a chat was offered to a colleague; DecisionTransfer:
	// the colleague accepted it.
	DecisionOffer    = "transfer_offer"
	DecisionTransfer = "transfer"
)

// Anomaly flags on decisions.
const (
	AnomalyForcedOverLimit      = "forced_over_limit"
	AnomalyMissedAccept         = "missed_accept"
	AnomalyRepeatedDistribution = "repeated_distribution"
	AnomalyQueueTimeout         = "queue_timeout"
)

// Skip is a candidate operator passed over, with the reason code.
type Skip struct {
	OperatorID string `json:"operator_id"`
	Reason     string `json:"reason"`
}

// Decision is the audit record of one routing decision.
type Decision struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Trigger    string    `json:"trigger"` // the command that caused it
	ChatID     string    `json:"chat_id"`
	OperatorID string    `json:"operator_id,omitempty"`
	Method     string    `json:"method,omitempty"`
	// Considered counts the candidate operators compared: the best of each
	// skill-group index that serves the chat's topic.
	Considered int      `json:"considered"`
	Skipped    []Skip   `json:"skipped,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Anomalies  []string `json:"anomalies,omitempty"`
	DurationNs int64    `json:"duration_ns"`
}
