package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

const btConnectPath = "/api/v1/actions/operator_panel__connect_to_operator_with_msg"

// btConnectBody writes a connect action for a new client with a random
// topic and channel.
func (b *bencher) connectBody(dst []byte, queue bool) []byte {
	n := b.clientSeq.Add(1)
	dst = append(dst[:0], `{"client":{"id":"`...)
	dst = append(dst, b.prefix...)
	dst = append(dst, "-c"...)
	dst = strconv.AppendInt(dst, n, 10)
	dst = append(dst, `","channel":"`...)
	dst = append(dst, b.channels[mrand.IntN(len(b.channels))]...)
	dst = append(dst, `"},"text":"Bench client message","config":{"subject_alias":"`...)
	dst = append(dst, b.topics[mrand.IntN(len(b.topics))]...)
	dst = append(dst, `","auto_connect_operator":true`...)
	if queue {
		dst = append(dst, `,"status":"queue"`...)
	}
	return append(dst, "}}"...)
}

// connectOnce sends one connect action; limit reports a `limit` answer.
func (b *bencher) connectOnce(body []byte) (d time.Duration, limit bool, err error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(b.connectURL)
	req.Header.SetMethod("POST")
	req.Header.Set("Authorization", b.integ)
	req.Header.SetContentType("application/json")
	req.SetBodyRaw(body)
	t0 := time.Now()
	err = b.fast.DoTimeout(req, resp, 60*time.Second)
	d = time.Since(t0)
	if err != nil {
		return 0, false, err
	}
	p := resp.Body()
	switch {
	case resp.StatusCode() != 200:
		return 0, false, fmt.Errorf("connect: HTTP %d: %s", resp.StatusCode(), bytes.TrimSpace(p[:min(len(p), 300)]))
	case bytes.HasPrefix(p, []byte(`{"event":"success"`)):
		return d, false, nil
	case bytes.HasPrefix(p, []byte(`{"event":"limit"`)), bytes.HasPrefix(p, []byte(`{"event":"banned"`)):
		return d, true, nil
	}
	return 0, false, fmt.Errorf("connect: unexpected answer %s", bytes.TrimSpace(p[:min(len(p), 300)]))
}

// measuredConnect sends one connect and records it (while measuring).
func (b *bencher) measuredConnect(body *[]byte) {
	*body = b.connectBody(*body, b.cfg.Queue)
	d, limit, err := b.connectOnce(*body)
	if !b.measuring.Load() {
		return
	}
	if err != nil {
		b.connErrs.Add(1)
		b.noteError(err)
		time.Sleep(time.Millisecond) // do not spin on a dead server
		return
	}
	b.acked.Add(1)
	if limit {
		b.limited.Add(1)
	}
	b.connLat.record(d)
	b.connSec.Load().record(d)
}

// arrivals plays the connects until ctx ends: a closed loop (rate 0), a
// queue held at --waiting (rate 0 with --waiting), a Poisson process
// (rate > 0) or nothing (rate < 0).
func (b *bencher) arrivals(ctx context.Context) {
	cfg := b.cfg
	var wg sync.WaitGroup
	switch {
	case cfg.Rate < 0:
		<-ctx.Done()
	case cfg.Rate == 0 && cfg.Waiting > 0:
		<-ctx.Done() // the refillers (started by prepare) hold the queue
	case cfg.Rate == 0:
		for range cfg.Concurrency {
			wg.Go(func() {
				var body []byte
				for ctx.Err() == nil {
					b.measuredConnect(&body)
				}
			})
		}
	default:
		// Arrivals are decided by the clock, not by answers: a slow answer
		// does not delay the next connect (no coordinated omission) as long
		// as a worker is free; the pool queues the rest.
		jobs := make(chan struct{}, 1<<16)
		for range cfg.Concurrency {
			wg.Go(func() {
				var body []byte
				for range jobs {
					b.measuredConnect(&body)
				}
			})
		}
		next := time.Now()
		timer := time.NewTimer(time.Hour)
	loop:
		for {
			next = next.Add(btExp(1 / cfg.Rate))
			if d := time.Until(next); d > 0 {
				timer.Reset(d)
				select {
				case <-ctx.Done():
					break loop
				case <-timer.C:
				}
			} else if ctx.Err() != nil {
				break loop
			}
			select {
			case jobs <- struct{}{}:
			default:
				b.connErrs.Add(1)
				b.noteError(errors.New("the tool's arrival queue is full: the server is slower than --rate"))
			}
		}
		timer.Stop()
		close(jobs)
	}
	wg.Wait()
}

// replace asks for a new connect in place of a chat that left the queue.
func (b *bencher) replace() {
	if !b.holding.Load() {
		return
	}
	select {
	case b.refill <- struct{}{}:
	default:
		b.connErrs.Add(1)
		b.noteError(errors.New("the tool's refill queue is full: the server is slower than its queue drains"))
	}
}

// refiller sends one connect for every chat that left the queue.
func (b *bencher) refiller(ctx context.Context) {
	var body []byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.refill:
			b.measuredConnect(&body)
		}
	}
}

// fill queues n chats before measuring (nobody is online).
func (b *bencher) fill(ctx context.Context, n int) error {
	return btParallel(n, b.cfg.Concurrency, func(int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, limit, err := b.connectOnce(b.connectBody(nil, true))
		if err == nil && limit {
			err = errors.New("fill: a queued connect was answered limit")
		}
		return err
	})
}

// scheduleClose makes the operator of chat seq close it after an
// exponential handle time.
func (b *bencher) scheduleClose(seq int64) {
	if !b.closing.Load() || b.cfg.HandleTime == 0 {
		return
	}
	time.AfterFunc(btExp(b.cfg.HandleTime), func() {
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
func (b *bencher) takeSent(seq int64) int64 {
	b.sentMu.Lock()
	defer b.sentMu.Unlock()
	t := b.sent[seq]
	delete(b.sent, seq)
	return t
}

// closer is a simulated operator's hand: it closes the chats due.
func (b *bencher) closer() {
	for {
		select {
		case <-b.closeDone:
			return
		case seq := <-b.closeCh:
			b.closeChat(seq)
		}
	}
}

func (b *bencher) closeChat(seq int64) {
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
func (b *bencher) setStatus(ctx context.Context, op int, status string) error {
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
func (b *bencher) allOnline(ctx context.Context) error {
	return btParallel(len(b.ops), 32, func(i int) error {
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
func (b *bencher) breaks(ctx context.Context) {
	if b.cfg.StatusChanges <= 0 {
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Reset(btExp(1 / b.cfg.StatusChanges))
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
			case <-time.After(btExp(b.cfg.BreakTime)):
			}
			if b.setStatus(ctx, op, "online") == nil {
				b.onlineMu.Lock()
				b.online[op] = true
				b.onlineMu.Unlock()
			}
		})
	}
}
