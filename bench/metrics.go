package bench

import (
	"bufio"
	"cmp"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// metricSamples is a scrape of the server's Prometheus text: samples by name
// (labels kept in the name, as written).
type metricSamples map[string]float64

func parseMetrics(r io.Reader) (metricSamples, error) {
	m := metricSamples{}
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

// commitStats compares two scrapes: commits, commands per commit, mean
// commit time and the p99 bucket bound of switchboard_commit_seconds.
type commitStats struct {
	Commits           float64 `json:"commits"`
	CommandsPerCommit float64 `json:"commands_per_commit"`
	CommitMeanMs      float64 `json:"commit_mean_ms"`
	CommitP99Ms       float64 `json:"commit_p99_ms"` // upper bound of the bucket
	CommitBusyShare   float64 `json:"commit_busy_share"`
}

func commitsBetween(a, b metricSamples, elapsed time.Duration) *commitStats {
	d := func(k string) float64 { return b[k] - a[k] }
	n := d("switchboard_commit_seconds_count")
	if n <= 0 {
		return nil
	}
	s := &commitStats{
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
