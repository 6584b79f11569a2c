package bench

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// scheduleClose makes the operator of chat seq close it after an
// exponential handle time.
func (b *runner) scheduleClose(seq int64) {
	if !b.closing.Load() || b.cfg.HandleTime == 0 {
		return
	}
	time.AfterFunc(expDuration(b.cfg.HandleTime), func() {
		if !b.closing.Load() {
			return
		}
		select {
		case b.closeCh <- seq:
		case <-b.closeDone:
		}
	})
}

// takeSent returns (and forgets) when the close request of chat seq was
// sent, in Unix ns; 0 when the tool did not close it.
func (b *runner) takeSent(seq int64) int64 {
	b.sentMu.Lock()
	defer b.sentMu.Unlock()
	t := b.sent[seq]
	delete(b.sent, seq)
	return t
}

// closer is a simulated operator's hand: it closes the chats due.
func (b *runner) closer() {
	for {
		select {
		case <-b.closeDone:
			return
		case seq := <-b.closeCh:
			b.closeChat(seq)
		}
	}
}

func (b *runner) closeChat(seq int64) {
	req, err := http.NewRequest("POST", b.base+"/api/v1/chats/"+strconv.FormatInt(seq, 10)+"/close", nil)
	if err != nil {
		return
	}
	req.Header.Set("Authorization", "Bearer "+b.admin)
	t0 := time.Now()
	b.sentMu.Lock()
	b.sent[seq] = t0.UnixNano()
	b.sentMu.Unlock()
	resp, err := b.api.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode/100 != 2 {
			err = fmt.Errorf("close chat %d: HTTP %d", seq, resp.StatusCode)
		}
	}
	if err != nil {
		b.closeErrs.Add(1)
		b.takeSent(seq)
		return
	}
	b.closes.Add(1)
	b.closeLat.record(time.Since(t0))
}

// setStatus changes an operator's status.
func (b *runner) setStatus(ctx context.Context, op int, status string) error {
	t0 := time.Now()
	err := b.call(ctx, b.admin, "PUT", "/api/v1/operators/"+b.ops[op]+"/status", map[string]string{"status": status}, nil)
	if b.measuring.Load() {
		if err != nil {
			if ctx.Err() == nil {
				b.statusErr.Add(1)
			}
		} else {
			b.statusN.Add(1)
			b.statusLat.record(time.Since(t0))
		}
	}
	return err
}

// allOnline brings every operator online.
func (b *runner) allOnline(ctx context.Context) error {
	return parallel(len(b.ops), 32, func(i int) error {
		if err := b.setStatus(ctx, i, "online"); err != nil {
			return err
		}
		b.onlineMu.Lock()
		b.online[i] = true
		b.onlineMu.Unlock()
		return nil
	})
}

// breaks sends random online operators on break (a Poisson process at
// --status-changes per second) and brings each back after --break-time.
func (b *runner) breaks(ctx context.Context) {
	if b.cfg.StatusChanges <= 0 {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Reset(expDuration(1 / b.cfg.StatusChanges))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		op := -1
		b.onlineMu.Lock()
		for range 20 {
			if i := mrand.IntN(len(b.ops)); b.online[i] {
				op = i
				b.online[i] = false
				break
			}
		}
		b.onlineMu.Unlock()
		if op < 0 {
			continue
		}
		wg.Go(func() {
			if err := b.setStatus(ctx, op, "break"); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(expDuration(b.cfg.BreakTime)):
			}
			if b.setStatus(ctx, op, "online") == nil {
				b.onlineMu.Lock()
				b.online[op] = true
				b.onlineMu.Unlock()
			}
		})
	}
}
