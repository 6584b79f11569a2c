package switchboard

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// tricky are strings that exercise every escape encoding/json makes.
var tricky = []string{
	"", "a", "op-7", `"quoted"`, `back\slash`, "<b>&amp;</b>", "line\nbreak\r\t", "\x00\x01\x1f\x7f",
	"\b\f", "é ü 中文 🙂", "\u2028\u2029", "\xff\xfe invalid", "a\xc3", "https://example.com/hook?a=1&b=2",
}

// fill sets every field of v (a pointer) at random, recursing into structs
// and pointers, so that a field added to Chat or Event but not to its
// AppendJSON makes the outputs differ.
func fill(r *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(r, v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(randomTime(r)))
			return
		}
		for i := range v.NumField() {
			fill(r, v.Field(i))
		}
	case reflect.String:
		v.SetString(tricky[r.IntN(len(tricky))])
	case reflect.Int, reflect.Int64:
		v.SetInt([]int64{0, 1, -3, 42, 1 << 40}[r.IntN(5)])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Float64:
		v.SetFloat([]float64{0, 1.5, 1e-7, 123456.789, 1e21, -2, 3e-9}[r.IntN(7)])
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // Encoded: never in the JSON
			v.SetBytes([]byte("ignored"))
			return
		}
		n := r.IntN(4) - 1 // -1: nil
		if n >= 0 {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(r, v.Index(i))
			}
		}
	default:
		panic("fill: no case for " + v.Type().String())
	}
}

func randomTime(r *rand.Rand) time.Time {
	switch r.IntN(6) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) // JSON cannot hold it
	case 2:
		return time.Unix(r.Int64N(1<<33), 0).In(time.FixedZone("", 3*3600+1800))
	}
	return time.Unix(r.Int64N(1<<33), r.Int64N(1e9)).UTC()
}

// sameJSON fails unless AppendJSON wrote what encoding/json writes for v, or
// both failed.
func sameJSON(t *testing.T, v interface {
	AppendJSON([]byte) ([]byte, error)
}) {
	t.Helper()
	want, werr := json.Marshal(v)
	got, gerr := v.AppendJSON([]byte("prefix"))
	switch {
	case (werr != nil) != (gerr != nil):
		t.Fatalf("encoding/json: %v, AppendJSON: %v, for %+v", werr, gerr, v)
	case werr == nil && !bytes.Equal(got, append([]byte("prefix"), want...)):
		t.Fatalf("AppendJSON differs from encoding/json:\n got %s\nwant prefix%s", got, want)
	}
}

// TestAppendJSON: the hand-written encoders of Chat, Event, Message and
// Decision write the same bytes as encoding/json, over randomly filled
// values of every field.
func TestAppendJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		for _, v := range appenders() {
			fill(r, reflect.ValueOf(v).Elem())
			sameJSON(t, v)
		}
	}
	for _, v := range appenders() {
		sameJSON(t, v)
	}
}

// appenders are zero values of every type with a hand-written encoder.
func appenders() []interface {
	AppendJSON([]byte) ([]byte, error)
} {
	return []interface {
		AppendJSON([]byte) ([]byte, error)
	}{&Chat{}, &Event{}, &Message{}, &Decision{}}
}

// FuzzAppendJSON compares the encoders with encoding/json on arbitrary
// strings, numbers and times.
func FuzzAppendJSON(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, int64(7), int64(1700000000123456789))
	}
	f.Fuzz(func(t *testing.T, s string, n, ns int64) {
		at := time.Unix(0, ns).UTC()
		c := Chat{
			ID: s, Status: ChatStatus(s), OperatorID: s, Channel: s, Client: Client{ID: s, Name: s, Channel: s},
			Topic: s, Tags: []string{s, s}, Weight: int(n), Text: s, WebhookURL: s, QueuePosition: int(n),
			CreatedAt: at, QueuedAt: at, ClosedAt: at, ClosedBy: ClosedBy(s), CloseComment: s, Excluded: []string{s},
			LastMessageAt: at, Requeues: int(n),
		}
		open := float64(n) / 1e9
		c.WaitOpenS = &open
		sameJSON(t, &c)
		e := Event{
			Seq: n, Name: s, OccurredAt: at, ChatID: s, Chat: &c, Operator: &OperatorRef{ID: s, Name: s},
			Reason: &Reason{Code: s, Message: s}, Message: &Message{ID: n, ChatID: s, From: s, AuthorID: s, Text: s, CreatedAt: at},
			Status: s, PrevStatus: s, Config: &ConfigChange{Entity: s, ID: s, Action: s},
		}
		sameJSON(t, &e)
		d := Decision{
			Seq: n, At: at, Kind: s, Trigger: s, ChatID: s, OperatorID: s, Method: s, Considered: int(n),
			Skipped: []Skip{{OperatorID: s, Reason: s}, {}}, Reason: s, Anomalies: []string{s}, DurationNs: n,
		}
		sameJSON(t, &d)
	})
}
