package simulate

import (
	"math"
	"math/rand/v2"
	"strconv"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// stream is a Poisson stream in progress, with its own generator: it draws
// each client's arrival, handle time and patience, so the clients are the
// same whatever the staffing (common random numbers).
type stream struct {
	Stream
	perS []float64 // arrivals per second, by hour of day
	r    *rand.Rand
	p    *rand.PCG
}

// chatRec is the simulator's side of an open chat.
type chatRec struct {
	id         string
	key        int64
	created    int64
	bucket     int // hour of arrival; -1 in the warm-up
	handleS    float64
	patienceAt int64 // when the client leaves if still waiting
	assignedAt int64 // the accepted assignment
	mix        splitmix
	op         *op // the operator while active
	gen        uint32
	connected  bool
	missed     bool
}

func (s *sim) startArrivals() {
	for i, st := range s.cfg.Arrivals {
		x := &stream{Stream: st, perS: make([]float64, 24)}
		for h := range x.perS {
			x.perS[h] = st.PerHour[h%len(st.PerHour)] / 3600
		}
		x.r, x.p = newRand(s.cfg.Seed, uint64(i))
		s.streams = append(s.streams, x)
		s.nextArrival(i, 0)
	}
	if len(s.cfg.Replay) > 0 {
		s.nextReplay(0)
	}
}

// nextArrival schedules stream i's next client after from (nanoseconds):
// an exponential amount of "rate × time", spent across the hours' rates.
func (s *sim) nextArrival(i int, from int64) {
	x := s.streams[i]
	need := x.r.ExpFloat64()
	t := secOf(from)
	endS := s.cfg.DurationS
	for t < endS {
		h := int(math.Floor((s.sodS+t)/3600)) % 24
		seg := math.Min(3600*math.Floor((s.sodS+t)/3600+1)-s.sodS, endS)
		if rate := x.perS[h]; rate > 0 && rate*(seg-t) >= need {
			s.schedule(max(nsOf(t+need/rate), from), evArrival, int64(i), 0)
			s.arriving++
			return
		} else if rate > 0 {
			need -= rate * (seg - t)
		}
		t = seg
	}
}

func (s *sim) nextReplay(i int) {
	if i < len(s.cfg.Replay) && s.cfg.Replay[i].AtS < s.cfg.DurationS {
		s.schedule(nsOf(s.cfg.Replay[i].AtS), evReplay, int64(i), 0)
		s.arriving++
	}
}

// arrive connects stream i's client and schedules the next one.
func (s *sim) arrive(i int) {
	s.arriving--
	x := s.streams[i]
	c := s.newChat(x.Topic)
	c.handleS = s.handleDist(x.Topic).sample(x.r)
	c.patienceAt = s.patienceAt(s.cfg.Patience.sample(x.r))
	c.mix = splitmix(x.r.Uint64())
	s.connect(c, x.Topic, x.Channel)
	s.nextArrival(i, s.now)
}

// replay connects replayed client i and schedules the next one.
func (s *sim) replay(i int) {
	s.arriving--
	a := s.cfg.Replay[i]
	c := s.newChat(a.Topic)
	c.handleS = a.HandleS
	if c.handleS == 0 {
		c.handleS = s.handleDist(a.Topic).sample(s.replayR)
	}
	switch {
	case a.PatienceS > 0:
		c.patienceAt = s.patienceAt(a.PatienceS)
	case !s.cfg.Patience.IsZero():
		c.patienceAt = s.patienceAt(a.MinPatienceS + s.cfg.Patience.sample(s.replayR))
	default:
		c.patienceAt = never()
	}
	c.mix = splitmix(s.replayR.Uint64())
	s.connect(c, a.Topic, a.Channel)
	s.nextReplay(i + 1)
}

func (s *sim) newChat(topic string) *chatRec {
	c := &chatRec{created: s.now, bucket: -1}
	if s.now >= s.warmup {
		c.bucket = s.hourOf(s.now)
	}
	return c
}

func (s *sim) handleDist(topic string) Dist {
	if d, ok := s.cfg.HandleTimeByTopic[topic]; ok {
		return d
	}
	return s.cfg.HandleTime
}

// patienceAt is when a client of patience p seconds, arriving now, leaves;
// never without a patience distribution.
func (s *sim) patienceAt(p float64) int64 {
	if s.cfg.Patience.IsZero() && p == 0 {
		return never()
	}
	return s.now + nsOf(p)
}

// connect sends the connect action for c. chat_created, observed inside
// apply, gives c its id; with Limit a busy center answers limit instead.
func (s *sim) connect(c *chatRec, topic, channel string) {
	if channel == "" {
		channel = defaultChannel
	}
	s.clients++
	cmd := routing.Connect{
		Client: sb.Client{ID: strconv.FormatInt(s.clients, 10), Channel: channel},
		Topic:  topic, AutoConnect: true, Status: "queue",
	}
	if s.cfg.Limit {
		cmd.Status = ""
	}
	s.arrival = c
	s.apply(cmd)
	if s.arrival != nil { // no chat: the answer was limit
		s.st.limit(c.bucket)
		s.arrival = nil
	}
}
