package simulate

import (
	"math"
	"math/rand/v2"
)

// sample draws a duration in seconds from d (0 for the zero Dist).
func (d Dist) sample(r *rand.Rand) float64 {
	switch d.Kind {
	case DistFixed:
		return d.MeanS
	case DistLogNormal:
		cv := d.CV
		if cv == 0 {
			cv = 1
		}
		s2 := math.Log1p(cv * cv)
		mu := math.Log(d.MeanS) - s2/2
		return math.Exp(mu + math.Sqrt(s2)*r.NormFloat64())
	case DistEmpirical:
		return d.SamplesS[r.IntN(len(d.SamplesS))]
	}
	if d.IsZero() {
		return 0
	}
	return d.MeanS * r.ExpFloat64() // exponential, the default kind
}

// newRand returns a generator for one purpose of a run: the same seed and
// stream give the same numbers.
func newRand(seed, stream uint64) (*rand.Rand, *rand.PCG) {
	p := rand.NewPCG(seed, stream)
	return rand.New(p), p
}

// cloneRand copies a generator's state: the copy draws what the original
// would have.
func cloneRand(p *rand.PCG) (*rand.Rand, *rand.PCG) {
	c := *p
	return rand.New(&c), &c
}

// splitmix is a tiny generator kept inside a chat or an operator record, so
// that what one record draws does not depend on the others (common random
// numbers across runs that differ only in staffing).
type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float64 returns a uniform number in [0, 1).
func (s *splitmix) float64() float64 { return float64(s.next()>>11) / (1 << 53) }
