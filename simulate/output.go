package simulate

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/switchboard/switchboard/internal/scale"
)

// WriteTable writes the report as a text table: one line per hour, then
// the whole run; with a staffing search, the counts beside the formulas'.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "hour\tchats\tserved\tabandoned\tSLA %%\twait p50 s\tp90 s\tp99 s\toccupancy %%\tbusy %%\toperators\t\n")
	for _, b := range r.Hours {
		r.row(tw, r.label(b.Start), b)
	}
	r.row(tw, "total", r.Bucket)
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Limit > 0 || r.TimedOut > 0 || r.Unfinished > 0 || r.MissedAccepts > 0 {
		fmt.Fprintf(w, "limit answers %d, timed out %d, unfinished %d, missed accepts %d\n", r.Limit, r.TimedOut, r.Unfinished, r.MissedAccepts)
	}
	if len(r.Staffing) > 0 {
		fmt.Fprintln(w)
		return r.writeStaffing(w)
	}
	return nil
}

// label names an hour by its clock time, with the date when the run is
// longer than a day.
func (r *Report) label(t time.Time) string {
	if len(r.Hours) > 24 {
		return t.Format("01-02 15:04")
	}
	return t.Format("15:04")
}

func (r *Report) row(w io.Writer, label string, b Bucket) {
	fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", label, b.Chats, b.Served, b.Abandoned,
		100*b.SLAShare, b.WaitP50S, b.WaitP90S, b.WaitP99S, 100*b.Occupancy, 100*b.BusyShare, b.Operators)
}

func (r *Report) writeStaffing(w io.Writer) error {
	fmt.Fprintf(w, "fewest operators on shift for %.0f %% within %g s (simulated), beside the formulas:\n", 100*r.SLAGoal, r.SLATargetS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "hour\tchats/h\thandle s\tmax chats\tsimulated\tSLA %%\twith one fewer %%\tErlang C\tErlang A\tErlang C, 1 chat each\t\n")
	for _, s := range r.Staffing {
		n := strconv.Itoa(s.Operators)
		if !s.Reached {
			n = ">" + n
		}
		fewer := "-"
		if s.FewerSLAShare >= 0 {
			fewer = fmt.Sprintf("%.1f", 100*s.FewerSLAShare)
		}
		a := "-"
		if s.ErlangA > 0 {
			a = strconv.Itoa(s.ErlangA)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2g\t%s\t%.1f\t%s\t%d\t%s\t%d\t\n", r.label(s.Start), s.RatePerH,
			s.HandleMeanS, s.MaxChats, n, 100*s.SLAShare, fewer, s.ErlangC, a, s.ErlangCOneChat)
	}
	return tw.Flush()
}

