package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/storetest"
)

// open is a new store on a fresh file.
func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "data", "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sb.Store { return open(t) })
}
