package http

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request metrics: by route (the route table's
// pattern, so the label's values are bounded), status code and duration.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	routes   sync.Map // pattern → prometheus.Observer
}

// RegisterMetrics registers the request metrics on reg and makes the
// handler feed them: switchboard_http_requests_total{route, code} and
// switchboard_http_request_duration_seconds{route}. A request no route
// serves counts as route "unmatched".
func (h *Handler) RegisterMetrics(reg prometheus.Registerer) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_http_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_http_request_duration_seconds", Help: "Time to answer an HTTP request (an event stream: while it was open), by route.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14),
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	h.metrics = m
}

// observe counts one answered request.
func (m *httpMetrics) observe(route string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	o, ok := m.routes.Load(route)
	if !ok {
		o, _ = m.routes.LoadOrStore(route, m.duration.WithLabelValues(route))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
}

// statusWriter remembers the status code of an answer. Unwrap lets
// http.ResponseController reach the connection's Flush and deadlines.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
