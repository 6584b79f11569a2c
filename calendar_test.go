package switchboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zones on every machine
)

// issueJSON is the calendar of issue 23, as the API takes it.
const issueJSON = `{"id": "office", "name": "Office", "time_zone": "Europe/Kyiv",
	"hours": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
		"thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]], "sat": [["10:00", "14:00"]], "sun": []},
	"exceptions": [{"date": "2026-12-25", "hours": []}, {"date": "2026-12-31", "hours": [["09:00", "15:00"]]},
		{"date": "2026-03-29", "hours": [["02:00", "05:00"]]}, {"date": "2026-10-25", "hours": [["02:00", "05:00"]]}]}`

// office is issueJSON, decoded as the http package decodes bodies. Its
// exceptions on Sundays 2026-03-29 (clocks go 03:00 EET → 04:00 EEST at
// 01:00 UTC) and 2026-10-25 (04:00 EEST → 03:00 EET at 01:00 UTC) open the
// hours that clocks skip and repeat.
func office(t testing.TB) Calendar {
	t.Helper()
	var c Calendar
	dec := json.NewDecoder(strings.NewReader(issueJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func compile(t testing.TB, c Calendar) *Schedule {
	t.Helper()
	s, err := c.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// utc parses an RFC 3339 time.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// weeklyCal returns a calendar in zone with the same ranges on the given days.
func weeklyCal(zone string, hours [][2]string, on ...string) Calendar {
	c := Calendar{ID: "c", TimeZone: zone, Hours: map[string][][2]string{}}
	for _, d := range on {
		c.Hours[d] = hours
	}
	return c
}

var (
	allDays  = days[:]
	allDay   = [][2]string{{"00:00", "24:00"}}
	workdays = []string{"mon", "tue", "wed", "thu", "fri"}
)

func TestCalendarJSON(t *testing.T) {
	c := office(t)
	want := Calendar{ID: "office", Name: "Office", TimeZone: "Europe/Kyiv", Hours: map[string][][2]string{
		"mon": {{"09:00", "18:00"}}, "tue": {{"09:00", "18:00"}}, "wed": {{"09:00", "18:00"}},
		"thu": {{"09:00", "18:00"}}, "fri": {{"09:00", "18:00"}}, "sat": {{"10:00", "14:00"}}, "sun": {},
	}, Exceptions: []CalendarException{
		{Date: "2026-12-25", Hours: [][2]string{}}, {Date: "2026-12-31", Hours: [][2]string{{"09:00", "15:00"}}},
		{Date: "2026-03-29", Hours: [][2]string{{"02:00", "05:00"}}}, {Date: "2026-10-25", Hours: [][2]string{{"02:00", "05:00"}}},
	}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("decoded %+v\nwant %+v", c, want)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	var orig map[string]any
	if err := json.Unmarshal([]byte(issueJSON), &orig); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, orig) {
		t.Fatalf("encoded %s", b)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestCalendarValidate(t *testing.T) {
	many := func(n int) [][2]string {
		rs := make([][2]string, n)
		for i := range rs {
			rs[i] = [2]string{fmt.Sprintf("%02d:%02d", i/60, i%60), fmt.Sprintf("%02d:%02d", (i+1)/60, (i+1)%60)}
		}
		return rs
	}
	dates := func(n int) []CalendarException {
		es := make([]CalendarException, n)
		for i := range es {
			es[i].Date = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
		return es
	}
	hours := func(day string, rs ...[2]string) func(*Calendar) {
		return func(c *Calendar) { c.Hours[day] = rs }
	}
	exc := func(es ...CalendarException) func(*Calendar) {
		return func(c *Calendar) { c.Exceptions = es }
	}
	for _, tt := range []struct {
		name  string
		edit  func(*Calendar)
		field string // "" when valid
	}{
		{"the issue's calendar is valid", func(*Calendar) {}, ""},
		{"no hours at all is valid (always closed)", func(c *Calendar) { c.Hours, c.Exceptions = nil, nil }, ""},
		{"a day may be null", hours("sun"), ""},
		{"24:00 ends a range", hours("sun", [2]string{"20:00", "24:00"}), ""},
		{"a whole day", hours("sun", [2]string{"00:00", "24:00"}), ""},
		{"ranges may touch and come in any order", hours("mon", [2]string{"12:00", "18:00"}, [2]string{"09:00", "12:00"}), ""},
		{"a one-minute range", hours("mon", [2]string{"23:59", "24:00"}), ""},
		{"100 ranges a day", hours("mon", many(MaxCalendarRanges)...), ""},
		{"1000 exceptions", exc(dates(MaxCalendarExceptions)...), ""},
		{"UTC", func(c *Calendar) { c.TimeZone = "UTC" }, ""},
		{"Etc/GMT+3", func(c *Calendar) { c.TimeZone = "Etc/GMT+3" }, ""},
		{"America/Argentina/Buenos_Aires", func(c *Calendar) { c.TimeZone = "America/Argentina/Buenos_Aires" }, ""},
		{"a name may be empty", func(c *Calendar) { c.Name = "" }, ""},

		{"id is required", func(c *Calendar) { c.ID = "" }, "id"},
		{"id has no slash", func(c *Calendar) { c.ID = "a/b" }, "id"},
		{"id has no edge spaces", func(c *Calendar) { c.ID = " a" }, "id"},
		{"id is not ..", func(c *Calendar) { c.ID = ".." }, "id"},
		{"id is printable", func(c *Calendar) { c.ID = "a\x00" }, "id"},
		{"id is at most 128 bytes", func(c *Calendar) { c.ID = strings.Repeat("a", 129) }, "id"},
		{"name has no control characters", func(c *Calendar) { c.Name = "a\nb" }, "name"},
		{"name is at most 256 bytes", func(c *Calendar) { c.Name = strings.Repeat("é", 129) }, "name"},
		{"time_zone is required", func(c *Calendar) { c.TimeZone = "" }, "time_zone"},
		{"time_zone is not the machine's", func(c *Calendar) { c.TimeZone = "Local" }, "time_zone"},
		{"time_zone is known", func(c *Calendar) { c.TimeZone = "Mars/Olympus_Mons" }, "time_zone"},
		{"time_zone is not a path", func(c *Calendar) { c.TimeZone = "../../etc/passwd" }, "time_zone"},
		{"time_zone is not an absolute path", func(c *Calendar) { c.TimeZone = "/etc/localtime" }, "time_zone"},
		{"time_zone is not an offset", func(c *Calendar) { c.TimeZone = "+03:00" }, "time_zone"},
		{"time_zone is case-sensitive", func(c *Calendar) { c.TimeZone = "europe/kyiv" }, "time_zone"},
		{"days are mon..sun", hours("monday", [2]string{"09:00", "18:00"}), "hours.monday"},
		{"days are lower case", hours("Mon"), "hours.Mon"},
		{"an odd day key is not echoed", hours("\x00"), "hours.?"},
		{"at most 100 ranges a day", hours("tue", many(MaxCalendarRanges+1)...), "hours.tue"},
		{"HH:MM has two digits", hours("mon", [2]string{"9:00", "18:00"}), "hours.mon[0]"},
		{"seconds are not taken", hours("mon", [2]string{"09:00:00", "18:00"}), "hours.mon[0]"},
		{"minutes end at 59", hours("mon", [2]string{"09:60", "18:00"}), "hours.mon[0]"},
		{"hours end at 24", hours("mon", [2]string{"09:00", "25:00"}), "hours.mon[0]"},
		{"nothing past 24:00", hours("mon", [2]string{"09:00", "24:01"}), "hours.mon[0]"},
		{"24:00 does not start a range", hours("mon", [2]string{"24:00", "24:00"}), "hours.mon[0]"},
		{"an end is required", hours("wed", [2]string{"09:00", "18:00"}, [2]string{"19:00"}), "hours.wed[1]"},
		{"an empty range", hours("mon", [2]string{"09:00", "09:00"}), "hours.mon[0]"},
		{"an overnight range is two ranges", hours("fri", [2]string{"22:00", "02:00"}), "hours.fri[0]"},
		{"ranges may not overlap", hours("mon", [2]string{"09:00", "12:00"}, [2]string{"11:59", "13:00"}), "hours.mon[1]"},
		{"the later one overlaps", hours("mon", [2]string{"11:00", "13:00"}, [2]string{"09:00", "12:00"}), "hours.mon[1]"},
		{"a range inside another", hours("sat", [2]string{"09:00", "18:00"}, [2]string{"19:00", "20:00"}, [2]string{"10:00", "11:00"}), "hours.sat[2]"},
		{"the same range twice", hours("mon", [2]string{"09:00", "18:00"}, [2]string{"09:00", "18:00"}), "hours.mon[1]"},
		{"at most 1000 exceptions", exc(dates(MaxCalendarExceptions + 1)...), "exceptions"},
		{"a date is YYYY-MM-DD", exc(CalendarException{Date: "2026-12-25"}, CalendarException{Date: "26-12-25"}), "exceptions[1].date"},
		{"a date exists", exc(CalendarException{Date: "2026-02-29"}), "exceptions[0].date"},
		{"a date has no time", exc(CalendarException{Date: "2026-12-25T00:00:00Z"}), "exceptions[0].date"},
		{"a date is required", exc(CalendarException{}), "exceptions[0].date"},
		{"a date is given once", exc(CalendarException{Date: "2026-12-25"}, CalendarException{Date: "2026-12-24"}, CalendarException{Date: "2026-12-25"}), "exceptions[2].date"},
		{"an exception's ranges are checked", exc(CalendarException{Date: "2026-12-31", Hours: [][2]string{{"09:00", "15:00"}, {"14:00", "16:00"}}}), "exceptions[0].hours[1]"},
		{"an exception's range is a range", exc(CalendarException{Date: "2026-12-31"}, CalendarException{Date: "2027-01-01", Hours: [][2]string{{"noon", "15:00"}}}), "exceptions[1].hours[0]"},
		{"at most 100 ranges an exception", exc(CalendarException{Date: "2026-12-31", Hours: many(MaxCalendarRanges + 1)}), "exceptions[0].hours"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := office(t)
			tt.edit(&c)
			err := c.Validate()
			_, cerr := c.Compile()
			if ErrorCode(err) != ErrorCode(cerr) || ErrorField(err) != ErrorField(cerr) {
				t.Fatalf("Validate: %v, Compile: %v", err, cerr)
			}
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
				t.Fatalf("got %v (field %q), want invalid %q", err, ErrorField(err), tt.field)
			}
			if msg := ErrorMessage(err); !strings.Contains(msg, strings.SplitN(tt.field, ".", 2)[0]) {
				t.Errorf("message %q does not name the field", msg)
			}
		})
	}
}

func TestCalendarOvernightMessage(t *testing.T) {
	err := weeklyCal("UTC", [][2]string{{"22:00", "02:00"}}, "fri").Validate()
	want := `hours.fri[0] ends before it starts; a range past midnight is two: ["22:00", "24:00"] and ["00:00", "02:00"] on the next day`
	if ErrorMessage(err) != want {
		t.Fatalf("got %q", ErrorMessage(err))
	}
}

// TestScheduleOpen checks instants of the office calendar against hand
// reading: Kyiv is UTC+2 in winter (EET), UTC+3 in summer (EEST).
func TestScheduleOpen(t *testing.T) {
	s := compile(t, office(t))
	for _, tt := range []struct {
		name string
		at   string
		open bool
	}{
		{"Monday 08:59:59 EEST is before opening", "2026-06-01T05:59:59Z", false},
		{"Monday 09:00 EEST opens", "2026-06-01T06:00:00Z", true},
		{"Monday 17:59:59.999 EEST is open", "2026-06-01T14:59:59.999Z", true},
		{"Monday 18:00 EEST closes", "2026-06-01T15:00:00Z", false},
		{"Monday 09:00 EET in winter", "2026-01-05T07:00:00Z", true},
		{"Monday 08:00 EET in winter", "2026-01-05T06:00:00Z", false},
		{"Saturday 13:59 EEST", "2026-06-06T10:59:00Z", true},
		{"Saturday 14:00 EEST", "2026-06-06T11:00:00Z", false},
		{"Sunday noon is closed", "2026-06-07T09:00:00Z", false},
		{"Christmas (a Friday) is closed", "2026-12-25T10:00:00Z", false},
		{"Thursday before Christmas is open", "2026-12-24T10:00:00Z", true},
		{"New Year's Eve 14:59 EET is open", "2026-12-31T12:59:00Z", true},
		{"New Year's Eve 15:00 EET is closed", "2026-12-31T13:00:00Z", false},
		{"spring Sunday 01:59 EET: before 02:00", "2026-03-28T23:59:00Z", false},
		{"spring Sunday 02:00 EET opens", "2026-03-29T00:00:00Z", true},
		{"spring Sunday 02:59:59 EET", "2026-03-29T00:59:59Z", true},
		{"spring Sunday 04:00 EEST (a second later)", "2026-03-29T01:00:00Z", true},
		{"spring Sunday 04:59 EEST", "2026-03-29T01:59:00Z", true},
		{"spring Sunday 05:00 EEST closes", "2026-03-29T02:00:00Z", false},
		{"autumn Sunday 02:00 EEST opens", "2026-10-24T23:00:00Z", true},
		{"autumn Sunday 03:30 EEST, the first time", "2026-10-25T00:30:00Z", true},
		{"autumn Sunday 03:30 EET, the second time", "2026-10-25T01:30:00Z", true},
		{"autumn Sunday 04:59 EET", "2026-10-25T02:59:00Z", true},
		{"autumn Sunday 05:00 EET closes", "2026-10-25T03:00:00Z", false},
		{"an instant in another zone", "2026-06-01T09:00:00+03:00", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Open(utc(tt.at)); got != tt.open {
				t.Fatalf("Open(%s) = %v", tt.at, got)
			}
		})
	}
}

// TestScheduleNext checks NextOpen and NextClose by hand, across nights,
// weekends, exceptions and clock changes.
func TestScheduleNext(t *testing.T) {
	night := weeklyCal("Europe/Kyiv", [][2]string{{"22:00", "24:00"}}, workdays...)
	night.Hours["tue"] = [][2]string{{"00:00", "02:00"}, {"22:00", "24:00"}}
	sundays := weeklyCal("Europe/Kyiv", allDay, "sun")
	skipped := weeklyCal("Europe/Kyiv", [][2]string{{"03:00", "03:30"}}, "sun")
	repeated := weeklyCal("Europe/Kyiv", [][2]string{{"03:30", "04:00"}}, "sun")
	later := weeklyCal("Europe/Kyiv", nil)
	later.Exceptions = []CalendarException{{Date: "2027-01-10", Hours: [][2]string{{"10:00", "11:00"}}}, {Date: "2026-07-01"}}
	alwaysBut := weeklyCal("Europe/Kyiv", allDay, allDays...)
	alwaysBut.Exceptions = []CalendarException{{Date: "2026-12-24", Hours: allDay}, {Date: "2026-12-25", Hours: [][2]string{{"00:00", "12:00"}}}}
	for _, tt := range []struct {
		name  string
		cal   Calendar
		at    string
		open  string // NextOpen, "" for never
		close string // NextClose, "" for never
	}{
		{"open: NextOpen is now", office(t), "2026-06-01T10:00:00.5Z", "2026-06-01T10:00:00.5Z", "2026-06-01T15:00:00Z"},
		{"closed: NextClose is now", office(t), "2026-06-01T15:00:00Z", "2026-06-02T06:00:00Z", "2026-06-01T15:00:00Z"},
		{"Sunday to Monday", office(t), "2026-06-07T09:00:00Z", "2026-06-08T06:00:00Z", "2026-06-07T09:00:00Z"},
		{"over Christmas to Saturday 10:00 EET", office(t), "2026-12-24T16:00:00Z", "2026-12-26T08:00:00Z", "2026-12-24T16:00:00Z"},
		{"New Year's Eve closes at 15:00", office(t), "2026-12-31T10:00:00Z", "2026-12-31T10:00:00Z", "2026-12-31T13:00:00Z"},
		{"Saturday to the spring Sunday's 02:00 EET", office(t), "2026-03-28T12:00:00Z", "2026-03-29T00:00:00Z", "2026-03-28T12:00:00Z"},
		{"the spring Sunday's range is 2 hours", office(t), "2026-03-29T00:30:00Z", "2026-03-29T00:30:00Z", "2026-03-29T02:00:00Z"},
		{"the autumn Sunday's range is 4 hours", office(t), "2026-10-24T23:00:00Z", "2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z"},
		{"a night goes on past midnight", night, "2026-06-01T20:00:00Z", "2026-06-01T20:00:00Z", "2026-06-01T23:00:00Z"},
		{"a night opens at 22:00", night, "2026-06-01T18:00:00Z", "2026-06-01T19:00:00Z", "2026-06-01T18:00:00Z"},
		{"Tuesday's first range ends the night", night, "2026-06-01T22:00:00Z", "2026-06-01T22:00:00Z", "2026-06-01T23:00:00Z"},
		{"a whole Sunday closes at Monday 00:00", sundays, "2026-06-07T09:00:00Z", "2026-06-07T09:00:00Z", "2026-06-07T21:00:00Z"},
		{"a range the clocks skip never opens that day", skipped, "2026-03-28T12:00:00Z", "2026-04-05T00:00:00Z", "2026-03-28T12:00:00Z"},
		{"a repeated range closes at the change", repeated, "2026-10-25T00:45:00Z", "2026-10-25T00:45:00Z", "2026-10-25T01:00:00Z"},
		{"and opens again half an hour later", repeated, "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T01:00:00Z"},
		{"only an exception opens", later, "2026-06-01T00:00:00Z", "2027-01-10T08:00:00Z", "2026-06-01T00:00:00Z"},
		{"nothing after the last exception", later, "2027-01-10T09:00:00Z", "", "2027-01-10T09:00:00Z"},
		{"always open but Christmas afternoon", alwaysBut, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-12-25T10:00:00Z"},
		{"closed on Christmas afternoon", alwaysBut, "2026-12-25T12:00:00Z", "2026-12-25T22:00:00Z", "2026-12-25T12:00:00Z"},
		{"never closes after Christmas", alwaysBut, "2026-12-26T00:00:00Z", "2026-12-26T00:00:00Z", ""},
		{"always closed", weeklyCal("Europe/Kyiv", nil), "2026-06-01T00:00:00Z", "", "2026-06-01T00:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, at := compile(t, tt.cal), utc(tt.at)
			checkNext(t, "NextOpen", at, s.NextOpen(at), tt.open)
			checkNext(t, "NextClose", at, s.NextClose(at), tt.close)
		})
	}
}

func checkNext(t *testing.T, name string, at, got time.Time, want string) {
	t.Helper()
	switch {
	case want == "" && !got.IsZero():
		t.Errorf("%s(%v) = %v, want never", name, at, got)
	case want != "" && !got.Equal(utc(want)):
		t.Errorf("%s(%v) = %v, want %s", name, at, got, want)
	case !got.IsZero() && got.Location() != at.Location():
		t.Errorf("%s(%v) = %v, not in the zone of the argument", name, at, got)
	}
}

// TestScheduleBusinessSeconds checks open time between instants by hand.
func TestScheduleBusinessSeconds(t *testing.T) {
	const h = 3600
	always := weeklyCal("Europe/Kyiv", allDay, allDays...)
	for _, tt := range []struct {
		name     string
		cal      Calendar
		from, to string
		want     float64
	}{
		{"a June week: 5×9 h + 4 h", office(t), "2026-05-31T21:00:00Z", "2026-06-07T21:00:00Z", 49 * h},
		{"June 2026: 4 weeks + Monday and Tuesday", office(t), "2026-05-31T21:00:00Z", "2026-06-30T21:00:00Z", (4*49 + 18) * h},
		{"Christmas week: Friday closed", office(t), "2026-12-20T22:00:00Z", "2026-12-27T22:00:00Z", 40 * h},
		{"New Year's week: Thursday 6 h", office(t), "2026-12-27T22:00:00Z", "2027-01-03T22:00:00Z", (3*9 + 6 + 9 + 4) * h},
		{"the spring week: + 2 h on Sunday", office(t), "2026-03-22T22:00:00Z", "2026-03-29T21:00:00Z", 51 * h},
		{"the autumn week: + 4 h on Sunday", office(t), "2026-10-18T21:00:00Z", "2026-10-25T22:00:00Z", 53 * h},
		{"the spring Sunday alone", office(t), "2026-03-28T22:00:00Z", "2026-03-29T21:00:00Z", 2 * h},
		{"the autumn Sunday alone", office(t), "2026-10-24T21:00:00Z", "2026-10-25T22:00:00Z", 4 * h},
		{"a 23-hour day", always, "2026-03-28T22:00:00Z", "2026-03-29T21:00:00Z", 23 * h},
		{"a 25-hour day", always, "2026-10-24T21:00:00Z", "2026-10-25T22:00:00Z", 25 * h},
		{"a 2026 always open: 365 days", always, "2025-12-31T22:00:00Z", "2026-12-31T22:00:00Z", 365 * 24 * h},
		{"half an hour before opening to half after", office(t), "2026-06-01T05:30:00Z", "2026-06-01T06:30:00Z", 1800},
		{"around closing", office(t), "2026-06-01T14:59:30Z", "2026-06-01T15:00:30Z", 30},
		{"fractions at both ends", office(t), "2026-06-01T06:00:00.25Z", "2026-06-01T06:00:01.5Z", 1.25},
		{"within one open second", office(t), "2026-06-01T06:00:00.25Z", "2026-06-01T06:00:00.75Z", 0.5},
		{"within one closed second", office(t), "2026-06-01T05:59:59.25Z", "2026-06-01T05:59:59.75Z", 0},
		{"fraction before opening", office(t), "2026-06-01T05:59:59.5Z", "2026-06-01T06:00:00.5Z", 0.5},
		{"fraction before closing", office(t), "2026-06-01T14:59:59.5Z", "2026-06-01T15:00:00.5Z", 0.5},
		{"the repeated half hours", weeklyCal("Europe/Kyiv", [][2]string{{"03:30", "04:00"}}, "sun"), "2026-10-24T21:00:00Z", "2026-10-25T22:00:00Z", h},
		{"the skipped half hour", weeklyCal("Europe/Kyiv", [][2]string{{"03:00", "03:30"}}, "sun"), "2026-03-28T22:00:00Z", "2026-03-29T21:00:00Z", 0},
		{"from after to", office(t), "2026-06-02T00:00:00Z", "2026-06-01T00:00:00Z", 0},
		{"from equal to", office(t), "2026-06-01T10:00:00Z", "2026-06-01T10:00:00Z", 0},
		{"always closed", weeklyCal("Europe/Kyiv", nil), "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := compile(t, tt.cal)
			if got := s.BusinessSeconds(utc(tt.from), utc(tt.to)); got != tt.want {
				t.Fatalf("BusinessSeconds = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestScheduleNil checks that no calendar is always open.
// TestScheduleAddBusiness: the instant a given open time has passed, across
// a closing, a weekend, a holiday; never for a calendar that stays closed.
func TestScheduleAddBusiness(t *testing.T) {
	s := compile(t, office(t)) // Europe/Kyiv, UTC+2 in December
	for _, c := range []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-12-07T10:00:00Z", time.Minute, "2026-12-07T10:01:00Z"},    // Monday 12:00, open
		{"2026-12-07T15:59:30Z", time.Minute, "2026-12-08T07:00:30Z"},    // 17:59:30: 30 s today, 30 s on Tuesday
		{"2026-12-07T20:00:00Z", time.Minute, "2026-12-08T07:01:00Z"},    // closed: from Tuesday's opening
		{"2026-12-24T15:59:30Z", time.Minute, "2026-12-26T08:00:30Z"},    // Christmas closed: Saturday 10:00
		{"2026-12-07T10:00:00Z", 10 * time.Hour, "2026-12-08T11:00:00Z"}, // 6 h Monday, 4 h from Tuesday 09:00
		{"2026-12-07T10:00:00Z", 0, "2026-12-07T10:00:00Z"},
	} {
		if got := s.AddBusiness(utc(c.from), c.d); !got.Equal(utc(c.want)) {
			t.Errorf("AddBusiness(%s, %v) = %v, want %s", c.from, c.d, got.UTC(), c.want)
		}
	}
	var none *Schedule
	if got := none.AddBusiness(utc("2026-12-07T10:00:00Z"), time.Hour); !got.Equal(utc("2026-12-07T11:00:00Z")) {
		t.Errorf("nil: %v", got)
	}
	closed := compile(t, Calendar{ID: "c", TimeZone: "UTC", Hours: map[string][][2]string{}})
	if got := closed.AddBusiness(utc("2026-12-07T10:00:00Z"), time.Second); !got.IsZero() {
		t.Errorf("a calendar never open: %v, want never", got)
	}
}

func TestScheduleNil(t *testing.T) {
	var s *Schedule
	at := utc("2026-06-01T10:00:00.5Z")
	if !s.Open(at) || !s.NextOpen(at).Equal(at) || !s.NextClose(at).IsZero() || s.Location() != time.UTC {
		t.Fatal("a nil schedule is not always open")
	}
	if got := s.BusinessSeconds(at, at.Add(90*time.Minute+250*time.Millisecond)); got != 5400.25 {
		t.Fatalf("BusinessSeconds = %v", got)
	}
	if got := s.BusinessSeconds(at.Add(time.Second), at); got != 0 {
		t.Fatalf("BusinessSeconds backwards = %v", got)
	}
}

// TestScheduleSamoa checks a date that never happened: Pacific/Apia went
// from 2011-12-29 23:59:59 -10:00 to 2011-12-31 00:00 +14:00.
func TestScheduleSamoa(t *testing.T) {
	c := weeklyCal("Pacific/Apia", allDay, allDays...)
	c.Exceptions = []CalendarException{{Date: "2011-12-30"}}
	s := compile(t, c)
	at := utc("2011-12-29T12:00:00-10:00")
	if got := s.NextClose(at); !got.IsZero() {
		t.Fatalf("NextClose = %v: the closed date never came", got)
	}
	if got := s.BusinessSeconds(at, at.Add(48*time.Hour)); got != 48*3600 {
		t.Fatalf("BusinessSeconds = %v", got)
	}
}

// TestScheduleLeapYearEnd checks the last UTC day of a leap year past the
// zone's table, where time.ZoneBounds answers an end before the instant
// (golang/go#81583): the queries must go on past it, and right.
func TestScheduleLeapYearEnd(t *testing.T) {
	for _, zone := range []string{"America/Havana", "Europe/Warsaw", "Australia/Sydney"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		c := weeklyCal(zone, allDay, allDays...)
		c.Exceptions = []CalendarException{{Date: "2041-01-02"}}
		s := compile(t, c)
		at := time.Date(2040, 12, 30, 12, 0, 0, 0, time.UTC)
		if got, want := s.NextClose(at), time.Date(2041, 1, 2, 0, 0, 0, 0, loc); !got.Equal(want) {
			t.Errorf("%s: NextClose = %v, want %v", zone, got, want)
		}
		if got := s.BusinessSeconds(at, at.Add(48*time.Hour)); got != 48*3600 {
			t.Errorf("%s: BusinessSeconds = %v", zone, got)
		}
		c = weeklyCal(zone, nil)
		c.Exceptions = []CalendarException{{Date: "2041-01-02", Hours: allDay}}
		if got, want := compile(t, c).NextOpen(at), time.Date(2041, 1, 2, 0, 0, 0, 0, loc); !got.Equal(want) {
			t.Errorf("%s: NextOpen = %v, want %v", zone, got, want)
		}
	}
}

// naiveOpen reads the calendar the slow, obvious way, as the reference.
func naiveOpen(c Calendar, loc *time.Location, t time.Time) bool {
	lt := t.In(loc)
	rs := c.Hours[strings.ToLower(lt.Weekday().String()[:3])]
	for _, e := range c.Exceptions {
		if e.Date == lt.Format(time.DateOnly) {
			rs = e.Hours
		}
	}
	now := lt.Format("15:04:05")
	for _, r := range rs {
		if r[0]+":00" <= now && now < r[1]+":00" {
			return true
		}
	}
	return false
}

// randomRanges returns up to 3 ordered ranges on minute boundaries that may
// touch, sometimes the whole day.
func randomRanges(r *rand.Rand) [][2]string {
	if r.IntN(6) == 0 {
		return allDay
	}
	n := r.IntN(4)
	cuts := make([]int, 2*n)
	for i := range cuts {
		cuts[i] = r.IntN(1441)
	}
	slices.Sort(cuts)
	var rs [][2]string
	for i := 0; i < len(cuts); i += 2 {
		if cuts[i] < cuts[i+1] {
			rs = append(rs, [2]string{hhmm(cuts[i]), hhmm(cuts[i+1])})
		}
	}
	return rs
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// propertyZones have whole-minute offsets in 2011–2031, so that every
// opening and closing falls on a whole minute: a minute-by-minute count is
// then exact. They change clocks by an hour, half an hour (Lord Howe), at
// midnight (Santiago, Havana), or not at all; Apia skipped a date.
var propertyZones = []string{"Europe/Kyiv", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
	"America/Havana", "Asia/Kolkata", "Pacific/Chatham", "Europe/London", "UTC", "Pacific/Apia"}

// TestScheduleProperty compares Open, NextOpen, NextClose and
// BusinessSeconds on random calendars with a minute-by-minute reading of
// naiveOpen, over random windows, half of them around a change of clocks.
func TestScheduleProperty(t *testing.T) {
	runs := 160
	if testing.Short() {
		runs = 40
	}
	r := rand.New(rand.NewPCG(23, 2026))
	for run := range runs {
		zone := propertyZones[r.IntN(len(propertyZones))]
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2020+r.IntN(11), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0, loc).Truncate(time.Minute)
		if zone == "Pacific/Apia" {
			from = utc("2011-12-27T00:00:00Z")
		} else if r.IntN(2) == 0 {
			_, change := from.ZoneBounds()
			if !change.IsZero() {
				from = change.Add(-time.Duration(r.IntN(3*24*60)) * time.Minute)
			}
		}
		minutes := 60 + r.IntN(4*24*60)
		c := Calendar{ID: "p", TimeZone: zone, Hours: map[string][][2]string{}}
		for _, d := range days {
			if r.IntN(4) > 0 {
				c.Hours[d] = randomRanges(r)
			}
		}
		for range r.IntN(4) {
			date := from.In(loc).AddDate(0, 0, r.IntN(7)-1).Format(time.DateOnly)
			if !slices.ContainsFunc(c.Exceptions, func(e CalendarException) bool { return e.Date == date }) {
				c.Exceptions = append(c.Exceptions, CalendarException{Date: date, Hours: randomRanges(r)})
			}
		}
		s, err := c.Compile()
		if err != nil {
			t.Fatalf("run %d: %v\n%+v", run, err, c)
		}
		checkAgainstNaive(t, c, loc, s, from, minutes, r)
		if t.Failed() {
			t.Fatalf("run %d: zone %s from %v for %d minutes\n%+v", run, zone, from, minutes, c)
		}
	}
}

func checkAgainstNaive(t *testing.T, c Calendar, loc *time.Location, s *Schedule, from time.Time, minutes int, r *rand.Rand) {
	t.Helper()
	at := func(i int) time.Time { return from.Add(time.Duration(i) * time.Minute) }
	open := make([]bool, minutes)
	before := make([]int, minutes+1) // open minutes before minute i
	for i := range minutes {
		open[i] = naiveOpen(c, loc, at(i))
		before[i+1] = before[i]
		if open[i] {
			before[i+1]++
		}
		if s.Open(at(i)) != open[i] || s.Open(at(i).Add(59*time.Second)) != open[i] {
			t.Errorf("Open(%v) = %v, naive %v", at(i).In(loc), !open[i], open[i])
			return
		}
	}
	if got, want := s.BusinessSeconds(at(0), at(minutes)), float64(60*before[minutes]); got != want {
		t.Errorf("BusinessSeconds over the window = %v, want %v", got, want)
	}
	for range 40 {
		i, j := r.IntN(minutes+1), r.IntN(minutes+1)
		want := 0.0
		if i < j {
			want = float64(60 * (before[j] - before[i]))
		}
		if got := s.BusinessSeconds(at(i), at(j)); got != want {
			t.Errorf("BusinessSeconds(%v, %v) = %v, want %v", at(i), at(j), got, want)
		}
		checkNextNaive(t, "NextOpen", s.NextOpen(at(i)), open, i, true, at)
		checkNextNaive(t, "NextClose", s.NextClose(at(i)), open, i, false, at)
	}
}

// checkNextNaive checks that got is the first minute from i whose openness
// is want, or lies past the window when no minute in it is.
func checkNextNaive(t *testing.T, name string, got time.Time, open []bool, i int, want bool, at func(int) time.Time) {
	t.Helper()
	if i == len(open) {
		return
	}
	for k := i; k < len(open); k++ {
		if open[k] == want {
			if !got.Equal(at(k)) {
				t.Errorf("%s(%v) = %v, want %v", name, at(i), got, at(k))
			}
			return
		}
	}
	if !got.IsZero() && got.Before(at(len(open))) {
		t.Errorf("%s(%v) = %v, within a window that has none", name, at(i), got)
	}
}

// FuzzCalendar decodes a calendar as the API does, validates and compiles
// it, and checks the queries' invariants at an instant of 2000–2040 and
// over up to 60 days after it.
func FuzzCalendar(f *testing.F) {
	f.Add([]byte(issueJSON), int64(1780300800), int64(86400*30))
	f.Add([]byte(`{"id":"n","time_zone":"Australia/Lord_Howe","hours":{"sun":[["00:00","24:00"]],"mon":[["00:00","01:30"],["01:30","02:00"]]},"exceptions":[{"date":"2026-04-05","hours":[["01:00","02:30"]]}]}`), int64(1775300000), int64(86400*3))
	f.Add([]byte(`{"id":"x","time_zone":"Europe/Kyiv","hours":{"fri":[["22:00","02:00"]]}}`), int64(0), int64(0))
	f.Add([]byte(`{"id":"a","time_zone":"America/Havana","hours":{"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]},"exceptions":[{"date":"2030-01-01","hours":[["00:00","23:59"]]}]}`), int64(1773000000), int64(-5))
	f.Add([]byte(`{"id":"e","time_zone":"UTC","exceptions":[{"date":"2039-12-31","hours":[["23:59","24:00"]]}]}`), int64(946684800), int64(86400*60))
	f.Fuzz(func(t *testing.T, data []byte, at, span int64) {
		var c Calendar
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if dec.Decode(&c) != nil {
			return
		}
		verr := c.Validate()
		s, err := c.Compile()
		if ErrorField(verr) != ErrorField(err) || (err == nil) != (s != nil) {
			t.Fatalf("Validate: %v, Compile: %v", verr, err)
		}
		if err != nil {
			if ErrorCode(err) != EINVALID || ErrorField(err) == "" {
				t.Fatalf("not an invalid error naming a field: %#v", err)
			}
			return
		}
		const lo, width = 946684800, 40 * 365 * 86400 // 2000–2040
		from := time.Unix(lo+floorMod(at, width), floorMod(at, 1e9))
		to := from.Add(time.Duration(span%(60*86400e9)) + time.Duration(span%7)*time.Second)
		checkQueries(t, s, from, to)
	})
}

func checkQueries(t *testing.T, s *Schedule, from, to time.Time) {
	if o := s.NextOpen(from); !o.IsZero() {
		if o.Before(from) || !s.Open(o) || (o.After(from) && s.Open(o.Add(-time.Nanosecond))) {
			t.Fatalf("NextOpen(%v) = %v", from, o)
		}
		if b := s.BusinessSeconds(from, o); b != 0 {
			t.Fatalf("BusinessSeconds up to NextOpen = %v", b)
		}
	} else if s.Open(from) || s.BusinessSeconds(from, to) != 0 {
		t.Fatalf("NextOpen(%v) is never, yet it is open", from)
	}
	if cl := s.NextClose(from); !cl.IsZero() {
		if cl.Before(from) || s.Open(cl) || (cl.After(from) && !s.Open(cl.Add(-time.Nanosecond))) {
			t.Fatalf("NextClose(%v) = %v", from, cl)
		}
		if b, d := s.BusinessSeconds(from, cl), cl.Sub(from).Seconds(); b != d {
			t.Fatalf("BusinessSeconds up to NextClose = %v, want %v", b, d)
		}
	} else if !s.Open(from) {
		t.Fatalf("NextClose(%v) is never, yet it is closed", from)
	}
	b := s.BusinessSeconds(from, to)
	if d := to.Sub(from).Seconds(); b < 0 || b > max(d, 0) || math.IsNaN(b) {
		t.Fatalf("BusinessSeconds(%v, %v) = %v of %v", from, to, b, d)
	}
	if d := time.Duration(b * 1e9); d > 0 {
		a := s.AddBusiness(from, d)
		if a.IsZero() || a.After(to.Add(time.Microsecond)) || math.Abs(s.BusinessSeconds(from, a)-d.Seconds()) > 1e-6 {
			t.Fatalf("AddBusiness(%v, %v) = %v: %v s open since, up to %v", from, d, a, s.BusinessSeconds(from, a), to)
		}
	}
	mid := from.Add(to.Sub(from) / 3)
	if sum := s.BusinessSeconds(from, mid) + s.BusinessSeconds(mid, to); from.Before(to) && math.Abs(sum-b) > 1e-6 {
		t.Fatalf("BusinessSeconds is not additive at %v: %v + … = %v, want %v", mid, s.BusinessSeconds(from, mid), sum, b)
	}
}

// benchOffice is the office calendar with a year of public holidays.
func benchOffice(b *testing.B) *Schedule {
	c := office(b)
	for _, d := range []string{"2026-01-01", "2026-01-07", "2026-03-08", "2026-04-12", "2026-05-01", "2026-05-09",
		"2026-05-31", "2026-06-28", "2026-08-24", "2026-10-14"} {
		c.Exceptions = append(c.Exceptions, CalendarException{Date: d})
	}
	return compile(b, c)
}

// BenchmarkScheduleOpen asks Open at instants spread over a month.
func BenchmarkScheduleOpen(b *testing.B) {
	s := benchOffice(b)
	at := make([]time.Time, 1024)
	for i := range at {
		at[i] = utc("2026-06-01T00:00:00Z").Add(time.Duration(i) * 30 * 24 * time.Hour / 1024)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Open(at[i%len(at)])
	}
}

// BenchmarkScheduleBusinessSeconds counts open time over a month (June,
// with a holiday) and over one crossing the autumn clock change.
func BenchmarkScheduleBusinessSeconds(b *testing.B) {
	s := benchOffice(b)
	for _, tt := range []struct{ name, from, to string }{
		{"june", "2026-06-01T07:13:00Z", "2026-07-01T07:13:00Z"},
		{"october", "2026-10-10T07:13:00Z", "2026-11-10T07:13:00Z"},
	} {
		from, to := utc(tt.from), utc(tt.to)
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				s.BusinessSeconds(from, to)
			}
		})
	}
}

// BenchmarkScheduleNextOpen asks when the office opens next, from the
// evening before Christmas (two days ahead).
func BenchmarkScheduleNextOpen(b *testing.B) {
	s := benchOffice(b)
	at := utc("2026-12-24T16:00:00Z")
	for b.Loop() {
		s.NextOpen(at)
	}
}
