package http

import (
	"net/http"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
	"github.com/switchboard/switchboard/server"
)

func notFound(what, id string) error {
	return sb.Errorf(sb.ENOTFOUND, "id", "%s %q not found", what, id)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// deleted applies a delete command and answers 204.
func (h *Handler) deleted(w http.ResponseWriter, r *http.Request, cmd routing.Command) error {
	if _, err := h.do(r, cmd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// find returns the first item of list that match says yes to.
func find[T any](list []T, match func(T) bool) (T, bool) {
	for _, x := range list {
		if match(x) {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// --- statuses --------------------------------------------------------------

func (h *Handler) listStatuses(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, h.App.Config().Statuses)
	return nil
}

func (h *Handler) createStatus(w http.ResponseWriter, r *http.Request) error {
	var s sb.Status
	if err := decode(r, &s); err != nil {
		return err
	}
	if _, err := h.do(r, routing.CreateStatus{Status: s}); err != nil {
		return err
	}
	writeJSON(w, 201, s)
	return nil
}

// statusPatchBody is the body of PATCH /statuses/{id}.
type statusPatchBody struct {
	Name       *string `json:"name"`
	CanReceive *bool   `json:"can_receive"`
	Color      *string `json:"color"`
}

func (h *Handler) patchStatus(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p statusPatchBody
	if err := decode(r, &p); err != nil {
		return err
	}
	if _, err := h.do(r, routing.PatchStatus{ID: id, Name: p.Name, Color: p.Color, CanReceive: p.CanReceive}); err != nil {
		return err
	}
	s, _ := find(h.App.Config().Statuses, func(s sb.Status) bool { return s.ID == id })
	writeJSON(w, 200, s)
	return nil
}

func (h *Handler) deleteStatus(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteStatus{ID: r.PathValue("id")})
}

// --- topics ------------------------------------------------------------------

func (h *Handler) listTopics(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.App.Config().Topics))
	return nil
}

func (h *Handler) createTopic(w http.ResponseWriter, r *http.Request) error {
	var t sb.Topic
	if err := decode(r, &t); err != nil {
		return err
	}
	if _, err := h.do(r, routing.CreateTopic{Topic: t}); err != nil {
		return err
	}
	return h.writeTopic(w, 201, t.Alias)
}

func (h *Handler) writeTopic(w http.ResponseWriter, status int, alias string) error {
	t, ok := find(h.App.Config().Topics, func(t sb.Topic) bool { return t.Alias == alias })
	if !ok {
		return notFound("topic", alias)
	}
	writeJSON(w, status, t)
	return nil
}

// topicPatchBody is the body of PATCH /topics/{alias}.
type topicPatchBody struct {
	Name              *string  `json:"name"`
	Parent            *string  `json:"parent"`
	CalendarID        *string  `json:"calendar_id"`
	MaxQueueLength    *int     `json:"max_queue_length"`
	MaxEstimatedWaitS *int     `json:"max_estimated_wait_s"`
	SLATargetS        *int     `json:"sla_target_s"`
	SLAGoal           *float64 `json:"sla_goal"`
}

func (h *Handler) patchTopic(w http.ResponseWriter, r *http.Request) error {
	alias := r.PathValue("alias")
	var p topicPatchBody
	if err := decode(r, &p); err != nil {
		return err
	}
	if _, err := h.do(r, routing.PatchTopic{Alias: alias, Name: p.Name, Parent: p.Parent, CalendarID: p.CalendarID,
		MaxQueueLength: p.MaxQueueLength, MaxEstimatedWaitS: p.MaxEstimatedWaitS, SLATargetS: p.SLATargetS, SLAGoal: p.SLAGoal}); err != nil {
		return err
	}
	return h.writeTopic(w, 200, alias)
}

func (h *Handler) deleteTopic(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteTopic{Alias: r.PathValue("alias")})
}

// --- calendars ---------------------------------------------------------------

func (h *Handler) listCalendars(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.App.Config().Calendars))
	return nil
}

func (h *Handler) getCalendar(w http.ResponseWriter, r *http.Request) error {
	return h.writeCalendar(w, 200, r.PathValue("id"))
}

func (h *Handler) createCalendar(w http.ResponseWriter, r *http.Request) error {
	var c sb.Calendar
	if err := decode(r, &c); err != nil {
		return err
	}
	if _, err := h.do(r, routing.CreateCalendar{Calendar: c}); err != nil {
		return err
	}
	return h.writeCalendar(w, 201, c.ID)
}

// calendarPatchBody is the body of PATCH /calendars/{id}.
type calendarPatchBody struct {
	ID         *string                 `json:"id"`
	Name       *string                 `json:"name"`
	TimeZone   *string                 `json:"time_zone"`
	Hours      *map[string][][2]string `json:"hours"`
	Exceptions *[]sb.CalendarException `json:"exceptions"`
}

func (h *Handler) patchCalendar(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p calendarPatchBody
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.ID != nil && *p.ID != id {
		return sb.Errorf(sb.EINVALID, "id", "id cannot change")
	}
	if _, err := h.do(r, routing.PatchCalendar{ID: id, Name: p.Name, TimeZone: p.TimeZone, Hours: p.Hours, Exceptions: p.Exceptions}); err != nil {
		return err
	}
	return h.writeCalendar(w, 200, id)
}

func (h *Handler) deleteCalendar(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteCalendar{ID: r.PathValue("id")})
}

func (h *Handler) writeCalendar(w http.ResponseWriter, status int, id string) error {
	c, ok := find(h.App.Config().Calendars, func(c sb.Calendar) bool { return c.ID == id })
	if !ok {
		return notFound("calendar", id)
	}
	writeJSON(w, status, c)
	return nil
}

