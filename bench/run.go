package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

// runner runs one workload against one server.
type runner struct {
	cfg        Config
	stderr     io.Writer
	base       string // http://host:port
	connectURL string // the connect action's
	admin      string // admin token
	integ      string // the integrator token's Authorization header
	prefix     string // of this run's ids
	proc       *proc

	api       *http.Client     // closes, status changes, setup
	sseClient *http.Client     // SSE streams
	fast      *fasthttp.Client // connects: a lighter client leaves more CPU to an in-process server

	topics   []string
	channels []string
	ops      []string
	opTopics [][]int
	canRecv  map[string]bool
	opTokens []string  // --sse-role operator: a token per operator the extra streams use
	hook     *receiver // --webhook-receiver-delay

	model      *model
	mainStream *stream
	extra      []*stream
	events0    int64 // events read by the main stream when the measurement began
	extra0     int64 // and by the extra streams
	modelCh    chan []event
	refill     chan struct{} // a waiting chat left the queue (--waiting, --rate 0)
	holding    atomic.Bool   // the refillers hold the queue at --waiting

	// Connects while measuring (acknowledged: HTTP 200).
	measuring  atomic.Bool
	clientSeq  atomic.Int64
	acked      atomic.Int64
	limited    atomic.Int64
	connErrs   atomic.Int64
	connLat    hist
	connSec    atomic.Pointer[hist]
	lag        hist
	lagSec     atomic.Pointer[hist]
	firstError atomic.Pointer[string]

	// Simulated operators.
	closing   atomic.Bool
	closeCh   chan int64
	closeDone chan struct{}
	sentMu    sync.Mutex
	sent      map[int64]int64
	closes    atomic.Int64
	closeErrs atomic.Int64
	closeLat  hist
	statusN   atomic.Int64
	statusErr atomic.Int64
	statusLat hist
	onlineMu  sync.Mutex
	online    []bool
}

// runWorkload sets up the contact center on the server (started with start,
// or cfg.URL), plays the workload and reports.
func runWorkload(ctx context.Context, cfg Config, start startFunc, stderr io.Writer) (*report, error) {
	b := &runner{cfg: cfg, stderr: stderr, sent: map[int64]int64{}}
	b.api = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4*cfg.Concurrency + 256,
		MaxIdleConnsPerHost: 4*cfg.Concurrency + 256,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
	b.sseClient = &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: cfg.SSEClients + 8,
		DisableCompression:  true,
	}}
	b.fast = &fasthttp.Client{MaxConnsPerHost: 4*cfg.Concurrency + 256, NoDefaultUserAgentHeader: true}
	defer b.api.CloseIdleConnections()
	defer b.sseClient.CloseIdleConnections()
	b.prefix = "b" + strconv.FormatInt(time.Now().UnixMilli()%(36*36*36*36*36*36), 36)

	if cfg.URL == "" {
		stop, err := b.startServer(ctx, start)
		if err != nil {
			return nil, err
		}
		defer stop()
		b.proc = &proc{}
	} else {
		b.base, b.admin = strings.TrimRight(cfg.URL, "/"), cfg.AdminToken
		if cfg.PID > 0 {
			b.proc = &proc{pid: cfg.PID}
		}
	}
	err := b.setup(ctx, cfg.URL == "")
	if b.hook != nil {
		defer b.hook.close()
	}
	if err != nil {
		return nil, fmt.Errorf("bench setup: %w", err)
	}
	return b.run(ctx)
}

// startFunc is Server.Start.
type startFunc = func(ctx context.Context, data, adminToken string, log *slog.Logger) (addr string, stop func() error, err error)

