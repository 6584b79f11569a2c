// Package storetest is the conformance suite every switchboard.Store runs:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) switchboard.Store { … })
//	}
//
// Besides the Store interface's own words, the suite holds a store to these
// choices (a store must make all of them to pass):
//   - Load returns every timestamp in UTC and exactly to the nanosecond, so
//     a state committed in UTC comes back reflect.DeepEqual; the round trip
//     through the routing engine checks Load against Engine.Export.
//   - Until a batch carries a Config, Load returns that of a fresh install
//     (switchboard.DefaultSettings and DefaultStatuses), as routing.New has.
//   - Queue positions are derived, not stored: chats come back with
//     QueuePosition 0 (events keep theirs).
//   - Load's closed chats are in close order: closed_at, then the seq of the
//     chat's chat_closed event in its batch, then id.
//   - A batch applies DeletedOperators before Operators; a deleted operator's
//     password and tokens go with it. Tokens and webhooks are created and
//     deleted by batches too; deleting one that is gone is not an error.
//   - A batch's deliveries get their IDs on success; one for a subscription
//     that no longer exists is dropped (ID 0).
//   - RecordAttempts skips a delivery that is gone, with its attempt.
//   - A target's pending deliveries are read apart from the other targets'.
//   - ClosedChats pages by numeric id, newest first.
package storetest

import (
	"context"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// Run runs the suite. open is called once per subtest and returns a new,
// empty store; it arranges for the store to be closed (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) sb.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, sb.Store)
	}{
		{"LoadFresh", testLoadFresh},
		{"CommitLoadRoundTrip", testRoundTrip},
		{"LoadManyOpenChatsInOrder", testLoadMany},
		{"TimesExactInUTC", testTimesUTC},
		{"LatestWins", testLatestWins},
		{"DeletedOperatorsGone", testDeletedOperators},
		{"AccessOnlyBatchKeepsCounters", testAccessOnly},
		{"DeletedThenUpsertedStays", testDeletedThenUpserted},
		{"ClosedChats", testClosedChats},
		{"ClosedInCloseOrder", testClosedOrder},
		{"LoadKeepsLast1000ClosedAnd10000Decisions", testLoadCaps},
		{"FailedBatchLeavesNothing", testAtomicity},
		{"CanceledCommitLeavesNothing", testCanceled},
		{"EventsPaging", testEvents},
		{"CountEvents", testCountEvents},
		{"MessagesInOrder", testMessages},
		{"DecisionsSince", testDecisions},
		{"ChatsCreated", testChatsCreated},
		{"TimeWindows", testTimeWindows},
		{"Tokens", testTokens},
		{"Passwords", testPasswords},
		{"Webhooks", testWebhooks},
		{"Deliveries", testDeliveries},
		{"DeliveriesPerTarget", testDeliveriesPerTarget},
		{"DeliveryPages", testDeliveryPages},
		{"WebhookSecrets", testWebhookSecrets},
		{"DeleteWebhookDropsPendingDeliveries", testDeleteWebhookDeliveries},
		{"ConcurrentReadsSeeWholeCommits", testConcurrent},
		{"EngineRoundTrip", testEngineRoundTrip},
		{"EngineFirstCommitWithoutConfig", testEngineFirstCommitWithoutConfig},
		{"Stats", testStats},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func testLoadFresh(t *testing.T, s sb.Store) {
	st, ok, err := s.Load(context.Background())
	if err != nil || ok {
		t.Fatalf("Load on a fresh store: ok %v, err %v; want false, nil", ok, err)
	}
	equal(t, "state", st, sb.State{})
}
