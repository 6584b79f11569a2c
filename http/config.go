package http

import (
	"net/http"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

func (h *Handler) config() routing.Config {
	var c routing.Config
	h.App.View(func(e *routing.Engine) { c = e.Config() })
	return c
}

func notFound(what, id string) error {
	return sb.Errorf(sb.ENOTFOUND, "id", "%s %q not found", what, id)
}

func (h *Handler) listStatuses(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, h.config().Statuses)
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

func (h *Handler) findStatus(id string) (sb.Status, error) {
	for _, s := range h.config().Statuses {
		if s.ID == id {
			return s, nil
		}
	}
	return sb.Status{}, notFound("status", id)
}

// statusPatchBody is the body of PATCH /statuses/{id}.
type statusPatchBody struct {
	Name       *string `json:"name"`
	CanReceive *bool   `json:"can_receive"`
	Color      *string `json:"color"`
}

func (h *Handler) patchStatus(w http.ResponseWriter, r *http.Request) error {
	s, err := h.findStatus(r.PathValue("id"))
	if err != nil {
		return err
	}
	var p statusPatchBody
	if err := decode(r, &p); err != nil {
		return err
	}
	set(&s.Name, p.Name)
	set(&s.CanReceive, p.CanReceive)
	set(&s.Color, p.Color)
	if _, err := h.do(r, routing.UpdateStatus{Status: s}); err != nil {
		return err
	}
	writeJSON(w, 200, s)
	return nil
}

func (h *Handler) deleteStatus(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteStatus{ID: r.PathValue("id")})
}

func (h *Handler) deleted(w http.ResponseWriter, r *http.Request, cmd routing.Command) error {
	if _, err := h.do(r, cmd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (h *Handler) listTopics(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.config().Topics))
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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
	for _, t := range h.config().Topics {
		if t.Alias == alias {
			writeJSON(w, status, t)
			return nil
		}
	}
	return notFound("topic", alias)
}

// topicPatchBody is the body of PATCH /topics/{alias}.
type topicPatchBody struct {
	Name   *string `json:"name"`
	Parent *string `json:"parent"`
}

func (h *Handler) patchTopic(w http.ResponseWriter, r *http.Request) error {
	alias := r.PathValue("alias")
	var t sb.Topic
	found := false
	for _, x := range h.config().Topics {
		if x.Alias == alias {
			t, found = x, true
		}
	}
	if !found {
		return notFound("topic", alias)
	}
	var p topicPatchBody
	if err := decode(r, &p); err != nil {
		return err
	}
	set(&t.Name, p.Name)
	set(&t.Parent, p.Parent)
	if _, err := h.do(r, routing.UpdateTopic{Topic: t}); err != nil {
		return err
	}
	return h.writeTopic(w, 200, alias)
}

func (h *Handler) deleteTopic(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteTopic{Alias: r.PathValue("alias")})
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.config().Groups))
	return nil
}

func (h *Handler) findGroup(id string) (sb.SkillGroup, error) {
	for _, g := range h.config().Groups {
		if g.ID == id {
			return g, nil
		}
	}
	return sb.SkillGroup{}, notFound("skill group", id)
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
}

func (p groupPatch) apply(g *sb.SkillGroup) {
	set(&g.Name, p.Name)
	set(&g.Topics, p.Topics)
	set(&g.Operators, p.Operators)
	set(&g.Active, p.Active)
	set(&g.AcceptTimeoutS, p.AcceptTimeoutS)
	set(&g.ResponseTimeoutS, p.ResponseTimeoutS)
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) error {
	var p groupPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	g := sb.SkillGroup{Active: true, Topics: []string{}, Operators: []string{}}
	set(&g.ID, p.ID)
	if g.ID == "" {
		g.ID = NewSecret("sg_")[:15]
	}
	p.apply(&g)
	if _, err := h.do(r, routing.CreateSkillGroup{Group: g}); err != nil {
		return err
	}
	g, err := h.findGroup(g.ID)
	writeJSON(w, 201, g)
	return err
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.findGroup(r.PathValue("id"))
	if err != nil {
		return err
	}
	var p groupPatch
	if err := decode(r, &p); err != nil {
		return err
	}
	if p.ID != nil && *p.ID != g.ID {
		return sb.Errorf(sb.EINVALID, "id", "id cannot change")
	}
	p.apply(&g)
	if _, err := h.do(r, routing.UpdateSkillGroup{Group: g}); err != nil {
		return err
	}
	g, err = h.findGroup(g.ID)
	writeJSON(w, 200, g)
	return err
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	return h.deleted(w, r, routing.DeleteSkillGroup{ID: r.PathValue("id")})
}

func (h *Handler) getSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, h.config().Settings)
	return nil
}

// settingsBody is the body of PATCH /settings: each field set replaces the setting.
type settingsBody struct {
	AutoConnect             *bool           `json:"auto_connect"`
	DistributionMethod      *string         `json:"distribution_method"`
	DefaultMaxChats         *int            `json:"default_max_chats"`
	DefaultChannelLimits    *map[string]int `json:"default_channel_limits"`
	AcceptTimeoutS          *int            `json:"accept_timeout_s"`
	MaxMissedChats          *int            `json:"max_missed_chats"`
	ResponseTimeoutS        *int            `json:"response_timeout_s"`
	ChatInactivityTimeoutS  *int            `json:"chat_inactivity_timeout_s"`
	ChatInactivityAction    *string         `json:"chat_inactivity_action"`
	QueueTimeoutS           *int            `json:"queue_timeout_s"`
	AutoOfflineAfterS       *int            `json:"auto_offline_after_s"`
	AutoOfflineStatus       *string         `json:"auto_offline_status"`
	AutoOfflineRedistribute *bool           `json:"auto_offline_redistribute"`
}

func (h *Handler) patchSettings(w http.ResponseWriter, r *http.Request) error {
	s := h.config().Settings
	var p settingsBody
	if err := decode(r, &p); err != nil {
		return err
	}
	set(&s.AutoConnect, p.AutoConnect)
	set(&s.DistributionMethod, p.DistributionMethod)
	set(&s.DefaultMaxChats, p.DefaultMaxChats)
	set(&s.DefaultChannelLimits, p.DefaultChannelLimits)
	set(&s.AcceptTimeoutS, p.AcceptTimeoutS)
	set(&s.MaxMissedChats, p.MaxMissedChats)
	set(&s.ResponseTimeoutS, p.ResponseTimeoutS)
	set(&s.ChatInactivityTimeoutS, p.ChatInactivityTimeoutS)
	set(&s.ChatInactivityAction, p.ChatInactivityAction)
	set(&s.QueueTimeoutS, p.QueueTimeoutS)
	set(&s.AutoOfflineAfterS, p.AutoOfflineAfterS)
	set(&s.AutoOfflineStatus, p.AutoOfflineStatus)
	set(&s.AutoOfflineRedistribute, p.AutoOfflineRedistribute)
	if _, err := h.do(r, routing.UpdateSettings{Settings: s}); err != nil {
		return err
	}
	writeJSON(w, 200, h.config().Settings)
	return nil
}

func (h *Handler) listBans(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, nonNil(h.config().Bans))
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