// startServer runs a server in this process with start, over --data or a
// temporary folder, with a fresh admin token.
func (b *runner) startServer(ctx context.Context, start startFunc) (stop func(), err error) {
	data, temp := b.cfg.Data, false
	if data == "" {
		if data, err = os.MkdirTemp("", "switchboard-bench-*"); err != nil {
			return nil, err
		}
		temp = true
	}
	removeTemp := func() {
		if temp {
			_ = os.RemoveAll(data)
		}
	}
	var secret [16]byte
	_, _ = rand.Read(secret[:])
	token := "sbt_bench_" + hex.EncodeToString(secret[:])
	log := slog.New(slog.NewTextHandler(b.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	addr, stopServer, err := start(ctx, data, token, log)
	if err != nil {
		removeTemp()
		return nil, err
	}
	b.base, b.admin = "http://"+addr, token
	fmt.Fprintf(b.stderr, "bench: in-process server on %s, data %s\n", addr, data)
	return func() {
		if err := stopServer(); err != nil {
			fmt.Fprintln(b.stderr, "bench: closing the server:", err)
		}
		removeTemp()
	}, nil
}

// run plays the workload and measures.
func (b *runner) run(ctx context.Context) (*report, error) {
	b.startModel()
	endStreams, err := b.startStreams(ctx)
	if err != nil {
		return nil, err
	}
	defer endStreams()
	stopClosers := b.startClosers()
	defer stopClosers()

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var load sync.WaitGroup
	err = b.prepare(ctx, loadCtx, &load)
	var stopProfile func()
	if err == nil {
		stopProfile, err = startCPUProfile(b.cfg.CPUProfile)
	}
	if err != nil {
		stopLoad()
		load.Wait()
		return nil, err
	}
	rep := b.newReport()
	elapsed := b.measure(ctx, loadCtx, stopLoad, &load, rep)
	stopProfile()
	stopClosers()
	b.catchUp()
	endStreams()
	b.model.finish()
	b.fillReport(rep, elapsed)
	b.webhookReport(ctx, rep, elapsed)
	return rep, nil
}

// startModel makes the model of the queue that the main stream feeds.
func (b *runner) startModel() {
	cfg := b.cfg
	b.model = newModel(b.topics, b.channels, b.ops, b.opTopics, cfg.ChannelLimits, cfg.MaxChats, b.canRecv)
	b.model.onAssigned = b.scheduleClose
	b.model.onDequeued = b.replace
	b.model.closeSent = b.takeSent
	b.refill = make(chan struct{}, 1<<16)
	b.connSec.Store(&hist{})
	b.lagSec.Store(&hist{})
}

// startStreams opens the event streams, the model's (main) and the extra
// subscribers, and waits until each is subscribed. end stops them and the
// model's goroutine; it may be called more than once.
func (b *runner) startStreams(ctx context.Context) (end func(), err error) {
	lag := func(d time.Duration) {
		if b.measuring.Load() {
			b.lag.record(d)
			b.lagSec.Load().record(d)
		}
	}
	streamCtx, stopStreams := context.WithCancel(context.WithoutCancel(ctx))
	var streams sync.WaitGroup
	b.modelCh = make(chan []event, 4096)
	modelDone := make(chan struct{})
	go func() {
		for evs := range b.modelCh {
			b.model.apply(evs)
		}
		close(modelDone)
	}()
	b.mainStream = newStream(b.sseClient, b.base, b.admin, lag, func(evs []event) { b.modelCh <- evs })
	streams.Go(func() { b.mainStream.run(streamCtx) })
	for i := range b.cfg.SSEClients {
		tok := b.admin
		if len(b.opTokens) > 0 {
			tok = b.opTokens[i%len(b.opTokens)]
		}
		s := newStream(b.sseClient, b.base, tok, lag, nil)
		b.extra = append(b.extra, s)
		streams.Go(func() { s.run(streamCtx) })
	}
	end = sync.OnceFunc(func() {
		stopStreams()
		streams.Wait()
		close(b.modelCh)
		<-modelDone
	})
	for _, s := range append([]*stream{b.mainStream}, b.extra...) {
		select {
		case err := <-s.ready:
			if err != nil {
				end()
				return nil, fmt.Errorf("event stream: %w", err)
			}
		case <-time.After(30 * time.Second):
			end()
			return nil, errors.New("event stream: no answer in 30 s")
		}
	}
	return end, nil
}

// startClosers starts the simulated operators' hands: they close their
// chats from now on until stop, which may be called more than once.
func (b *runner) startClosers() (stop func()) {
	b.closeCh = make(chan int64, 1<<16)
	b.closeDone = make(chan struct{})
	var closers sync.WaitGroup
	for range max(8, b.cfg.Concurrency/2) {
		closers.Go(b.closer)
	}
	b.closing.Store(true)
	return sync.OnceFunc(func() {
		b.closing.Store(false)
		close(b.closeDone)
		closers.Wait()
	})
}

// startCPUProfile profiles the CPU into path until stop; without a path it
// does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// measure plays the load for --duration, or until ctx ends, and reads the
// server's commits, CPU and RSS over that window. It returns the window's
// length.
func (b *runner) measure(ctx, loadCtx context.Context, stopLoad func(), load *sync.WaitGroup, rep *report) time.Duration {
	cfg := b.cfg
	rep.WaitingStart = b.model.waiting.Load()
	b.events0, b.extra0 = b.mainStream.events.Load(), b.extraEvents()
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
			rep.Commits = commitsBetween(metrics0, metrics1, elapsed)
		}
	}
	b.readProc(rep, cpu0, elapsed)
	return elapsed
}

// readProc reports the server's CPU since cpu0 and its RSS.
func (b *runner) readProc(rep *report, cpu0, elapsed time.Duration) {
	if b.proc == nil {
		return
	}
	if cpu1, err := b.proc.cpu(); err == nil {
		s := (cpu1 - cpu0).Seconds()
		cores := s / elapsed.Seconds()
		rep.CPUs, rep.CPUCores = &s, &cores
	}
	if cur, peak, err := b.proc.rss(); err == nil {
		rep.RSSMiB, rep.RSSPeakMiB = &cur, &peak
	}
}

// catchUp lets the main event stream catch up: it returns once no event
// came for 500 ms and the model has read them all, or after 15 s.
func (b *runner) catchUp() {
	quiet, last := time.Now(), b.mainStream.events.Load()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		if n := b.mainStream.events.Load(); n != last {
			quiet, last = time.Now(), n
		} else if time.Since(quiet) > 500*time.Millisecond && len(b.modelCh) == 0 {
			break
		}
	}
}

// extraEvents is the number of events the extra streams have read.
func (b *runner) extraEvents() int64 {
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
func (b *runner) prepare(ctx, loadCtx context.Context, load *sync.WaitGroup) error {
	n := int64(b.cfg.Waiting)
	if n > 0 {
		fmt.Fprintf(b.stderr, "bench: filling the queue with %s waiting chats…\n", thousands(n))
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
func (b *runner) settle(ctx context.Context) {
	last, since, start := b.model.assigned.Load(), time.Now(), time.Now()
	for time.Since(since) < 200*time.Millisecond && time.Since(start) < time.Second && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		if n := b.model.assigned.Load(); n != last {
			last, since = n, time.Now()
		}
	}
}

// scrape reads the server's /metrics.
func (b *runner) scrape(ctx context.Context) (metricSamples, error) {
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
	return parseMetrics(resp.Body)
}

// waitFor polls cond until it holds.
func (b *runner) waitFor(ctx context.Context, d time.Duration, cond func() bool) error {
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

func (b *runner) noteError(err error) {
	s := err.Error()
	b.firstError.CompareAndSwap(nil, &s)
}
