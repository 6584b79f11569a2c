package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// bencher runs one workload against one server.
type bencher struct {
	cfg        benchConfig
	stderr     io.Writer
	base       string // http://host:port
	connectURL string // the connect action's
	admin      string // admin token
	integ      string // the integrator token's Authorization header
	prefix     string // of this run's ids
	proc       *btProc

	api    *http.Client     // closes, status changes, setup
	stream *http.Client     // SSE streams
	fast   *fasthttp.Client // connects: a lighter client leaves more CPU to an in-process server

	topics   []string
	channels []string
	ops      []string
	opTopics [][]int
	canRecv  map[string]bool
	opTokens []string // --sse-role operator: a token per operator the extra streams use

	model   *btModel
	main    *btStream
	extra   []*btStream
	modelCh chan []btEv
	refill  chan struct{} // a waiting chat left the queue (--waiting, --rate 0)
	holding atomic.Bool   // the refillers hold the queue at --waiting

	// Connects while measuring (acknowledged: HTTP 200).
	measuring  atomic.Bool
	clientSeq  atomic.Int64
	acked      atomic.Int64
	limited    atomic.Int64
	connErrs   atomic.Int64
	connLat    btHist
	connSec    atomic.Pointer[btHist]
	lag        btHist
	lagSec     atomic.Pointer[btHist]
	firstError atomic.Pointer[string]

	// Simulated operators.
	closing   atomic.Bool
	closeCh   chan int64
	closeDone chan struct{}
	sentMu    sync.Mutex
	sent      map[int64]int64
	closes    atomic.Int64
	closeErrs atomic.Int64
	closeLat  btHist
	statusN   atomic.Int64
	statusErr atomic.Int64
	statusLat btHist
	onlineMu  sync.Mutex
	online    []bool
}

// btReport is the JSON report; the first fields are the headline figures.
type btReport struct {
	ConnectsPerS    float64        `json:"connects_per_s"`
	ConnectP50ms    float64        `json:"connect_p50_ms"`
	ConnectP99ms    float64        `json:"connect_p99_ms"`
	FreeToAssignP99 float64        `json:"free_to_assign_p99_ms"`
	FIFOViolations  int64          `json:"fifo_violations"`
	EventsLagP99ms  float64        `json:"events_lag_p99_ms"`
	RSSMiB          *float64       `json:"rss_mib"`
	CPUs            *float64       `json:"cpu_s"`
	Target          string         `json:"target"`
	Mode            string         `json:"mode"`
	DurationS       float64        `json:"duration_s"`
	Connects        int64          `json:"connects"`
	ConnectLimit    int64          `json:"connect_limit_answers"`
	ConnectErrors   int64          `json:"connect_errors"`
	FirstError      string         `json:"first_error,omitempty"`
	ConnectP90ms    float64        `json:"connect_p90_ms"`
	ConnectP999ms   float64        `json:"connect_p999_ms"`
	ConnectMaxms    float64        `json:"connect_max_ms"`
	FreeToAssignN   uint64         `json:"free_to_assign_samples"`
	FreeToAssignP50 float64        `json:"free_to_assign_p50_ms"`
	FreeToAssignMax float64        `json:"free_to_assign_max_ms"`
	FreeRecvP99     float64        `json:"free_to_assign_events_p99_ms"`
	FreeServerP99   float64        `json:"free_to_assign_server_p99_ms"`
	FreeMissed      int64          `json:"free_to_assign_missed"`
	Assignments     int64          `json:"assignments"`
	FIFOExamples    []string       `json:"fifo_violation_examples,omitempty"`
	WaitingStart    int64          `json:"waiting_start"`
	WaitingEnd      int64          `json:"waiting_end"`
	Events          int64          `json:"events"`
	EventsPerS      float64        `json:"events_per_s"`
	EventsLagP50ms  float64        `json:"events_lag_p50_ms"`
	EventsLagMaxms  float64        `json:"events_lag_max_ms"`
	SSEClients      int            `json:"sse_clients"`
	SSERole         string         `json:"sse_role"`
	SSEEventsPerS   float64        `json:"sse_events_per_s"` // per extra stream
	SSEReconnects   int64          `json:"sse_reconnects"`
	Closes          int64          `json:"closes"`
	CloseErrors     int64          `json:"close_errors"`
	CloseP99ms      float64        `json:"close_p99_ms"`
	StatusChanges   int64          `json:"status_changes"`
	StatusErrors    int64          `json:"status_change_errors"`
	StatusP99ms     float64        `json:"status_change_p99_ms"`
	RSSPeakMiB      *float64       `json:"rss_peak_mib"`
	CPUCores        *float64       `json:"cpu_cores"`
	DecodeErrors    int64          `json:"event_decode_errors"`
	Commits         *btCommitStats `json:"server_commits"`
	Config          any            `json:"config"`
	PerSecond       []btSecond     `json:"per_second"`
}

