package switchboard

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Calendar is a team's business hours: opening ranges for each day of the
// week, read on the wall clock of TimeZone, and Exceptions that replace the
// week's ranges on given dates. docs/CALENDARS.md says exactly when it is
// open; Compile turns it into a Schedule that answers.
type Calendar struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	// Hours maps a day (mon, tue, wed, thu, fri, sat, sun) to its ranges,
	// each ["HH:MM", "HH:MM"] from its start to its end ("24:00" may end
	// one). A missing day, null or [] is closed.
	Hours map[string][][2]string `json:"hours"`
	// Exceptions replace the week's ranges on a date; no hours is closed.
	Exceptions []CalendarException `json:"exceptions"`
}

// CalendarException replaces a calendar's weekly hours on one local Date
// ("2026-12-25"); empty Hours closes the whole day.
type CalendarException struct {
	Date  string      `json:"date"`
	Hours [][2]string `json:"hours"`
}

// Bounds of a calendar; beyond them it is invalid.
const (
	// MaxCalendarRanges bounds the ranges of one day or one exception.
	MaxCalendarRanges = 100
	// MaxCalendarExceptions bounds a calendar's exceptions.
	MaxCalendarExceptions = 1000
)

// days are the keys of Calendar.Hours, Monday first.
var days = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// These bounds repeat those of routing's ids and names (routing.MaxIDLen,
// routing.MaxNameLen), which this package cannot import.
const (
	calendarIDLen   = 128
	calendarNameLen = 256
	timeZoneLen     = 128
)

// Validate checks the calendar. It returns an *Error with code EINVALID
// whose Field names the first bad field: "id", "name", "time_zone",
// "hours.<day>" (an unknown day, too many ranges), "hours.<day>[i]" (a bad,
// empty, overnight or overlapping range), "exceptions", "exceptions[i].date"
// (not a date, or a date given twice), "exceptions[i].hours" and
// "exceptions[i].hours[j]".
func (c Calendar) Validate() error {
	_, err := c.Compile()
	return err
}

// Compile validates the calendar (returning Validate's errors) and returns
// its Schedule.
func (c Calendar) Compile() (*Schedule, error) {
	if err := checkCalendarID(c.ID); err != nil {
		return nil, err
	}
	if err := checkCalendarName(c.Name); err != nil {
		return nil, err
	}
	loc, err := loadTimeZone(c.TimeZone)
	if err != nil {
		return nil, err
	}
	s := &Schedule{loc: loc}
	if err := s.setWeek(c.Hours); err != nil {
		return nil, err
	}
	if err := s.setExceptions(c.Exceptions); err != nil {
		return nil, err
	}
	return s, nil
}

// checkCalendarID checks the id as routing checks ids: 1 to 128 bytes of
// printable UTF-8 (spaces only inside), no "/", not "." or "..".
func checkCalendarID(s string) error {
	switch {
	case s == "":
		return Errorf(EINVALID, "id", "id is required")
	case len(s) > calendarIDLen:
		return Errorf(EINVALID, "id", "id must have at most %d bytes", calendarIDLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == '/' }):
		return Errorf(EINVALID, "id", "id must be printable characters without \"/\"")
	case strings.TrimSpace(s) != s || s == "." || s == "..":
		return Errorf(EINVALID, "id", "id must not start or end with spaces, nor be \".\" or \"..\"")
	}
	return nil
}

// checkCalendarName checks the name as routing checks names: at most 256
// bytes of UTF-8 without control characters (may be empty).
func checkCalendarName(s string) error {
	switch {
	case len(s) > calendarNameLen:
		return Errorf(EINVALID, "name", "name must have at most %d bytes", calendarNameLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return Errorf(EINVALID, "name", "name must be text without control characters")
	}
	return nil
}

// loadTimeZone loads an IANA zone by name. "Local" (the machine's zone) and
// names that could be paths are refused.
func loadTimeZone(name string) (*time.Location, error) {
	bad := func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/_+-", r))
	}
	if name == "" || len(name) > timeZoneLen || name == "Local" || strings.ContainsFunc(name, bad) ||
		strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//") {
		return nil, Errorf(EINVALID, "time_zone", "time_zone must be an IANA time zone such as \"Europe/Kyiv\" or \"UTC\"")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(EINVALID, "time_zone", "time_zone %q is not a known time zone", name)
	}
	return loc, nil
}

