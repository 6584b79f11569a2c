package postgres

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when they leave a goroutine running:
// the store starts goroutines (the pgx pools, LISTEN, the lease).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