func benchRun(ctx context.Context, cfg benchConfig, stderr io.Writer) (*btReport, error) {
	b := &bencher{cfg: cfg, stderr: stderr, sent: map[int64]int64{}}
	b.api = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4*cfg.Concurrency + 256,
		MaxIdleConnsPerHost: 4*cfg.Concurrency + 256,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
	b.stream = &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: cfg.SSEClients + 8,
		DisableCompression:  true,
	}}
	b.fast = &fasthttp.Client{MaxConnsPerHost: 4*cfg.Concurrency + 256, NoDefaultUserAgentHeader: true}
	defer b.api.CloseIdleConnections()
	defer b.stream.CloseIdleConnections()
	b.prefix = "b" + strconv.FormatInt(time.Now().UnixMilli()%(36*36*36*36*36*36), 36)

	if cfg.URL == "" {
		stop, err := b.startServer(ctx)
		if err != nil {
			return nil, err
		}
		defer stop()
		b.proc = &btProc{}
	} else {
		b.base, b.admin = strings.TrimRight(cfg.URL, "/"), cfg.AdminToken
		if cfg.PID > 0 {
			b.proc = &btProc{pid: cfg.PID}
		}
	}
	if err := b.setup(ctx, cfg.URL == ""); err != nil {
		return nil, fmt.Errorf("bench setup: %w", err)
	}
	return b.run(ctx)
}

// startServer runs Main in this process on a free port.
func (b *bencher) startServer(ctx context.Context) (stop func(), err error) {
	data, temp := b.cfg.Data, false
	if data == "" {
		if data, err = os.MkdirTemp("", "switchboard-bench-*"); err != nil {
			return nil, err
		}
		temp = true
	}
	var secret [16]byte
	_, _ = rand.Read(secret[:])
	m := NewMain()
	m.Config.Addr, m.Config.Data, m.Config.AdminToken = "127.0.0.1:0", data, "sbt_bench_"+hex.EncodeToString(secret[:])
	m.Log = slog.New(slog.NewTextHandler(b.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	stopFloor := startHeapFloor(uint64(m.Config.HeapFloorMiB) << 20) // as serve does
	if err := m.Run(ctx); err != nil {
		stopFloor()
		if temp {
			_ = os.RemoveAll(data)
		}
		return nil, err
	}
	b.base, b.admin = "http://"+m.Addr, m.Config.AdminToken
	fmt.Fprintf(b.stderr, "bench: in-process server on %s, data %s\n", m.Addr, data)
	return func() {
		if err := m.Close(); err != nil {
			fmt.Fprintln(b.stderr, "bench: closing the server:", err)
		}
		stopFloor()
		if temp {
			_ = os.RemoveAll(data)
		}
	}, nil
}

// call sends a JSON request with a token and decodes a 2xx answer.
func (b *bencher) call(ctx context.Context, token, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		p, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(p)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.api.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	p, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(p))
	}
	if out != nil {
		return json.Unmarshal(p, out)
	}
	return nil
}

// parallel runs fn(i) for i in [0, n) on up to k goroutines and returns the
// first error.
func btParallel(n, k int, fn func(i int) error) error {
	var (
		next  atomic.Int64
		first atomic.Pointer[error]
		wg    sync.WaitGroup
	)
	for range min(n, k) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || first.Load() != nil {
					return
				}
				if err := fn(i); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return *p
	}
	return nil
}