// setWeek parses the weekly hours into s.week and the sums over it.
func (s *Schedule) setWeek(hours map[string][][2]string) error {
	for _, k := range slices.Sorted(maps.Keys(hours)) {
		if !slices.Contains(days[:], k) {
			return Errorf(EINVALID, "hours."+fieldKey(k), "hours has an unknown day %q; the days are mon, tue, wed, thu, fri, sat and sun", k)
		}
	}
	full := true
	for i, d := range days {
		spans, err := parseRanges("hours."+d, hours[d])
		if err != nil {
			return err
		}
		s.week[i], s.weekBefore[i] = spans, s.weekTotal
		s.weekTotal += openBefore(spans, day)
		full = full && isFullDay(spans)
	}
	s.weekEmpty, s.weekFull = s.weekTotal == 0, full
	return nil
}

// fieldKey shows a day key in a field name, or "?" when it is not short
// printable ASCII.
func fieldKey(k string) string {
	if len(k) == 0 || len(k) > 16 || strings.ContainsFunc(k, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsPrint(r) }) {
		return "?"
	}
	return k
}

// setExceptions parses the exceptions into s.exc, ordered by date.
func (s *Schedule) setExceptions(exc []CalendarException) error {
	if len(exc) > MaxCalendarExceptions {
		return Errorf(EINVALID, "exceptions", "exceptions must have at most %d dates", MaxCalendarExceptions)
	}
	seen := make(map[int64]int, len(exc))
	for i, e := range exc {
		field := fmt.Sprintf("exceptions[%d]", i)
		d, err := time.Parse(time.DateOnly, e.Date)
		if err != nil {
			return Errorf(EINVALID, field+".date", "%s.date must be a date as YYYY-MM-DD, such as \"2026-12-25\"", field)
		}
		n := floorDiv(d.Unix(), day)
		if j, ok := seen[n]; ok {
			return Errorf(EINVALID, field+".date", "%s.date repeats exceptions[%d].date %s", field, j, e.Date)
		}
		seen[n] = i
		spans, err := parseRanges(field+".hours", e.Hours)
		if err != nil {
			return err
		}
		s.exc = append(s.exc, excDay{day: n, spans: spans})
	}
	slices.SortFunc(s.exc, func(a, b excDay) int { return cmp.Compare(a.day, b.day) })
	return nil
}

