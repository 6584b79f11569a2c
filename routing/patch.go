package routing

import (
	"maps"
	"slices"

	sb "github.com/switchboard/switchboard"
)

// The patch commands merge their fields into the current state and apply
// the result as the matching update does, all in one command: the merge
// and the checks see the same state.

// set copies *v into *dst when v is not nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (e *Engine) patchOperator(p PatchOperator) error {
	o, err := e.op(p.ID, "id")
	if err != nil {
		return err
	}
	in := o.Operator
	in.ChannelLimits = maps.Clone(in.ChannelLimits)
	set(&in.Name, p.Name)
	set(&in.Email, p.Email)
	set(&in.Role, p.Role)
	if p.MaxChats.Set {
		in.MaxChats = p.MaxChats.V
	}
	if p.ChannelLimits.Set {
		in.ChannelLimits = nil
		if p.ChannelLimits.V != nil {
			in.ChannelLimits = *p.ChannelLimits.V
		}
	}
	return e.updateOperator(in)
}

func (e *Engine) patchGroup(p PatchSkillGroup) error {
	g, ok := e.groups[p.ID]
	if !ok {
		return sb.Errorf(sb.ENOTFOUND, "id", "skill group %q not found", p.ID)
	}
	in := g.SkillGroup
	in.Topics, in.Operators = slices.Clone(in.Topics), slices.Clone(in.Operators)
	set(&in.Name, p.Name)
	for _, f := range []struct {
		dst *[]string
		v   Field[[]string]
	}{{&in.Topics, p.Topics}, {&in.Operators, p.Operators}} {
		if f.v.Set {
			*f.dst = nil
			if f.v.V != nil {
				*f.dst = *f.v.V
			}
		}
	}
	set(&in.Active, p.Active)
	set(&in.AcceptTimeoutS, p.AcceptTimeoutS)
	set(&in.ResponseTimeoutS, p.ResponseTimeoutS)
	set(&in.WrapUpS, p.WrapUpS)
	return e.putGroup(in, false)
}

func (e *Engine) patchTopic(p PatchTopic) error {
	t, ok := e.topics[p.Alias]
	if !ok {
		return sb.Errorf(sb.ENOTFOUND, "alias", "topic %q not found", p.Alias)
	}
	set(&t.Name, p.Name)
	set(&t.Parent, p.Parent)
	set(&t.CalendarID, p.CalendarID)
	set(&t.MaxQueueLength, p.MaxQueueLength)
	set(&t.MaxEstimatedWaitS, p.MaxEstimatedWaitS)
	set(&t.SLATargetS, p.SLATargetS)
	set(&t.SLAGoal, p.SLAGoal)
	return e.putTopic(t, false)
}

func (e *Engine) patchCalendar(p PatchCalendar) error {
	c, ok := e.cals[p.ID]
	if !ok {
		return sb.Errorf(sb.ENOTFOUND, "id", "calendar %q not found", p.ID)
	}
	in := cloneCalendar(c.Calendar)
	set(&in.Name, p.Name)
	set(&in.TimeZone, p.TimeZone)
	set(&in.Hours, p.Hours)
	set(&in.Exceptions, p.Exceptions)
	return e.putCalendar(in, false)
}

func (e *Engine) patchStatus(p PatchStatus) error {
	s, ok := e.status(p.ID)
	if !ok {
		return sb.Errorf(sb.ENOTFOUND, "id", "status %q not found", p.ID)
	}
	set(&s.Name, p.Name)
	set(&s.Color, p.Color)
	set(&s.CanReceive, p.CanReceive)
	return e.updateStatus(s)
}

func (e *Engine) patchSettings(p PatchSettings) error {
	s := e.settings
	s.DefaultChannelLimits = maps.Clone(s.DefaultChannelLimits)
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
	set(&s.MaxMessageBytes, p.MaxMessageBytes)
	set(&s.WebhookAllowPrivateTargets, p.WebhookAllowPrivateTargets)
	set(&s.TransferOfferTimeoutS, p.TransferOfferTimeoutS)
	set(&s.WrapUpS, p.WrapUpS)
	set(&s.DefaultCalendarID, p.DefaultCalendarID)
	set(&s.MaxQueueLength, p.MaxQueueLength)
	set(&s.MaxEstimatedWaitS, p.MaxEstimatedWaitS)
	set(&s.QueueUpdateIntervalS, p.QueueUpdateIntervalS)
	set(&s.BusinessTimeTimers, p.BusinessTimeTimers)
	set(&s.SLATargetS, p.SLATargetS)
	set(&s.SLAGoal, p.SLAGoal)
	return e.updateSettings(s)
}
