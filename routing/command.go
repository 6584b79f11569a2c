package routing

import sb "github.com/switchboard/switchboard"

// Command is one change applied by Engine.Apply. The set is closed: only the
// types of this file implement it.
type Command interface{ name() string }

// Tick fires the timers due at its time and does nothing else. Every command
// fires the due timers first, so Tick is only needed when nothing else comes.
type Tick struct{}

// CreateStatus adds an operator status.
type CreateStatus struct{ Status sb.Status }

// UpdateStatus replaces an operator status (by ID).
type UpdateStatus struct{ Status sb.Status }

// DeleteStatus removes a status; ECONFLICT while an operator has it, while it
// is the auto-offline status, or for "offline".
type DeleteStatus struct{ ID string }

// CreateTopic adds a topic.
type CreateTopic struct{ Topic sb.Topic }

// UpdateTopic replaces a topic's name and parent (by Alias).
type UpdateTopic struct{ Topic sb.Topic }

// DeleteTopic removes a topic; ECONFLICT while an open chat, a skill group or
// a child topic uses it.
type DeleteTopic struct{ Alias string }

// CreateSkillGroup adds a skill group.
type CreateSkillGroup struct{ Group sb.SkillGroup }

// UpdateSkillGroup replaces a skill group (by ID).
type UpdateSkillGroup struct{ Group sb.SkillGroup }

// DeleteSkillGroup removes a skill group.
type DeleteSkillGroup struct{ ID string }

// CreateOperator adds an operator. ID, Name, Email, Role, MaxChats and
// ChannelLimits are taken; a new operator starts offline with no session.
type CreateOperator struct{ Operator sb.Operator }

// UpdateOperator replaces Name, Email, Role, MaxChats and ChannelLimits.
type UpdateOperator struct{ Operator sb.Operator }

// DeleteOperator removes an operator and takes it out of its skill groups;
// ECONFLICT while it has active chats.
type DeleteOperator struct{ ID string }

// SetOperatorStatus sets an operator's status and resets its missed-accept
// count.
type SetOperatorStatus struct {
	OperatorID string
	Status     string
}

// PresenceLost says the operator's last panel session closed.
type PresenceLost struct{ OperatorID string }

// PresenceRestored says the operator opened a panel session.
type PresenceRestored struct{ OperatorID string }

// UpdateSettings replaces the settings.
type UpdateSettings struct{ Settings sb.Settings }

// CreateBan adds a ban; an empty ID gets the next number.
type CreateBan struct{ Ban sb.Ban }

// DeleteBan removes a ban.
type DeleteBan struct{ ID string }

// Connect is the connect action (PRODUCT.md §5).
type Connect struct {
	Client      sb.Client
	Text        string
	Topic       string // subject_alias
	AutoConnect bool   // auto_connect_operator
	Status      string // "" or "queue"
	Operator    string // assigned_operator
	Tags        []string
	Weight      int
	WebhookURL  string
	// ReturnButton is add_return_button: the panel offers "Return to bot".
	ReturnButton bool
}

// Actor is who asks for a change to a chat: an operator may act only on a
// chat active with it; supervisors, administrators and integrators on any
// open chat. OperatorID may be empty for a token that acts for nobody.
type Actor struct {
	Role       string
	OperatorID string
}

// ReturnToBot ends the operator part of a chat: it closes by "bot" and
// the scenario goes on with the client.
type ReturnToBot struct {
	ChatID  string
	By      Actor
	Comment string
}

// UpdateChat edits a chat's topic and tags in place, without routing it
// again (a queued chat changes its place among the skill groups' queues).
// A nil field is left as it is.
type UpdateChat struct {
	ChatID string
	By     Actor
	Topic  *string
	Tags   *[]string
}

// Take lets an operator take a new or queued chat (R8).
type Take struct{ ChatID, OperatorID string }

// Assign connects a chat to an operator chosen by a supervisor. Without
// Force the operator must serve the topic and be under its limits.
type Assign struct {
	ChatID, OperatorID string
	Force              bool
}

// Accept marks an auto-assigned chat as accepted by its operator.
type Accept struct{ ChatID, OperatorID string }

// Transfer moves a chat to another topic and routes it again.
type Transfer struct{ ChatID, Topic string }

// Close closes an open chat.
type Close struct {
	ChatID     string
	By         sb.ClosedBy // operator, client or system
	OperatorID string      // who, when By is operator
	Comment    string
}

// OperatorMessage is a reply by the chat's operator.
type OperatorMessage struct{ ChatID, OperatorID, Text string }

// ClientMessage is a message from the client.
type ClientMessage struct{ ChatID, Text string }

// Redistribute sets the operator's status (default offline) and returns each
// of its active chats to routing, excluding it (R6). A nil Weight keeps each
// chat's weight.
type Redistribute struct {
	OperatorID string
	Status     string
	Weight     *int
}

func (Tick) name() string              { return "tick" }
func (CreateStatus) name() string      { return "create_status" }
func (UpdateStatus) name() string      { return "update_status" }
func (DeleteStatus) name() string      { return "delete_status" }
func (CreateTopic) name() string       { return "create_topic" }
func (UpdateTopic) name() string       { return "update_topic" }
func (DeleteTopic) name() string       { return "delete_topic" }
func (CreateSkillGroup) name() string  { return "create_skill_group" }
func (UpdateSkillGroup) name() string  { return "update_skill_group" }
func (DeleteSkillGroup) name() string  { return "delete_skill_group" }
func (CreateOperator) name() string    { return "create_operator" }
func (UpdateOperator) name() string    { return "update_operator" }
func (DeleteOperator) name() string    { return "delete_operator" }
func (SetOperatorStatus) name() string { return "set_operator_status" }
func (PresenceLost) name() string      { return "presence_lost" }
func (PresenceRestored) name() string  { return "presence_restored" }
func (UpdateSettings) name() string    { return "update_settings" }
func (CreateBan) name() string         { return "create_ban" }
func (DeleteBan) name() string         { return "delete_ban" }
func (Connect) name() string           { return "connect" }
func (Take) name() string              { return "take" }
func (Assign) name() string            { return "assign" }
func (Accept) name() string            { return "accept" }
func (Transfer) name() string          { return "transfer" }
func (Close) name() string             { return "close" }
func (OperatorMessage) name() string   { return "operator_message" }
func (ClientMessage) name() string     { return "client_message" }
func (Redistribute) name() string      { return "redistribute" }
func (ReturnToBot) name() string       { return "return_to_bot" }
func (UpdateChat) name() string        { return "update_chat" }