// WriteSVG writes a chart of the hours: SLA share and occupancy (top),
// waits p50 and p90 (middle), and with a staffing search the operators
// it found beside Erlang C's and Erlang A's (bottom).
func (r *Report) WriteSVG(w io.Writer) error {
	c := chart{n: len(r.Hours), width: 960, left: 70, right: 150}
	for _, b := range r.Hours {
		c.labels = append(c.labels, r.label(b.Start))
	}
	panels := 2
	if len(r.Staffing) > 0 {
		panels = 3
	}
	c.height = 60 + panels*230
	fmt.Fprintf(&c.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", c.width, c.height, c.width, c.height)
	fmt.Fprintf(&c.b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", c.width, c.height)
	fmt.Fprintf(&c.b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", c.left, html.EscapeString(r.title()))
	hours := func(f func(Bucket) float64) []float64 {
		v := make([]float64, len(r.Hours))
		for i, b := range r.Hours {
			v[i] = f(b)
		}
		return v
	}
	c.panel(60, "share of chats / of capacity (%)", 100, []series{
		{"SLA share", "#1f77b4", hours(func(b Bucket) float64 { return 100 * b.SLAShare }), false},
		{"occupancy", "#2ca02c", hours(func(b Bucket) float64 { return 100 * b.Occupancy }), false},
		{fmt.Sprintf("goal %.0f %%", 100*r.SLAGoal), "#999", constant(len(r.Hours), 100*r.SLAGoal), true},
	})
	p90 := hours(func(b Bucket) float64 { return b.WaitP90S })
	c.panel(290, "wait to first assignment (s)", scale.Nice(maxOf(p90)), []series{
		{"p50", "#ff7f0e", hours(func(b Bucket) float64 { return b.WaitP50S }), false},
		{"p90", "#d62728", p90, false},
		{fmt.Sprintf("target %g s", r.SLATargetS), "#999", constant(len(r.Hours), r.SLATargetS), true},
	})
	if panels == 3 {
		c.panel(520, "operators on shift", scale.Nice(r.maxStaff()), r.staffSeries())
	}
	c.b.WriteString("</svg>\n")
	_, err := w.Write(c.b.Bytes())
	return err
}

func (r *Report) title() string {
	return fmt.Sprintf("Switchboard simulation: %d chats, SLA %.1f %% within %g s, occupancy %.1f %% (seed %d)",
		r.Chats, 100*r.SLAShare, r.SLATargetS, 100*r.Occupancy, r.Seed)
}

func (r *Report) maxStaff() float64 {
	m := 0.0
	for _, s := range r.Staffing {
		m = max(m, float64(s.Operators), float64(s.ErlangC), float64(s.ErlangA))
	}
	return m
}

func (r *Report) staffSeries() []series {
	sim, ec, ea := make([]float64, len(r.Staffing)), make([]float64, len(r.Staffing)), make([]float64, len(r.Staffing))
	for i, s := range r.Staffing {
		sim[i], ec[i], ea[i] = float64(s.Operators), float64(s.ErlangC), float64(s.ErlangA)
	}
	out := []series{{"simulated", "#1f77b4", sim, false}, {"Erlang C", "#d62728", ec, false}}
	if maxOf(ea) > 0 {
		out = append(out, series{"Erlang A", "#9467bd", ea, false})
	}
	return out
}

type series struct {
	name   string
	color  string
	values []float64
	dashed bool
}

// chart is a hand-written SVG line chart, one point per hour.
type chart struct {
	b                bytes.Buffer
	n, width, height int
	left, right      int
	labels           []string // the hours' names on the x axis
}

func (c *chart) x(i int) float64 {
	pw := float64(c.width - c.left - c.right)
	if c.n <= 1 {
		return float64(c.left) + pw/2
	}
	return float64(c.left) + pw*float64(i)/float64(c.n-1)
}

// panel draws axes and lines in a band 170 px high starting at top.
func (c *chart) panel(top int, label string, maxV float64, lines []series) {
	const h = 170
	if maxV <= 0 {
		maxV = 1
	}
	fmt.Fprintf(&c.b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", c.left, top+12, html.EscapeString(label))
	top += 22
	for i := 0; i <= 4; i++ {
		y := float64(top+h) - float64(h)*float64(i)/4
		fmt.Fprintf(&c.b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", c.left, y, c.width-c.right, y)
		fmt.Fprintf(&c.b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", c.left-6, y+4, strconv.FormatFloat(maxV*float64(i)/4, 'g', 4, 64))
	}
	step := max(1, (c.n+11)/12)
	for i := 0; i < c.n; i += step {
		fmt.Fprintf(&c.b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", c.x(i), top+h+16, html.EscapeString(c.labels[i]))
	}
	fmt.Fprintf(&c.b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", c.left, top, c.width-c.left-c.right, h)
	for k, s := range lines {
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&c.b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="`, s.color, dash)
		for i, v := range s.values {
			fmt.Fprintf(&c.b, "%.1f,%.1f ", c.x(i), float64(top+h)-float64(h)*math.Min(v/maxV, 1))
		}
		c.b.WriteString("\"/>\n")
		ly := top + 10 + 18*k
		fmt.Fprintf(&c.b, `<rect x="%d" y="%d" width="14" height="4" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			c.width-c.right+10, ly, s.color, c.width-c.right+30, ly+6, html.EscapeString(s.name))
	}
}

func constant(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
