package statstest

import (
	"cmp"
	"container/heap"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Sim plays a contact center through the routing engine at set times, for
// the statistics' benchmark (a month of a million chats) and the
// dashboard's browser test (a week of history). Operators work shifts with
// a 30-minute break each day; each chat is answered 5–60 s after its
// connection and closed 1–10 minutes later; a client waiting longer than
// its patience (1–10 minutes) leaves; a third of the closed chats are
// rated.
type Sim struct {
	From, To  time.Time
	Chats     int // arrivals in [From, To)
	Operators int // in groups of GroupSize, each group serving TopicsPerGroup topics
	GroupSize int
	MaxChats  int // each operator's limit; 0: 5
	// TopicsPerGroup topics per group (topic-0, topic-1, …); 0: 1.
	TopicsPerGroup int
	Channels       []string
	// Shape weighs the arrivals of an hour (nil: even); ShiftFrom and
	// ShiftTo are the UTC hours operators are online (0 and 24: always).
	Shape              func(hour time.Time) float64
	ShiftFrom, ShiftTo int
	Seed               uint64
	// Apply applies a command to the caller's engine (and stores or folds
	// what it did).
	Apply func(at time.Time, cmd routing.Command) (routing.Result, error)
	// Chat reads a chat of the caller's engine.
	Chat func(id string) (sb.Chat, bool)

	rng *rand.Rand
	q   simQueue
	n   int // events scheduled, for their order at equal times
}

// simEvent is something due: a command at a time, maybe with what to do
// after it.
type simEvent struct {
	at   time.Time
	seq  int // ties in time keep the order of scheduling
	cmd  routing.Command
	then func(at time.Time, res routing.Result)
}

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	return q[i].at.Before(q[j].at) || q[i].at.Equal(q[j].at) && q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	v := old[len(old)-1]
	*q = old[:len(old)-1]
	return v
}

func (s *Sim) at(at time.Time, cmd routing.Command, then func(time.Time, routing.Result)) {
	s.n++
	heap.Push(&s.q, simEvent{at: at, seq: s.n, cmd: cmd, then: then})
}

// Operator returns the id of operator i.
func (s *Sim) Operator(i int) string { return fmt.Sprintf("op-%03d", i) }

// Run plays the whole range.
func (s *Sim) Run() error {
	s.rng = rand.New(rand.NewPCG(s.Seed, s.Seed))
	if err := s.setup(); err != nil {
		return err
	}
	s.shifts()
	channels := s.Channels
	topics := s.topics()
	for i, at := range s.arrivals() {
		if err := s.until(at); err != nil {
			return err
		}
		c := routing.Connect{Client: sb.Client{ID: "client-" + strconv.Itoa(i), Name: "Client " + strconv.Itoa(i),
			Channel: channels[s.rng.IntN(len(channels))]}, Text: "hello", Topic: "topic-" + strconv.Itoa(s.rng.IntN(topics)),
			AutoConnect: true, Status: "queue"}
		res, err := s.Apply(at, c)
		if err != nil {
			return err
		}
		s.connected(res, at)
		if res.Chat != nil && res.Chat.Status == sb.ChatQueued {
			id := res.Chat.ID
			s.at(at.Add(time.Duration(60+s.rng.IntN(540))*time.Second), nil, func(at time.Time, _ routing.Result) { s.leave(id, at) })
		}
	}
	return s.until(s.To)
}

func (s *Sim) topics() int { return max(s.TopicsPerGroup, 1) * (s.Operators / s.GroupSize) }

// setup creates the settings, topics, operators and groups.
func (s *Sim) setup() error {
	set := sb.DefaultSettings()
	set.AutoOfflineAfterS, set.DefaultMaxChats = 0, cmp.Or(s.MaxChats, 5)
	cmds := []routing.Command{routing.UpdateSettings{Settings: set}}
	for t := range s.topics() {
		cmds = append(cmds, routing.CreateTopic{Topic: sb.Topic{Alias: "topic-" + strconv.Itoa(t), Name: "Topic " + strconv.Itoa(t)}})
	}
	var ops []string
	for i := range s.Operators {
		ops = append(ops, s.Operator(i))
		cmds = append(cmds, routing.CreateOperator{Operator: sb.Operator{ID: s.Operator(i), Name: "Operator " + strconv.Itoa(i)}})
	}
	per := max(s.TopicsPerGroup, 1)
	for g := range s.Operators / s.GroupSize {
		var topics []string
		for t := range per {
			topics = append(topics, "topic-"+strconv.Itoa(g*per+t))
		}
		cmds = append(cmds, routing.CreateSkillGroup{Group: sb.SkillGroup{ID: "group-" + strconv.Itoa(g), Name: "Group " + strconv.Itoa(g),
			Topics: topics, Operators: ops[g*s.GroupSize : (g+1)*s.GroupSize], Active: true}})
	}
	for _, cmd := range cmds {
		if _, err := s.Apply(s.From.Add(-time.Hour), cmd); err != nil {
			return err
		}
	}
	return nil
}

