package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// btHist is a log-linear histogram of durations in nanoseconds: 64 buckets
// per power of two (≤ 1.6 % error), safe for concurrent recording.
type btHist struct {
	counts [btHistBuckets]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64
}

const (
	btSubBits     = 6
	btHistBuckets = (64 - btSubBits + 1) << btSubBits
)

func btBucket(v int64) int {
	if v < 1<<btSubBits {
		return int(max(v, 0))
	}
	e := bits.Len64(uint64(v)) - btSubBits - 1
	return (e+1)<<btSubBits + int(uint64(v)>>e) - 1<<btSubBits
}

// btBucketValue is the middle of bucket i.
func btBucketValue(i int) int64 {
	if i < 1<<btSubBits {
		return int64(i)
	}
	e := i>>btSubBits - 1
	m := int64(i&(1<<btSubBits-1) + 1<<btSubBits)
	return m<<e + (int64(1)<<e)/2
}

func (h *btHist) record(d time.Duration) {
	v := int64(d)
	h.counts[btBucket(v)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

func (h *btHist) count() uint64 { return h.n.Load() }

// quantile returns the q-quantile (0..1) in nanoseconds; 0 without samples.
func (h *btHist) quantile(q float64) int64 {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(btBucketValue(i), h.max.Load())
		}
	}
	return h.max.Load()
}

// ms returns the q-quantile in milliseconds, rounded to microseconds.
func (h *btHist) ms(q float64) float64 { return btMs(h.quantile(q)) }

func (h *btHist) maxMs() float64 { return btMs(h.max.Load()) }

func btMs(ns int64) float64 { return math.Round(float64(ns)/1e3) / 1e3 }

// btProc reads a process's RSS and CPU time: this process (in-process
// server) or another one by pid (a server targeted with --url).
type btProc struct{ pid int } // 0: this process

// rss returns VmRSS and VmHWM (peak) in MiB.
func (p btProc) rss() (cur, peak float64, err error) {
	path := "/proc/self/status"
	if p.pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", p.pid)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		if name == "VmRSS" {
			cur = kb / 1024
		} else {
			peak = kb / 1024
		}
	}
	if cur == 0 {
		return 0, 0, fmt.Errorf("%s: no VmRSS", path)
	}
	return cur, peak, sc.Err()
}

// cpu returns user + system CPU time.
func (p btProc) cpu() (time.Duration, error) {
	if p.pid == 0 {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0, err
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after ')' are plain.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", p.pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", p.pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14, utime
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15, stime
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", p.pid)
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks, nil
}

// btSecond is one second of the measured run.
type btSecond struct {
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

// btChart writes an SVG line chart: connect latency p50/p99 per second (top)
// and acknowledged connects per second (bottom).
func btChart(w io.Writer, title string, secs []btSecond) error {
	const (
		width, height = 960, 560
		left, right   = 70, 20
		top1, h1      = 50, 300
		top2, h2      = 400, 110
	)
	pw := float64(width - left - right)
	n := len(secs)
	xOf := func(t float64) float64 {
		if n <= 1 {
			return left
		}
		return left + pw*t/float64(n-1)
	}
	var maxMs, maxRate float64
	for _, s := range secs {
		maxMs = max(maxMs, s.P99ms, s.P50ms)
		maxRate = max(maxRate, float64(s.Connects))
	}
	maxMs, maxRate = btNice(maxMs), btNice(maxRate)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, btXMLEscape(title))
	axis := func(top, h int, maxV float64, label string, format func(float64) string) {
		for i := 0; i <= 4; i++ {
			y := float64(top+h) - float64(h)*float64(i)/4
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, width-right, y)
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+4, format(maxV*float64(i)/4))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", left, top-8, label)
		step := max(1, (n+9)/10)
		for t := 0; t < n; t += step {
			x := xOf(float64(t))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`+"\n", x, top, x, top+h)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%ds</text>`+"\n", x, top+h+16, t+1)
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", left, top, width-left-right, h)
	}
	line := func(top, h int, maxV float64, color string, val func(btSecond) float64) {
		if n == 0 || maxV == 0 {
			return
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="`, color)
		for i, s := range secs {
			y := float64(top+h) - float64(h)*min(val(s)/maxV, 1)
			fmt.Fprintf(&b, "%.1f,%.1f ", xOf(float64(i)), y)
		}
		b.WriteString("\"/>\n")
	}
	axis(top1, h1, maxMs, "connect latency (ms) per second", func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) })
	line(top1, h1, maxMs, "#1f77b4", func(s btSecond) float64 { return s.P50ms })
	line(top1, h1, maxMs, "#d62728", func(s btSecond) float64 { return s.P99ms })
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="4" fill="#1f77b4"/><text x="%d" y="%d">p50</text>`+"\n", width-right-120, top1-14, width-right-104, top1-9)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="4" fill="#d62728"/><text x="%d" y="%d">p99</text>`+"\n", width-right-60, top1-14, width-right-44, top1-9)
	axis(top2, h2, maxRate, "acknowledged connects per second", func(v float64) string { return btThousands(int64(v)) })
	line(top2, h2, maxRate, "#2ca02c", func(s btSecond) float64 { return float64(s.Connects) })
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// btNice rounds v up to 1, 2 or 5 times a power of ten.
func btNice(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func btXMLEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// btThousands formats n with thousands separators.
func btThousands(n int64) string {
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

// btMetrics is a scrape of the server's Prometheus text: samples by name
// (labels kept in the name, as written).
type btMetrics map[string]float64

func btParseMetrics(r io.Reader) (btMetrics, error) {
	m := btMetrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		m[line[:i]] = v
	}
	return m, sc.Err()
}

// btCommitStats compares two scrapes: commits, commands per commit, mean
// commit time and the p99 bucket bound of switchboard_commit_seconds.
type btCommitStats struct {
	Commits           float64 `json:"commits"`
	CommandsPerCommit float64 `json:"commands_per_commit"`
	CommitMeanMs      float64 `json:"commit_mean_ms"`
	CommitP99Ms       float64 `json:"commit_p99_ms"` // upper bound of the bucket
	CommitBusyShare   float64 `json:"commit_busy_share"`
}

func btCommits(a, b btMetrics, elapsed time.Duration) *btCommitStats {
	d := func(k string) float64 { return b[k] - a[k] }
	n := d("switchboard_commit_seconds_count")
	if n <= 0 {
		return nil
	}
	s := &btCommitStats{
		Commits:           n,
		CommandsPerCommit: math.Round(d("switchboard_commit_commands_sum")/n*10) / 10,
		CommitMeanMs:      math.Round(d("switchboard_commit_seconds_sum")/n*1e6) / 1e3,
		CommitBusyShare:   math.Round(d("switchboard_commit_seconds_sum")/elapsed.Seconds()*1000) / 1000,
	}
	type bucket struct{ le, n float64 }
	var bs []bucket
	for k := range b {
		if !strings.HasPrefix(k, `switchboard_commit_seconds_bucket{le="`) {
			continue
		}
		le, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(k, `switchboard_commit_seconds_bucket{le="`), `"}`), 64)
		if err != nil {
			le = math.Inf(1)
		}
		bs = append(bs, bucket{le, d(k)})
	}
	slices.SortFunc(bs, func(x, y bucket) int { return cmp.Compare(x.le, y.le) })
	for _, x := range bs {
		if x.n >= 0.99*n {
			s.CommitP99Ms = x.le * 1000
			break
		}
	}
	return s
}
