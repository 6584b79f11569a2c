package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// t0 is the suite's epoch; its nanoseconds check that times are exact.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 123456789, time.UTC)

// at is t0 plus s seconds.
func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func ptr[T any](v T) *T { return &v }

func commit(t *testing.T, s sb.Store, b *sb.Batch) {
	t.Helper()
	if err := s.Commit(context.Background(), b); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func load(t *testing.T, s sb.Store) sb.State {
	t.Helper()
	st, ok, err := s.Load(context.Background())
	if err != nil || !ok {
		t.Fatalf("Load: ok %v, err %v", ok, err)
	}
	return st
}

// must fails the test given to its result on err, else returns v:
// must(s.Tokens(ctx))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantCode checks err's switchboard code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := sb.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// equal reports got != want (reflect.DeepEqual) with the first differing
// line of their JSON, or of their %+v when the JSON is the same.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if string(g) == string(w) {
		g, w = fmt.Appendf(nil, "%+v", got), fmt.Appendf(nil, "%+v", want)
		g = []byte(strings.ReplaceAll(string(g), " ", "\n"))
		w = []byte(strings.ReplaceAll(string(w), " ", "\n"))
	}
	t.Errorf("%s differs:\n%s", what, firstDiff(string(g), string(w)))
}

func firstDiff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			from := max(0, i-6)
			return fmt.Sprintf("line %d\n got: %s\nwant: %s\ncontext (want):\n%s", i+1, g, w,
				strings.Join(wl[from:min(len(wl), i+1)], "\n"))
		}
	}
	return "(no line differs; nil versus empty?)"
}

// ids are the ids of chats.
func ids(chats []sb.Chat) []string {
	out := []string{}
	for _, c := range chats {
		out = append(out, c.ID)
	}
	return out
}

// setTimes sets every time.Time reachable in v (through pointers, structs
// and slices) to t.
func setTimes(v reflect.Value, t time.Time) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			setTimes(v.Elem(), t)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(t))
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				setTimes(v.Field(i), t)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			setTimes(v.Index(i), t)
		}
	}
}
