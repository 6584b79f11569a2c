package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// Event kinds the tool tells apart; the others only count for lag.
const (
	evOther uint8 = iota
	evQueued
	evAuto
	evOpConnected
	evOpDisconnected
	evClosedByOp
	evClosedOther // by client or timer
	evClosed
	evStatus
)

var eventKinds = map[string]uint8{
	"chat_queued": evQueued, "auto_connected": evAuto, "operator_connected": evOpConnected,
	"operator_disconnected": evOpDisconnected, "chat_closed_by_operator": evClosedByOp,
	"chat_closed_by_client": evClosedOther, "chat_closed_by_timer": evClosedOther,
	"chat_closed": evClosed, "operator_status_changed": evStatus,
}

// event is one event read from the stream.
type event struct {
	seq      int64
	kind     uint8
	recv     int64 // receipt, Unix ns
	occurred int64 // occurred_at, Unix ns (0 if unreadable)
	chatSeq  int64 // top-level chat_id, when numeric
	// body is what the model reads of the event, decoded by the stream's
	// reader (from its buffer, so that the event's bytes are not copied);
	// bad: it did not decode.
	body eventBody
	bad  bool
}

// stream reads one SSE stream, resuming with Last-Event-ID when the server
// drops it, until ctx ends. Every event's lag (receipt − occurred_at) goes
// to lag; when sink is set the events are handed to it in batches.
type stream struct {
	client     *http.Client
	url, token string
	lag        func(time.Duration)
	sink       func([]event) // nil: lag only
	last       atomic.Int64  // last event id seen
	events     atomic.Int64
	reconnects atomic.Int64
	readyOnce  sync.Once
	ready      chan error // the first subscription is open (nil) or failed
}

func newStream(client *http.Client, base, token string, lag func(time.Duration), sink func([]event)) *stream {
	return &stream{client: client, url: base + "/api/v1/events/stream", token: token, lag: lag, sink: sink, ready: make(chan error, 1)}
}

// run keeps the stream open until ctx ends.
func (s *stream) run(ctx context.Context) {
	backoff := 10 * time.Millisecond
	for ctx.Err() == nil {
		err := s.once(ctx)
		s.readyOnce.Do(func() { s.ready <- err })
		if ctx.Err() != nil {
			return
		}
		s.reconnects.Add(1)
		if err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, time.Second)
		} else {
			backoff = 10 * time.Millisecond
		}
	}
}

// once reads one subscription until it ends; a nil error means the server
// closed it (dropped as too slow, or shut down).
func (s *stream) once(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, "GET", s.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if last := s.last.Load(); last > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("event stream: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	s.readyOnce.Do(func() { s.ready <- nil })
	err = s.read(resp.Body)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// read parses the SSE framing: "id:", "event:", "data:" lines and a blank
// line that ends each event.
func (s *stream) read(body io.Reader) error {
	size := 16 << 10 // lag only: many streams, little reading each
	if s.sink != nil {
		size = 256 << 10
	}
	r := bufio.NewReaderSize(body, size)
	var (
		long  []byte // a line longer than the buffer
		ev    event
		name  []byte // copies: the reader's buffer moves on
		data  []byte
		batch []event
	)
	flush := func() {
		if len(batch) > 0 {
			s.sink(batch)
			batch = nil
		}
	}
	for {
		if s.sink != nil && r.Buffered() == 0 {
			flush() // about to block: hand over what was read
		}
		line, err := readLine(r, &long)
		if err != nil {
			flush()
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0: // end of an event
			if ev.seq > 0 && len(data) > 0 && s.received(&ev, name, data) {
				batch = append(batch, ev)
				if len(batch) >= 1024 {
					flush()
				}
			}
			ev, name, data = event{}, name[:0], data[:0]
		case line[0] == ':': // comment (keep-alive)
		case bytes.HasPrefix(line, []byte("id:")):
			ev.seq, _ = strconv.ParseInt(string(bytes.TrimSpace(line[3:])), 10, 64)
		case bytes.HasPrefix(line, []byte("event:")):
			name = append(name[:0], bytes.TrimSpace(line[6:])...)
		case bytes.HasPrefix(line, []byte("data:")):
			// One data line per event (the JSON has no newlines).
			data = append(data[:0], bytes.TrimPrefix(line[5:], []byte(" "))...)
		}
	}
}

// readLine returns the next line, gathered into *long when it is longer
// than r's buffer.
func readLine(r *bufio.Reader, long *[]byte) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	*long = append((*long)[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = r.ReadSlice('\n')
		*long = append(*long, line...)
	}
	return *long, err
}

// received counts a complete event and its lag. With a sink it also reads
// what the model needs and reports true: ev is to be handed over.
func (s *stream) received(ev *event, name, data []byte) bool {
	now := time.Now().UnixNano()
	ev.recv = now
	ev.occurred = occurredAt(data)
	if ev.occurred > 0 {
		s.lag(time.Duration(now - ev.occurred))
	}
	s.last.Store(ev.seq)
	s.events.Add(1)
	if s.sink == nil {
		return false
	}
	ev.kind = eventKinds[string(name)]
	switch ev.kind {
	case evOther:
	case evClosedByOp, evClosedOther, evClosed:
		ev.chatSeq = chatID(data)
	default:
		ev.bad = jsonv2.Unmarshal(data, &ev.body) != nil // half the CPU of encoding/json
	}
	return true
}

// occurredAt extracts the event's top-level occurred_at (the third field
// the server writes) without decoding the whole event.
func occurredAt(data []byte) int64 {
	v := topField(data, `"occurred_at":"`)
	if v == nil {
		return 0
	}
	t, ok := parseUTC(v)
	if !ok {
		pt, err := time.Parse(time.RFC3339Nano, string(v))
		if err != nil {
			return 0
		}
		t = pt
	}
	return t.UnixNano()
}

// chatID extracts the top-level chat_id as a number (0 when absent).
func chatID(data []byte) int64 {
	v := topField(data, `"chat_id":"`)
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// topField finds a string field among the first bytes of an event (the
// top-level fields come before the chat snapshot).
func topField(data []byte, key string) []byte {
	head := data[:min(len(data), 200)]
	i := bytes.Index(head, []byte(key))
	if i < 0 {
		return nil
	}
	rest := data[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}

// parseUTC parses "2006-01-02T15:04:05[.fraction]Z" quickly.
func parseUTC(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	ns := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) > 10 {
			return time.Time{}, false
		}
		f, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for i := len(frac) - 1; i < 9; i++ {
			f *= 10
		}
		ns = f
	} else if len(b) != 20 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), true
}