// shifts schedules each operator's day: online at the shift's start (now
// when the range begins inside it), a 30-minute break at a random time,
// offline at its end.
func (s *Sim) shifts() {
	for day := s.From.Truncate(24 * time.Hour); day.Before(s.To); day = day.Add(24 * time.Hour) {
		on, off := day.Add(time.Duration(s.ShiftFrom)*time.Hour), day.Add(time.Duration(s.ShiftTo)*time.Hour)
		for i := range s.Operators {
			op := s.Operator(i)
			start := on.Add(time.Duration(s.rng.IntN(10)) * time.Minute)
			if start.Before(s.From) {
				start = s.From
			}
			if !off.After(start) {
				continue
			}
			brk := start.Add(time.Duration(s.rng.Int64N(int64(off.Sub(start)))))
			s.at(start, routing.SetOperatorStatus{OperatorID: op, Status: sb.StatusOnline}, nil)
			s.at(brk, routing.SetOperatorStatus{OperatorID: op, Status: sb.StatusBreak}, nil)
			s.at(brk.Add(30*time.Minute), routing.SetOperatorStatus{OperatorID: op, Status: sb.StatusOnline}, nil)
			if s.ShiftTo < 24 {
				s.at(off, routing.Redistribute{OperatorID: op, Status: sb.StatusOffline}, nil)
			}
		}
	}
}

// arrivals spreads the chats over the hours of the range by Shape, evenly
// within each hour.
func (s *Sim) arrivals() []time.Time {
	var hours []time.Time
	var weights []float64
	total := 0.0
	for h := s.From; h.Before(s.To); h = h.Add(time.Hour) {
		w := 1.0
		if s.Shape != nil {
			w = s.Shape(h)
		}
		hours, weights, total = append(hours, h), append(weights, w), total+w
	}
	out := make([]time.Time, 0, s.Chats)
	acc := 0.0
	for i, h := range hours {
		acc += weights[i]
		n := int(float64(s.Chats)*acc/total+0.5) - len(out)
		for k := range n {
			out = append(out, h.Add(time.Duration(k)*time.Hour/time.Duration(n)))
		}
	}
	return out
}

// until applies what is due up to t.
func (s *Sim) until(t time.Time) error {
	for len(s.q) > 0 && !s.q[0].at.After(t) {
		ev := heap.Pop(&s.q).(simEvent)
		var res routing.Result
		if ev.cmd != nil {
			var err error
			res, err = s.Apply(ev.at, ev.cmd)
			if sb.ErrorCode(err) == sb.ECONFLICT || sb.ErrorCode(err) == sb.ENOTFOUND { // the chat moved on meanwhile
				continue
			}
			if err != nil {
				return fmt.Errorf("%T at %s: %w", ev.cmd, ev.at.Format(time.RFC3339), err)
			}
			s.connected(res, ev.at)
		}
		if ev.then != nil {
			ev.then(ev.at, res)
		}
	}
	return nil
}

// connected answers and closes every chat a command connected, while
// the chat is still with its operator (a redistribution at the end of a
// shift may have taken it away).
func (s *Sim) connected(res routing.Result, at time.Time) {
	for _, ev := range res.Events {
		if ev.Name != sb.EventAutoConnected || ev.Chat == nil {
			continue
		}
		id, op := ev.Chat.ID, ev.Chat.OperatorID
		reply := at.Add(time.Duration(5+s.rng.IntN(56)) * time.Second)
		done := reply.Add(time.Duration(60+s.rng.IntN(540)) * time.Second)
		s.whileWith(id, op, reply, routing.OperatorMessage{ChatID: id, OperatorID: op, Text: "hello"}, nil)
		s.whileWith(id, op, done, routing.Close{ChatID: id, OperatorID: op, By: sb.ByOperator}, func(_ time.Time, res routing.Result) {
			if s.rng.IntN(3) == 0 {
				score := []int{5, 5, 4, 4, 3, 5, 2, 4, 1, 5}[s.rng.IntN(10)]
				s.at(done.Add(time.Minute), routing.Rate{ChatID: id, Score: score}, nil)
			}
		})
	}
}

// whileWith schedules cmd at a time, to be applied only if the chat is
// then still active with the operator; then runs after it.
func (s *Sim) whileWith(id, op string, at time.Time, cmd routing.Command, then func(time.Time, routing.Result)) {
	s.at(at, nil, func(at time.Time, _ routing.Result) {
		if c, ok := s.Chat(id); ok && c.Status == sb.ChatActive && c.OperatorID == op {
			s.at(at, cmd, then)
		}
	})
}

// leave closes a chat still waiting when its client's patience ends.
func (s *Sim) leave(id string, at time.Time) {
	if c, ok := s.Chat(id); ok && c.Status == sb.ChatQueued {
		s.at(at, routing.Close{ChatID: id, By: sb.ByClient}, nil)
	}
}
