package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// journalStore keeps the command log of every batch committed.
type journalStore struct {
	sb.Store
	mu      sync.Mutex
	applied []sb.Applied
}

func (j *journalStore) Commit(ctx context.Context, b *sb.Batch) error {
	err := j.Store.Commit(ctx, b)
	if err == nil {
		j.mu.Lock()
		j.applied = append(j.applied, b.Applied...)
		j.mu.Unlock()
	}
	return err
}

func (j *journalStore) log() []sb.Applied {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.applied)
}

// exported is the engine's state without the measured decision durations,
// which differ between engines by nature.
func exported(s *Server) string {
	var st sb.State
	s.View(func(e *routing.Engine) { st = e.Export() })
	for i := range st.Audit {
		st.Audit[i].DurationNs = 0
	}
	b, _ := json.Marshal(st)
	return string(b)
}

// leaderAndFollower returns a journaling leader, its store's command log,
// and a follower reset to the leader's committed state.
func leaderAndFollower(t *testing.T) (leader *Server, js *journalStore, follower *Server) {
	t.Helper()
	leader = openServer(t, filepath.Join(t.TempDir(), "sb.db"))
	js = &journalStore{Store: leader.Store}
	leader.Store, leader.Journal = js, true
	st, _, err := js.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	follower = New(js, leader.Log)
	if err := follower.Reset(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return leader, js, follower
}

// TestReplayFollowsTheLeader: a follower that starts from the leader's
// committed state and replays its journal ends in the same state and
// publishes exactly the events the leader committed, timers' included.
func TestReplayFollowsTheLeader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	leader, js, follower := leaderAndFollower(t)
	sub := follower.Broker.Subscribe(1000, nil)
	go leader.Run(ctx)
	settings := sb.DefaultSettings()
	settings.AcceptTimeoutS = 1
	for _, cmd := range []routing.Command{
		routing.UpdateSettings{Settings: settings},
		routing.CreateTopic{Topic: sb.Topic{Alias: "support", Name: "Support"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "op-1", Name: "One"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "op-2", Name: "Two"}},
		routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g", Topics: []string{"support"}, Operators: []string{"op-1", "op-2"}, Active: true}},
		routing.SetOperatorStatus{OperatorID: "op-1", Status: sb.StatusOnline},
		routing.Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}, Topic: "support", AutoConnect: true, Text: "hi"},
		routing.SetOperatorStatus{OperatorID: "op-2", Status: sb.StatusOnline},
	} {
		if _, err := leader.Do(ctx, cmd); err != nil && sb.ErrorCode(err) == sb.EINTERNAL {
			t.Fatal(err)
		}
	}
	// The accept timeout moves chat 1 to op-2: a Tick the leader journals.
	deadline := time.Now().Add(30 * time.Second)
	for !slices.ContainsFunc(js.log(), func(a sb.Applied) bool { return a.Name == "tick" }) {
		if time.Now().After(deadline) {
			t.Fatal("the accept timer never fired")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := follower.Replay(js.log()); err != nil {
		t.Fatal(err)
	}
	if a, b := exported(leader), exported(follower); a != b {
		t.Fatalf("the follower's state differs from the leader's:\n%s\n%s", a, b)
	}
	stored, err := js.Events(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var published []sb.Event
	for len(published) < len(stored) {
		select {
		case evs := <-sub.C:
			published = append(published, evs...)
		case <-time.After(10 * time.Second):
			t.Fatalf("published %d of %d events", len(published), len(stored))
		}
	}
	for i := range stored {
		a, _ := json.Marshal(stored[i])
		b, _ := json.Marshal(published[i])
		if string(a) != string(b) {
			t.Fatalf("event %d: published %s, committed %s", i, b, a)
		}
	}
}

// TestReplayStopsAtADivergence: a command whose outcome differs from the
// leader's stops the replay with an error, and its events are not
// published.
func TestReplayStopsAtADivergence(t *testing.T) {
	s := openServer(t, filepath.Join(t.TempDir(), "sb.db"))
	sub := s.Broker.Subscribe(10, nil)
	body, _ := json.Marshal(routing.CreateTopic{Topic: sb.Topic{Alias: "t"}})
	err := s.Replay([]sb.Applied{{Seq: 1, Name: "create_topic", Body: body, Now: time.Now().UTC(), Events: 5}})
	if err == nil {
		t.Fatal("Replay accepted a command whose event counter differs")
	}
	select {
	case ev := <-sub.C:
		t.Errorf("published %+v from a diverging command", ev)
	default:
	}
}

// TestResetPublishesTheGap: when the engine jumps ahead to a stored state,
// the events in between are published in order.
func TestResetPublishesTheGap(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	leader := openServer(t, filepath.Join(t.TempDir(), "sb.db"))
	st0, _, _ := leader.Store.Load(ctx)
	follower := New(leader.Store, leader.Log)
	if err := follower.Reset(ctx, st0); err != nil {
		t.Fatal(err)
	}
	sub := follower.Broker.Subscribe(10, nil)
	go leader.Run(ctx)
	for _, alias := range []string{"a", "b", "c"} {
		if _, err := leader.Do(ctx, routing.CreateTopic{Topic: sb.Topic{Alias: alias}}); err != nil {
			t.Fatal(err)
		}
	}
	st, _, _ := leader.Store.Load(ctx)
	if err := follower.Reset(ctx, st); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for len(seqs) < 3 {
		for _, ev := range <-sub.C {
			seqs = append(seqs, ev.Seq)
		}
	}
	want := []int64{st0.Counters.Event + 1, st0.Counters.Event + 2, st0.Counters.Event + 3}
	if !reflect.DeepEqual(seqs, want) {
		t.Errorf("published %v, want %v", seqs, want)
	}
}

// TestCanceledCommandIsNotApplied: a command whose caller gave up before
// the writer took it is not applied.
func TestCanceledCommandIsNotApplied(t *testing.T) {
	s := openServer(t, filepath.Join(t.TempDir(), "sb.db"))
	gone, cancel := context.WithCancel(context.Background())
	r := &request{ctx: gone, cmd: routing.CreateTopic{Topic: sb.Topic{Alias: "late"}}, done: make(chan struct{})}
	cancel()
	s.apply(context.Background(), []*request{r})
	if r.err == nil {
		t.Error("the canceled command has no error")
	}
	s.View(func(e *routing.Engine) {
		if len(e.Config().Topics) != 0 {
			t.Errorf("the canceled command was applied: %+v", e.Config().Topics)
		}
	})
}

// TestReplayOfAGroup: the journal of a group of several commands, one of
// them skipped because its caller gave up, records each applied command with
// the clock and event counter right after it, so a follower replays the
// group to the leader's state without a divergence.
func TestReplayOfAGroup(t *testing.T) {
	ctx := context.Background()
	leader, js, follower := leaderAndFollower(t)
	gone, cancel := context.WithCancel(ctx)
	cancel()
	var group []*request
	for i, cmd := range []routing.Command{
		routing.CreateTopic{Topic: sb.Topic{Alias: "support"}},
		routing.CreateOperator{Operator: sb.Operator{ID: "op-1"}},
		routing.CreateTopic{Topic: sb.Topic{Alias: "skipped"}},
		routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g", Topics: []string{"support"}, Operators: []string{"op-1"}, Active: true}},
		routing.SetOperatorStatus{OperatorID: "op-1", Status: sb.StatusOnline},
		routing.Connect{Client: sb.Client{ID: "c1", Channel: "telegram"}, Topic: "support", AutoConnect: true, Text: "hi"},
		routing.Connect{Client: sb.Client{ID: "c2", Channel: "telegram"}, Topic: "support", AutoConnect: true, Status: "queue"},
	} {
		r := &request{cmd: cmd, done: make(chan struct{})}
		if i == 2 {
			r.ctx = gone
		}
		group = append(group, r)
	}
	leader.apply(ctx, group)
	log := js.log()
	if len(log) != len(group)-1 {
		t.Fatalf("journaled %d commands of a group of %d with one skipped", len(log), len(group))
	}
	if err := follower.Replay(log); err != nil {
		t.Fatalf("replay of the group: %v", err)
	}
	if a, b := exported(leader), exported(follower); a != b {
		t.Fatalf("the follower's state differs from the leader's:\n%s\n%s", a, b)
	}
}
