package http

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// TestConnectAnswerJSON checks that the connect answer's appender writes
// what json.Encoder writes, for every shape of answer.
func TestConnectAnswerJSON(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 4, 5, 123456789, time.UTC)
	chat := &sb.Chat{ID: "42", Status: sb.ChatQueued, Channel: "telegram", Client: sb.Client{ID: "c<1>", Channel: "telegram"},
		Topic: "billing & more", Text: "héllo \u2028", CreatedAt: now, QueuedAt: now, QueuePosition: 3}
	reason := &sb.Reason{Code: "no_free_operator", Message: "every operator is busy"}
	for _, a := range []connectAnswer{
		{Event: "success", Chat: chat},
		{Event: "limit", Reason: reason},
		{Event: "success", Chat: chat, Warnings: []sb.Reason{*reason, {Code: "x"}}},
		{Event: "banned"},
		{Event: "Odd \"name\""},
		{Event: "error", Error: ErrorBody{}.Error},
	} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(a); err != nil {
			t.Fatal(err)
		}
		got, err := a.appendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("answer %q:\n got %s\nwant %s", a.Event, got, want.Bytes())
		}
	}
}
