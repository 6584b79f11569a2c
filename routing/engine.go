package routing

import (
	"time"

	sb "github.com/switchboard/switchboard"
)

// Engine is the routing state machine. It is not safe for concurrent use:
// one goroutine (the server's single writer) owns it.
type Engine struct {
	now time.Time
}

// New returns an engine with the default statuses and settings.
func New(now time.Time) *Engine { return &Engine{now: now} }

// Apply fires the timers due at now, applies cmd, and runs R4.
func (e *Engine) Apply(now time.Time, cmd Command) (Result, error) { panic("todo") }

// NextDeadline returns the earliest timer deadline, if any timer is set.
func (e *Engine) NextDeadline() (time.Time, bool) { panic("todo") }

// Chat returns an open or recently closed chat.
func (e *Engine) Chat(id string) (sb.Chat, bool) { panic("todo") }

// Operator returns an operator.
func (e *Engine) Operator(id string) (sb.Operator, bool) { panic("todo") }

// Operators returns all operators by id.
func (e *Engine) Operators() []sb.Operator { panic("todo") }

// Config returns the configuration.
func (e *Engine) Config() Config { panic("todo") }

// Folder returns the chats of a folder; operatorID selects "mine".
func (e *Engine) Folder(folder, operatorID string) []sb.Chat { panic("todo") }

// Queue returns the queued chats in R3 order with why each waits.
func (e *Engine) Queue() []QueueEntry { panic("todo") }

// Diagnostics says why an operator gets no chats.
func (e *Engine) Diagnostics(operatorID string) (Diagnostics, error) { panic("todo") }

// Audit returns the recent decisions made at or after since.
func (e *Engine) Audit(since time.Time) []sb.Decision { panic("todo") }

// Export returns the whole state.
func (e *Engine) Export() State { panic("todo") }

// Import rebuilds an engine from an exported state.
func Import(st State) (*Engine, error) { panic("todo") }
