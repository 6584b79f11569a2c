package http

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// ConnLimit caps a server's open connections, so that clients that open
// connections and send nothing (or a body one byte at a time) cannot use up
// the file descriptors. Past the cap, a new connection takes the place of
// the oldest one that is not being answered — one that has not sent its
// request yet, one idle between requests, or one still sending its body —
// which is closed; when every connection is being answered (event streams
// among them), the new one is refused with a 503 in the JSON envelope.
//
// Use all four hooks: Listener, ConnState and ConnContext on the
// http.Server, Handler around its handler.
type ConnLimit struct {
	// Max is the number of connections kept open at most.
	Max int

	mu      sync.Mutex
	conns   map[net.Conn]*connInfo
	shed    atomic.Int64 // connections closed for a new one
	refused atomic.Int64 // new connections refused
}

// connInfo is what the limit knows of a connection.
type connInfo struct {
	conn    net.Conn
	state   http.ConnState
	since   time.Time // of the state
	reading bool      // a request is being answered but its body is still coming
}

type connKey struct{}

// Shed and Refused count the connections closed for a new one and the new
// ones refused.
func (l *ConnLimit) Shed() int64    { return l.shed.Load() }
func (l *ConnLimit) Refused() int64 { return l.refused.Load() }

// Open returns the number of connections open.
func (l *ConnLimit) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// Listener wraps ln so that Accept keeps to the cap.
func (l *ConnLimit) Listener(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, l: l}
}

type limitedListener struct {
	net.Listener
	l *ConnLimit
}

func (ll *limitedListener) Accept() (net.Conn, error) {
	for {
		raw, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c := &jsonErrConn{raw}
		if ll.l.admit(c) {
			return c, nil
		}
		go refuse(raw)
		ll.l.refused.Add(1)
	}
}

// admit registers c, making room by closing the oldest connection not
// being answered; false when there is none.
func (l *ConnLimit) admit(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns == nil {
		l.conns = map[net.Conn]*connInfo{}
	}
	if len(l.conns) >= l.Max {
		var victim *connInfo
		for _, ci := range l.conns {
			if ci.waiting() && (victim == nil || ci.since.Before(victim.since)) {
				victim = ci
			}
		}
		if victim == nil {
			return false
		}
		delete(l.conns, victim.conn)
		_ = victim.conn.Close()
		l.shed.Add(1)
	}
	l.conns[c] = &connInfo{conn: c, state: http.StateNew, since: time.Now()}
	return true
}

// waiting reports whether the connection is not being answered.
func (ci *connInfo) waiting() bool {
	return ci.state == http.StateNew || ci.state == http.StateIdle || ci.state == http.StateActive && ci.reading
}

// refusal is what a refused connection reads.
var refusal = func() []byte {
	body := `{"error":{"code":"unavailable","message":"the server is at its limit of connections; try again shortly"}}` + "\n"
	return fmt.Appendf(nil, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"+
		"Connection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}()

func refuse(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(refusal)
	_ = c.Close()
}

// ConnState follows each connection's state (http.Server.ConnState).
func (l *ConnLimit) ConnState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ci, ok := l.conns[c]
	if !ok {
		return
	}
	if s == http.StateClosed || s == http.StateHijacked {
		delete(l.conns, c)
		return
	}
	ci.state, ci.since = s, time.Now()
	if s != http.StateActive {
		ci.reading = false
	}
}

// ConnContext puts the connection's record into the requests' context
// (http.Server.ConnContext).
func (l *ConnLimit) ConnContext(ctx context.Context, c net.Conn) context.Context {
	l.mu.Lock()
	ci := l.conns[c]
	l.mu.Unlock()
	if ci == nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, ci)
}

// Handler marks a request's connection as reading until its body has
// come, so that a body sent slowly does not hold a place the cap needs.
func (l *ConnLimit) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ci, _ := r.Context().Value(connKey{}).(*connInfo)
		if ci == nil || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		l.setReading(ci, true)
		defer l.setReading(ci, false)
		r.Body = &bodyWatch{ReadCloser: r.Body, done: func() { l.setReading(ci, false) }}
		next.ServeHTTP(w, r)
	})
}

func (l *ConnLimit) setReading(ci *connInfo, v bool) {
	l.mu.Lock()
	ci.reading = v
	l.mu.Unlock()
}

// bodyWatch calls done once the body has been read to its end (or failed).
type bodyWatch struct {
	io.ReadCloser
	done func()
	once sync.Once
}

func (b *bodyWatch) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.once.Do(b.done)
	}
	return n, err
}