// setup creates this run's topics, operators, skill groups and integrator
// token, and with --sse-role operator a token per operator; inProcess also
// turns off auto-offline (operators of the tool have no panel session
// unless the extra streams open them).
func (b *bencher) setup(ctx context.Context, inProcess bool) error {
	cfg := b.cfg
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := b.call(ctx, "", "GET", "/readyz", nil, nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	var settings struct {
		AutoConnect       bool `json:"auto_connect"`
		AutoOfflineAfterS int  `json:"auto_offline_after_s"`
		AcceptTimeoutS    int  `json:"accept_timeout_s"`
	}
	if inProcess {
		if err := b.call(ctx, b.admin, "PATCH", "/api/v1/settings", map[string]any{"auto_offline_after_s": 0}, nil); err != nil {
			return err
		}
	}
	if err := b.call(ctx, b.admin, "GET", "/api/v1/settings", nil, &settings); err != nil {
		return err
	}
	if !settings.AutoConnect {
		return errors.New("the server's auto_connect setting is off: nothing would be routed")
	}
	if settings.AutoOfflineAfterS > 0 && float64(settings.AutoOfflineAfterS) < cfg.Duration.Seconds()+30 {
		fmt.Fprintf(b.stderr, "bench: warning: auto_offline_after_s is %d: the tool's operators have no panel session and may go offline\n", settings.AutoOfflineAfterS)
	}
	if settings.AcceptTimeoutS > 0 {
		fmt.Fprintf(b.stderr, "bench: warning: accept_timeout_s is %d: the tool does not accept chats, so they may be taken back\n", settings.AcceptTimeoutS)
	}
	var statuses []struct {
		ID         string `json:"id"`
		CanReceive bool   `json:"can_receive"`
	}
	if err := b.call(ctx, b.admin, "GET", "/api/v1/statuses", nil, &statuses); err != nil {
		return err
	}
	b.canRecv = map[string]bool{}
	for _, s := range statuses {
		b.canRecv[s.ID] = s.CanReceive
	}
	if !b.canRecv["online"] || b.canRecv["break"] {
		return errors.New(`the server needs the default statuses "online" (can receive) and "break" (cannot)`)
	}

	for i := range cfg.Topics {
		b.topics = append(b.topics, fmt.Sprintf("%s-topic-%d", b.prefix, i+1))
	}
	for i := range cfg.Channels {
		b.channels = append(b.channels, btChannelName(i))
	}
	limits := map[string]int{}
	for i, l := range cfg.ChannelLimits {
		if l > 0 {
			limits[b.channels[i]] = l
		}
	}
	groups := max(1, (cfg.Topics+1)/2)
	members := make([][]string, groups)
	b.opTopics = make([][]int, cfg.Operators)
	for i := range cfg.Operators {
		id := fmt.Sprintf("%s-op-%d", b.prefix, i+1)
		b.ops = append(b.ops, id)
		gs := []int{i % groups}
		if i%3 == 0 && groups > 1 {
			gs = append(gs, (i+1)%groups)
		}
		for _, g := range gs {
			members[g] = append(members[g], id)
			for t := 2 * g; t < min(2*g+2, cfg.Topics); t++ {
				b.opTopics[i] = append(b.opTopics[i], t)
			}
		}
	}
	if err := btParallel(len(b.topics), 16, func(i int) error {
		return b.call(ctx, b.admin, "POST", "/api/v1/topics", map[string]any{"alias": b.topics[i], "name": "Bench topic " + strconv.Itoa(i+1)}, nil)
	}); err != nil {
		return err
	}
	if err := btParallel(len(b.ops), 32, func(i int) error {
		return b.call(ctx, b.admin, "POST", "/api/v1/operators", map[string]any{
			"id": b.ops[i], "name": "Bench operator " + strconv.Itoa(i+1), "email": b.ops[i] + "@bench.example",
			"max_chats": cfg.MaxChats, "channel_limits": limits,
		}, nil)
	}); err != nil {
		return err
	}
	if err := btParallel(groups, 16, func(g int) error {
		topics := b.topics[2*g : min(2*g+2, cfg.Topics)]
		return b.call(ctx, b.admin, "POST", "/api/v1/skill-groups", map[string]any{
			"id": fmt.Sprintf("%s-group-%d", b.prefix, g+1), "name": "Bench group " + strconv.Itoa(g+1),
			"topics": topics, "operators": members[g], "active": true,
		}, nil)
	}); err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := b.call(ctx, b.admin, "POST", "/api/v1/tokens", map[string]any{"role": "integrator"}, &tok); err != nil {
		return err
	}
	b.integ, b.connectURL = "Bearer "+tok.Token, b.base+btConnectPath
	b.online = make([]bool, len(b.ops))
	if cfg.SSERole == "operator" && cfg.SSEClients > 0 {
		b.opTokens = make([]string, min(len(b.ops), cfg.SSEClients))
		return btParallel(len(b.opTokens), 16, func(i int) error {
			var t struct {
				Token string `json:"token"`
			}
			err := b.call(ctx, b.admin, "POST", "/api/v1/tokens", map[string]any{"role": "operator", "operator_id": b.ops[i]}, &t)
			b.opTokens[i] = t.Token
			return err
		})
	}
	return nil
}

// run plays the workload and measures.
func (b *bencher) run(ctx context.Context) (*btReport, error) {
	cfg := b.cfg
	b.model = newBtModel(b.topics, b.channels, b.ops, b.opTopics, cfg.ChannelLimits, cfg.MaxChats, b.canRecv)
	b.model.onAssigned = b.scheduleClose
	b.model.onDequeued = b.replace
	b.refill = make(chan struct{}, 1<<16)
	b.model.closeSent = b.takeSent
	b.connSec.Store(&btHist{})
	b.lagSec.Store(&btHist{})
	lag := func(d time.Duration) {
		if b.measuring.Load() {
			b.lag.record(d)
			b.lagSec.Load().record(d)
		}
	}

	// The event streams: the model's (main) and the extra subscribers.
	streamCtx, stopStreams := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStreams()
	var streams sync.WaitGroup
	b.modelCh = make(chan []btEv, 4096)
	modelDone := make(chan struct{})
	go func() {
		for evs := range b.modelCh {
			b.model.apply(evs)
		}
		close(modelDone)
	}()
	b.main = newBtStream(b.stream, b.base, b.admin, lag, func(evs []btEv) { b.modelCh <- evs })
	streams.Go(func() { b.main.run(streamCtx) })
	for i := range cfg.SSEClients {
		tok := b.admin
		if len(b.opTokens) > 0 {
			tok = b.opTokens[i%len(b.opTokens)]
		}
		s := newBtStream(b.stream, b.base, tok, lag, nil)
		b.extra = append(b.extra, s)
		streams.Go(func() { s.run(streamCtx) })
	}
	endStreams := func() {
		stopStreams()
		streams.Wait()
		close(b.modelCh)
		<-modelDone
	}
	for _, s := range append([]*btStream{b.main}, b.extra...) {
		select {
		case err := <-s.ready:
			if err != nil {
				endStreams()
				return nil, fmt.Errorf("event stream: %w", err)
			}
		case <-time.After(30 * time.Second):
			endStreams()
			return nil, errors.New("event stream: no answer in 30 s")
		}
	}

	// Simulated operators close their chats from now on.
	b.closeCh = make(chan int64, 1<<16)
	b.closeDone = make(chan struct{})
	var closers sync.WaitGroup
	for range max(8, cfg.Concurrency/2) {
		closers.Go(b.closer)
	}
	b.closing.Store(true)
	stopClosers := func() {
		b.closing.Store(false)
		close(b.closeDone)
		closers.Wait()
	}

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var load sync.WaitGroup
	if err := b.prepare(ctx, loadCtx, &load); err != nil {
		stopLoad()
		load.Wait()
		stopClosers()
		endStreams()
		return nil, err
	}

	// Measure.
	rep := &btReport{Target: "in-process", SSEClients: cfg.SSEClients, SSERole: cfg.SSERole, Config: b.configJSON()}
	if cfg.URL != "" {
		rep.Target = cfg.URL
	}
	switch {
	case cfg.Rate > 0:
		rep.Mode = fmt.Sprintf("poisson %g/s", cfg.Rate)
	case cfg.Rate == 0 && cfg.Waiting > 0:
		rep.Mode = fmt.Sprintf("queue held at %s", btThousands(int64(cfg.Waiting)))
	case cfg.Rate == 0:
		rep.Mode = fmt.Sprintf("closed loop, %d workers", cfg.Concurrency)
	default:
		rep.Mode = "no connects"
	}
	var prof *os.File
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			stopClosers()
			endStreams()
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			stopClosers()
			endStreams()
			return nil, err
		}
		prof = f
	}
	rep.WaitingStart = b.model.waiting.Load()
	events0, extra0 := b.main.events.Load(), b.extraEvents()
	metrics0, _ := b.scrape(ctx)
	var cpu0 time.Duration
	if b.proc != nil {
		cpu0, _ = b.proc.cpu()
	}
	fmt.Fprintf(b.stderr, "bench: measuring for %v: %s, %d operators, %d topics, %d channels, handle time %gs\n",
		cfg.Duration, rep.Mode, cfg.Operators, cfg.Topics, cfg.Channels, cfg.HandleTime)
	start := time.Now()
	b.measuring.Store(true)
	b.model.recording.Store(true)
	load.Go(func() { b.arrivals(loadCtx) })
	load.Go(func() { b.breaks(loadCtx) })
	progDone := make(chan struct{})
	go func() { b.progress(loadCtx, start, rep); close(progDone) }()
	select {
	case <-ctx.Done():
	case <-time.After(cfg.Duration):
	}
	stopLoad()
	load.Wait()
	elapsed := time.Since(start)
	b.measuring.Store(false)
	b.model.recording.Store(false)
	<-progDone
	if metrics0 != nil {
		if metrics1, err := b.scrape(context.WithoutCancel(ctx)); err == nil {
			rep.Commits = btCommits(metrics0, metrics1, elapsed)
		}
	}
	if b.proc != nil {
		if cpu1, err := b.proc.cpu(); err == nil {
			s := (cpu1 - cpu0).Seconds()
			cores := s / elapsed.Seconds()
			rep.CPUs, rep.CPUCores = &s, &cores
		}
		if cur, peak, err := b.proc.rss(); err == nil {
			rep.RSSMiB, rep.RSSPeakMiB = &cur, &peak
		}
	}
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	stopClosers()

	// Let the event stream catch up, then stop it.
	quiet, last := time.Now(), b.main.events.Load()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		if n := b.main.events.Load(); n != last {
			quiet, last = time.Now(), n
		} else if time.Since(quiet) > 500*time.Millisecond && len(b.modelCh) == 0 {
			break
		}
	}
	endStreams()
	b.model.finish()
	b.fillReport(rep, elapsed)
	rep.Events -= events0
	rep.EventsPerS = math.Round(float64(rep.Events)/elapsed.Seconds()*10) / 10
	if len(b.extra) > 0 {
		n := b.extraEvents() - extra0
		rep.SSEEventsPerS = math.Round(float64(n)/elapsed.Seconds()/float64(len(b.extra))*10) / 10
	}
	return rep, nil
}

