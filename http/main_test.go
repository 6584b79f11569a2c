package http

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when they leave a goroutine running:
// the handlers start goroutines (event streams) and the tests start servers.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
