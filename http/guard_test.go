package http

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/switchboard/switchboard/server"
	"github.com/switchboard/switchboard/sqlite"
)

// TestGoneClientNotAnInternalError: a request whose client has gone (its
// context canceled) fails, but that is not logged as an internal error.
func TestGoneClientNotAnInternalError(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := NewHandler(server.New(store, log), log, nil, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/api/v1/operators", nil)
	r.Header.Set("Authorization", "Bearer sbt_not-looked-up-yet")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if bytes.Contains(logs.Bytes(), []byte("internal error")) {
		t.Errorf("logged: %s", logs.Bytes())
	}
	if w.Code == http.StatusOK {
		t.Errorf("answered %d for a canceled request", w.Code)
	}
}
