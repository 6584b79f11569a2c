package routing

import (
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// TestChatRecordRoundTrip: the engine's compact chat record keeps every
// field of sb.Chat but the derived queue position. Every field is filled by
// reflection, so a field added to sb.Chat and not to the record fails here.
func TestChatRecordRoundTrip(t *testing.T) {
	var in sb.Chat
	fill(t, reflect.ValueOf(&in).Elem(), time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC))
	in.QueuePosition = 0 // derived from the queue, never stored
	if got := newChat(in, 7).export(); !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	if got := newChat(sb.Chat{ID: "1"}, 1).export(); !got.CreatedAt.IsZero() || !got.ClosedAt.IsZero() {
		t.Errorf("zero times came back as %v, %v", got.CreatedAt, got.ClosedAt)
	}
}

// fill sets every field of v to a distinct non-zero value.
func fill(t *testing.T, v reflect.Value, at time.Time) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(at.Add(time.Duration(i) * time.Second)))
		case f.Kind() == reflect.String:
			f.SetString(v.Type().Field(i).Name)
		case f.Kind() == reflect.Int:
			f.SetInt(int64(i + 1))
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Type() == reflect.TypeFor[[]string]():
			f.Set(reflect.ValueOf([]string{v.Type().Field(i).Name}))
		case f.Kind() == reflect.Struct:
			fill(t, f, at)
		default:
			t.Fatalf("field %s: no value for a %s", v.Type().Field(i).Name, f.Type())
		}
	}
}
