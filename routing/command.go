package routing

import sb "github.com/switchboard/switchboard"

// Command is one change applied by Engine.Apply. The set is closed: only the
// types of this file implement it, each with its name in the command log
// and the engine method that applies it; commands lists them all.
type Command interface {
	name() string
	apply(e *Engine) error
}

// commands holds one value of every command type (the codec's decoders).
var commands = []Command{
	Tick{}, CreateStatus{}, UpdateStatus{}, DeleteStatus{}, CreateTopic{}, UpdateTopic{}, DeleteTopic{},
	CreateSkillGroup{}, UpdateSkillGroup{}, DeleteSkillGroup{}, CreateOperator{}, UpdateOperator{},
	DeleteOperator{}, SetOperatorStatus{}, PresenceLost{}, PresenceRestored{}, UpdateSettings{}, CreateBan{},
	DeleteBan{}, Connect{}, Take{}, Assign{}, Accept{}, Transfer{}, Close{}, OperatorMessage{},
	ClientMessage{}, Redistribute{}, ReturnToBot{}, UpdateChat{}, PatchOperator{}, PatchSkillGroup{},
	PatchTopic{}, PatchStatus{}, PatchSettings{}, OfferTransfer{}, AcceptOffer{}, DeclineOffer{},
	WithdrawOffer{}, AddNote{}, EndWrapUp{}, CreateCalendar{}, UpdateCalendar{}, PatchCalendar{}, DeleteCalendar{}, Rate{},
}

// Tick fires the timers due at its time and does nothing else. Every command
// fires the due timers first, so Tick is only needed when nothing else comes.
type Tick struct{}

func (Tick) name() string        { return "tick" }
func (Tick) apply(*Engine) error { return nil }

// CreateStatus adds an operator status.
type CreateStatus struct{ Status sb.Status }

func (CreateStatus) name() string            { return "create_status" }
func (c CreateStatus) apply(e *Engine) error { return e.createStatus(c.Status) }

// UpdateStatus replaces an operator status (by ID).
type UpdateStatus struct{ Status sb.Status }

func (UpdateStatus) name() string            { return "update_status" }
func (c UpdateStatus) apply(e *Engine) error { return e.updateStatus(c.Status) }

// DeleteStatus removes a status; ECONFLICT while an operator has it, while it
// is the auto-offline status, or for "offline".
type DeleteStatus struct{ ID string }

func (DeleteStatus) name() string            { return "delete_status" }
func (c DeleteStatus) apply(e *Engine) error { return e.deleteStatus(c.ID) }

// CreateTopic adds a topic.
type CreateTopic struct{ Topic sb.Topic }

func (CreateTopic) name() string            { return "create_topic" }
func (c CreateTopic) apply(e *Engine) error { return e.putTopic(c.Topic, true) }

// UpdateTopic replaces a topic's name and parent (by Alias).
type UpdateTopic struct{ Topic sb.Topic }

func (UpdateTopic) name() string            { return "update_topic" }
func (c UpdateTopic) apply(e *Engine) error { return e.putTopic(c.Topic, false) }

// DeleteTopic removes a topic; ECONFLICT while an open chat, a skill group or
// a child topic uses it.
type DeleteTopic struct{ Alias string }

func (DeleteTopic) name() string            { return "delete_topic" }
func (c DeleteTopic) apply(e *Engine) error { return e.deleteTopic(c.Alias) }

// CreateSkillGroup adds a skill group.
type CreateSkillGroup struct{ Group sb.SkillGroup }

func (CreateSkillGroup) name() string            { return "create_skill_group" }
func (c CreateSkillGroup) apply(e *Engine) error { return e.putGroup(c.Group, true) }

// UpdateSkillGroup replaces a skill group (by ID).
type UpdateSkillGroup struct{ Group sb.SkillGroup }

func (UpdateSkillGroup) name() string            { return "update_skill_group" }
func (c UpdateSkillGroup) apply(e *Engine) error { return e.putGroup(c.Group, false) }

// DeleteSkillGroup removes a skill group.
type DeleteSkillGroup struct{ ID string }

func (DeleteSkillGroup) name() string            { return "delete_skill_group" }
func (c DeleteSkillGroup) apply(e *Engine) error { return e.deleteGroup(c.ID) }

