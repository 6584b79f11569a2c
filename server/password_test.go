package server

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestPasswordCost: passwords are hashed at bcrypt's default cost (the
// end-to-end tests lower PasswordCost to save time under the race
// detector), and an unknown email is compared with a hash of the same cost,
// so that it costs what a known one does.
func TestPasswordCost(t *testing.T) {
	if PasswordCost != bcrypt.DefaultCost {
		t.Errorf("PasswordCost = %d, want bcrypt.DefaultCost (%d)", PasswordCost, bcrypt.DefaultCost)
	}
	if c, err := bcrypt.Cost([]byte(unknownHash())); err != nil || c != PasswordCost {
		t.Errorf("the unknown email's hash has cost %d (%v), want %d", c, err, PasswordCost)
	}
}
