package routing_test

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// simEvent is an arrival (chat "") or the close of a chat.
type simEvent struct {
	at   time.Time
	chat string
}

type simHeap []simEvent

func (h simHeap) Len() int           { return len(h) }
func (h simHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h simHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *simHeap) Push(x any)        { *h = append(*h, x.(simEvent)) }
func (h *simHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TestEstimatedWaitError measures the estimated wait against the waits
// that happened: a queue of Poisson arrivals at 90% load served by ten
// operators of one chat each, exponential handling times of 120 s. The
// estimate a chat is given when it joins the queue is compared with its
// wait. For this queue the estimate is the expected wait of its place in
// line, so it must be nearly unbiased; its error is the spread of the
// handling times, which the test reports and bounds.
func TestEstimatedWaitError(t *testing.T) {
	const (
		ops    = 10
		handle = 120.0 // s
		load   = 0.9
	)
	arrivals := 20000
	if testing.Short() {
		arrivals = 4000
	}
	rng := rand.New(rand.NewPCG(23, 23))
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	e := routing.New(start)
	set := sb.DefaultSettings()
	set.AcceptTimeoutS, set.ResponseTimeoutS, set.AutoOfflineAfterS, set.DefaultMaxChats = 0, 0, 0, 1
	must := func(now time.Time, cmd routing.Command) routing.Result {
		res, err := e.Apply(now, cmd)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return res
	}
	must(start, routing.UpdateSettings{Settings: set})
	must(start, routing.CreateTopic{Topic: sb.Topic{Alias: "t"}})
	var ids []string
	for i := range ops {
		id := "op" + strconv.Itoa(i)
		ids = append(ids, id)
		must(start, routing.CreateOperator{Operator: sb.Operator{ID: id, Name: id}})
		must(start, routing.PresenceRestored{OperatorID: id})
	}
	must(start, routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "g", Topics: []string{"t"}, Operators: ids, Active: true}})
	for _, id := range ids {
		must(start, routing.SetOperatorStatus{OperatorID: id, Status: sb.StatusOnline})
	}
	secs := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	rate := load * ops / handle // arrivals per second
	h := &simHeap{{at: start.Add(secs(rng.ExpFloat64() / rate))}}
	estimate := map[string]float64{} // at joining the queue
	joined := map[string]time.Time{}
	var n int
	var sumErr, sumBias, sumWait float64
	assigned := func(res routing.Result, now time.Time) {
		for _, d := range res.Decisions {
			if d.Kind != sb.DecisionAuto {
				continue
			}
			heap.Push(h, simEvent{at: now.Add(secs(rng.ExpFloat64() * handle)), chat: d.ChatID})
			if est, ok := estimate[d.ChatID]; ok {
				wait := now.Sub(joined[d.ChatID]).Seconds()
				n++
				sumErr += math.Abs(est - wait)
				sumBias += est - wait
				sumWait += wait
			}
		}
	}
	for made := 0; h.Len() > 0; {
		ev := heap.Pop(h).(simEvent)
		if ev.chat != "" {
			assigned(must(ev.at, routing.Close{ChatID: ev.chat, By: sb.ByOperator}), ev.at)
			continue
		}
		made++
		res := must(ev.at, routing.Connect{Client: sb.Client{ID: "c" + strconv.Itoa(made), Channel: "web"}, Topic: "t", AutoConnect: true, Status: "queue"})
		if c := res.Chat; c != nil && c.Status == sb.ChatQueued && made > 500 { // the first 500 warm up the handling times
			if c.EstimatedWaitS == nil {
				t.Fatalf("chat %s waits without an estimate", c.ID)
			}
			estimate[c.ID], joined[c.ID] = float64(*c.EstimatedWaitS), ev.at
		}
		assigned(res, ev.at)
		if made < arrivals {
			heap.Push(h, simEvent{at: ev.at.Add(secs(rng.ExpFloat64() / rate))})
		}
	}
	if n < arrivals/10 {
		t.Fatalf("only %d chats waited", n)
	}
	mean, mae, bias := sumWait/float64(n), sumErr/float64(n), sumBias/float64(n)
	t.Logf("%d chats waited %.1f s on average; the estimate's mean absolute error %.1f s (%.0f%% of the mean wait), bias %+.1f s",
		n, mean, mae, 100*mae/mean, bias)
	if math.Abs(bias) > 0.15*mean {
		t.Errorf("the estimate is biased by %+.1f s against a mean wait of %.1f s", bias, mean)
	}
	if mae > 0.8*mean {
		t.Errorf("the estimate's mean absolute error %.1f s is over 80%% of the mean wait %.1f s", mae, mean)
	}
}