// --- skill groups ------------------------------------------------------------

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.App.Config().Groups))
	return nil
}

func (h *Handler) findGroup(id string) (sb.SkillGroup, error) {
	g, ok := find(h.App.Config().Groups, func(g sb.SkillGroup) bool { return g.ID == id })
	if !ok {
		return sb.SkillGroup{}, notFound("skill group", id)
	}
	return g, nil
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.findGroup(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, g)
	return nil
}

// groupPatch is the body of POST and PATCH /skill-groups.
type groupPatch struct {
	ID               *string   `json:"id"`
	Name             *string   `json:"name"`
	Topics           *[]string `json:"topics"`
	Operators        *[]string `json:"operators"`
	Active           *bool     `json:"active"`
	AcceptTimeoutS   *int      `json:"accept_timeout_s"`
	ResponseTimeoutS *int      `json:"response_timeout_s"`
	WrapUpS          *int      `json:"wrap_up_s"`
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) error {
	var p groupPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	g := sb.SkillGroup{Active: true, Topics: []string{}, Operators: []string{}}
	set(&g.ID, p.ID)
	if g.ID == "" {
		g.ID = server.NewSecret("sg_")[:15]
	}
	set(&g.Name, p.Name)
	set(&g.Topics, p.Topics)
	set(&g.Operators, p.Operators)
	set(&g.Active, p.Active)
	set(&g.AcceptTimeoutS, p.AcceptTimeoutS)
	set(&g.ResponseTimeoutS, p.ResponseTimeoutS)
	set(&g.WrapUpS, p.WrapUpS)
	if _, err := h.do(r, routing.CreateSkillGroup{Group: g}); err != nil {
		return err
	}
	g, err := h.findGroup(g.ID)
	writeJSON(w, 201, g)
	return err
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p groupPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.ID != nil && *p.ID != id {
		return sb.Errorf(sb.EINVALID, "id", "id cannot change")
	}
	cmd := routing.PatchSkillGroup{ID: id, Name: p.Name, Active: p.Active,
		AcceptTimeoutS: p.AcceptTimeoutS, ResponseTimeoutS: p.ResponseTimeoutS, WrapUpS: p.WrapUpS,
		Topics: listField(p.Topics), Operators: listField(p.Operators)}
	if _, err := h.do(r, cmd); err != nil {
		return err
	}
	g, err := h.findGroup(id)
	writeJSON(w, 200, g)
	return err
}

// listField is a patch field for a list given in a body (nil: absent).
func listField(v *[]string) routing.Field[[]string] {
	return routing.Field[[]string]{Set: v != nil, V: v}
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteSkillGroup{ID: r.PathValue("id")})
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// --- settings ----------------------------------------------------------------

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, h.App.Config().Settings)
	return nil
}

// settingsBody is the body of PATCH /settings: each field set replaces the
// setting.
type settingsBody struct {
	AutoConnect                *bool           `json:"auto_connect"`
	DistributionMethod         *string         `json:"distribution_method"`
	DefaultMaxChats            *int            `json:"default_max_chats"`
	DefaultChannelLimits       *map[string]int `json:"default_channel_limits"`
	AcceptTimeoutS             *int            `json:"accept_timeout_s"`
	MaxMissedChats             *int            `json:"max_missed_chats"`
	ResponseTimeoutS           *int            `json:"response_timeout_s"`
	ChatInactivityTimeoutS     *int            `json:"chat_inactivity_timeout_s"`
	ChatInactivityAction       *string         `json:"chat_inactivity_action"`
	QueueTimeoutS              *int            `json:"queue_timeout_s"`
	AutoOfflineAfterS          *int            `json:"auto_offline_after_s"`
	AutoOfflineStatus          *string         `json:"auto_offline_status"`
	AutoOfflineRedistribute    *bool           `json:"auto_offline_redistribute"`
	MaxMessageBytes            *int            `json:"max_message_bytes"`
	WebhookAllowPrivateTargets *bool           `json:"webhook_allow_private_targets"`
	TransferOfferTimeoutS      *int            `json:"transfer_offer_timeout_s"`
	WrapUpS                    *int            `json:"wrap_up_s"`
	DefaultCalendarID          *string         `json:"default_calendar_id"`
	MaxQueueLength             *int            `json:"max_queue_length"`
	MaxEstimatedWaitS          *int            `json:"max_estimated_wait_s"`
	QueueUpdateIntervalS       *int            `json:"queue_update_interval_s"`
	BusinessTimeTimers         *bool           `json:"business_time_timers"`
	SLATargetS                 *int            `json:"sla_target_s"`
	SLAGoal                    *float64        `json:"sla_goal"`
}

func (h *Handler) patchSettings(w http.ResponseWriter, r *http.Request) error {
	var p settingsBody
	if err := decode(r, &p); err != nil {
		return err
	}
	if _, err := h.do(r, routing.PatchSettings(p)); err != nil {
		return err
	}
	writeJSON(w, 200, h.App.Config().Settings)
	return nil
}

// --- bans ----------------------------------------------------------------------

func (h *Handler) listBans(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.App.Config().Bans))
	return nil
}

func (h *Handler) createBan(w http.ResponseWriter, r *http.Request) error {
	var b sb.Ban
	if err := decode(r, &b); err != nil {
		return err
	}
	res, err := h.do(r, routing.CreateBan{Ban: b})
	if err != nil {
		return err
	}
	writeJSON(w, 201, res.Ban)
	return nil
}

func (h *Handler) deleteBan(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteBan{ID: r.PathValue("id")})
}