// CreateOperator adds an operator. ID, Name, Email, Role, MaxChats and
// ChannelLimits are taken; a new operator starts offline with no session.
type CreateOperator struct{ Operator sb.Operator }

func (CreateOperator) name() string            { return "create_operator" }
func (c CreateOperator) apply(e *Engine) error { return e.createOperator(c.Operator) }

// UpdateOperator replaces Name, Email, Role, MaxChats and ChannelLimits.
type UpdateOperator struct{ Operator sb.Operator }

func (UpdateOperator) name() string            { return "update_operator" }
func (c UpdateOperator) apply(e *Engine) error { return e.updateOperator(c.Operator) }

// DeleteOperator removes an operator and takes it out of its skill groups;
// ECONFLICT while it has active chats.
type DeleteOperator struct{ ID string }

func (DeleteOperator) name() string            { return "delete_operator" }
func (c DeleteOperator) apply(e *Engine) error { return e.deleteOperator(c.ID) }

// SetOperatorStatus sets an operator's status and resets its missed-accept
// count.
type SetOperatorStatus struct {
	OperatorID string
	Status     string
}

func (SetOperatorStatus) name() string            { return "set_operator_status" }
func (c SetOperatorStatus) apply(e *Engine) error { return e.setStatusCmd(c.OperatorID, c.Status) }

// PresenceLost says the operator's last panel session closed.
type PresenceLost struct{ OperatorID string }

func (PresenceLost) name() string            { return "presence_lost" }
func (c PresenceLost) apply(e *Engine) error { return e.presence(c.OperatorID, false) }

// PresenceRestored says the operator opened a panel session.
type PresenceRestored struct{ OperatorID string }

func (PresenceRestored) name() string            { return "presence_restored" }
func (c PresenceRestored) apply(e *Engine) error { return e.presence(c.OperatorID, true) }

// UpdateSettings replaces the settings.
type UpdateSettings struct{ Settings sb.Settings }

func (UpdateSettings) name() string            { return "update_settings" }
func (c UpdateSettings) apply(e *Engine) error { return e.updateSettings(c.Settings) }

// CreateBan adds a ban; an empty ID gets the next number.
type CreateBan struct{ Ban sb.Ban }

func (CreateBan) name() string            { return "create_ban" }
func (c CreateBan) apply(e *Engine) error { return e.createBan(c.Ban) }

// DeleteBan removes a ban.
type DeleteBan struct{ ID string }

func (DeleteBan) name() string            { return "delete_ban" }
func (c DeleteBan) apply(e *Engine) error { return e.deleteBan(c.ID) }

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

func (Connect) name() string            { return "connect" }
func (c Connect) apply(e *Engine) error { return e.connect(c) }

// The commands on a chat carry who asks: Role is the caller's role and
// OperatorID the operator it acts as. The engine applies the rules of who
// may see and change a chat (Engine.CanSee, mayWork): an operator acts only
// on a chat active with it, and a chat it may not see is not found. An
// empty Role is the system (timers, tests, tools): no such checks.

// ReturnToBot ends the operator part of a chat: it closes by "bot" and
// the scenario goes on with the client.
type ReturnToBot struct {
	ChatID, OperatorID, Role string
	Comment                  string
}

func (ReturnToBot) name() string            { return "return_to_bot" }
func (c ReturnToBot) apply(e *Engine) error { return e.returnToBot(c) }

// UpdateChat edits a chat's topic and tags in place, without routing it
// again (a queued chat changes its place among the skill groups' queues).
// A nil field is left as it is.
type UpdateChat struct {
	ChatID, OperatorID, Role string
	Topic                    *string
	Tags                     *[]string
}

func (UpdateChat) name() string            { return "update_chat" }
func (c UpdateChat) apply(e *Engine) error { return e.updateChat(c) }

// Take lets an operator take a new or queued chat (R8).
type Take struct{ ChatID, OperatorID, Role string }

func (Take) name() string            { return "take" }
func (c Take) apply(e *Engine) error { return e.take(c) }

// Assign connects a chat to an operator chosen by a supervisor. Without
// Force the operator must serve the topic and be under its limits.
type Assign struct {
	ChatID, OperatorID string
	Force              bool
}

func (Assign) name() string            { return "assign" }
func (c Assign) apply(e *Engine) error { return e.assignCmd(c) }

// Accept marks an auto-assigned chat as accepted by its operator.
type Accept struct{ ChatID, OperatorID, Role string }

