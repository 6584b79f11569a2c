package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// call sends a JSON request with a token and decodes a 2xx answer.
func (b *runner) call(ctx context.Context, token, method, path string, body, out any) error {
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
func parallel(n, k int, fn func(i int) error) error {
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
func (b *runner) setup(ctx context.Context, inProcess bool) error {
	if err := b.waitServer(ctx); err != nil {
		return err
	}
	if err := b.checkSettings(ctx, inProcess); err != nil {
		return err
	}
	if err := b.readStatuses(ctx); err != nil {
		return err
	}
	if err := b.createCenter(ctx); err != nil {
		return err
	}
	if err := b.subscribeReceiver(ctx); err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := b.call(ctx, b.admin, "POST", "/api/v1/tokens", map[string]any{"role": "integrator"}, &tok); err != nil {
		return err
	}
	b.integ, b.connectURL = "Bearer "+tok.Token, b.base+connectPath
	b.online = make([]bool, len(b.ops))
	if b.cfg.SSERole == "operator" && b.cfg.SSEClients > 0 {
		b.opTokens = make([]string, min(len(b.ops), b.cfg.SSEClients))
		return parallel(len(b.opTokens), 16, func(i int) error {
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

// waitServer polls /readyz for up to 10 s.
func (b *runner) waitServer(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := b.call(ctx, "", "GET", "/readyz", nil, nil)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkSettings turns auto-offline off on an in-process server, refuses a
// server that does not route automatically and warns about settings that
// would take chats from the tool's operators.
func (b *runner) checkSettings(ctx context.Context, inProcess bool) error {
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
	if settings.AutoOfflineAfterS > 0 && float64(settings.AutoOfflineAfterS) < b.cfg.Duration.Seconds()+30 {
		fmt.Fprintf(b.stderr, "bench: warning: auto_offline_after_s is %d: the tool's operators have no panel session and may go offline\n", settings.AutoOfflineAfterS)
	}
	if settings.AcceptTimeoutS > 0 {
		fmt.Fprintf(b.stderr, "bench: warning: accept_timeout_s is %d: the tool does not accept chats, so they may be taken back\n", settings.AcceptTimeoutS)
	}
	return nil
}

// readStatuses learns which statuses can receive chats; the tool needs
// "online" (can) and "break" (cannot).
func (b *runner) readStatuses(ctx context.Context) error {
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
	return nil
}

// createCenter creates the topics, the operators with their limits and the
// skill groups: each group serves two topics, every operator is in one
// group and every third in the next one too.
func (b *runner) createCenter(ctx context.Context) error {
	cfg := b.cfg
	for i := range cfg.Topics {
		b.topics = append(b.topics, fmt.Sprintf("%s-topic-%d", b.prefix, i+1))
	}
	for i := range cfg.Channels {
		b.channels = append(b.channels, channelName(i))
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
	if err := parallel(len(b.topics), 16, func(i int) error {
		return b.call(ctx, b.admin, "POST", "/api/v1/topics", map[string]any{"alias": b.topics[i], "name": "Bench topic " + strconv.Itoa(i+1)}, nil)
	}); err != nil {
		return err
	}
	if err := parallel(len(b.ops), 32, func(i int) error {
		return b.call(ctx, b.admin, "POST", "/api/v1/operators", map[string]any{
			"id": b.ops[i], "name": "Bench operator " + strconv.Itoa(i+1), "email": b.ops[i] + "@bench.example",
			"max_chats": cfg.MaxChats, "channel_limits": limits,
		}, nil)
	}); err != nil {
		return err
	}
	return parallel(groups, 16, func(g int) error {
		topics := b.topics[2*g : min(2*g+2, cfg.Topics)]
		return b.call(ctx, b.admin, "POST", "/api/v1/skill-groups", map[string]any{
			"id": fmt.Sprintf("%s-group-%d", b.prefix, g+1), "name": "Bench group " + strconv.Itoa(g+1),
			"topics": topics, "operators": members[g], "active": true,
		}, nil)
	})
}
