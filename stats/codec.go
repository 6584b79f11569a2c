package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The encodings of a sealed hour (what the store keeps per hour) and of a
// fold's state: varints, strings with their length, maps in key order so
// that equal cells encode to equal bytes. The first byte is the version.
const codecVersion = 1

// errCorrupt is the decoders' error for bytes they cannot read.
var errCorrupt = errors.New("stats: corrupt encoding")

type enc struct{ b []byte }

func (e *enc) u(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) i(v int64)  { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) s(v string) { e.u(uint64(len(v))); e.b = append(e.b, v...) }

type dec struct {
	b    []byte
	err  error
	strs map[string]string // when set, strings are interned in it
}

func (d *dec) u() uint64 {
	v, n := binary.Uvarint(d.b)
	return took(d, v, n)
}

func (d *dec) i() int64 {
	v, n := binary.Varint(d.b)
	return took(d, v, n)
}

// took consumes a varint of n bytes, or fails for n ≤ 0 (zero then).
func took[T uint64 | int64](d *dec, v T, n int) T {
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// n reads a count, refusing one larger than the bytes left could hold.
func (d *dec) n() int {
	v := d.u()
	if v > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *dec) s() string {
	n := d.n()
	if d.err != nil {
		return ""
	}
	b := d.b[:n]
	d.b = d.b[n:]
	if d.strs == nil {
		return string(b)
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	d.strs[s] = s
	return s
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (e *enc) hist(h *Hist) {
	e.u(uint64(len(h.Bins)))
	prev := uint32(0)
	for _, b := range h.Bins {
		e.u(uint64(b.S - prev))
		e.u(uint64(b.N))
		prev = b.S
	}
	e.i(h.SumUs)
}

func (d *dec) hist(h *Hist) {
	n := d.n()
	h.Bins = h.Bins[:0]
	s := uint32(0)
	h.N = 0
	for range n {
		s += uint32(d.u())
		b := Bin{S: s, N: uint32(d.u())}
		h.Bins = append(h.Bins, b)
		h.N += int64(b.N)
	}
	h.SumUs = d.i()
}

func (e *enc) counts(vs ...int64) {
	for _, v := range vs {
		e.i(v)
	}
}

func (d *dec) counts(ps ...*int64) {
	for _, p := range ps {
		*p = d.i()
	}
}

func (e *enc) chatCell(c *ChatCell) {
	e.counts(c.Arrivals, c.Returned, c.Limits, c.Served, c.Abandoned, c.QueueTimeouts, c.Transfers, c.Missed, c.Overdue, c.Handled)
	e.counts(c.CSAT[:]...)
	for _, h := range []*Hist{&c.Wait, &c.Abandon, &c.FirstResponse, &c.Handle} {
		e.hist(h)
	}
}

func (d *dec) chatCell(c *ChatCell) {
	d.counts(&c.Arrivals, &c.Returned, &c.Limits, &c.Served, &c.Abandoned, &c.QueueTimeouts, &c.Transfers, &c.Missed, &c.Overdue, &c.Handled)
	d.counts(&c.CSAT[0], &c.CSAT[1], &c.CSAT[2], &c.CSAT[3], &c.CSAT[4])
	for _, h := range []*Hist{&c.Wait, &c.Abandon, &c.FirstResponse, &c.Handle} {
		d.hist(h)
	}
}

func (e *enc) opCell(c *OpCell) {
	e.u(uint64(len(c.Status)))
	for _, s := range c.Status {
		e.s(s.Status)
		e.i(s.Us)
		e.i(s.BusyUs)
	}
	e.counts(c.Connections, c.Handled, c.Missed, c.Transfers, c.Overdue)
	e.counts(c.CSAT[:]...)
	e.hist(&c.FirstResponse)
	e.hist(&c.Handle)
}

func (d *dec) opCell(c *OpCell) {
	n := d.n()
	c.Status = c.Status[:0]
	for range n {
		c.Status = append(c.Status, StatusTime{Status: d.s(), Us: d.i(), BusyUs: d.i()})
	}
	d.counts(&c.Connections, &c.Handled, &c.Missed, &c.Transfers, &c.Overdue)
	d.counts(&c.CSAT[0], &c.CSAT[1], &c.CSAT[2], &c.CSAT[3], &c.CSAT[4])
	d.hist(&c.FirstResponse)
	d.hist(&c.Handle)
}

func (e *enc) hour(h *Hour) {
	e.i(h.Start)
	keys := slices.SortedFunc(maps.Keys(h.Chats), func(a, b ChatKey) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return strings.Compare(a.Channel, b.Channel)
	})
	e.u(uint64(len(keys)))
	for _, k := range keys {
		e.s(k.Topic)
		e.s(k.Channel)
		e.chatCell(h.Chats[k])
	}
	ids := slices.Sorted(maps.Keys(h.Ops))
	e.u(uint64(len(ids)))
	for _, id := range ids {
		e.s(id)
		e.opCell(h.Ops[id])
	}
}

func (d *dec) hour() *Hour {
	h := newHour(d.i())
	for n := d.n(); n > 0 && d.err == nil; n-- {
		k := ChatKey{Topic: d.s(), Channel: d.s()}
		c := &ChatCell{}
		d.chatCell(c)
		h.Chats[k] = c
	}
	for n := d.n(); n > 0 && d.err == nil; n-- {
		id := d.s()
		c := &OpCell{}
		d.opCell(c)
		h.Ops[id] = c
	}
	return h
}

// EncodeHour returns the bytes of a sealed hour.
func EncodeHour(h *Hour) []byte {
	e := enc{b: []byte{codecVersion}}
	e.hour(h)
	return e.b
}

// DecodeHour reads the bytes EncodeHour wrote.
func DecodeHour(b []byte) (*Hour, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return nil, fmt.Errorf("stats: hour encoding version %v, want %d", b[:min(len(b), 1)], codecVersion)
	}
	d := dec{b: b[1:]}
	h := d.hour()
	if d.err == nil && len(d.b) > 0 {
		d.fail()
	}
	return h, d.err
}

// AddEncoded merges a sealed hour as EncodeHour wrote it, if it is in the
// window, without building the Hour: one cell at a time, decoded into
// the same scratch cells.
func (b *Builder) AddEncoded(data []byte) error {
	if len(data) == 0 || data[0] != codecVersion {
		return fmt.Errorf("stats: hour encoding version %v, want %d", data[:min(len(data), 1)], codecVersion)
	}
	d := dec{b: data[1:], strs: b.strs}
	hr, ok := b.hourRow(d.i())
	if !ok || d.err != nil {
		return d.err
	}
	var c ChatCell
	for n := d.n(); n > 0 && d.err == nil; n-- {
		k := ChatKey{Topic: d.s(), Channel: d.s()}
		d.chatCell(&c)
		if d.err == nil {
			b.addChat(hr, k, &c)
		}
	}
	var o OpCell
	for n := d.n(); n > 0 && d.err == nil; n-- {
		id := d.s()
		d.opCell(&o)
		if d.err == nil {
			b.addOp(hr, id, &o)
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail()
	}
	return d.err
}

// MarshalBinary encodes the fold's state: what it needs to go on folding,
// and the hours it holds.
func (f *Fold) MarshalBinary() ([]byte, error) {
	e := enc{b: []byte{codecVersion}}
	e.counts(f.Seq, f.Horizon, f.now, f.cur, f.firstAt)
	e.s(f.handover)
	e.s(f.firstChat)
	ids := slices.Sorted(maps.Keys(f.ops))
	e.u(uint64(len(ids)))
	for _, id := range ids {
		o := f.ops[id]
		e.s(id)
		e.s(o.Status)
		e.counts(o.Mark, int64(o.Active), int64(o.Wrap))
	}
	starts := slices.Sorted(maps.Keys(f.hours))
	e.u(uint64(len(starts)))
	for _, s := range starts {
		e.hour(f.hours[s])
	}
	return e.b, nil
}

// UnmarshalBinary restores a fold MarshalBinary encoded.
func (f *Fold) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != codecVersion {
		return fmt.Errorf("stats: state encoding version %v, want %d", b[:min(len(b), 1)], codecVersion)
	}
	d := dec{b: b[1:]}
	g := NewFold()
	d.counts(&g.Seq, &g.Horizon, &g.now, &g.cur, &g.firstAt)
	g.handover, g.firstChat = d.s(), d.s()
	for n := d.n(); n > 0 && d.err == nil; n-- {
		id := d.s()
		o := &opState{Status: d.s(), Mark: d.i(), Active: int(d.i()), Wrap: int(d.i())}
		g.ops[id] = o
	}
	for n := d.n(); n > 0 && d.err == nil; n-- {
		h := d.hour()
		g.hours[h.Start] = h
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail()
	}
	if d.err != nil {
		return d.err
	}
	*f = *g
	return nil
}
