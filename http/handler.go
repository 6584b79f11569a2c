// Package http is Switchboard's JSON API, its event stream and the error
// mapping. The whole route table is in routes.
package http

import (
	"cmp"
	"log/slog"
	"net/http"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
)

// Handler serves the API. Its handlers decode a request, call one method
// of the server, and encode the answer: the rules are the server's and
// the routing engine's.
type Handler struct {
	App     *server.Server
	Log     *slog.Logger
	Metrics http.Handler // served at /metrics when set
	Panel   http.Handler // served at / when set

	mux     *http.ServeMux
	routes  []string     // "METHOD /path" of every route, for the OpenAPI check
	metrics *httpMetrics // set by RegisterMetrics
}

// NewHandler returns the API over app, with the metrics and panel handlers
// (either may be nil).
func NewHandler(app *server.Server, log *slog.Logger, metrics, panel http.Handler) *Handler {
	h := &Handler{App: app, Log: log, Metrics: metrics, Panel: panel, mux: http.NewServeMux()}
	h.routesTable()
	return h
}

// ServeHTTP serves a request; an unknown route is answered with the JSON
// error envelope too: 405 with Allow when the path has other methods, else
// 404. (Every GET outside /api/ is the panel's.)
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.metrics == nil {
		h.serve(w, r)
		return
	}
	start, sw := time.Now(), &statusWriter{ResponseWriter: w}
	h.serve(sw, r)
	h.metrics.observe(r.Pattern, cmp.Or(sw.code, http.StatusOK), time.Since(start))
}

