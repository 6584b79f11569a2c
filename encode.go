package switchboard

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The appenders below write exactly the bytes encoding/json.Marshal writes
// for these types (TestAppendJSON and FuzzAppendJSON compare them), without
// reflection and without an allocation per field: chats, events, messages
// and decisions are encoded on every commit, for the store and the streams.

// AppendJSON appends the chat's JSON. It fails only for a time that JSON
// cannot hold (a year outside 0–9999), as encoding/json does.
func (c *Chat) AppendJSON(b []byte) ([]byte, error) {
	var err error
	b = appendKey(b, `{"id":`, c.ID)
	b = appendKey(b, `,"status":`, string(c.Status))
	b = appendKey(b, `,"operator_id":`, c.OperatorID)
	b = appendKey(b, `,"channel":`, c.Channel)
	b = appendKey(b, `,"client":{"id":`, c.Client.ID)
	if c.Client.Name != "" {
		b = appendKey(b, `,"name":`, c.Client.Name)
	}
	b = appendKey(b, `,"channel":`, c.Client.Channel)
	b = appendKey(b, `},"subject_alias":`, c.Topic)
	if len(c.Tags) > 0 {
		b = appendStrings(append(b, `,"tags":`...), c.Tags)
	}
	b = strconv.AppendInt(append(b, `,"weight":`...), int64(c.Weight), 10)
	if c.Text != "" {
		b = appendKey(b, `,"text":`, c.Text)
	}
	if c.WebhookURL != "" {
		b = appendKey(b, `,"event_webhook_url":`, c.WebhookURL)
	}
	if c.QueuePosition != 0 {
		b = strconv.AppendInt(append(b, `,"queue_position":`...), int64(c.QueuePosition), 10)
	}
	b = strconv.AppendBool(append(b, `,"overdue":`...), c.Overdue)
	if b, err = appendTime(append(b, `,"created_at":`...), c.CreatedAt); err != nil {
		return b, err
	}
	for _, t := range [...]struct {
		key string
		at  time.Time
	}{
		{`,"queued_at":`, c.QueuedAt}, {`,"wait_started_at":`, c.WaitStartedAt}, {`,"assigned_at":`, c.AssignedAt},
		{`,"accepted_at":`, c.AcceptedAt}, {`,"first_response_at":`, c.FirstResponseAt}, {`,"closed_at":`, c.ClosedAt},
	} {
		if !t.at.IsZero() {
			if b, err = appendTime(append(b, t.key...), t.at); err != nil {
				return b, err
			}
		}
	}
	if c.ClosedBy != "" {
		b = appendKey(b, `,"closed_by":`, string(c.ClosedBy))
	}
	if c.CloseComment != "" {
		b = appendKey(b, `,"close_comment":`, c.CloseComment)
	}
	if c.AutoAssigned {
		b = append(b, `,"auto_assigned":true`...)
	}
	if len(c.Excluded) > 0 {
		b = appendStrings(append(b, `,"excluded_operators":`...), c.Excluded)
	}
	for _, t := range [...]struct {
		key string
		at  time.Time
	}{{`,"last_message_at":`, c.LastMessageAt}, {`,"awaiting_reply_since":`, c.AwaitingSince}} {
		if !t.at.IsZero() {
			if b, err = appendTime(append(b, t.key...), t.at); err != nil {
				return b, err
			}
		}
	}
	if c.Requeues != 0 {
		b = strconv.AppendInt(append(b, `,"requeues":`...), int64(c.Requeues), 10)
	}
	if c.ReturnButton {
		b = append(b, `,"add_return_button":true`...)
	}
	if o := c.Offer; o != nil {
		b = appendKey(b, `,"transfer_offer":{"from_operator_id":`, o.From)
		b = appendKey(b, `,"to_operator_id":`, o.To)
		if o.Note != "" {
			b = appendKey(b, `,"note":`, o.Note)
		}
		if o.Force {
			b = append(b, `,"force":true`...)
		}
		if b, err = appendTime(append(b, `,"offered_at":`...), o.OfferedAt); err != nil {
			return b, err
		}
		if !o.ExpiresAt.IsZero() {
			if b, err = appendTime(append(b, `,"expires_at":`...), o.ExpiresAt); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	if !c.HeldUntil.IsZero() {
		if b, err = appendTime(append(b, `,"held_until":`...), c.HeldUntil); err != nil {
			return b, err
		}
	}
	if c.EstimatedWaitS != nil {
		b = strconv.AppendInt(append(b, `,"estimated_wait_s":`...), int64(*c.EstimatedWaitS), 10)
	}
	if c.WaitOpenS != nil {
		if b, err = appendFloat(append(b, `,"wait_open_s":`...), *c.WaitOpenS); err != nil {
			return b, err
		}
	}
	if r := c.Rating; r != nil {
		b = strconv.AppendInt(append(b, `,"rating":{"score":`...), int64(r.Score), 10)
		if r.Comment != "" {
			b = appendKey(b, `,"comment":`, r.Comment)
		}
		if b, err = appendTime(append(b, `,"rated_at":`...), r.RatedAt); err != nil {
			return b, err
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// AppendJSON appends the event's JSON (never Encoded: that is what this
// makes).
func (e *Event) AppendJSON(b []byte) ([]byte, error) {
	var err error
	b = strconv.AppendInt(append(b, `{"id":`...), e.Seq, 10)
	b = appendKey(b, `,"event_name":`, e.Name)
	if b, err = appendTime(append(b, `,"occurred_at":`...), e.OccurredAt); err != nil {
		return b, err
	}
	if e.ChatID != "" {
		b = appendKey(b, `,"chat_id":`, e.ChatID)
	}
	if e.Chat != nil {
		if b, err = e.Chat.AppendJSON(append(b, `,"chat":`...)); err != nil {
			return b, err
		}
	}
	if o := e.Operator; o != nil {
		b = appendKey(b, `,"operator":{"id":`, o.ID)
		b = append(appendKey(b, `,"name":`, o.Name), '}')
	}
	if o := e.Target; o != nil {
		b = appendKey(b, `,"target":{"id":`, o.ID)
		b = append(appendKey(b, `,"name":`, o.Name), '}')
	}
	if r := e.Reason; r != nil {
		b = appendKey(b, `,"reason":{"code":`, r.Code)
		b = appendKey(b, `,"message":`, r.Message)
		if r.Field != "" {
			b = appendKey(b, `,"field":`, r.Field)
		}
		if !r.NextOpenAt.IsZero() {
			if b, err = appendTime(append(b, `,"next_open_at":`...), r.NextOpenAt); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	if e.Message != nil {
		if b, err = e.Message.AppendJSON(append(b, `,"message":`...)); err != nil {
			return b, err
		}
	}
	if e.Status != "" {
		b = appendKey(b, `,"status":`, e.Status)
	}
	if e.PrevStatus != "" {
		b = appendKey(b, `,"prev_status":`, e.PrevStatus)
	}
	if c := e.Config; c != nil {
		b = appendKey(b, `,"config":{"entity":`, c.Entity)
		if c.ID != "" {
			b = appendKey(b, `,"id":`, c.ID)
		}
		b = append(appendKey(b, `,"action":`, c.Action), '}')
	}
	return append(b, '}'), nil
}

// AppendJSON appends the message's JSON.
func (m *Message) AppendJSON(b []byte) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"id":`...), m.ID, 10)
	b = appendKey(b, `,"chat_id":`, m.ChatID)
	b = appendKey(b, `,"from":`, m.From)
	if m.AuthorID != "" {
		b = appendKey(b, `,"author_id":`, m.AuthorID)
	}
	b = appendKey(b, `,"kind":`, m.Kind)
	b = appendKey(b, `,"text":`, m.Text)
	b, err := appendTime(append(b, `,"created_at":`...), m.CreatedAt)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// AppendJSON appends the decision's JSON.
func (d *Decision) AppendJSON(b []byte) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"seq":`...), d.Seq, 10)
	b, err := appendTime(append(b, `,"at":`...), d.At)
	if err != nil {
		return b, err
	}
	b = appendKey(b, `,"kind":`, d.Kind)
	b = appendKey(b, `,"trigger":`, d.Trigger)
	b = appendKey(b, `,"chat_id":`, d.ChatID)
	if d.OperatorID != "" {
		b = appendKey(b, `,"operator_id":`, d.OperatorID)
	}
	if d.Method != "" {
		b = appendKey(b, `,"method":`, d.Method)
	}
	b = strconv.AppendInt(append(b, `,"considered":`...), int64(d.Considered), 10)
	if len(d.Skipped) > 0 {
		b = append(b, `,"skipped":[`...)
		for i, s := range d.Skipped {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, `{"operator_id":`, s.OperatorID)
			b = append(appendKey(b, `,"reason":`, s.Reason), '}')
		}
		b = append(b, ']')
	}
	if d.Reason != "" {
		b = appendKey(b, `,"reason":`, d.Reason)
	}
	if len(d.Anomalies) > 0 {
		b = appendStrings(append(b, `,"anomalies":`...), d.Anomalies)
	}
	b = strconv.AppendInt(append(b, `,"duration_ns":`...), d.DurationNs, 10)
	return append(b, '}'), nil
}

// appendKey appends key (the punctuation and quoted name before a value)
// and s as a JSON string.
// appendFloat appends f as encoding/json does (an exponent only for very
// small or very large numbers); NaN and infinities have no JSON form.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("json: unsupported value: %v", f)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2], b = b[n-1], b[:n-1] // e-09 → e-9
	}
	return b, nil
}

func appendKey(b []byte, key, s string) []byte {
	return appendString(append(b, key...), s)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendTime appends t as time.Time.MarshalJSON does.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b, err := t.AppendText(append(b, '"'))
	if err != nil {
		return b, err
	}
	return append(b, '"'), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes
// it (HTML-safe: <, > and & as \u003c, \u003e, \u0026; invalid UTF-8 as
// \ufffd; U+2028 and U+2029 escaped).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}
