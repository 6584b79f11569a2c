package routing

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
)

// world is a benchmark contact center: ops operators in 20 skill groups of 5
// topics each (100 topics), 8 channels of which 3 carry limits, every
// operator filled to its general limit with chats on an unlimited channel,
// and queued chats waiting behind them.
type world struct {
	e       *Engine
	now     time.Time
	rng     *rand.Rand
	active  []activeChat
	clients int
	decided []int64 // DurationNs of auto decisions
}

type activeChat struct{ id, topic, channel string }

var benchChannels = []string{"telegram", "whatsapp", "widget", "viber", "facebook", "instagram", "email", "sms"}

func newWorld(tb testing.TB, ops, queued int) *world {
	start := time.Now()
	w := &world{e: New(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)), rng: rand.New(rand.NewPCG(7, 7))}
	w.now = w.e.now
	set := sb.DefaultSettings()
	set.DefaultChannelLimits = map[string]int{"telegram": 2, "whatsapp": 2, "widget": 3}
	set.AutoOfflineAfterS = 0
	w.must(tb, UpdateSettings{set})
	for t := range 100 {
		w.must(tb, CreateTopic{sb.Topic{Alias: "t" + strconv.Itoa(t)}})
	}
	members := make([][]string, 20)
	for i := range ops {
		id := fmt.Sprintf("op%06d", i)
		w.must(tb, CreateOperator{sb.Operator{ID: id, Name: id}})
		members[i%20] = append(members[i%20], id)
		if i%3 == 0 { // a third of the operators serve a second group
			members[(i+7)%20] = append(members[(i+7)%20], id)
		}
	}
	for g := range 20 {
		topics := []string{}
		for t := range 5 {
			topics = append(topics, "t"+strconv.Itoa(g*5+t))
		}
		w.must(tb, CreateSkillGroup{sb.SkillGroup{ID: "g" + strconv.Itoa(g), Topics: topics, Operators: members[g], Active: true}})
	}
	for i := range ops {
		w.must(tb, SetOperatorStatus{OperatorID: fmt.Sprintf("op%06d", i), Status: sb.StatusOnline})
	}
	for t := range 100 { // fill every operator on an unlimited channel
		for {
			r := w.connect(tb, "t"+strconv.Itoa(t), "email", "")
			if r.Outcome == OutcomeLimit {
				break
			}
		}
	}
	for range queued {
		w.connect(tb, "", "", "queue")
	}
	tb.Logf("world: %d operators, %d active, %d queued, built in %v", ops, len(w.active), queued, time.Since(start).Round(time.Millisecond))
	return w
}

func (w *world) must(tb testing.TB, cmd Command) Result {
	r, err := w.e.Apply(w.now, cmd)
	if err != nil {
		tb.Fatalf("%T: %v", cmd, err)
	}
	for _, d := range r.Decisions {
		if d.Kind == sb.DecisionAuto {
			c, _ := w.e.Chat(d.ChatID)
			w.active = append(w.active, activeChat{c.ID, c.Topic, c.Channel})
			w.decided = append(w.decided, d.DurationNs)
		}
	}
	return r
}

// connect makes a chat; empty topic and channel are picked at random.
func (w *world) connect(tb testing.TB, topic, channel, status string) Result {
	if topic == "" {
		topic = "t" + strconv.Itoa(w.rng.IntN(100))
	}
	if channel == "" {
		channel = benchChannels[w.rng.IntN(len(benchChannels))]
	}
	w.clients++
	w.now = w.now.Add(time.Millisecond)
	// Each request decodes its own copy of every string.
	return w.must(tb, Connect{
		Client: sb.Client{ID: "cl" + strconv.Itoa(w.clients), Channel: strings.Clone(channel)},
		Text:   strings.Clone("Asks about order 1182"), Topic: strings.Clone(topic),
		AutoConnect: true, Status: status, Weight: w.rng.IntN(3),
	})
}

// closeOne closes a random active chat and returns it.
func (w *world) closeOne(tb testing.TB) activeChat {
	i := w.rng.IntN(len(w.active))
	c := w.active[i]
	w.active[i] = w.active[len(w.active)-1]
	w.active = w.active[:len(w.active)-1]
	w.now = w.now.Add(time.Millisecond)
	w.must(tb, Close{ChatID: c.id, By: sb.ByOperator})
	return c
}

func (w *world) timeDecisions() {
	base := time.Now()
	w.e.Stopwatch = func() int64 { return int64(time.Since(base)) }
	w.decided = w.decided[:0]
}

func (w *world) report(b *testing.B, perOp int) {
	if len(w.decided) == 0 {
		return
	}
	slices.Sort(w.decided)
	b.ReportMetric(float64(w.decided[len(w.decided)/2]), "ns/decision-p50")
	b.ReportMetric(float64(w.decided[len(w.decided)*99/100]), "ns/decision-p99")
	if perOp > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perOp), "ns/decision")
	}
}

var benchSizes = []struct{ ops, queued int }{
	{1000, 0}, {10000, 0}, {100000, 0}, {1000, 100000}, {10000, 100000}, {100000, 100000},
}

// BenchmarkConnectClose is one close and one connect. With nobody waiting
// the connect, on the closed chat's topic and channel, is routed at once;
// with 100,000 waiting the close hands the freed slot to the first
// eligible waiting chat (R4) and the connect joins the queue.
func BenchmarkConnectClose(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(fmt.Sprintf("ops=%d/queued=%d", s.ops, s.queued), func(b *testing.B) {
			w := newWorld(b, s.ops, s.queued)
			w.timeDecisions()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				c := w.closeOne(b)
				if s.queued > 0 {
					w.connect(b, "", "", "queue")
				} else {
					w.connect(b, c.topic, c.channel, "")
				}
			}
			w.report(b, 1)
		})
	}
}

// BenchmarkStatusDrain switches one free operator online; it takes five
// chats from the queue (R4). Then it goes on break, its chats close and
// five new chats join the queue, so the queue keeps its size.
func BenchmarkStatusDrain(b *testing.B) {
	for _, s := range benchSizes[3:] {
		b.Run(fmt.Sprintf("ops=%d/queued=%d", s.ops, s.queued), func(b *testing.B) {
			w := newWorld(b, s.ops, s.queued)
			id := "op000000"
			w.must(b, Redistribute{OperatorID: id, Status: sb.StatusBreak})
			w.timeDecisions()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				w.now = w.now.Add(time.Millisecond)
				r := w.must(b, SetOperatorStatus{OperatorID: id, Status: sb.StatusOnline})
				b.StopTimer()
				w.must(b, SetOperatorStatus{OperatorID: id, Status: sb.StatusBreak})
				for _, d := range r.Decisions {
					w.must(b, Close{ChatID: d.ChatID, By: sb.ByOperator})
					w.connect(b, "", "", "queue")
				}
				b.StartTimer()
			}
			w.report(b, 5)
		})
	}
}

// BenchmarkQueueMemory measures the heap held per queued chat, and what of
// it the collector must scan (objects with pointers) on every cycle.
func BenchmarkQueueMemory(b *testing.B) {
	for range b.N {
		w := newWorld(b, 1000, 0)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		scan0 := scannable()
		for range 100000 {
			w.connect(b, "", "", "queue")
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/100000, "B/queued-chat")
		b.ReportMetric(float64(after.HeapObjects-before.HeapObjects)/100000, "objects/queued-chat")
		b.ReportMetric(float64(scannable()-scan0)/100000, "scan-B/queued-chat")
		runtime.KeepAlive(w)
	}
}

// scannable is the heap the collector scans, as of the last collection.
func scannable() uint64 {
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