// extraEvents is the number of events the extra streams have read.
func (b *bencher) extraEvents() int64 {
	var n int64
	for _, s := range b.extra {
		n += s.events.Load()
	}
	return n
}

// prepare brings the operators online. With --waiting it first fills the
// queue (operators offline, so every chat waits); then with --rate 0 it
// holds the queue there from now on (refillers on the load context), else
// it tops the queue up once after the operators took their first chats.
func (b *bencher) prepare(ctx, loadCtx context.Context, load *sync.WaitGroup) error {
	n := int64(b.cfg.Waiting)
	if n > 0 {
		fmt.Fprintf(b.stderr, "bench: filling the queue with %s waiting chats…\n", btThousands(n))
		if err := b.fill(ctx, int(n)); err != nil {
			return err
		}
		if err := b.waitFor(ctx, 60*time.Second+time.Duration(n)*time.Millisecond, func() bool { return b.model.waiting.Load() >= n }); err != nil {
			return fmt.Errorf("waiting for the queue to fill: %w", err)
		}
	}
	if n > 0 && b.cfg.Rate == 0 {
		b.holding.Store(true)
		for range b.cfg.Concurrency {
			load.Go(func() { b.refiller(loadCtx) })
		}
	}
	if err := b.allOnline(ctx); err != nil {
		return err
	}
	if err := b.waitFor(ctx, 30*time.Second, func() bool { return b.model.statusSeen.Load() >= int64(len(b.ops)) }); err != nil {
		return fmt.Errorf("waiting for the operators to be online: %w", err)
	}
	if n == 0 {
		return nil
	}
	b.settle(ctx)
	if k := n - b.model.waiting.Load(); k > 0 && !b.holding.Load() {
		if err := b.fill(ctx, int(k)); err != nil {
			return err
		}
		// Let the stream catch up; while operators take chats the queue
		// may never get there, which is fine.
		_ = b.waitFor(ctx, 5*time.Second, func() bool { return b.model.waiting.Load() >= n })
	}
	return nil
}

