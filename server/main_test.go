package server

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when they leave a goroutine running:
// the server starts goroutines (the writer, webhook delivery, the broker).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