// parseRanges checks a day's ranges and returns them as spans, ordered and
// with touching ones joined.
func parseRanges(field string, rs [][2]string) ([]span, error) {
	if len(rs) > MaxCalendarRanges {
		return nil, Errorf(EINVALID, field, "%s must have at most %d ranges", field, MaxCalendarRanges)
	}
	spans := make([]span, len(rs))
	for i, r := range rs {
		sp, err := parseRange(fmt.Sprintf("%s[%d]", field, i), r)
		if err != nil {
			return nil, err
		}
		spans[i] = sp
	}
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(spans[a].start, spans[b].start) })
	for k := 1; k < len(order); k++ {
		if prev, cur := order[k-1], order[k]; spans[cur].start < spans[prev].end {
			i, j := min(prev, cur), max(prev, cur)
			return nil, Errorf(EINVALID, fmt.Sprintf("%s[%d]", field, j), "%s[%d] overlaps %s[%d]", field, j, field, i)
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	return joinSpans(spans), nil
}

// parseRange parses ["HH:MM", "HH:MM"]: a start from 00:00 to 23:59 and a
// later end up to 24:00, on the same day.
func parseRange(field string, r [2]string) (span, error) {
	start, ok := parseClock(r[0])
	if !ok || start == day {
		return span{}, Errorf(EINVALID, field, "%s must start at a time from \"00:00\" to \"23:59\", not %q", field, r[0])
	}
	end, ok := parseClock(r[1])
	switch {
	case !ok:
		return span{}, Errorf(EINVALID, field, "%s must end at a time from \"00:01\" to \"24:00\", not %q", field, r[1])
	case end == start:
		return span{}, Errorf(EINVALID, field, "%s is empty: it starts and ends at %s", field, r[0])
	case end < start:
		return span{}, Errorf(EINVALID, field, "%s ends before it starts; a range past midnight is two: [%q, \"24:00\"] and [\"00:00\", %q] on the next day", field, r[0], r[1])
	}
	return span{start, end}, nil
}

// parseClock parses "HH:MM" (00:00 to 24:00) into seconds since midnight.
func parseClock(s string) (int64, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	var n [4]int64
	for i, p := range [4]int{0, 1, 3, 4} {
		if s[p] < '0' || s[p] > '9' {
			return 0, false
		}
		n[i] = int64(s[p] - '0')
	}
	h, m := n[0]*10+n[1], n[2]*10+n[3]
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return h*3600 + m*60, true
}

// joinSpans joins ordered spans that touch.
func joinSpans(spans []span) []span {
	out := spans[:0]
	for _, sp := range spans {
		if n := len(out); n > 0 && out[n-1].end == sp.start {
			out[n-1].end = sp.end
			continue
		}
		out = append(out, sp)
	}
	return out
}

func isFullDay(spans []span) bool { return len(spans) == 1 && spans[0] == span{0, day} }

// Schedule is a compiled Calendar: it answers whether the calendar is open
// at an instant, when it next opens or closes and how much open time lies
// between two instants. Hours are read on the zone's wall clock: an instant
// is open when its local time lies in a range of its local date (see
// docs/CALENDARS.md for days when clocks change). A nil *Schedule is always
// open. A Schedule is immutable and safe for concurrent use.
type Schedule struct {
	loc        *time.Location
	week       [7][]span // Monday first
	weekBefore [7]int64  // open seconds of the week before each day
	weekTotal  int64     // open seconds of a week
	exc        []excDay  // ordered by day
	weekEmpty  bool      // no weekly hours: only exceptions open
	weekFull   bool      // every day of the week is open 00:00–24:00
}

// span is the wall-clock range [start, end) in seconds since local midnight.
type span struct{ start, end int64 }

// excDay is an exception: the spans of a local date, given as days since
// 1970-01-01.
type excDay struct {
	day   int64
	spans []span
}

const (
	day     = 24 * 3600
	week    = 7 * day
	monday0 = 4 * day // 1970-01-05, the first Monday after the epoch
)

// Location returns the calendar's time zone (UTC for a nil Schedule).
func (s *Schedule) Location() *time.Location {
	if s == nil {
		return time.UTC
	}
	return s.loc
}

// Open reports whether the calendar is open at t.
func (s *Schedule) Open(t time.Time) bool {
	if s == nil {
		return true
	}
	_, off := t.In(s.loc).Zone()
	w := t.Unix() + int64(off)
	x := floorMod(w, day)
	for _, sp := range s.spans(floorDiv(w, day)) {
		if x < sp.end {
			return sp.start <= x
		}
	}
	return false
}

// NextOpen returns the first open instant at or after t: t itself when the
// calendar is open at t, the zero time when it never opens again.
func (s *Schedule) NextOpen(t time.Time) time.Time {
	if s == nil {
		return t
	}
	orig := t.Location()
	for {
		off, end := s.zone(t)
		w := t.Unix() + off
		a, _, ok := s.nextSpan(w)
		switch {
		case !ok:
			return time.Time{}
		case a <= w:
			return t
		}
		if next := time.Unix(a-off, 0); end.IsZero() || next.Before(end) {
			return next.In(orig)
		}
		t = end.In(orig) // the wall clock jumps at end: look again from there
	}
}

// NextClose returns the first closed instant at or after t: t itself when
// the calendar is closed at t, the zero time when it never closes.
func (s *Schedule) NextClose(t time.Time) time.Time {
	if s == nil {
		return time.Time{}
	}
	orig := t.Location()
	for {
		off, end := s.zone(t)
		w := t.Unix() + off
		a, b, ok := s.nextSpan(w)
		if !ok || a > w {
			return t
		}
		if b = s.joinedEnd(b); b == never {
			return time.Time{}
		}
		if next := time.Unix(b-off, 0); end.IsZero() || next.Before(end) {
			return next.In(orig)
		}
		t = end.In(orig)
	}
}

// AddBusiness returns the instant at which d of open time has passed since
// from: from + d when always open (nil), the zero time when the calendar
// closes for good before then. A d of 0 or less gives from.
func (s *Schedule) AddBusiness(from time.Time, d time.Duration) time.Time {
	if s == nil || d <= 0 {
		return from.Add(max(d, 0))
	}
	t := from
	for {
		if t = s.NextOpen(t); t.IsZero() {
			return time.Time{}
		}
		end := s.NextClose(t)
		if end.IsZero() || end.Sub(t) >= d {
			return t.Add(d)
		}
		d -= end.Sub(t)
		t = end
	}
}

// BusinessSeconds returns the open time in [from, to), in seconds; 0 when
// from is not before to. It costs O(log exceptions) for each change of the
// zone's offset and each exception between them, not O(days).
func (s *Schedule) BusinessSeconds(from, to time.Time) float64 {
	if !from.Before(to) {
		return 0
	}
	n, ns := to.Unix()-from.Unix(), int64(to.Nanosecond())-int64(from.Nanosecond())
	if s != nil {
		// The open set is made of whole seconds: count them in [floor(from),
		// floor(to)), then take away the part of from's second before from
		// and add the part of to's second before to.
		n, ns = s.openSeconds(from.Unix(), to.Unix()), 0
		if s.Open(to) {
			ns += int64(to.Nanosecond())
		}
		if s.Open(from) {
			ns -= int64(from.Nanosecond())
		}
	}
	if ns < 0 {
		n, ns = n-1, ns+1e9
	}
	return float64(n) + float64(ns)/1e9
}

// never is the end of a span that never ends.
const never = int64(1<<63 - 1)

// zone returns the offset in effect at t and when it ends (the zero time
// when it never does).
func (s *Schedule) zone(t time.Time) (off int64, end time.Time) {
	lt := t.In(s.loc)
	_, o := lt.Zone()
	_, end = lt.ZoneBounds()
	if !end.IsZero() && !end.After(t) {
		// On the last UTC day of a leap year past the zone's table of
		// changes, ZoneBounds answers an end before t (golang/go#81583).
		// The offset then holds into the next year: end at the next UTC
		// midnight, so that the callers' loops move on.
		end = t.UTC().Truncate(day * time.Second).Add(day * time.Second)
	}
	return int64(o), end
}

// spans returns the spans of a local date (days since 1970-01-01).
func (s *Schedule) spans(d int64) []span {
	if i, ok := s.findExc(d); ok {
		return s.exc[i].spans
	}
	return s.week[weekday(d)]
}

// findExc returns the index of the first exception on or after day d, and
// whether it is on d.
func (s *Schedule) findExc(d int64) (int, bool) {
	return slices.BinarySearchFunc(s.exc, d, func(e excDay, d int64) int { return cmp.Compare(e.day, d) })
}

// nextSpan returns the first span, in wall seconds since the epoch, that
// ends after wall time w; false when there is none.
func (s *Schedule) nextSpan(w int64) (start, end int64, ok bool) {
	d := floorDiv(w, day)
	for {
		base := d * day
		for _, sp := range s.spans(d) {
			if base+sp.end > w {
				return base + sp.start, base + sp.end, true
			}
		}
		if !s.weekEmpty { // an open day comes within 7 days of the last exception
			d++
			continue
		}
		i, ok := s.findExc(d)
		if ok {
			i++
		}
		if i == len(s.exc) {
			return 0, 0, false
		}
		d = s.exc[i].day
	}
}

// joinedEnd returns the wall end of the open time that goes on from a span
// ending at wall time b, through the spans that begin where the last ends.
func (s *Schedule) joinedEnd(b int64) int64 {
	for floorMod(b, day) == 0 {
		d := b / day
		if s.weekFull { // only an exception can break it
			i, _ := s.findExc(d)
			for i < len(s.exc) && isFullDay(s.exc[i].spans) {
				i++
			}
			if i == len(s.exc) {
				return never
			}
			d = s.exc[i].day
		}
		sp := s.spans(d)
		if len(sp) == 0 || sp[0].start != 0 {
			return d * day
		}
		b = d*day + sp[0].end
	}
	return b
}

// openSeconds counts the open seconds in [lo, hi), in seconds since the
// epoch, one stretch of constant offset at a time.
func (s *Schedule) openSeconds(lo, hi int64) int64 {
	var n int64
	for lo < hi {
		off, end := s.zone(time.Unix(lo, 0))
		next := hi
		if !end.IsZero() && end.Unix() < hi {
			next = end.Unix()
		}
		n += s.wallOpen(lo+off, next+off)
		lo = next
	}
	return n
}

// wallOpen counts the open seconds between wall times lo and hi: those of
// the weekly hours, corrected on the dates of exceptions.
func (s *Schedule) wallOpen(lo, hi int64) int64 {
	n := s.weekly(hi) - s.weekly(lo)
	i, _ := s.findExc(floorDiv(lo, day))
	for ; i < len(s.exc) && s.exc[i].day*day < hi; i++ {
		e := s.exc[i]
		a, b := max(lo-e.day*day, 0), min(hi-e.day*day, day)
		wk := s.week[weekday(e.day)]
		n += openBefore(e.spans, b) - openBefore(e.spans, a) - openBefore(wk, b) + openBefore(wk, a)
	}
	return n
}

// weekly counts the open seconds of the weekly hours from the Monday
// 1970-01-05 to wall time w (negative before it).
func (s *Schedule) weekly(w int64) int64 {
	r := floorMod(w-monday0, week)
	d := r / day
	return floorDiv(w-monday0, week)*s.weekTotal + s.weekBefore[d] + openBefore(s.week[d], r%day)
}

// openBefore counts the seconds of spans before x seconds of the day.
func openBefore(spans []span, x int64) int64 {
	var n int64
	for _, sp := range spans {
		if sp.start >= x {
			break
		}
		n += min(sp.end, x) - sp.start
	}
	return n
}

// weekday returns the day of the week of a date, 0 for Monday.
func weekday(d int64) int { return int(floorMod(d+3, 7)) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
