package simulate

import "math"

// Formula is what a queueing formula predicts for n servers: the share of
// clients who wait, who abandon, and the SLA share (connected within the
// target ÷ (connected + abandoned after the target), as the simulator
// counts it).
type Formula struct {
	Waited    float64 `json:"waited_share"`
	Abandoned float64 `json:"abandon_share"`
	SLA       float64 `json:"sla_share"`
}

// ErlangC is the M/M/n queue: Poisson arrivals at ratePerS, n servers each
// serving one client at a time for an exponential time of mean handleS,
// clients who never leave. With a load of n Erlangs or more the queue
// grows without bound: everyone waits and the SLA share is 0.
func ErlangC(n int, ratePerS, handleS, targetS float64) Formula {
	a := ratePerS * handleS
	if n <= 0 || a >= float64(n) {
		return Formula{Waited: 1}
	}
	if a <= 0 {
		return Formula{SLA: 1}
	}
	b := 1.0 // Erlang B by its recursion, stable for any n
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	rho := a / float64(n)
	c := b / (1 - rho + rho*b)
	return Formula{Waited: c, SLA: 1 - c*math.Exp(-(float64(n)-a)*targetS/handleS)}
}

// ErlangA is the M/M/n+M queue (Palm's): ErlangC's, with clients who
// leave the queue after an exponential patience of mean patienceS. The
// queue is then stable at any load. The waiting clients are followed as a
// birth-death chain; a tagged client's race between reaching a server and
// its patience is solved by uniformization.
func ErlangA(n int, ratePerS, handleS, patienceS, targetS float64) Formula {
	if patienceS <= 0 || math.IsInf(patienceS, 1) {
		return ErlangC(n, ratePerS, handleS, targetS)
	}
	if ratePerS <= 0 {
		return Formula{SLA: 1}
	}
	if n <= 0 {
		return Formula{Waited: 1, Abandoned: 1} // everyone waits until they leave
	}
	mu, theta := 1/handleS, 1/patienceS
	pi := erlangAStates(n, ratePerS, mu, theta)
	var waited float64
	for _, p := range pi[n:] {
		waited += p
	}
	q := pi[n:] // q[k]: an arrival finds k clients waiting
	abandon := 0.0
	for k, p := range q {
		abandon += p * (1 - serveProb(k, n, mu, theta))
	}
	served, left := raceBy(q, n, mu, theta, targetS)
	sla := 1.0
	if den := 1 - left; den > 0 {
		sla = ((1 - waited) + served) / den
	}
	return Formula{Waited: waited, Abandoned: abandon, SLA: sla}
}

// erlangAStates is the stationary distribution of the number of clients
// in the center (serving or waiting), cut where the tail is negligible.
func erlangAStates(n int, lam, mu, theta float64) []float64 {
	logw, top := []float64{0}, 0.0
	for j := 1; ; j++ {
		death := float64(min(j, n))*mu + float64(max(j-n, 0))*theta
		logw = append(logw, logw[j-1]+math.Log(lam/death))
		top = math.Max(top, logw[j])
		if j > n && lam < death && logw[j] < top-40 || j > n+200000 {
			break
		}
	}
	pi := make([]float64, len(logw))
	var sum float64
	for j, l := range logw {
		pi[j] = math.Exp(l - top)
		sum += pi[j]
	}
	for j := range pi {
		pi[j] /= sum
	}
	return pi
}

// serveProb is the chance that a client who finds k waiting reaches a
// server before its patience ends: at each stage the k−i ahead shrink at
// nμ + iθ against its own θ.
func serveProb(k, n int, mu, theta float64) float64 {
	p := 1.0
	for i := 0; i <= k; i++ {
		r := float64(n)*mu + float64(i)*theta
		p *= r / (r + theta)
	}
	return p
}

// raceBy returns, for arrivals distributed as q over the number waiting
// ahead, the probability mass of being connected and of leaving, each
// within t seconds. The tagged client's chain: state i (waiting clients
// ahead) moves to i−1 at nμ + iθ, from 0 to a server at nμ, and to
// "left" at θ from every state.
func raceBy(q []float64, n int, mu, theta, t float64) (served, left float64) {
	k := len(q)
	lambda := float64(n)*mu + float64(k)*theta
	v, next := append([]float64(nil), q...), make([]float64, k)
	m := lambda * t
	steps := int(m + 10*math.Sqrt(m) + 20)
	logw := -m // the Poisson weight of s jumps, in logs: e^-m underflows for long chains
	var cumServed, cumLeft float64
	for s := 0; s <= steps; s++ {
		w := math.Exp(logw)
		served += w * cumServed
		left += w * cumLeft
		clear(next)
		for i, p := range v {
			if p == 0 {
				continue
			}
			adv := float64(n)*mu + float64(i)*theta
			if i == 0 {
				cumServed += p * adv / lambda
			} else {
				next[i-1] += p * adv / lambda
			}
			cumLeft += p * theta / lambda
			next[i] += p * (1 - (adv+theta)/lambda)
		}
		v, next = next, v
		logw += math.Log(m) - math.Log(float64(s+1))
	}
	return served, left
}