// settle waits until the operators' first assignments are seen: the
// assignment count stops moving for 200 ms, or a second passed.
func (b *bencher) settle(ctx context.Context) {
	last, since, start := b.model.assigned.Load(), time.Now(), time.Now()
	for time.Since(since) < 200*time.Millisecond && time.Since(start) < time.Second && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		if n := b.model.assigned.Load(); n != last {
			last, since = n, time.Now()
		}
	}
}

// scrape reads the server's /metrics.
func (b *bencher) scrape(ctx context.Context) (btMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", b.base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.api.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("/metrics: HTTP %d", resp.StatusCode)
	}
	return btParseMetrics(resp.Body)
}

// waitFor polls cond until it holds.
func (b *bencher) waitFor(ctx context.Context, d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not done within %v", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func (b *bencher) noteError(err error) {
	s := err.Error()
	b.firstError.CompareAndSwap(nil, &s)
}

func (b *bencher) configJSON() map[string]any {
	c := b.cfg
	return map[string]any{
		"url": c.URL, "duration_s": c.Duration.Seconds(), "rate": c.Rate, "concurrency": c.Concurrency,
		"operators": c.Operators, "topics": c.Topics, "channels": b.channels, "channel_limits": c.ChannelLimits,
		"max_chats": c.MaxChats, "handle_time_s": c.HandleTime, "waiting": c.Waiting,
		"status_changes_per_s": c.StatusChanges, "break_time_s": c.BreakTime, "sse_clients": c.SSEClients,
		"sse_role": c.SSERole,
		"queue":    c.Queue,
	}
}

