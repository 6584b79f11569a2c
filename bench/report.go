package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// report is the JSON report; the first fields are the headline figures.
type report struct {
	ConnectsPerS    float64      `json:"connects_per_s"`
	ConnectP50ms    float64      `json:"connect_p50_ms"`
	ConnectP99ms    float64      `json:"connect_p99_ms"`
	FreeToAssignP99 float64      `json:"free_to_assign_p99_ms"`
	FIFOViolations  int64        `json:"fifo_violations"`
	EventsLagP99ms  float64      `json:"events_lag_p99_ms"`
	RSSMiB          *float64     `json:"rss_mib"`
	CPUs            *float64     `json:"cpu_s"`
	Target          string       `json:"target"`
	Mode            string       `json:"mode"`
	DurationS       float64      `json:"duration_s"`
	Connects        int64        `json:"connects"`
	ConnectLimit    int64        `json:"connect_limit_answers"`
	ConnectErrors   int64        `json:"connect_errors"`
	FirstError      string       `json:"first_error,omitempty"`
	ConnectP90ms    float64      `json:"connect_p90_ms"`
	ConnectP999ms   float64      `json:"connect_p999_ms"`
	ConnectMaxms    float64      `json:"connect_max_ms"`
	FreeToAssignN   uint64       `json:"free_to_assign_samples"`
	FreeToAssignP50 float64      `json:"free_to_assign_p50_ms"`
	FreeToAssignMax float64      `json:"free_to_assign_max_ms"`
	FreeRecvP99     float64      `json:"free_to_assign_events_p99_ms"`
	FreeServerP99   float64      `json:"free_to_assign_server_p99_ms"`
	FreeMissed      int64        `json:"free_to_assign_missed"`
	Assignments     int64        `json:"assignments"`
	FIFOExamples    []string     `json:"fifo_violation_examples,omitempty"`
	WaitingStart    int64        `json:"waiting_start"`
	WaitingEnd      int64        `json:"waiting_end"`
	Events          int64        `json:"events"`
	EventsPerS      float64      `json:"events_per_s"`
	EventsLagP50ms  float64      `json:"events_lag_p50_ms"`
	EventsLagMaxms  float64      `json:"events_lag_max_ms"`
	SSEClients      int          `json:"sse_clients"`
	SSERole         string       `json:"sse_role"`
	SSEEventsPerS   float64      `json:"sse_events_per_s"` // per extra stream
	SSEReconnects   int64        `json:"sse_reconnects"`
	Closes          int64        `json:"closes"`
	CloseErrors     int64        `json:"close_errors"`
	CloseP99ms      float64      `json:"close_p99_ms"`
	StatusChanges   int64        `json:"status_changes"`
	StatusErrors    int64        `json:"status_change_errors"`
	StatusP99ms     float64      `json:"status_change_p99_ms"`
	RSSPeakMiB      *float64     `json:"rss_peak_mib"`
	CPUCores        *float64     `json:"cpu_cores"`
	DecodeErrors    int64        `json:"event_decode_errors"`
	Commits         *commitStats `json:"server_commits"`
	// --webhook-receiver-delay: deliveries to the subscribed receiver.
	WebhookDelivered int64    `json:"webhook_delivered,omitempty"`
	WebhookPerS      float64  `json:"webhook_deliveries_per_s,omitempty"`
	WebhookLagP50ms  float64  `json:"webhook_lag_p50_ms,omitempty"`
	WebhookLagP99ms  float64  `json:"webhook_lag_p99_ms,omitempty"`
	WebhookLagMaxms  float64  `json:"webhook_lag_max_ms,omitempty"`
	WebhookBacklog   *int64   `json:"webhook_backlog_end,omitempty"`
	Config           any      `json:"config"`
	PerSecond        []second `json:"per_second"`
}

