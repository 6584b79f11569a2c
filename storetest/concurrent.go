package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	sb "github.com/switchboard/switchboard"
)

// testConcurrent loads while batches commit: every Load must see whole
// batches (each adds one open chat and counts it).
func testConcurrent(t *testing.T, s sb.Store) {
	ctx := context.Background()
	const n = 40
	done := make(chan struct{})
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { errs <- loadUntil(ctx, s, done) })
	}
	for i := 1; i <= n; i++ {
		commit(t, s, &sb.Batch{
			Chats:    []sb.Chat{chat(i, sb.ChatNew, "", at(i))},
			Events:   []sb.Event{event(int64(i), sb.EventChatCreated, fmt.Sprint(i), at(i))},
			Counters: sb.Counters{Chat: int64(i), Event: int64(i)}, Now: at(i),
		})
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	equal(t, "events", len(must(s.Events(ctx, 0, 2*n))(t)), n)
}

func loadUntil(ctx context.Context, s sb.Store, done <-chan struct{}) error {
	for {
		select {
		case <-done:
			return nil
		default:
		}
		st, ok, err := s.Load(ctx)
		if err != nil {
			return err
		}
		if ok && int64(len(st.Chats)) != st.Counters.Chat {
			return fmt.Errorf("a load saw %d chats with the chat counter at %d", len(st.Chats), st.Counters.Chat)
		}
	}
}
