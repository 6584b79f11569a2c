package routing_test

import (
	"testing"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// R7 (amended): exclusions never strand a chat. When every operator with a
// receiving status who serves a queued chat's topic (and whose limits are
// not 0 for it) is excluded from it, the exclusions are cleared in that
// routing pass and R4 goes on.
func TestR7ExclusionsLapse(t *testing.T) {
	t.Run("two operators miss, both come back", r7LapseBothMissed)
	t.Run("a lone operator is offered the chat again", r7LapseLone)
	t.Run("max_missed_chats still switches a lone operator off", r7LapseMaxMissed)
	t.Run("the only operator not excluded leaves", r7LapseOtherLeaves)
	t.Run("inactivity requeue", r7LapseInactivity)
	t.Run("a limit of 0 does not count", r7LapseZeroLimit)
	t.Run("waiting only because of exclusions", r7LapseReason)
}

// The case: a skill group of two, accept_timeout_s 2. The chat
// goes to a, who misses it, then to b, who misses it too; both come back
// online with no chats and the chat is assigned.
func r7LapseBothMissed(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.MaxMissedChats = 2, 1 })
	id := f.assigned("support", "a")
	f.at(sec(2))
	f.tick()
	f.wantChat(id, sb.ChatActive, "b")
	equal(t, "a after its miss", f.operator("a").Status, sb.StatusOffline)
	f.at(sec(4))
	f.tick()
	f.wantChat(id, sb.ChatQueued, "")
	equal(t, "b after its miss", f.operator("b").Status, sb.StatusOffline)
	equal(t, "excluded", f.chat(id).Excluded, []string{"a", "b"})
	equal(t, "reason while nobody is online", f.e.Queue()[0].Reasons[0].Code, routing.ReasonNoOperatorOnline)
	f.at(sec(10))
	f.setStatus("b", sb.StatusOnline)
	f.wantChat(id, sb.ChatActive, "b")
	equal(t, "excluded after the lapse", len(f.chat(id).Excluded), 0)
	equal(t, "repeated_distribution", f.e.Audit(t0.Add(sec(10)))[0].Anomalies, []string{sb.AnomalyRepeatedDistribution})
}

// A team of one: the missed chat is offered to the same operator at once.
func r7LapseLone(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS = 30 })
	id := f.assigned("support", "a")
	f.at(sec(30))
	res := f.tick()
	equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventAutoConnected})
	f.wantChat(id, sb.ChatActive, "a")
	equal(t, "missed_in_row", f.operator("a").MissedInRow, 1)
	wantDeadline(t, f.e, t0.Add(sec(60)))
}

// The lone operator who never answers still goes to the auto-offline
// status after max_missed_chats; the chat then waits for someone online.
func r7LapseMaxMissed(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) { s.AcceptTimeoutS, s.MaxMissedChats = 30, 3 })
	id := f.assigned("support", "a")
	for i := 1; i <= 3; i++ {
		f.at(sec(30 * i))
		f.tick()
	}
	equal(t, "status", f.operator("a").Status, sb.StatusOffline)
	f.wantChat(id, sb.ChatQueued, "")
	equal(t, "reason", f.e.Queue()[0].Reasons[0].Code, routing.ReasonNoOperatorOnline)
	f.at(sec(200))
	f.setStatus("a", sb.StatusOnline)
	f.wantChat(id, sb.ChatActive, "a")
}

// b, busy and not excluded, keeps the exclusion of a alive; when b goes
// offline, a is the only one left and gets the chat.
func r7LapseOtherLeaves(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.occupy("b")
	id := f.assigned("support", "a")
	f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
	f.wantChat(id, sb.ChatQueued, "")
	f.setStatus("b", sb.StatusBreak)
	f.wantChat(id, sb.ChatActive, "a")
}

// The inactivity action requeue excludes the operator; alone, it gets the
// chat back.
func r7LapseInactivity(t *testing.T) {
	f := newFixture(t, "a")
	f.settings(func(s *sb.Settings) {
		s.ChatInactivityTimeoutS, s.ChatInactivityAction = 60, sb.InactivityRequeue
	})
	id := f.assigned("support", "a")
	f.at(sec(60))
	res := f.tick()
	equal(t, "events", names(res), []string{sb.EventOperatorDisconnected, sb.EventChatQueued, sb.EventAutoConnected})
	f.wantChat(id, sb.ChatActive, "a")
}

// An operator whose limit for the chat's channel is 0 could never take it:
// it does not keep the others' exclusions alive.
func r7LapseZeroLimit(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.setChannelLimits("b", map[string]int{"telegram": 0})
	id := f.assigned("support", "a")
	f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
	f.wantChat(id, sb.ChatActive, "a")
}

// A chat that waits only because its free operators are excluded says
// operators_excluded (not all_operators_busy), and the excluded
// operator's diagnostics list it.
func r7LapseReason(t *testing.T) {
	f := newFixture(t, "a", "b")
	f.occupy("b")
	id := f.assigned("support", "a")
	f.apply(routing.Redistribute{OperatorID: "a", Status: sb.StatusOnline})
	q := f.e.Queue()
	equal(t, "queue", len(q), 1)
	equal(t, "reason", q[0].Reasons[0].Code, routing.ReasonOperatorsExcluded)
	d, err := f.e.Diagnostics("a")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "excluded_from", d.ExcludedFrom, []string{id})
	codes := []string{}
	for _, r := range d.Reasons {
		codes = append(codes, r.Code)
	}
	if !contains(codes, "excluded") || contains(codes, "nothing_waiting") {
		t.Errorf("diagnostics reasons = %v, want excluded and not nothing_waiting", codes)
	}
	db, _ := f.e.Diagnostics("b")
	equal(t, "b excluded_from", len(db.ExcludedFrom), 0)
	// With a busy and nobody excluded, the chat waits because all are busy.
	f.setMax("a", 0)
	equal(t, "reason when a is at its limit", f.e.Queue()[0].Reasons[0].Code, routing.ReasonAllOperatorsBusy)
}