// newReport starts the report: the target, the mode and the configuration.
func (b *runner) newReport() *report {
	cfg := b.cfg
	rep := &report{Target: "in-process", SSEClients: cfg.SSEClients, SSERole: cfg.SSERole, Config: b.configJSON()}
	if cfg.URL != "" {
		rep.Target = cfg.URL
	}
	switch {
	case cfg.Rate > 0:
		rep.Mode = fmt.Sprintf("poisson %g/s", cfg.Rate)
	case cfg.Rate == 0 && cfg.Waiting > 0:
		rep.Mode = fmt.Sprintf("queue held at %s", thousands(int64(cfg.Waiting)))
	case cfg.Rate == 0:
		rep.Mode = fmt.Sprintf("closed loop, %d workers", cfg.Concurrency)
	default:
		rep.Mode = "no connects"
	}
	return rep
}

// configJSON is the configuration as the report gives it.
func (b *runner) configJSON() map[string]any {
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

// fillReport puts the figures of the measured window into rep.
func (b *runner) fillReport(rep *report, elapsed time.Duration) {
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
	rep.Events = b.mainStream.events.Load() - b.events0
	rep.EventsPerS = math.Round(float64(rep.Events)/elapsed.Seconds()*10) / 10
	if len(b.extra) > 0 {
		n := b.extraEvents() - b.extra0
		rep.SSEEventsPerS = math.Round(float64(n)/elapsed.Seconds()/float64(len(b.extra))*10) / 10
	}
	rep.EventsLagP50ms, rep.EventsLagP99ms, rep.EventsLagMaxms = b.lag.ms(0.5), b.lag.ms(0.99), b.lag.maxMs()
	rep.SSEReconnects = b.mainStream.reconnects.Load()
	for _, s := range b.extra {
		rep.SSEReconnects += s.reconnects.Load()
	}
	rep.Closes, rep.CloseErrors, rep.CloseP99ms = b.closes.Load(), b.closeErrs.Load(), b.closeLat.ms(0.99)
	rep.StatusChanges, rep.StatusErrors, rep.StatusP99ms = b.statusN.Load(), b.statusErr.Load(), b.statusLat.ms(0.99)
	rep.DecodeErrors = m.decodeErrors.Load()
}

// progress prints a line every second and keeps the per-second figures.
func (b *runner) progress(ctx context.Context, start time.Time, rep *report) {
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
		conn := b.connSec.Swap(&hist{})
		lagH := b.lagSec.Swap(&hist{})
		free := b.model.freeSec.Swap(&hist{})
		acked, events, assigned := b.acked.Load(), b.mainStream.events.Load(), b.model.assigned.Load()
		closes, errs := b.closes.Load(), b.connErrs.Load()
		sec := second{
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
			sec.T, thousands(sec.Connects), sec.P50ms, sec.P99ms, thousands(sec.Waiting), thousands(sec.Assigned),
			sec.FreeP99ms, thousands(sec.Events), sec.LagP99ms, cpuText, errText)
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

// title is the chart's title.
func (r *report) title() string {
	return fmt.Sprintf("switchboard bench — %s, %s: %s connects/s, p99 %.2f ms", r.Target, r.Mode, thousands(int64(r.ConnectsPerS)), r.ConnectP99ms)
}

// writeSummary prints the figures as a table.
func (r *report) writeSummary(w io.Writer) {
	opt := func(p *float64, format string) string {
		if p == nil {
			return "n/a (use --pid with --url)"
		}
		return fmt.Sprintf(format, *p)
	}
	rows := [][2]string{
		{"connects_per_s", fmt.Sprintf("%s   (%s acknowledged in %.1f s, %s limit answers, %s errors)", thousands(int64(math.Round(r.ConnectsPerS))), thousands(r.Connects), r.DurationS, thousands(r.ConnectLimit), thousands(r.ConnectErrors))},
		{"connect_p50_ms", fmt.Sprintf("%.3f", r.ConnectP50ms)},
		{"connect_p99_ms", fmt.Sprintf("%.3f   (p90 %.3f, p99.9 %.3f, max %.3f)", r.ConnectP99ms, r.ConnectP90ms, r.ConnectP999ms, r.ConnectMaxms)},
		{"free_to_assign_p99_ms", fmt.Sprintf("%.3f   (p50 %.3f, max %.3f; %s samples; close request sent → auto_connected received)", r.FreeToAssignP99, r.FreeToAssignP50, r.FreeToAssignMax, thousands(int64(r.FreeToAssignN)))},
		{"free_to_assign_events_p99_ms", fmt.Sprintf("%.3f   (close event received → auto_connected received; server occurred_at gap p99 %.3f; missed %d)", r.FreeRecvP99, r.FreeServerP99, r.FreeMissed)},
		{"fifo_violations", fmt.Sprintf("%d   (of %s automatic assignments checked, setup and fill included)", r.FIFOViolations, thousands(r.Assignments))},
		{"events_lag_p99_ms", fmt.Sprintf("%.3f   (p50 %.3f, max %.3f; %d extra %s SSE clients, %d reconnects)", r.EventsLagP99ms, r.EventsLagP50ms, r.EventsLagMaxms, r.SSEClients, r.SSERole, r.SSEReconnects)},
		{"events_per_s", fmt.Sprintf("%s   (%s events on the main stream; %.1f a second on each extra stream)", thousands(int64(r.EventsPerS)), thousands(r.Events), r.SSEEventsPerS)},
		{"waiting", fmt.Sprintf("%s at start, %s at end", thousands(r.WaitingStart), thousands(r.WaitingEnd))},
		{"closes", fmt.Sprintf("%s   (p99 %.3f ms, %d errors)", thousands(r.Closes), r.CloseP99ms, r.CloseErrors)},
		{"status_changes", fmt.Sprintf("%s   (p99 %.3f ms, %d errors)", thousands(r.StatusChanges), r.StatusP99ms, r.StatusErrors)},
		{"rss_mib", opt(r.RSSMiB, "%.1f") + peakText(r.RSSPeakMiB)},
		{"cpu_s", opt(r.CPUs, "%.2f") + coresText(r.CPUCores)},
	}
	if r.WebhookBacklog != nil {
		rows = append(rows, [2]string{"webhook_deliveries_per_s", fmt.Sprintf("%s   (%s delivered to the receiver while measuring; lag p50 %.1f ms, p99 %.1f ms, max %.1f ms; %s pending at the end)",
			thousands(int64(r.WebhookPerS)), thousands(r.WebhookDelivered), r.WebhookLagP50ms, r.WebhookLagP99ms, r.WebhookLagMaxms, thousands(*r.WebhookBacklog))})
	}
	if c := r.Commits; c != nil {
		rows = append(rows, [2]string{"server commits", fmt.Sprintf("%s   (%.1f commands each, mean %.3f ms, p99 ≤ %g ms, committing %.0f%% of the time)",
			thousands(int64(c.Commits)), c.CommandsPerCommit, c.CommitMeanMs, c.CommitP99Ms, c.CommitBusyShare*100)})
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

// second is one second of the measured run.
type second struct {
	T         int     `json:"t"`
	Connects  int64   `json:"connects"`
	P50ms     float64 `json:"connect_p50_ms"`
	P99ms     float64 `json:"connect_p99_ms"`
	Waiting   int64   `json:"waiting"`
	Events    int64   `json:"events"`
	Assigned  int64   `json:"assigned"`
	LagP99ms  float64 `json:"events_lag_p99_ms"`
	CPUCores  float64 `json:"cpu_cores,omitempty"`
	RSSMiB    float64 `json:"rss_mib,omitempty"`
	Closes    int64   `json:"closes"`
	ConnErrs  int64   `json:"connect_errors"`
	FreeP99ms float64 `json:"free_to_assign_p99_ms"`
}

// thousands formats n with thousands separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
