package server

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Failed sign-ins are throttled per address and per account: the first
// freeFailures failures cost nothing; each one after locks the key for
// twice as long as the one before (1 s, 2 s, 4 s … up to maxLock). A key
// is forgotten forgetAfter after its last failure, and an account's on a
// success.
const (
	freeFailures = 5
	maxLock      = 15 * time.Minute
	forgetAfter  = 15 * time.Minute
	maxKeys      = 100_000 // beyond, the oldest keys go first
)

// signInGuard throttles failed sign-ins and bounds the bcrypt work that
// runs at once, so that password guessing cannot take the cores routing
// needs.
type signInGuard struct {
	once  sync.Once
	mu    sync.Mutex
	fails map[string]*failures
	work  chan struct{} // one slot per bcrypt comparison allowed at once
}

type failures struct {
	n           int
	last, until time.Time
}

func (g *signInGuard) init() {
	g.once.Do(func() {
		g.fails = map[string]*failures{}
		g.work = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))
	})
}

// signInKeys are the keys a sign-in is throttled by.
func signInKeys(email, addr string) []string {
	return []string{"address " + addr, "account " + strings.ToLower(email)}
}

// locked returns how long the keys stay locked (0: not).
func (g *signInGuard) locked(keys []string, now time.Time) time.Duration {
	g.init()
	g.mu.Lock()
	defer g.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if f := g.fails[k]; f != nil {
			wait = max(wait, f.until.Sub(now))
		}
	}
	return wait
}

// failed counts a failure on each key.
func (g *signInGuard) failed(keys []string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.fails) >= maxKeys {
		for k, f := range g.fails {
			if now.Sub(f.last) > forgetAfter || len(g.fails) >= maxKeys {
				delete(g.fails, k)
			}
		}
	}
	for _, k := range keys {
		f := g.fails[k]
		if f == nil || now.Sub(f.last) > forgetAfter {
			f = &failures{}
			g.fails[k] = f
		}
		f.n++
		f.last = now
		if f.n > freeFailures {
			f.until = now.Add(min(time.Second<<min(f.n-freeFailures-1, 20), maxLock))
		}
	}
}

// succeeded forgets the account's failures.
func (g *signInGuard) succeeded(keys []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.fails, keys[1])
}

// bcrypt runs fn in a slot of the bcrypt work (waiting for one, or until
// ctx ends).
func (g *signInGuard) bcrypt(ctx context.Context, fn func()) error {
	g.init()
	select {
	case g.work <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.work }()
	fn()
	return nil
}

// tooMany is the answer to a locked sign-in.
func tooMany(wait time.Duration) error {
	return &sb.Error{Code: sb.ETOOMANY, Message: "too many failed sign-ins; try again later", RetryAfter: wait}
}
