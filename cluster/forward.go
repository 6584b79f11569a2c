package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
)

// Headers between instances.
const (
	// SeqHeader is set on the leader's answer to every write: the seq of the
	// last command committed. A follower that passed the write on answers
	// its client once its replica has applied that command, so the client
	// reads its own write from any instance.
	SeqHeader = "Switchboard-Command-Seq"
	// ForwardedHeader marks a write a follower passed on (its instance id);
	// such a write is never passed on a second time.
	ForwardedHeader = "Switchboard-Forwarded-By"
	// NotLeaderHeader marks the answer of an instance that was passed a
	// write but no longer leads: it did nothing, and the write goes to the
	// next leader.
	NotLeaderHeader = "Switchboard-Not-Leader"
)

// errNotLeader is an answer with NotLeaderHeader.
var errNotLeader = errors.New("the instance passed the write no longer leads")

// maxBody is what a forwarded write may carry: the API reads no more.
const maxBody = 1<<20 + 1

// transport reaches the leader. A leader that accepts connections but does
// not answer (stopped) fails the write after a minute.
var transport = &http.Transport{
	Proxy:                 nil,
	DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConnsPerHost:   64,
	IdleConnTimeout:       90 * time.Second,
	ResponseHeaderTimeout: time.Minute,
}

// Handler wraps the API: reads are served here, from the replica and the
// database; writes (every method but GET, HEAD and OPTIONS) are served by
// the leader: here when this node leads, else passed on to it. /readyz
// tells the role.
func (n *Node) Handler(api http.Handler) http.Handler {
	proxy := &httputil.ReverseProxy{
		Rewrite:        n.rewrite,
		Transport:      transport,
		ModifyResponse: n.awaitApplied,
		ErrorHandler: func(_ http.ResponseWriter, r *http.Request, err error) {
			r.Context().Value(attemptKey{}).(*attempt).err = err
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/readyz":
			n.readyz(w)
		case r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions:
			api.ServeHTTP(w, r)
		default:
			n.write(api, proxy, w, r)
		}
	})
}

// attempt is one try to pass a write on: where to, and the error if the
// leader could not be reached.
type attempt struct {
	addr string
	err  error
}

type attemptKey struct{}

// write serves a write here when this node leads, else passes it on to the
// leader. A leader that cannot be reached, or that no longer leads, did
// nothing with the write, so it goes to the next one, waiting for a
// takeover up to a few TTLs.
func (n *Node) write(api, proxy http.Handler, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		unavailable(w, http.StatusBadRequest, "invalid", "reading the request body: "+err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*n.TTL+2*time.Second)
	defer cancel()
	tried := int64(-1)
	for {
		term, lease, err := n.route(ctx, tried)
		switch {
		case err != nil:
			unavailable(w, http.StatusServiceUnavailable, "unavailable", "no leader to take the write: "+err.Error())
			return
		case term != nil:
			n.serveLocal(api, term, w, r, body)
			return
		case r.Header.Get(ForwardedHeader) != "":
			w.Header().Set(NotLeaderHeader, n.ID)
			unavailable(w, http.StatusServiceUnavailable, "unavailable", "this instance no longer leads; try again")
			return
		}
		a := &attempt{addr: lease.Addr}
		out := r.WithContext(context.WithValue(r.Context(), attemptKey{}, a))
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		proxy.ServeHTTP(w, out)
		if a.err == nil {
			return
		}
		if !unreached(a.err) && !errors.Is(a.err, errNotLeader) || ctx.Err() != nil {
			unavailable(w, http.StatusBadGateway, "unavailable", "the leader did not answer: "+a.err.Error())
			return
		}
		n.Log.Info("the leader did not take the write; waiting for the next", "addr", lease.Addr, "err", a.err)
		tried = lease.Epoch
	}
}

// route waits until a leader of an epoch after tried is known: this node
// (its term) or another (its lease).
func (n *Node) route(ctx context.Context, tried int64) (term context.Context, lease sb.Lease, err error) {
	err = n.wait(ctx, func(st status) bool {
		term, lease = st.term, st.leader
		return st.role == RoleLeader ||
			lease.Holder != "" && lease.Holder != n.ID && lease.Addr != "" && lease.Epoch > tried
	})
	return term, lease, err
}

// unreached reports whether the leader could not be connected to: it never
// saw the write.
func unreached(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func (n *Node) rewrite(pr *httputil.ProxyRequest) {
	pr.Out.URL.Scheme, pr.Out.URL.Host = "http", pr.In.Context().Value(attemptKey{}).(*attempt).addr
	pr.Out.Host = pr.In.Host
	pr.Out.Header.Set(ForwardedHeader, n.ID)
	pr.SetXForwarded()
}

// serveLocal serves a write on the leader; it ends with the term, and its
// answer carries SeqHeader.
func (n *Node) serveLocal(api http.Handler, term context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(term, cancel)()
	r = r.WithContext(ctx)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	api.ServeHTTP(&seqWriter{ResponseWriter: w, head: n.Store.Head}, r)
}

// seqWriter sets SeqHeader when the answer starts: after the commit.
type seqWriter struct {
	http.ResponseWriter
	head    func() int64
	started bool
}

func (s *seqWriter) WriteHeader(code int) {
	if !s.started {
		s.started = true
		s.Header().Set(SeqHeader, strconv.FormatInt(s.head(), 10))
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *seqWriter) Write(b []byte) (int, error) {
	if !s.started {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

func (s *seqWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// awaitApplied holds the leader's answer until the replica has applied the
// command it names (read-your-writes), for a few seconds at most. An answer
// of an instance that no longer leads is errNotLeader: the write is tried
// again.
func (n *Node) awaitApplied(resp *http.Response) error {
	if resp.Header.Get(NotLeaderHeader) != "" {
		return errNotLeader // the proxy closes the body
	}
	seq, err := strconv.ParseInt(resp.Header.Get(SeqHeader), 10, 64)
	if err != nil {
		return nil // not a write the leader served
	}
	ctx, cancel := context.WithTimeout(resp.Request.Context(), n.TTL+5*time.Second)
	defer cancel()
	if err := n.wait(ctx, func(st status) bool { return st.applied >= seq || st.role == RoleLeader }); err != nil {
		n.Log.Warn("the replica did not reach the leader's answer in time", "seq", seq)
	}
	return nil
}

// readyz answers 200 once the engine holds the committed state, with the
// role; 503 before.
func (n *Node) readyz(w http.ResponseWriter) {
	role, ready, l, applied := n.Status()
	if role == RoleLeader {
		applied = n.Store.Head()
	}
	out := map[string]any{"status": "ready", "role": role, "instance": n.ID, "addr": n.Addr, "epoch": l.Epoch,
		"leader": l.Addr, "applied": applied}
	code := http.StatusOK
	if !ready {
		out["status"], code = "starting", http.StatusServiceUnavailable
	}
	writeJSON(w, code, out)
}

// unavailable answers an error in the API's shape.
func unavailable(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
