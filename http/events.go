package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/server"
)

func afterParam(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, sb.Errorf(sb.EINVALID, name, "%s must be a non-negative event id", name)
	}
	return n, nil
}

func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request) error {
	after, err := afterParam(r, "after")
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	evs, next, err := h.App.Events(r.Context(), principalOf(r.Context()), after, limit)
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"events": evs, "next_after": next})
	return nil
}

// stream is the SSE event stream. It resumes after Last-Event-ID (or
// ?after=); for a credential of an operator (any role) it is a panel
// session (presence).
func (h *Handler) stream(w http.ResponseWriter, r *http.Request) error {
	after, err := afterParam(r, "after")
	if err != nil {
		return err
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		if after, err = strconv.ParseInt(id, 10, 64); err != nil {
			return sb.Errorf(sb.EINVALID, "Last-Event-ID", "Last-Event-ID must be an event id")
		}
	}
	p := principalOf(r.Context())
	sub := h.App.Subscribe(p, streamBuffer)
	defer sub.Close()
	if p.OperatorID != "" { // a panel's stream, of any role: presence
		h.App.SessionOpened(r.Context(), p.OperatorID)
		defer h.App.SessionClosed(context.WithoutCancel(r.Context()), p.OperatorID)
	}
	rc := http.NewResponseController(w)
	// A stream outlives the server's read and write timeouts: it has no body
	// to read, and each write gets its own deadline.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Now().Add(streamReplayTimeout))
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(200)
	if after, err = h.replay(w, r, p, after); err != nil {
		return nil // the answer has started; the client reconnects
	}
	_ = rc.Flush()
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	done := r.Context().Done()
	for {
		select {
		case <-done:
			return nil
		case <-beat.C:
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			fmt.Fprint(w, ": keep-alive\n\n")
		case evs, ok := <-sub.C:
			if !ok {
				return nil // too slow: dropped; the client resumes
			}
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			if after, ok = h.writeBatches(w, p, sub, evs, after); !ok {
				return nil
			}
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

// A stream's writes must go through within these: the replay of the
// stored events, and each live write. A client that reads no more is cut
// off.
const (
	streamReplayTimeout = 5 * time.Minute
	streamWriteTimeout  = 30 * time.Second
)

// streamBufs holds the buffers streams gather their frames in, so that a
// stream holds one only while it writes.
var streamBufs = sync.Pool{New: func() any { return new([]byte) }}

// writeBatches writes the frames of a batch and of the batches waiting
// behind it in one write (one syscall); ok is false when the stream ends.
func (h *Handler) writeBatches(w http.ResponseWriter, p server.Principal, sub *server.Subscription, evs []sb.Event, after int64) (int64, bool) {
	bp := streamBufs.Get().(*[]byte)
	buf, after := h.appendBatch((*bp)[:0], p, evs, after)
	buf, after, ok := h.appendWaiting(buf, p, sub, after)
	if ok && len(buf) > 0 {
		_, err := w.Write(buf)
		ok = err == nil
	}
	if cap(buf) <= maxStreamBuf {
		*bp = buf
		streamBufs.Put(bp)
	}
	return after, ok
}

// streamWrite is the size at which a stream stops gathering waiting
// batches into one write; maxStreamBuf is the largest buffer kept for the
// next write.
const (
	streamWrite  = 256 << 10
	maxStreamBuf = 4 << 20
)

// streamBuffer is how many commits a stream may fall behind before it is
// dropped.
const streamBuffer = 256

// appendBatch appends the frames of the events of one commit that the
// caller may see and are after the given id; it returns the last id passed.
func (h *Handler) appendBatch(buf []byte, p server.Principal, evs []sb.Event, after int64) ([]byte, int64) {
	for i := range evs {
		if evs[i].Seq <= after {
			continue
		}
		after = evs[i].Seq
		if h.App.Visible(p, &evs[i]) {
			buf = appendEvent(buf, &evs[i])
		}
	}
	return buf, after
}

// appendWaiting appends the batches already waiting, so that one write
// sends them, up to about streamWrite bytes (the rest goes in the next
// write); ok is false when the subscription was dropped.
func (h *Handler) appendWaiting(buf []byte, p server.Principal, sub *server.Subscription, after int64) ([]byte, int64, bool) {
	for len(buf) < streamWrite {
		select {
		case evs, ok := <-sub.C:
			if !ok {
				return buf, after, false
			}
			buf, after = h.appendBatch(buf, p, evs, after)
		default:
			return buf, after, true
		}
	}
	return buf, after, true
}

// replay sends the stored events after the given id and returns the last
// id sent. An id beyond the last event (the log the client read from was
// reset, or the id is made up) is answered with a reset event, id 0, and
// then every event from the start: the client's view is no longer the
// server's, and what it lacks is the whole log.
func (h *Handler) replay(w http.ResponseWriter, r *http.Request, p server.Principal, after int64) (int64, error) {
	last := h.App.LastEvent()
	if after == 0 && r.Header.Get("Last-Event-ID") == "" && r.URL.Query().Get("after") == "" {
		return last, nil // a new stream starts now
	}
	if after > last {
		if _, err := fmt.Fprintf(w, "id: 0\nevent: reset\ndata: {\"event_name\":\"reset\",\"after\":%d,\"last_event_id\":%d}\n\n", after, last); err != nil {
			return after, err
		}
		after = 0
	}
	for after < last {
		evs, next, err := h.App.Events(r.Context(), p, after, 1000)
		if err != nil || next == after {
			return after, err
		}
		var buf []byte
		for i := range evs {
			buf = appendEvent(buf, &evs[i])
		}
		after = next
		if _, err := w.Write(buf); err != nil {
			return after, err
		}
	}
	return after, nil
}

// appendEvent appends one SSE frame; the JSON is the server's encoding,
// made once for every subscriber.
func appendEvent(buf []byte, ev *sb.Event) []byte {
	data, err := ev.JSON()
	if err != nil {
		return buf
	}
	buf = append(buf, "id: "...)
	buf = strconv.AppendInt(buf, ev.Seq, 10)
	buf = append(buf, "\nevent: "...)
	buf = append(buf, ev.Name...)
	buf = append(buf, "\ndata: "...)
	buf = append(buf, data...)
	return append(buf, "\n\n"...)
}
