package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Metrics are the server's Prometheus metrics.
type Metrics struct {
	connected *prometheus.CounterVec
	limits    *prometheus.CounterVec
	decision  prometheus.Histogram
	commit    prometheus.Histogram
	batch     prometheus.Histogram

	signInFailures prometheus.Counter

	// Webhook deliveries, by subscription id ("event_webhook_url" for
	// chats' URLs).
	attempts *prometheus.CounterVec
	lag      *prometheus.HistogramVec

	// channels are the channel label values given so far (only the writer
	// observes): channels come from clients, so past maxChannelLabels a
	// new one is counted as "other".
	channels map[string]bool
}

// maxChannelLabels bounds the channel label's values.
const maxChannelLabels = 64

// channel is the label value of a chat's channel.
func (m *Metrics) channel(ch string) string {
	if m.channels[ch] {
		return ch
	}
	if len(m.channels) >= maxChannelLabels {
		return "other"
	}
	if m.channels == nil {
		m.channels = map[string]bool{}
	}
	m.channels[ch] = true
	return ch
}

// RegisterMetrics registers the server's metrics on reg and makes the
// server feed them.
func (s *Server) RegisterMetrics(reg prometheus.Registerer) {
	m := &Metrics{
		connected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_assignments_total", Help: "Chats connected to an operator, by kind, topic and channel.",
		}, []string{"kind", "topic", "channel"}),
		limits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_limit_events_total", Help: "Connect actions answered limit, by topic and channel.",
		}, []string{"topic", "channel"}),
		decision: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "switchboard_decision_seconds", Help: "Time to choose an operator.",
			Buckets: prometheus.ExponentialBuckets(1e-7, 2, 16),
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "switchboard_commit_seconds", Help: "Duration of one group commit.",
			Buckets: prometheus.ExponentialBuckets(1e-4, 2, 16),
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "switchboard_commit_commands", Help: "Commands per group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		signInFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_signin_failures_total", Help: "Panel sign-ins refused for a wrong email or password.",
		}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_webhook_attempts_total",
			Help: `Webhook delivery attempts by subscription ("event_webhook_url": chats' URLs) and result (success, failure).`,
		}, []string{"webhook", "result"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_webhook_lag_seconds",
			Help:    "From a delivery's commit to the receiver's 2xx, by subscription.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 16),
		}, []string{"webhook"}),
	}
	reg.MustRegister(m.connected, m.limits, m.decision, m.commit, m.batch, m.signInFailures,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_queue_length", Help: "Chats waiting in the queue."},
			func() float64 {
				n := 0
				s.View(func(e *routing.Engine) { n = e.QueueLen() })
				return float64(n)
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_webhook_backlog",
			Help: "Webhook deliveries not yet done, as the delivery loop counts them (0 where no loop runs: a follower)."},
			func() float64 {
				if o := s.outbox.Load(); o != nil {
					return float64(o.backlog.Load())
				}
				return 0
			}),
		m.attempts, m.lag,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "switchboard_sse_subscribers", Help: "Open event streams."},
			func() float64 { return float64(s.Broker.Len()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "switchboard_sse_batches_total",
			Help: "Commits' event batches sent to event streams, one per stream woken for a commit."},
			func() float64 { return float64(s.Broker.Sent()) }),
	)
	s.metrics = m
	s.OnCommit = func(n int, d time.Duration) {
		m.commit.Observe(d.Seconds())
		m.batch.Observe(float64(n))
	}
}

// attempt counts a finished attempt of the deliveries one request sent.
func (m *Metrics) attempt(ds []sb.Delivery, a sb.Attempt) {
	if m == nil || len(ds) == 0 {
		return
	}
	label := ds[0].WebhookID
	if label == "" {
		label = "event_webhook_url"
	}
	if !ds[0].Done {
		m.attempts.WithLabelValues(label, "failure").Add(float64(len(ds)))
		return
	}
	m.attempts.WithLabelValues(label, "success").Add(float64(len(ds)))
	lag := m.lag.WithLabelValues(label)
	end := a.At.Add(time.Duration(a.DurationMs) * time.Millisecond)
	for i := range ds {
		lag.Observe(end.Sub(ds[i].CreatedAt).Seconds())
	}
}

// observe feeds the metrics from a committed batch.
func (m *Metrics) observe(b *sb.Batch) {
	for _, d := range b.Decisions {
		if d.Kind == sb.DecisionAuto || d.Kind == sb.DecisionLimit {
			m.decision.Observe(float64(d.DurationNs) / 1e9)
		}
	}
	for _, ev := range b.Events {
		switch ev.Name {
		case sb.EventAutoConnected, sb.EventOperatorConnected:
			if ev.Chat != nil {
				m.connected.WithLabelValues(ev.Name, ev.Chat.Topic, m.channel(ev.Chat.Channel)).Inc()
			}
		case sb.EventLimit:
			if ev.Chat != nil {
				m.limits.WithLabelValues(ev.Chat.Topic, m.channel(ev.Chat.Channel)).Inc()
			}
		}
	}
}
