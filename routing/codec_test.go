package routing

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// TestReplayDecodedCommands: an engine that applies the decoded command log
// of another, each command at the time the first applied it, makes the same
// decisions, emits the same events and ends in the same state. That is how
// a follower instance keeps its replica of the leader's engine.
func TestReplayDecodedCommands(t *testing.T) {
	t.Parallel()
	steps := 20000
	if testing.Short() {
		steps = 5000
	}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			g, m := newGenSeed(seed), newNaive(genStart)
			leader, replica := New(genStart), New(genStart)
			seen := map[string]bool{}
			for i := range steps {
				now, cmd := g.next(m)
				_, _ = m.Apply(now, cmd) // the model only keeps the generator's view in step
				res, err := leader.Apply(now, cmd)
				name, body, eerr := EncodeCommand(cmd)
				if eerr != nil {
					t.Fatalf("step %d: encode %T: %v", i, cmd, eerr)
				}
				seen[name] = true
				back, derr := DecodeCommand(name, body)
				if derr != nil {
					t.Fatalf("step %d: decode %s %s: %v", i, name, body, derr)
				}
				res2, err2 := replica.Apply(leader.Now(), back)
				if a, b := resultJSON(t, res, err), resultJSON(t, res2, err2); a != b {
					t.Fatalf("step %d: %s %s: the replica's result differs:\n%s", i, name, body, firstDiff(a, b))
				}
			}
			if a, b := exportJSON(t, leader, true), exportJSON(t, replica, true); a != b {
				t.Fatalf("the replica's state differs:\n%s", firstDiff(a, b))
			}
			t.Logf("%d commands of %d kinds replayed", steps, len(seen))
		})
	}
}

// TestDecodeCommandErrors: an unknown name or a body of the wrong shape is
// EINVALID naming the field.
func TestDecodeCommandErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, field string }{
		{"no_such_command", `{}`, "name"},
		{"connect", `{"Weight": "ten"}`, "body"},
		{"close", `[`, "body"},
	} {
		_, err := DecodeCommand(tc.name, []byte(tc.body))
		if sb.ErrorCode(err) != sb.EINVALID || sb.ErrorField(err) != tc.field {
			t.Errorf("DecodeCommand(%q, %s): %v; want EINVALID on field %q", tc.name, tc.body, err, tc.field)
		}
	}
}

// TestEveryCommandDecodes: each command type of command.go round-trips to
// its own type.
func TestEveryCommandDecodes(t *testing.T) {
	for name := range decoders {
		cmd, err := DecodeCommand(name, []byte(`{}`))
		if err != nil || cmd.name() != name {
			t.Errorf("DecodeCommand(%q, {}): %T %v", name, cmd, err)
		}
	}
	// Every type with a name method in command.go has a decoder.
	src, err := os.ReadFile("command.go")
	if err != nil {
		t.Fatal(err)
	}
	types := regexp.MustCompile(`(?m)^func \((\w+)\) name\(\) string`).FindAllSubmatch(src, -1)
	for _, m := range types {
		if decoders[cmdName(string(m[1]))] == nil {
			t.Errorf("command %s has no decoder: register it in codec.go", m[1])
		}
	}
	if len(decoders) != len(types) {
		t.Errorf("%d decoders; command.go has %d commands", len(decoders), len(types))
	}
}

// cmdName returns the name of the command type called typ.
func cmdName(typ string) string {
	for name, dec := range decoders {
		if cmd, _ := dec([]byte(`{}`)); reflect.TypeOf(cmd).Name() == typ {
			return name
		}
	}
	return ""
}