func (b *bencher) fillReport(rep *btReport, elapsed time.Duration) {
	m := b.model
	rep.DurationS = math.Round(elapsed.Seconds()*1000) / 1000
	rep.Connects, rep.ConnectLimit, rep.ConnectErrors = b.acked.Load(), b.limited.Load(), b.connErrs.Load()
	if p := b.firstError.Load(); p != nil {
		rep.FirstError = *p
	}
	rep.ConnectsPerS = math.Round(float64(rep.Connects)/elapsed.Seconds()*10) / 10
	rep.ConnectP50ms, rep.ConnectP90ms, rep.ConnectP99ms = b.connLat.ms(0.5), b.connLat.ms(0.9), b.connLat.ms(0.99)
	rep.ConnectP999ms, rep.ConnectMaxms = b.connLat.ms(0.999), b.connLat.maxMs()
	rep.FreeToAssignN = m.freeToAssign.count()
	rep.FreeToAssignP50, rep.FreeToAssignP99, rep.FreeToAssignMax = m.freeToAssign.ms(0.5), m.freeToAssign.ms(0.99), m.freeToAssign.maxMs()
	rep.FreeRecvP99, rep.FreeServerP99 = m.freeRecv.ms(0.99), m.freeServer.ms(0.99)
	rep.FreeMissed = m.missed.Load()
	rep.FIFOViolations, rep.FIFOExamples = m.violations.Load(), m.examples
	rep.Assignments = m.assigned.Load()
	rep.WaitingEnd = m.waiting.Load()
	rep.Events = b.main.events.Load()
	rep.EventsPerS = math.Round(float64(rep.Events)/elapsed.Seconds()*10) / 10
	rep.EventsLagP50ms, rep.EventsLagP99ms, rep.EventsLagMaxms = b.lag.ms(0.5), b.lag.ms(0.99), b.lag.maxMs()
	rep.SSEReconnects = b.main.reconnects.Load()
	for _, s := range b.extra {
		rep.SSEReconnects += s.reconnects.Load()
	}
	rep.Closes, rep.CloseErrors, rep.CloseP99ms = b.closes.Load(), b.closeErrs.Load(), b.closeLat.ms(0.99)
	rep.StatusChanges, rep.StatusErrors, rep.StatusP99ms = b.statusN.Load(), b.statusErr.Load(), b.statusLat.ms(0.99)
	rep.DecodeErrors = m.decodeErrors.Load()
}

