package routing

import (
	"maps"
	"slices"
	"strconv"

	sb "github.com/switchboard/switchboard"
)

func validateStatus(s sb.Status) error {
	if err := firstError(checkID("id", s.ID), checkName("name", s.Name), checkName("color", s.Color)); err != nil {
		return err
	}
	if s.Name == "" {
		return sb.Errorf(sb.EINVALID, "name", "name is required")
	}
	return nil
}

func (e *Engine) createStatus(s sb.Status) error {
	if err := validateStatus(s); err != nil {
		return err
	}
	if _, ok := e.status(s.ID); ok {
		return sb.Errorf(sb.ECONFLICT, "id", "status %q exists", s.ID)
	}
	e.statuses = append(slices.Clip(e.statuses), s)
	e.configChanged("status", s.ID, "created")
	return nil
}

func (e *Engine) updateStatus(s sb.Status) error {
	if err := validateStatus(s); err != nil {
		return err
	}
	i := slices.IndexFunc(e.statuses, func(x sb.Status) bool { return x.ID == s.ID })
	if i < 0 {
		return sb.Errorf(sb.ENOTFOUND, "id", "status %q not found", s.ID)
	}
	if s.ID == e.settings.AutoOfflineStatus && s.CanReceive {
		return sb.Errorf(sb.EINVALID, "can_receive", "the auto-offline status cannot receive chats")
	}
	prev := e.statuses[i]
	e.statuses = slices.Clone(e.statuses)
	e.statuses[i] = s
	if prev.CanReceive != s.CanReceive {
		e.rebuild()
	}
	e.configChanged("status", s.ID, "updated")
	return nil
}

func (e *Engine) deleteStatus(id string) error {
	i := slices.IndexFunc(e.statuses, func(x sb.Status) bool { return x.ID == id })
	if i < 0 {
		return sb.Errorf(sb.ENOTFOUND, "id", "status %q not found", id)
	}
	if id == sb.StatusOffline || id == e.settings.AutoOfflineStatus {
		return sb.Errorf(sb.ECONFLICT, "id", "status %q is needed by the settings", id)
	}
	for _, o := range e.ops {
		if o.Status == id {
			return sb.Errorf(sb.ECONFLICT, "id", "operator %s has status %q", o.ID, id)
		}
	}
	e.statuses = slices.Delete(slices.Clone(e.statuses), i, i+1)
	e.configChanged("status", id, "deleted")
	return nil
}

func (e *Engine) putTopic(t sb.Topic, create bool) error {
	if err := firstError(checkID("alias", t.Alias), checkName("name", t.Name), e.checkCalendar("calendar_id", t.CalendarID),
		checkCount("max_queue_length", t.MaxQueueLength), checkTimer("max_estimated_wait_s", t.MaxEstimatedWaitS),
		checkSLA(t.SLATargetS, t.SLAGoal)); err != nil {
		return err
	}
	_, exists := e.topics[t.Alias]
	switch {
	case create && exists:
		return sb.Errorf(sb.ECONFLICT, "alias", "topic %q exists", t.Alias)
	case !create && !exists:
		return sb.Errorf(sb.ENOTFOUND, "alias", "topic %q not found", t.Alias)
	}
	for p := t.Parent; p != ""; p = e.topics[p].Parent {
		if _, ok := e.topics[p]; !ok || p == t.Alias {
			return sb.Errorf(sb.EINVALID, "parent", "parent must be another known topic, without cycles")
		}
	}
	if t.Name == "" {
		t.Name = t.Alias
	}
	prev := e.topics[t.Alias]
	e.topics[t.Alias] = t
	if t.Parent != prev.Parent {
		e.rebuild() // the groups that serve it changed (R1: subtopics)
	}
	if t.Parent != prev.Parent || t.CalendarID != prev.CalendarID {
		e.hoursChanged() // its hours (or its subtopics') may have changed
	}
	e.configChanged("topic", t.Alias, map[bool]string{true: "created", false: "updated"}[create])
	return nil
}

