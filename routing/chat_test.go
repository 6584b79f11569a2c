package routing

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	sb "github.com/switchboard/switchboard"
)

// TestChatRecordRoundTrip: the engine's compact chat record keeps every
// field of sb.Chat but the derived queue position. Every field is filled by
// reflection, so a field added to sb.Chat and not to the record fails here.
func TestChatRecordRoundTrip(t *testing.T) {
	var in sb.Chat
	fill(t, reflect.ValueOf(&in).Elem(), time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC))
	in.QueuePosition, in.EstimatedWaitS, in.WaitOpenS = 0, nil, nil // derived, never stored
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
		case f.Type() == reflect.TypeFor[*int]():
			n := i + 1
			f.Set(reflect.ValueOf(&n))
		case f.Type() == reflect.TypeFor[*float64]():
			n := float64(i) + 0.5
			f.Set(reflect.ValueOf(&n))
		case f.Type() == reflect.TypeFor[*sb.Rating]():
			// Only closed chats are rated; the record holds open ones.
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct:
			f.Set(reflect.New(f.Type().Elem()))
			fill(t, f.Elem(), at)
		default:
			t.Fatalf("field %s: no value for a %s", v.Type().Field(i).Name, f.Type())
		}
	}
}

// TestInternNames: open chats share one copy of each topic and channel name
// (the decoder gives every request its own), the table stays bounded when
// clients invent channels, a chat's client strings and text share one block
// that its id stays out of, and the answer's chat is the snapshot the store
// gets.
func TestInternNames(t *testing.T) {
	w := newWorld(t, 0, 0)
	a := w.connect(t, "t1", "telegram", "queue")
	b := w.connect(t, "t1", "telegram", "queue")
	ca, cb := w.e.openChat(a.Chat.Client), w.e.openChat(b.Chat.Client)
	if unsafe.StringData(ca.Topic) != unsafe.StringData(cb.Topic) ||
		unsafe.StringData(ca.Channel) != unsafe.StringData(cb.Channel) ||
		unsafe.StringData(cb.Client.Channel) != unsafe.StringData(cb.Channel) {
		t.Error("two queued chats keep their own copies of the topic or channel name")
	}
	if b.Chat != &b.Changes.Chats[0] {
		t.Error("the answer's chat is a second snapshot of the stored one")
	}
	// The client's strings and the text are cut from one block; the id is
	// not, since the audit ring keeps ids after their chats are gone.
	block := uintptr(unsafe.Pointer(unsafe.StringData(cb.Client.ID)))
	if text := uintptr(unsafe.Pointer(unsafe.StringData(cb.Text))); text != block+uintptr(len(cb.Client.ID)+len(cb.Client.Name)) {
		t.Error("the text is not cut from the block of the client's strings")
	}
	size := uintptr(len(cb.Client.ID) + len(cb.Client.Name) + len(cb.Text) + len(cb.WebhookURL))
	if id := uintptr(unsafe.Pointer(unsafe.StringData(cb.ID))); id >= block && id <= block+size {
		t.Error("the chat id shares the allocation of the client's strings and text")
	}
	w.connect(t, "t1", strings.Repeat("x", maxNameLen+1), "queue")
	for i := range maxNames + 100 {
		w.connect(t, "t1", "channel-"+strconv.Itoa(i), "queue")
	}
	if len(w.e.names) > maxNames {
		t.Errorf("%d names kept, want at most %d", len(w.e.names), maxNames)
	}
	if _, ok := w.e.names[strings.Repeat("x", maxNameLen+1)]; ok {
		t.Errorf("a name of %d bytes was kept", maxNameLen+1)
	}
	last := w.connect(t, "t1", "channel-0", "queue")
	if last.Chat.Channel != "channel-0" || last.Chat.Client.Channel != "channel-0" {
		t.Errorf("channel %q, client channel %q", last.Chat.Channel, last.Chat.Client.Channel)
	}
}

// TestOpenChatPerChannel: a client has at most one open chat per channel
// (R5); its chats on other channels are found, kept and closed apart.
func TestOpenChatPerChannel(t *testing.T) {
	w := newWorld(t, 0, 0)
	connect := func(ch string) string {
		r := w.must(t, Connect{Client: sb.Client{ID: "x", Channel: ch}, Topic: "t1", AutoConnect: true, Status: "queue"})
		return r.Chat.ID
	}
	ids := map[string]string{}
	for _, ch := range []string{"telegram", "whatsapp", "widget", "viber"} {
		ids[ch] = connect(ch)
	}
	for ch, id := range ids {
		if got := connect(ch); got != id {
			t.Errorf("%s: connect again gave chat %s, want the open %s", ch, got, id)
		}
	}
	// Close the last registered, one in the middle and the first.
	for _, ch := range []string{"viber", "whatsapp", "telegram"} {
		w.must(t, Close{ChatID: ids[ch], By: sb.ByOperator})
		if got := connect(ch); got == ids[ch] {
			t.Errorf("%s: connect after close gave the closed chat %s", ch, got)
		} else {
			ids[ch] = got
		}
		for other, id := range ids {
			if got := connect(other); got != id {
				t.Errorf("after closing %s: %s gave chat %s, want %s", ch, other, got, id)
			}
		}
	}
	if n := len(w.e.byClient); n != 1 {
		t.Errorf("%d client ids registered, want 1", n)
	}
}
