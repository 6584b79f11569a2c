package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

const connectPath = "/api/v1/actions/operator_panel__connect_to_operator_with_msg"

// connectBody writes a connect action for a new client with a random
// topic and channel.
func (b *runner) connectBody(dst []byte, queue bool) []byte {
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
func (b *runner) connectOnce(body []byte) (d time.Duration, limit bool, err error) {
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
func (b *runner) measuredConnect(body *[]byte) {
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
func (b *runner) arrivals(ctx context.Context) {
	cfg := b.cfg
	switch {
	case cfg.Rate < 0:
		<-ctx.Done()
	case cfg.Rate == 0 && cfg.Waiting > 0:
		<-ctx.Done() // the refillers (started by prepare) hold the queue
	case cfg.Rate == 0:
		var wg sync.WaitGroup
		for range cfg.Concurrency {
			wg.Go(func() {
				var body []byte
				for ctx.Err() == nil {
					b.measuredConnect(&body)
				}
			})
		}
		wg.Wait()
	default:
		b.poisson(ctx)
	}
}

// poisson sends connects at --rate, Poisson arrivals, until ctx ends.
// Arrivals are decided by the clock, not by answers: a slow answer does not
// delay the next connect (no coordinated omission) as long as a worker is
// free; the pool queues the rest.
func (b *runner) poisson(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	jobs := make(chan struct{}, 1<<16)
	defer close(jobs)
	for range b.cfg.Concurrency {
		wg.Go(func() {
			var body []byte
			for range jobs {
				b.measuredConnect(&body)
			}
		})
	}
	next := time.Now()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next = next.Add(expDuration(1 / b.cfg.Rate))
		if d := time.Until(next); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return
		}
		select {
		case jobs <- struct{}{}:
		default:
			b.connErrs.Add(1)
			b.noteError(errors.New("the tool's arrival queue is full: the server is slower than --rate"))
		}
	}
}

// replace asks for a new connect in place of a chat that left the queue.
func (b *runner) replace() {
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
func (b *runner) refiller(ctx context.Context) {
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
func (b *runner) fill(ctx context.Context, n int) error {
	return parallel(n, b.cfg.Concurrency, func(int) error {
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

// expDuration returns an exponential duration with the given mean in seconds.
func expDuration(mean float64) time.Duration {
	return time.Duration(mrand.ExpFloat64() * mean * float64(time.Second))
}
