package routing

import (
	"maps"
	"slices"
	"strings"

	sb "github.com/switchboard/switchboard"
)

func (e *Engine) validateOperator(o sb.Operator) error {
	if err := firstError(checkID("id", o.ID), checkName("name", o.Name), checkName("email", o.Email)); err != nil {
		return err
	}
	switch {
	case o.Name == "":
		return sb.Errorf(sb.EINVALID, "name", "name is required")
	case o.MaxChats != nil && *o.MaxChats < 0:
		return sb.Errorf(sb.EINVALID, "max_chats", "max_chats must not be negative")
	}
	for _, x := range e.ops {
		if o.Email != "" && x.ID != o.ID && strings.EqualFold(x.Email, o.Email) {
			return sb.Errorf(sb.ECONFLICT, "email", "operator %s has the email %s", x.ID, x.Email)
		}
	}
	switch o.Role {
	case "", sb.RoleOperator, sb.RoleSupervisor, sb.RoleAdmin:
	default:
		return sb.Errorf(sb.EINVALID, "role", "role must be operator, supervisor or admin")
	}
	return e.validateLimits(o.ChannelLimits, "channel_limits")
}

func (e *Engine) validateLimits(limits map[string]int, field string) error {
	for ch, l := range limits {
		if checkID(field, ch) != nil || l < 0 {
			return sb.Errorf(sb.EINVALID, field, "%s needs channel names (ids) and limits of 0 or more", field)
		}
	}
	if !e.bitsFit(limits) {
		return sb.Errorf(sb.EINVALID, field, "at most 63 channels may carry limits")
	}
	return nil
}

func (e *Engine) createOperator(in sb.Operator) error {
	if err := e.validateOperator(in); err != nil {
		return err
	}
	if _, ok := e.ops[in.ID]; ok {
		return sb.Errorf(sb.ECONFLICT, "id", "operator %q exists", in.ID)
	}
	if in.Role == "" {
		in.Role = sb.RoleOperator
	}
	o := &operator{Operator: sb.Operator{
		ID: in.ID, Name: in.Name, Email: in.Email, Role: in.Role,
		MaxChats: in.MaxChats, ChannelLimits: maps.Clone(in.ChannelLimits),
		Status: sb.StatusOffline, StatusSince: e.now, PresenceLostAt: e.now, CreatedAt: e.now,
	}, tpos: -1}
	e.ops[o.ID] = o
	if e.allocBits(o.ChannelLimits) {
		e.rebuild() // waiting chats of a newly limited channel need its bit
	}
	o.receiving = e.canReceive(o.Status)
	if o.receiving {
		e.idx.receiving++
		e.exclDirty = true // its id may be in exclusions of an operator deleted before
	}
	e.indexOp(o)
	e.markDirty(o)
	e.touchOp(o)
	e.refreshOpTimer(o)
	e.configChanged("operator", o.ID, "created")
	return nil
}

func (e *Engine) updateOperator(in sb.Operator) error {
	o, err := e.op(in.ID, "id")
	if err != nil {
		return err
	}
	if err := e.validateOperator(in); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = o.Role
	}
	e.updateOp(o, func() {
		o.Name, o.Email, o.Role = in.Name, in.Email, in.Role
		o.MaxChats, o.ChannelLimits = in.MaxChats, maps.Clone(in.ChannelLimits)
	})
	if e.allocBits(in.ChannelLimits) {
		e.rebuild() // waiting chats of a newly limited channel need its bit
	}
	e.markDirty(o)
	e.exclDirty = true // a limit of 0 decides whether it could take a chat
	e.configChanged("operator", o.ID, "updated")
	return nil
}

func (e *Engine) deleteOperator(id string) error {
	o, err := e.op(id, "id")
	if err != nil {
		return err
	}
	e.returnAll(o, nil, false, sb.ReasonOperatorDeleted)
	e.unindexOp(o)
	e.clearOpTimer(o)
	delete(e.ops, id)
	o.deleted = true
	e.res.Changes.DeletedOperators = append(e.res.Changes.DeletedOperators, id)
	changed := false
	for _, g := range e.groups {
		if g.opSet[id] {
			delete(g.opSet, id)
			g.Operators = slices.DeleteFunc(slices.Clone(g.Operators), func(s string) bool { return s == id })
			changed = true
		}
	}
	if changed {
		e.rebuild()
	} else if o.receiving {
		e.idx.receiving--
		e.exclDirty = true // it served the chats without topic
	}
	e.configChanged("operator", id, "deleted")
	return nil
}

func (e *Engine) setStatusCmd(opID, status string) error {
	o, err := e.op(opID, "operator_id")
	if err != nil {
		return err
	}
	if _, ok := e.status(status); !ok {
		return sb.Errorf(sb.EINVALID, "status", "unknown status %q", status)
	}
	e.setStatus(o, status)
	return nil
}

// setStatus changes an operator's status; it does not move active chats.
func (e *Engine) setStatus(o *operator, status string) {
	if o.Status == status {
		return
	}
	prev := o.Status
	was := o.receiving
	e.updateOp(o, func() {
		o.Status, o.StatusSince, o.MissedInRow = status, e.now, 0
		o.receiving = e.canReceive(status)
	})
	if was != o.receiving {
		d := 1
		if was {
			d = -1
		}
		e.idx.receiving += d
		for _, g := range o.groups {
			g.receiving += d
		}
		e.exclDirty = true
	}
	e.markDirty(o)
	e.refreshOpTimer(o)
	e.emit(sb.EventOperatorStatus, nil, o, sb.Event{Status: status, PrevStatus: prev})
}

func (e *Engine) presence(opID string, connected bool) error {
	o, err := e.op(opID, "operator_id")
	if err != nil {
		return err
	}
	if o.Connected == connected {
		return nil
	}
	o.Connected = connected
	if !connected {
		o.PresenceLostAt = e.now
	}
	e.touchOp(o)
	e.refreshOpTimer(o)
	return nil
}

// redistribute is R6.
func (e *Engine) redistribute(cmd Redistribute) error {
	o, err := e.op(cmd.OperatorID, "operator_id")
	if err != nil {
		return err
	}
	status := cmd.Status
	if status == "" {
		status = sb.StatusOffline
	}
	if _, ok := e.status(status); !ok {
		return sb.Errorf(sb.EINVALID, "status", "unknown status %q", status)
	}
	if cmd.Weight != nil && *cmd.Weight < 0 {
		return sb.Errorf(sb.EINVALID, "weight", "weight must not be negative")
	}
	e.setStatus(o, status)
	e.returnAll(o, cmd.Weight, true, sb.ReasonRedistribution)
	return nil
}

// returnAll returns every active chat of o to routing for a reason, in
// chat order, excluding o when exclude is set; a non-nil weight replaces
// each chat's.
func (e *Engine) returnAll(o *operator, weight *int, exclude bool, reason string) {
	mine := slices.Collect(maps.Values(o.mine))
	slices.SortFunc(mine, func(a, b *chat) int { return int(a.seq - b.seq) })
	for _, c := range mine {
		e.requeue(c, exclude, func() {
			if weight != nil {
				c.Weight = *weight
			}
		}, reason)
	}
}
