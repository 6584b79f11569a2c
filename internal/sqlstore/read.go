package sqlstore

import sb "github.com/switchboard/switchboard"

// Querier is how a store runs its read queries: on its pool of readers or
// inside a transaction.
type Querier interface {
	// EachJSON runs query, whose one column is JSON, and calls fn with
	// each row's column, valid until fn returns. The driver's errors come
	// back translated, fn's as they are.
	EachJSON(what, query string, args []any, fn func(data []byte) error) error
}

// Reader reads the vocabulary objects a store keeps as JSON, through its
// Querier.
type Reader struct {
	Name    Name
	Querier Querier
}

// list runs query and decodes each row into a T: nil when no row matches.
func list[T any, P UTC[T]](r Reader, what, query string, args []any) ([]T, error) {
	var out []T
	err := r.Querier.EachJSON(what, query, args, func(data []byte) error {
		v, err := Decode[T, P](r.Name, data, what)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Chats runs a query of chats' JSON.
func (r Reader) Chats(query string, args ...any) ([]sb.Chat, error) {
	return list[sb.Chat](r, "chat", query, args)
}

// Operators returns the operators by id.
func (r Reader) Operators() ([]sb.Operator, error) {
	return list[sb.Operator](r, "operator", `SELECT json FROM operators ORDER BY id`, nil)
}

// Decisions runs a query of decisions' JSON.
func (r Reader) Decisions(query string, args ...any) ([]sb.Decision, error) {
	return list[sb.Decision](r, "decision", query, args)
}

// Events runs a query of events' JSON.
func (r Reader) Events(query string, args ...any) ([]sb.Event, error) {
	return list[sb.Event](r, "event", query, args)
}

// Messages runs a query of messages' JSON.
func (r Reader) Messages(query string, args ...any) ([]sb.Message, error) {
	return list[sb.Message](r, "message", query, args)
}