func (Accept) name() string            { return "accept" }
func (c Accept) apply(e *Engine) error { return e.acceptCmd(c) }

// Transfer moves a chat to another topic and routes it again.
type Transfer struct{ ChatID, Topic, OperatorID, Role string }

func (Transfer) name() string            { return "transfer" }
func (c Transfer) apply(e *Engine) error { return e.transfer(c) }

// Close closes an open chat; By says who closed it (operator, client or
// system).
type Close struct {
	ChatID, OperatorID, Role string
	By                       sb.ClosedBy
	Comment                  string
}

func (Close) name() string            { return "close" }
func (c Close) apply(e *Engine) error { return e.closeCmd(c) }

// OperatorMessage is a reply by the chat's operator.
type OperatorMessage struct{ ChatID, OperatorID, Role, Text string }

func (OperatorMessage) name() string            { return "operator_message" }
func (c OperatorMessage) apply(e *Engine) error { return e.operatorMessage(c) }

// ClientMessage is a message from the client.
type ClientMessage struct{ ChatID, Text string }

func (ClientMessage) name() string            { return "client_message" }
func (c ClientMessage) apply(e *Engine) error { return e.clientMessage(c) }

// Redistribute sets the operator's status (default offline) and returns each
// of its active chats to routing, excluding it (R6). A nil Weight keeps each
// chat's weight.
type Redistribute struct {
	OperatorID string
	Status     string
	Weight     *int
}

func (Redistribute) name() string            { return "redistribute" }
func (c Redistribute) apply(e *Engine) error { return e.redistribute(c) }

// Field is one field of a patch: Set says whether the patch changes it; V
// is the new value, nil for back to the default where the field has one
// (an operator's max_chats and channel_limits).
type Field[T any] struct {
	Set bool
	V   *T
}

// PatchOperator changes the fields it sets of an operator; the others stay
// as they are when the command applies (two patches never lose each
// other's changes).
type PatchOperator struct {
	ID                string
	Name, Email, Role *string
	MaxChats          Field[int]
	ChannelLimits     Field[map[string]int]
}

func (PatchOperator) name() string            { return "patch_operator" }
func (c PatchOperator) apply(e *Engine) error { return e.patchOperator(c) }

// PatchSkillGroup changes the fields it sets of a skill group. Topics and
// Operators with a nil V are set empty (a pointer to a nil list would not
// survive the command log's JSON as set).
type PatchSkillGroup struct {
	ID                               string
	Name                             *string
	Topics, Operators                Field[[]string]
	Active                           *bool
	AcceptTimeoutS, ResponseTimeoutS *int
	WrapUpS                          *int
}

func (PatchSkillGroup) name() string            { return "patch_skill_group" }
func (c PatchSkillGroup) apply(e *Engine) error { return e.patchGroup(c) }

// PatchTopic changes the fields it sets of a topic.
type PatchTopic struct {
	Alias                             string
	Name, Parent, CalendarID          *string
	MaxQueueLength, MaxEstimatedWaitS *int
	SLATargetS                        *int
	SLAGoal                           *float64
}

func (PatchTopic) name() string            { return "patch_topic" }
func (c PatchTopic) apply(e *Engine) error { return e.patchTopic(c) }

// PatchStatus changes the fields it sets of an operator status.
type PatchStatus struct {
	ID          string
	Name, Color *string
	CanReceive  *bool
}

func (PatchStatus) name() string            { return "patch_status" }
func (c PatchStatus) apply(e *Engine) error { return e.patchStatus(c) }

// PatchSettings changes the settings it sets.
type PatchSettings struct {
	AutoConnect                *bool
	DistributionMethod         *string
	DefaultMaxChats            *int
	DefaultChannelLimits       *map[string]int
	AcceptTimeoutS             *int
	MaxMissedChats             *int
	ResponseTimeoutS           *int
	ChatInactivityTimeoutS     *int
	ChatInactivityAction       *string
	QueueTimeoutS              *int
	AutoOfflineAfterS          *int
	AutoOfflineStatus          *string
	AutoOfflineRedistribute    *bool
	MaxMessageBytes            *int
	WebhookAllowPrivateTargets *bool
	TransferOfferTimeoutS      *int
	WrapUpS                    *int
	DefaultCalendarID          *string
	MaxQueueLength             *int
	MaxEstimatedWaitS          *int
	QueueUpdateIntervalS       *int
	BusinessTimeTimers         *bool
	SLATargetS                 *int
	SLAGoal                    *float64
}

