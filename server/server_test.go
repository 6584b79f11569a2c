package server

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/sqlite"
)

func openServer(t *testing.T, path string) *Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func req(cmd routing.Command) *request { return &request{cmd: cmd, done: make(chan struct{})} }

// TestGroupCommitKeepsOrder: commands sharing one commit are stored as if
// committed one by one — an operator created and deleted in one group stays
// deleted, one deleted and created again stays.
func TestGroupCommitKeepsOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	s := openServer(t, path)
	batch := []*request{
		req(routing.CreateOperator{Operator: sb.Operator{ID: "gone", Name: "Gone"}}),
		req(routing.CreateOperator{Operator: sb.Operator{ID: "back", Name: "Back"}}),
		req(routing.DeleteOperator{ID: "gone"}),
		req(routing.DeleteOperator{ID: "back"}),
		req(routing.CreateOperator{Operator: sb.Operator{ID: "back", Name: "Back again"}}),
	}
	s.apply(context.Background(), batch)
	for i, r := range batch {
		if r.err != nil {
			t.Fatalf("command %d: %v", i, r.err)
		}
	}
	if err := s.Store.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openServer(t, path)
	s2.View(func(e *routing.Engine) {
		if _, ok := e.Operator("gone"); ok {
			t.Error("operator created and deleted in one group came back")
		}
		if o, ok := e.Operator("back"); !ok || o.Name != "Back again" {
			t.Errorf("operator deleted and created again: %+v %v", o, ok)
		}
	})
}