// serve is ServeHTTP without the metrics; the mux sets r.Pattern.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if h.routed(r) {
		h.mux.ServeHTTP(w, r)
		return
	}
	var allow []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		other := r.Clone(r.Context())
		other.Method = m
		if h.routed(other) {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		writeError(w, h.Log, sb.Errorf(sb.ENOTFOUND, "", "no route %s %s", r.Method, r.URL.Path))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeError(w, h.Log, sb.Errorf(sb.EMETHOD, "", "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// routed reports whether a route serves the request: an API route, or the
// panel for a path outside /api/.
func (h *Handler) routed(r *http.Request) bool {
	_, pattern := h.mux.Handler(r)
	return pattern != "" && (pattern != "GET /" || !strings.HasPrefix(r.URL.Path, "/api/"))
}

// Routes returns "METHOD /path" for every API route.
func (h *Handler) Routes() []string { return h.routes }

func (h *Handler) handle(pattern string, roles int, fn func(http.ResponseWriter, *http.Request) error) {
	h.routes = append(h.routes, pattern)
	h.mux.Handle(pattern, h.guard(roles, true, fn))
}

// handleStream is handle for the event stream: an open stream is a session
// of its own (stream), not a request that counts as presence.
func (h *Handler) handleStream(pattern string, roles int, fn func(http.ResponseWriter, *http.Request) error) {
	h.routes = append(h.routes, pattern)
	h.mux.Handle(pattern, h.guard(roles, false, fn))
}

func (h *Handler) routesTable() {
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	h.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ready"}) })
	if h.Metrics != nil {
		h.mux.Handle("GET /metrics", h.Metrics)
	}
	h.mux.HandleFunc("GET /api/v1/openapi.json", h.openAPI)
	h.mux.HandleFunc("GET /api/v1/openapi.yaml", h.openAPIYAML)
	if h.Panel != nil {
		h.mux.Handle("GET /", h.Panel)
	}
	h.mux.HandleFunc("POST /api/v1/session", h.signIn)
	h.handle("GET /api/v1/session", rAll, h.whoAmI)
	h.handle("POST /api/v1/presence", rAll, h.presence)
	h.handle("DELETE /api/v1/session", rAll, h.signOut)

	h.handle("POST /api/v1/tokens", rAdmin, h.createToken)
	h.handle("GET /api/v1/tokens", rAdmin, h.listTokens)
	h.handle("DELETE /api/v1/tokens/{id}", rAdmin, h.deleteToken)
	h.handle("GET /api/v1/sessions", rAdmin, h.listSessions)

	h.handle("GET /api/v1/statuses", rAll, h.listStatuses)
	h.handle("POST /api/v1/statuses", rAdmin, h.createStatus)
	h.handle("PATCH /api/v1/statuses/{id}", rAdmin, h.patchStatus)
	h.handle("DELETE /api/v1/statuses/{id}", rAdmin, h.deleteStatus)

	h.handle("GET /api/v1/topics", rAll, h.listTopics)
	h.handle("POST /api/v1/topics", rAdmin, h.createTopic)
	h.handle("PATCH /api/v1/topics/{alias}", rAdmin, h.patchTopic)
	h.handle("DELETE /api/v1/topics/{alias}", rAdmin, h.deleteTopic)

	h.handle("GET /api/v1/calendars", rAll, h.listCalendars)
	h.handle("POST /api/v1/calendars", rAdmin, h.createCalendar)
	h.handle("GET /api/v1/calendars/{id}", rAll, h.getCalendar)
	h.handle("PATCH /api/v1/calendars/{id}", rAdmin, h.patchCalendar)
	h.handle("DELETE /api/v1/calendars/{id}", rAdmin, h.deleteCalendar)

	h.handle("GET /api/v1/operators", rPanel, h.listOperators)
	h.handle("POST /api/v1/operators", rAdmin, h.createOperator)
	h.handle("GET /api/v1/operators/{id}", rPanel, h.getOperator)
	h.handle("PATCH /api/v1/operators/{id}", rAdmin, h.patchOperator)
	h.handle("DELETE /api/v1/operators/{id}", rAdmin, h.deleteOperator)
	h.handle("PUT /api/v1/operators/{id}/status", rPanel, h.setOperatorStatus)
	h.handle("POST /api/v1/operators/{id}/redistribute", rStaff, h.redistribute)
	h.handle("GET /api/v1/operators/{id}/diagnostics", rPanel, h.diagnostics)
	h.handle("POST /api/v1/operators/{id}/ready", rPanel, h.ready)

	h.handle("GET /api/v1/skill-groups", rPanel, h.listGroups)
	h.handle("POST /api/v1/skill-groups", rAdmin, h.createGroup)
	h.handle("GET /api/v1/skill-groups/{id}", rPanel, h.getGroup)
	h.handle("PATCH /api/v1/skill-groups/{id}", rAdmin, h.patchGroup)
	h.handle("DELETE /api/v1/skill-groups/{id}", rAdmin, h.deleteGroup)

	h.handle("GET /api/v1/settings", rPanel, h.getSettings)
	h.handle("PATCH /api/v1/settings", rAdmin, h.patchSettings)

	h.handle("POST /api/v1/actions/operator_panel__connect_to_operator_with_msg", rAdmin|rIntegrator, h.connect)
	h.handle("GET /api/v1/chats", rAll, h.listChats)
	h.handle("GET /api/v1/chats/{id}", rAll, h.getChat)
	h.handle("PATCH /api/v1/chats/{id}", rAll, h.patchChat)
	h.handle("GET /api/v1/chats/{id}/messages", rAll, h.listMessages)
	h.handle("POST /api/v1/chats/{id}/messages", rAll, h.postMessage)
	h.handle("POST /api/v1/chats/{id}/accept", rPanel, h.accept)
	h.handle("POST /api/v1/chats/{id}/take", rPanel, h.take)
	h.handle("POST /api/v1/chats/{id}/return-to-bot", rAll, h.returnToBot)
	h.handle("POST /api/v1/chats/{id}/assign", rStaff, h.assign)
	h.handle("POST /api/v1/chats/{id}/transfer", rPanel, h.transfer)
	h.handle("POST /api/v1/chats/{id}/offer/accept", rPanel, h.acceptOffer)
	h.handle("POST /api/v1/chats/{id}/offer/decline", rPanel, h.declineOffer)
	h.handle("POST /api/v1/chats/{id}/offer/withdraw", rPanel, h.withdrawOffer)
	h.handle("POST /api/v1/chats/{id}/notes", rPanel, h.postNote)
	h.handle("POST /api/v1/chats/{id}/close", rAll, h.closeChat)
	h.handle("POST /api/v1/chats/{id}/rating", rAdmin|rIntegrator, h.rate)

	h.handle("GET /api/v1/queue", rPanel, h.queue)
	h.handle("GET /api/v1/distribution/audit", rStaff, h.audit)

	h.handle("GET /api/v1/bans", rStaff|rIntegrator, h.listBans)
	h.handle("POST /api/v1/bans", rStaff|rIntegrator, h.createBan)
	h.handle("DELETE /api/v1/bans/{id}", rStaff|rIntegrator, h.deleteBan)

	h.handle("GET /api/v1/stats", rStaff, h.stats)
	h.handle("POST /api/v1/simulations", rStaff, h.simulate)

	h.handle("GET /api/v1/events", rAll, h.listEvents)
	h.handleStream("GET /api/v1/events/stream", rAll, h.stream)

	h.handle("GET /api/v1/webhooks", rAdmin, h.listWebhooks)
	h.handle("POST /api/v1/webhooks", rAdmin, h.createWebhook)
	h.handle("DELETE /api/v1/webhooks/{id}", rAdmin, h.deleteWebhook)
	h.handle("GET /api/v1/webhooks/{id}/deliveries", rAdmin, h.listDeliveries)
	h.handle("POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", rAdmin, h.resendDelivery)
	h.handle("POST /api/v1/webhooks/{id}/test", rAdmin, h.testWebhook)
	h.handle("GET /api/v1/chats/{id}/deliveries", rStaff|rIntegrator, h.listChatDeliveries)
	h.handle("POST /api/v1/chats/{id}/deliveries/{delivery_id}/resend", rStaff|rIntegrator, h.resendChatDelivery)
	h.handle("GET /api/v1/webhook-keys", rAdmin, h.listWebhookKeys)
	h.handle("POST /api/v1/webhook-keys", rAdmin, h.rotateWebhookKey)
}

// do applies a command; it returns the result.
func (h *Handler) do(r *http.Request, cmd routing.Command) (routing.Result, error) {
	return h.App.Do(r.Context(), cmd)
}