// progress prints a line every second and keeps the per-second figures.
func (b *bencher) progress(ctx context.Context, start time.Time, rep *btReport) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var (
		lastAcked, lastEvents, lastAssigned, lastCloses, lastErrs int64
		lastCPU                                                   time.Duration
		lastAt                                                    = start
	)
	if b.proc != nil {
		lastCPU, _ = b.proc.cpu()
	}
	tick := func(now time.Time) {
		conn := b.connSec.Swap(&btHist{})
		lagH := b.lagSec.Swap(&btHist{})
		free := b.model.freeSec.Swap(&btHist{})
		acked, events, assigned := b.acked.Load(), b.main.events.Load(), b.model.assigned.Load()
		closes, errs := b.closes.Load(), b.connErrs.Load()
		sec := btSecond{
			T: len(rep.PerSecond) + 1, Connects: acked - lastAcked, P50ms: conn.ms(0.5), P99ms: conn.ms(0.99),
			Waiting: b.model.waiting.Load(), Events: events - lastEvents, Assigned: assigned - lastAssigned,
			LagP99ms: lagH.ms(0.99), Closes: closes - lastCloses, ConnErrs: errs - lastErrs, FreeP99ms: free.ms(0.99),
		}
		dt := now.Sub(lastAt).Seconds()
		cpuText := ""
		if b.proc != nil {
			if c, err := b.proc.cpu(); err == nil {
				sec.CPUCores = math.Round((c-lastCPU).Seconds()/dt*100) / 100
				lastCPU = c
			}
			if r, _, err := b.proc.rss(); err == nil {
				sec.RSSMiB = math.Round(r*10) / 10
			}
			cpuText = fmt.Sprintf("  cpu %.2f  rss %.0fMiB", sec.CPUCores, sec.RSSMiB)
		}
		lastAcked, lastEvents, lastAssigned, lastCloses, lastErrs, lastAt = acked, events, assigned, closes, errs, now
		rep.PerSecond = append(rep.PerSecond, sec)
		errText := ""
		if sec.ConnErrs > 0 {
			errText = fmt.Sprintf("  errors %d", sec.ConnErrs)
		}
		fmt.Fprintf(b.stderr, "%4ds  connects/s %7s  p50 %6.2fms  p99 %6.2fms  waiting %8s  assigned/s %6s  free→assign p99 %6.2fms  events/s %8s  lag p99 %6.2fms%s%s\n",
			sec.T, btThousands(sec.Connects), sec.P50ms, sec.P99ms, btThousands(sec.Waiting), btThousands(sec.Assigned),
			sec.FreeP99ms, btThousands(sec.Events), sec.LagP99ms, cpuText, errText)
	}
	for {
		select {
		case <-ctx.Done():
			if now := time.Now(); now.Sub(lastAt) > 200*time.Millisecond {
				tick(now) // the last, partial second
			}
			return
		case now := <-t.C:
			tick(now)
		}
	}
}

func (r *btReport) title() string {
	return fmt.Sprintf("switchboard bench — %s, %s: %s connects/s, p99 %.2f ms", r.Target, r.Mode, btThousands(int64(r.ConnectsPerS)), r.ConnectP99ms)
}

