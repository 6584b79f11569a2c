package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/sqlite"
)

// restartBatch is how many connects the fill commits at once.
const restartBatch = 20000

// restartReport is the JSON report of --restart.
type restartReport struct {
	OpenChats      int     `json:"open_chats"`
	Queued         float64 `json:"queued"`
	RestartToReady float64 `json:"restart_to_ready_s"`
	RSSMiB         float64 `json:"rss_mib"`
	RSSPeakMiB     float64 `json:"rss_peak_mib"`
	RSSSettledMiB  float64 `json:"rss_settled_mib"`
	FillS          float64 `json:"fill_s"`
	DatabaseMiB    float64 `json:"database_mib"`
}

// runRestart stores cfg.Restart open chats through the routing engine and
// the SQLite store (no HTTP, large commits), then starts `switchboard serve`
// (serve) on that data as a child process and measures the time from its
// start to its first ready answer, and its RSS.
func runRestart(ctx context.Context, cfg Config, serve func(addr, data string) (*exec.Cmd, error), stdout, stderr io.Writer) error {
	data := cfg.Data
	if data == "" {
		tmp, err := os.MkdirTemp("", "switchboard-restart-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		data = tmp
	}
	rep := restartReport{OpenChats: cfg.Restart}
	path := filepath.Join(data, "switchboard.db")
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(stderr, "bench: %s exists: restarting on its chats (no fill)\n", path)
	} else {
		t0 := time.Now()
		if err := fillOpen(ctx, path, cfg, stderr); err != nil {
			return fmt.Errorf("bench --restart: fill: %w", err)
		}
		rep.FillS = round(time.Since(t0).Seconds(), 1)
		runtime.GC()
		debug.FreeOSMemory() // the fill's engine is gone; keep the machine quiet
	}
	if fi, err := os.Stat(filepath.Join(data, "switchboard.db")); err == nil {
		rep.DatabaseMiB = round(float64(fi.Size())/(1<<20), 1)
	}
	if err := restartServer(ctx, serve, data, &rep); err != nil {
		return fmt.Errorf("bench --restart: %w", err)
	}
	fmt.Fprintf(stdout, "\nswitchboard bench --restart: %s open chats (%.0f queued), database %.0f MiB\n\n", thousands(int64(rep.OpenChats)), rep.Queued, rep.DatabaseMiB)
	fmt.Fprintf(stdout, "  %-22s %.2f s   (process start → first 200 from /readyz)\n", "restart_to_ready_s", rep.RestartToReady)
	fmt.Fprintf(stdout, "  %-22s %.1f   (at ready; peak %.1f; 2 s later %.1f)\n", "rss_mib", rep.RSSMiB, rep.RSSPeakMiB, rep.RSSSettledMiB)
	fmt.Fprintf(stdout, "  %-22s %.1f s\n", "fill", rep.FillS)
	if cfg.JSON != "" {
		return writeJSON(cfg.JSON, rep)
	}
	return nil
}

// fillOpen creates the workload's topics, skill groups and operators
// (online), then commits cfg.Restart connects that queue a new client each.
func fillOpen(ctx context.Context, path string, cfg Config, stderr io.Writer) error {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	eng := routing.New(time.Now().UTC())
	topics, channels, setup := restartSetup(cfg)
	if err := commitBatch(ctx, st, eng, setup); err != nil {
		return err
	}
	cmds := make([]routing.Command, 0, restartBatch)
	for i := 0; i < cfg.Restart; {
		cmds = cmds[:0]
		for ; len(cmds) < restartBatch && i < cfg.Restart; i++ {
			cmds = append(cmds, routing.Connect{
				Client: sb.Client{ID: "r" + strconv.Itoa(i+1), Channel: channels[mrand.IntN(len(channels))]},
				Topic:  topics[mrand.IntN(len(topics))], AutoConnect: true, Status: "queue",
			})
		}
		if err := commitBatch(ctx, st, eng, cmds); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "\rbench: %s open chats", thousands(int64(i)))
	}
	fmt.Fprintln(stderr)
	return nil
}

// restartSetup returns the topics, the channels and the commands that
// set up the workload's contact center with every operator online.
func restartSetup(cfg Config) (topics, channels []string, cmds []routing.Command) {
	limits := map[string]int{}
	for i := range cfg.Channels {
		channels = append(channels, channelName(i))
		if l := cfg.ChannelLimits[i]; l > 0 {
			limits[channels[i]] = l
		}
	}
	cmds = append(cmds, routing.UpdateSettings{Settings: func() sb.Settings {
		s := sb.DefaultSettings()
		s.AutoOfflineAfterS = 0
		return s
	}()})
	for i := range cfg.Topics {
		topics = append(topics, "topic-"+strconv.Itoa(i+1))
		cmds = append(cmds, routing.CreateTopic{Topic: sb.Topic{Alias: topics[i], Name: "Topic " + strconv.Itoa(i+1)}})
	}
	groups := max(1, (cfg.Topics+1)/2)
	members := make([][]string, groups)
	for i := range cfg.Operators {
		id := "op-" + strconv.Itoa(i+1)
		cmds = append(cmds, routing.CreateOperator{Operator: sb.Operator{ID: id, Name: "Operator " + strconv.Itoa(i+1), MaxChats: &cfg.MaxChats, ChannelLimits: limits}})
		members[i%groups] = append(members[i%groups], id)
	}
	for g := range groups {
		cmds = append(cmds, routing.CreateSkillGroup{Group: sb.SkillGroup{
			ID: "group-" + strconv.Itoa(g+1), Name: "Group " + strconv.Itoa(g+1),
			Topics: topics[2*g : min(2*g+2, cfg.Topics)], Operators: members[g], Active: true,
		}})
	}
	for i := range cfg.Operators {
		cmds = append(cmds, routing.SetOperatorStatus{OperatorID: "op-" + strconv.Itoa(i+1), Status: "online"})
	}
	return topics, channels, cmds
}

// commitBatch applies cmds and commits their output as one batch, as the
// server's writer does.
func commitBatch(ctx context.Context, st sb.Store, eng *routing.Engine, cmds []routing.Command) error {
	var bt routing.Batcher
	for _, cmd := range cmds {
		if _, err := bt.Apply(eng, time.Now().UTC(), cmd); err != nil {
			return err
		}
	}
	return st.Commit(ctx, bt.Done(eng))
}

// restartServer starts serve on data, waits for /readyz, records the time
// and RSS, and stops it with SIGTERM.
func restartServer(ctx context.Context, serve func(addr, data string) (*exec.Cmd, error), data string, rep *restartReport) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd, err := serve(addr, data)
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	if err := waitReady(ctx, "http://"+addr, 5*time.Minute); err != nil {
		return err
	}
	rep.RestartToReady = round(time.Since(start).Seconds(), 3)
	p := proc{pid: cmd.Process.Pid}
	if rep.RSSMiB, rep.RSSPeakMiB, err = p.rss(); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	if rep.RSSSettledMiB, _, err = p.rss(); err != nil {
		return err
	}
	rep.Queued, err = queueLength("http://" + addr)
	return err
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls /readyz every 5 ms until it answers 200.
func waitReady(ctx context.Context, base string, d time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if resp, err := client.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return errors.New("the server was not ready in time")
}

// queueLength reads switchboard_queue_length from /metrics.
func queueLength(base string) (float64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	m, err := parseMetrics(resp.Body)
	if err != nil {
		return 0, err
	}
	return m["switchboard_queue_length"], nil
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
