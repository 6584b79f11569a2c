package bench

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strconv"

	"github.com/switchboard/switchboard/internal/scale"
)

// writeChart writes an SVG line chart: connect latency p50/p99 per second (top)
// and acknowledged connects per second (bottom).
func writeChart(w io.Writer, title string, secs []second) error {
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
	maxMs, maxRate = scale.Nice(maxMs), scale.Nice(maxRate)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
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
	line := func(top, h int, maxV float64, color string, val func(second) float64) {
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
	line(top1, h1, maxMs, "#1f77b4", func(s second) float64 { return s.P50ms })
	line(top1, h1, maxMs, "#d62728", func(s second) float64 { return s.P99ms })
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="4" fill="#1f77b4"/><text x="%d" y="%d">p50</text>`+"\n", width-right-120, top1-14, width-right-104, top1-9)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="4" fill="#d62728"/><text x="%d" y="%d">p99</text>`+"\n", width-right-60, top1-14, width-right-44, top1-9)
	axis(top2, h2, maxRate, "acknowledged connects per second", func(v float64) string { return thousands(int64(v)) })
	line(top2, h2, maxRate, "#2ca02c", func(s second) float64 { return float64(s.Connects) })
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}