func (e *Engine) deleteTopic(alias string) error {
	if _, ok := e.topics[alias]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "alias", "topic %q not found", alias)
	}
	for _, t := range e.topics {
		if t.Parent == alias {
			return sb.Errorf(sb.ECONFLICT, "alias", "topic %q is the parent of %q", alias, t.Alias)
		}
	}
	for _, g := range e.groups {
		if g.topicSet[alias] {
			return sb.Errorf(sb.ECONFLICT, "alias", "skill group %s has topic %q", g.ID, alias)
		}
	}
	for _, c := range e.chats {
		if c.Topic == alias {
			return sb.Errorf(sb.ECONFLICT, "alias", "open chat %s has topic %q", c.ID, alias)
		}
	}
	parent := e.topics[alias].Parent
	delete(e.topics, alias)
	if parent != "" {
		e.rebuild() // the groups of its parent no longer serve it
	}
	e.configChanged("topic", alias, "deleted")
	return nil
}

func (e *Engine) validateGroup(g sb.SkillGroup) error {
	if err := firstError(checkID("id", g.ID), checkName("name", g.Name),
		checkTimer("accept_timeout_s", g.AcceptTimeoutS), checkTimer("response_timeout_s", g.ResponseTimeoutS),
		checkTimer("wrap_up_s", g.WrapUpS)); err != nil {
		return err
	}
	for _, t := range g.Topics {
		if _, ok := e.topics[t]; !ok {
			return sb.Errorf(sb.EINVALID, "topics", "unknown topic %q", t)
		}
	}
	for _, o := range g.Operators {
		if _, ok := e.ops[o]; !ok {
			return sb.Errorf(sb.EINVALID, "operators", "unknown operator %q", o)
		}
	}
	return nil
}

func (e *Engine) putGroup(in sb.SkillGroup, create bool) error {
	if err := e.validateGroup(in); err != nil {
		return err
	}
	_, exists := e.groups[in.ID]
	switch {
	case create && exists:
		return sb.Errorf(sb.ECONFLICT, "id", "skill group %q exists", in.ID)
	case !create && !exists:
		return sb.Errorf(sb.ENOTFOUND, "id", "skill group %q not found", in.ID)
	}
	if in.Name == "" {
		in.Name = in.ID
	}
	e.groups[in.ID] = newGroup(in)
	e.rebuild()
	e.configChanged("skill_group", in.ID, map[bool]string{true: "created", false: "updated"}[create])
	return nil
}

// newGroup copies g with its topics and operators sorted and unique.
func newGroup(g sb.SkillGroup) *group {
	g.Topics = append([]string{}, slices.Compact(slices.Sorted(slices.Values(g.Topics)))...)
	g.Operators = append([]string{}, slices.Compact(slices.Sorted(slices.Values(g.Operators)))...)
	x := &group{SkillGroup: g, topicSet: map[string]bool{}, opSet: map[string]bool{}}
	for _, t := range g.Topics {
		x.topicSet[t] = true
	}
	for _, o := range g.Operators {
		x.opSet[o] = true
	}
	return x
}

func (e *Engine) deleteGroup(id string) error {
	if _, ok := e.groups[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "id", "skill group %q not found", id)
	}
	delete(e.groups, id)
	e.rebuild()
	e.configChanged("skill_group", id, "deleted")
	return nil
}

