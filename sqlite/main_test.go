package sqlite

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when they leave a goroutine running:
// the store starts goroutines (the checkpointer, the parallel load at Open).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