func (PatchSettings) name() string            { return "patch_settings" }
func (c PatchSettings) apply(e *Engine) error { return e.patchSettings(c) }

// OfferTransfer offers an active chat to a colleague (To): the chat stays
// with its operator until To accepts, declines, or the offer expires
// (transfer_offer_timeout_s) or is withdrawn. To must have a status that
// can receive and be under its limits (R1 without the topic); Force, a
// supervisor's, offers it over a limit. A new offer withdraws the open one.
type OfferTransfer struct {
	ChatID, OperatorID, Role string
	To                       string
	Note                     string
	Force                    bool
}

func (OfferTransfer) name() string            { return "offer_transfer" }
func (c OfferTransfer) apply(e *Engine) error { return e.offerTransfer(c) }

// AcceptOffer is the offer's target taking the chat.
type AcceptOffer struct{ ChatID, OperatorID, Role string }

func (AcceptOffer) name() string            { return "accept_offer" }
func (c AcceptOffer) apply(e *Engine) error { return e.acceptOffer(c) }

// DeclineOffer is the offer's target turning it down; the chat stays.
type DeclineOffer struct{ ChatID, OperatorID, Role, Reason string }

func (DeclineOffer) name() string            { return "decline_offer" }
func (c DeclineOffer) apply(e *Engine) error { return e.declineOffer(c) }

// WithdrawOffer is the chat's operator (or a supervisor) taking the offer
// back.
type WithdrawOffer struct{ ChatID, OperatorID, Role string }

func (WithdrawOffer) name() string            { return "withdraw_offer" }
func (c WithdrawOffer) apply(e *Engine) error { return e.withdrawOffer(c) }

// AddNote adds an internal note to an open chat: a message never sent
// towards the client, by staff or the chat's operator.
type AddNote struct{ ChatID, OperatorID, Role, Text string }

func (AddNote) name() string            { return "add_note" }
func (c AddNote) apply(e *Engine) error { return e.addNote(c) }

// EndWrapUp ends an operator's wrap-ups at once ("Ready").
type EndWrapUp struct{ OperatorID string }

func (EndWrapUp) name() string            { return "end_wrap_up" }
func (c EndWrapUp) apply(e *Engine) error { return e.endWrapUpCmd(c) }

// CreateCalendar adds business hours topics may name (EINVALID naming the
// field for bad hours, ECONFLICT for an existing id).
type CreateCalendar struct{ Calendar sb.Calendar }

func (CreateCalendar) name() string            { return "create_calendar" }
func (c CreateCalendar) apply(e *Engine) error { return e.putCalendar(c.Calendar, true) }

// UpdateCalendar replaces a calendar (by ID); chats held out of hours
// follow the new hours.
type UpdateCalendar struct{ Calendar sb.Calendar }

func (UpdateCalendar) name() string            { return "update_calendar" }
func (c UpdateCalendar) apply(e *Engine) error { return e.putCalendar(c.Calendar, false) }

// PatchCalendar changes the fields it sets of a calendar.
type PatchCalendar struct {
	ID             string
	Name, TimeZone *string
	Hours          *map[string][][2]string
	Exceptions     *[]sb.CalendarException
}

func (PatchCalendar) name() string            { return "patch_calendar" }
func (c PatchCalendar) apply(e *Engine) error { return e.patchCalendar(c) }

// DeleteCalendar removes a calendar; ECONFLICT while a topic or the
// settings name it.
type DeleteCalendar struct{ ID string }

func (DeleteCalendar) name() string            { return "delete_calendar" }
func (c DeleteCalendar) apply(e *Engine) error { return e.deleteCalendar(c.ID) }

// Rate records a client's satisfaction score of a closed chat (CSAT): 1 to
// 5, once per chat. Closed is the chat as the store holds it, for a chat
// closed longer ago than the engine remembers (KeepClosed): the engine does
// no I/O, so the caller reads it. The engine's own copy wins when it has
// one.
type Rate struct {
	ChatID  string
	Score   int
	Comment string
	Closed  *sb.Chat `json:",omitempty"`
}

func (Rate) name() string            { return "rate" }
func (c Rate) apply(e *Engine) error { return e.rate(c) }