// writeSummary prints the figures as a table.
func (r *btReport) writeSummary(w io.Writer) {
	opt := func(p *float64, format string) string {
		if p == nil {
			return "n/a (use --pid with --url)"
		}
		return fmt.Sprintf(format, *p)
	}
	rows := [][2]string{
		{"connects_per_s", fmt.Sprintf("%s   (%s acknowledged in %.1f s, %s limit answers, %s errors)", btThousands(int64(math.Round(r.ConnectsPerS))), btThousands(r.Connects), r.DurationS, btThousands(r.ConnectLimit), btThousands(r.ConnectErrors))},
		{"connect_p50_ms", fmt.Sprintf("%.3f", r.ConnectP50ms)},
		{"connect_p99_ms", fmt.Sprintf("%.3f   (p90 %.3f, p99.9 %.3f, max %.3f)", r.ConnectP99ms, r.ConnectP90ms, r.ConnectP999ms, r.ConnectMaxms)},
		{"free_to_assign_p99_ms", fmt.Sprintf("%.3f   (p50 %.3f, max %.3f; %s samples; close request sent → auto_connected received)", r.FreeToAssignP99, r.FreeToAssignP50, r.FreeToAssignMax, btThousands(int64(r.FreeToAssignN)))},
		{"free_to_assign_events_p99_ms", fmt.Sprintf("%.3f   (close event received → auto_connected received; server occurred_at gap p99 %.3f; missed %d)", r.FreeRecvP99, r.FreeServerP99, r.FreeMissed)},
		{"fifo_violations", fmt.Sprintf("%d   (of %s automatic assignments checked, setup and fill included)", r.FIFOViolations, btThousands(r.Assignments))},
		{"events_lag_p99_ms", fmt.Sprintf("%.3f   (p50 %.3f, max %.3f; %d extra %s SSE clients, %d reconnects)", r.EventsLagP99ms, r.EventsLagP50ms, r.EventsLagMaxms, r.SSEClients, r.SSERole, r.SSEReconnects)},
		{"events_per_s", fmt.Sprintf("%s   (%s events on the main stream; %.1f a second on each extra stream)", btThousands(int64(r.EventsPerS)), btThousands(r.Events), r.SSEEventsPerS)},
		{"waiting", fmt.Sprintf("%s at start, %s at end", btThousands(r.WaitingStart), btThousands(r.WaitingEnd))},
		{"closes", fmt.Sprintf("%s   (p99 %.3f ms, %d errors)", btThousands(r.Closes), r.CloseP99ms, r.CloseErrors)},
		{"status_changes", fmt.Sprintf("%s   (p99 %.3f ms, %d errors)", btThousands(r.StatusChanges), r.StatusP99ms, r.StatusErrors)},
		{"rss_mib", opt(r.RSSMiB, "%.1f") + peakText(r.RSSPeakMiB)},
		{"cpu_s", opt(r.CPUs, "%.2f") + coresText(r.CPUCores)},
	}
	if c := r.Commits; c != nil {
		rows = append(rows, [2]string{"server commits", fmt.Sprintf("%s   (%.1f commands each, mean %.3f ms, p99 ≤ %g ms, committing %.0f%% of the time)",
			btThousands(int64(c.Commits)), c.CommandsPerCommit, c.CommitMeanMs, c.CommitP99Ms, c.CommitBusyShare*100)})
	}
	fmt.Fprintf(w, "\nswitchboard bench: %s, %s, %.1f s\n\n", r.Target, r.Mode, r.DurationS)
	for _, row := range rows {
		fmt.Fprintf(w, "  %-30s %s\n", row[0], row[1])
	}
	if r.FirstError != "" {
		fmt.Fprintf(w, "\n  first error: %s\n", r.FirstError)
	}
	for _, ex := range r.FIFOExamples {
		fmt.Fprintf(w, "  FIFO: %s\n", ex)
	}
	if r.Target == "in-process" {
		fmt.Fprintln(w, "\n  (in-process: rss and cpu are the whole process, server and load generator)")
	}
}

func peakText(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("   (peak %.1f)", *p)
}

func coresText(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("   (%.2f cores)", *p)
}

// btExp returns an exponential duration with the given mean in seconds.
func btExp(mean float64) time.Duration {
	return time.Duration(mrand.ExpFloat64() * mean * float64(time.Second))
}