func (e *Engine) validateSettings(s sb.Settings) error {
	switch s.DistributionMethod {
	case sb.MethodDefault, sb.MethodByNumber, sb.MethodByLastDate:
	default:
		return sb.Errorf(sb.EINVALID, "distribution_method", "distribution_method must be default, by_number_of_dialogs or by_date_of_last_dialog")
	}
	switch s.ChatInactivityAction {
	case sb.InactivityClose, sb.InactivityRequeue:
	default:
		return sb.Errorf(sb.EINVALID, "chat_inactivity_action", "chat_inactivity_action must be close or requeue")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"default_max_chats", s.DefaultMaxChats}, {"max_missed_chats", s.MaxMissedChats}} {
		if f.v < 0 {
			return sb.Errorf(sb.EINVALID, f.name, "%s must not be negative", f.name)
		}
	}
	if err := firstError(checkTimer("accept_timeout_s", s.AcceptTimeoutS), checkTimer("response_timeout_s", s.ResponseTimeoutS),
		checkTimer("chat_inactivity_timeout_s", s.ChatInactivityTimeoutS), checkTimer("queue_timeout_s", s.QueueTimeoutS),
		checkTimer("auto_offline_after_s", s.AutoOfflineAfterS), checkTimer("transfer_offer_timeout_s", s.TransferOfferTimeoutS),
		checkTimer("wrap_up_s", s.WrapUpS), checkTimer("max_estimated_wait_s", s.MaxEstimatedWaitS),
		checkTimer("queue_update_interval_s", s.QueueUpdateIntervalS), checkCount("max_queue_length", s.MaxQueueLength),
		e.checkCalendar("default_calendar_id", s.DefaultCalendarID)); err != nil {
		return err
	}
	if err := checkSLA(s.SLATargetS, s.SLAGoal); err != nil {
		return err
	}
	if s.MaxMessageBytes < 0 || s.MaxMessageBytes > MaxMessageBytesLimit {
		return sb.Errorf(sb.EINVALID, "max_message_bytes", "max_message_bytes must be 1 to %d (0: the default, %d)", MaxMessageBytesLimit, sb.DefaultMaxMessageBytes)
	}
	st, ok := e.status(s.AutoOfflineStatus)
	if !ok || st.CanReceive {
		return sb.Errorf(sb.EINVALID, "auto_offline_status", "auto_offline_status must be a known status that cannot receive chats")
	}
	return e.validateLimits(s.DefaultChannelLimits, "default_channel_limits")
}

func (e *Engine) updateSettings(s sb.Settings) error {
	if err := e.validateSettings(s); err != nil {
		return err
	}
	prev := e.settings
	s.DefaultChannelLimits = maps.Clone(s.DefaultChannelLimits)
	if s.DefaultChannelLimits == nil {
		s.DefaultChannelLimits = map[string]int{}
	}
	e.settings = s
	if prev.QueueUpdateIntervalS != s.QueueUpdateIntervalS {
		e.rewatch()
	}
	if prev.DefaultCalendarID != s.DefaultCalendarID {
		defer e.reviewHolds()
	}
	if !prev.AutoConnect && s.AutoConnect {
		// queued chats kept their order while off; New chats stay New.
		for _, c := range e.chats {
			if c.Status == sb.ChatQueued {
				e.dirtyChats = append(e.dirtyChats, c)
			}
		}
	}
	e.rebuild()
	e.configChanged("settings", "", "updated")
	return nil
}

func (e *Engine) createBan(b sb.Ban) error {
	if err := firstError(checkID("client_id", b.ClientID), checkName("reason", b.Reason)); err != nil {
		return err
	}
	if b.Channel != "" {
		if err := checkID("channel", b.Channel); err != nil {
			return err
		}
	}
	if b.ID != "" {
		if err := checkID("id", b.ID); err != nil {
			return err
		}
	}
	if b.Until.IsZero() {
		return sb.Errorf(sb.EINVALID, "until", "until is required")
	}
	if _, ok := e.bans[b.ID]; ok {
		return sb.Errorf(sb.ECONFLICT, "id", "ban %q exists", b.ID)
	}
	for b.ID == "" || e.bans[b.ID].ID != "" {
		e.cnt.Ban++
		b.ID = strconv.FormatInt(e.cnt.Ban, 10)
	}
	e.bans[b.ID] = b
	e.res.Ban = &b
	e.configChanged("ban", b.ID, "created")
	return nil
}

func (e *Engine) deleteBan(id string) error {
	if _, ok := e.bans[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "id", "ban %q not found", id)
	}
	delete(e.bans, id)
	e.configChanged("ban", id, "deleted")
	return nil
}
