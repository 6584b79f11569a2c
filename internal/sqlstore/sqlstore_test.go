package sqlstore

import (
	"database/sql"
	"math"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	sb "github.com/switchboard/switchboard"
)

const test Name = "test"

func TestNanosRoundTripAndRange(t *testing.T) {
	local := time.FixedZone("UTC+3", 3*3600)
	for _, tc := range []struct {
		name string
		t    time.Time
		want sql.NullInt64
		code string
	}{
		{"zero is NULL", time.Time{}, sql.NullInt64{}, ""},
		{"epoch", time.Unix(0, 0), sql.NullInt64{Valid: true}, ""},
		{"local time", time.Date(2026, 12, 1, 12, 0, 0, 7, local), sql.NullInt64{Int64: time.Date(2026, 12, 1, 9, 0, 0, 7, time.UTC).UnixNano(), Valid: true}, ""},
		{"first instant", minTime, sql.NullInt64{Int64: math.MinInt64, Valid: true}, ""},
		{"last instant", maxTime, sql.NullInt64{Int64: math.MaxInt64, Valid: true}, ""},
		{"before the range", minTime.Add(-1), sql.NullInt64{}, sb.EINVALID},
		{"after the range", maxTime.Add(1), sql.NullInt64{}, sb.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Nanos(tc.t)
			if got := sb.ErrorCode(err); got != tc.code || n != tc.want {
				t.Fatalf("Nanos = %v, %q; want %v, %q", n, got, tc.want, tc.code)
			}
			if err == nil && !FromNanos(n).Equal(tc.t) {
				t.Fatalf("FromNanos = %v; want %v", FromNanos(n), tc.t)
			}
			if err == nil && !tc.t.IsZero() && FromNanos(n).Location() != time.UTC {
				t.Fatalf("FromNanos is in %v; want UTC", FromNanos(n).Location())
			}
		})
	}
}

func TestBoundClamps(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want int64
	}{
		{minTime.Add(-time.Hour), math.MinInt64},
		{maxTime.Add(time.Hour), math.MaxInt64},
		{time.Unix(0, 42), 42},
	} {
		if got := Bound(tc.t); got != tc.want {
			t.Errorf("Bound(%v) = %d; want %d", tc.t, got, tc.want)
		}
	}
}

func TestParseNowReadsFormatNow(t *testing.T) {
	now := time.Date(9026, 1, 2, 3, 4, 5, 6, time.FixedZone("", -3600))
	got, err := test.ParseNow(FormatNow(now))
	if err != nil || !got.Equal(now) || got.Location() != time.UTC {
		t.Fatalf("ParseNow(FormatNow(%v)) = %v, %v", now, got, err)
	}
	if _, err := test.ParseNow("yesterday"); sb.ErrorCode(err) != sb.EINTERNAL {
		t.Fatalf("ParseNow of a bad time: %v; want EINTERNAL", err)
	}
}

func TestMigrationsByVersion(t *testing.T) {
	ms, err := test.Migrations(fstest.MapFS{
		"migrations/0010_ten.sql": {}, "migrations/0002_two.sql": {}, "migrations/0001_one.sql": {}, "other/0003_x.sql": {},
	})
	want := []Migration{{1, "migrations/0001_one.sql"}, {2, "migrations/0002_two.sql"}, {10, "migrations/0010_ten.sql"}}
	if err != nil || !reflect.DeepEqual(ms, want) {
		t.Fatalf("Migrations = %v, %v; want %v", ms, err, want)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"none":           {},
		"no number":      {"migrations/init.sql": {}},
		"version zero":   {"migrations/0000_zero.sql": {}},
		"not a number":   {"migrations/x1_one.sql": {}},
		"one bad of two": {"migrations/0001_one.sql": {}, "migrations/two.sql": {}},
	} {
		if _, err := test.Migrations(fsys); sb.ErrorCode(err) != sb.EINTERNAL {
			t.Errorf("%s: %v; want EINTERNAL", name, err)
		}
	}
}

func TestLatestKeepsTheLastOfEachKey(t *testing.T) {
	items := []sb.Operator{{ID: "a", Name: "1"}, {ID: "b", Name: "2"}, {ID: "a", Name: "3"}}
	var got []string
	for _, o := range Latest(items, func(o *sb.Operator) string { return o.ID }) {
		got = append(got, o.ID+o.Name)
	}
	if want := []string{"a3", "b2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Latest = %v; want %v", got, want)
	}
}

func TestCloseSeqs(t *testing.T) {
	if m := CloseSeqs([]sb.Event{{Seq: 1, Name: sb.EventChatCreated, ChatID: "1"}}); m != nil {
		t.Fatalf("CloseSeqs without a close = %v; want nil", m)
	}
	m := CloseSeqs([]sb.Event{{Seq: 1, Name: sb.EventChatClosed, ChatID: "1"}, {Seq: 2, Name: sb.EventChatClosed, ChatID: "2"}})
	if want := map[string]int64{"1": 1, "2": 2}; !reflect.DeepEqual(m, want) {
		t.Fatalf("CloseSeqs = %v; want %v", m, want)
	}
}

func TestChatRow(t *testing.T) {
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	closeSeq := map[string]int64{"7": 70}
	c := sb.Chat{ID: "7", Status: sb.ChatClosed, CreatedAt: at, ClosedAt: at.Add(time.Second), QueuePosition: 3}
	row, buf, err := test.ChatRow([]byte("x"), c, closeSeq)
	want := ChatRow{ID: 7, Created: sql.NullInt64{Int64: at.UnixNano(), Valid: true},
		Closed: sql.NullInt64{Int64: at.Add(time.Second).UnixNano(), Valid: true}, CloseSeq: sql.NullInt64{Int64: 70, Valid: true}}
	if err != nil || row != want {
		t.Fatalf("ChatRow = %+v, %v; want %+v", row, err, want)
	}
	stored := c
	stored.QueuePosition = 0
	data, _ := stored.AppendJSON([]byte("x"))
	if string(buf) != string(data) {
		t.Fatalf("ChatRow appended %s; want %s (no queue position)", buf, data)
	}

	c.Status = sb.ChatActive
	if row, _, _ := test.ChatRow(nil, c, closeSeq); row.CloseSeq.Valid {
		t.Fatalf("an open chat has close_seq %d; want NULL", row.CloseSeq.Int64)
	}
	c.ID = "seven"
	if _, _, err := test.ChatRow(nil, c, nil); sb.ErrorCode(err) != sb.EINVALID || !strings.Contains(err.Error(), "seven") {
		t.Fatalf("ChatRow of a bad id: %v; want EINVALID", err)
	}
}
