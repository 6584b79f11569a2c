package sqlstore

import (
	"slices"
	"strconv"

	sb "github.com/switchboard/switchboard"
)

// Snapshot is one consistent view of a store, read by Load.
type Snapshot interface {
	Querier
	// Row runs query, which takes no arguments, and scans its one row into
	// dest; ok is false when there is no row. Errors come back translated.
	Row(what, query string, dest ...any) (ok bool, err error)
	// OpenChats returns the open chats by numeric id.
	OpenChats() ([]sb.Chat, error)
	// LastClosed returns the last n closed chats in close order (by
	// closed_at, NULL first, then close_seq, NULL first, then id), newest
	// first.
	LastClosed(n int) ([]sb.Chat, error)
}

// sqlLastDecisions selects the decisions Load returns, newest first. The
// limit is written in, so the text is the same in every dialect.
var sqlLastDecisions = `SELECT json FROM decisions ORDER BY seq DESC LIMIT ` + strconv.Itoa(sb.KeepDecisions)

// Load returns the routing state as last committed, read from s: the
// configuration (that of a fresh install, switchboard.DefaultSettings and
// DefaultStatuses, until a batch carries one), the operators by id, the open
// chats by numeric id, the last switchboard.KeepClosed closed chats oldest
// first in close order (by closed_at, then the seq of their chat_closed
// event, then id), the last switchboard.KeepDecisions decisions oldest
// first, the counters and the clock. ok is false on a store never committed
// to.
func (n Name) Load(s Snapshot) (st sb.State, ok bool, err error) {
	if ok, err = n.loadMeta(s, &st); !ok || err != nil {
		return sb.State{}, false, err
	}
	if err = n.loadConfig(s, &st.Config); err != nil {
		return sb.State{}, false, err
	}
	if err = n.loadLists(s, &st); err != nil {
		return sb.State{}, false, err
	}
	return st, true, nil
}

// loadMeta reads the counters and the clock; ok is false when there are
// none.
func (n Name) loadMeta(s Snapshot, st *sb.State) (ok bool, err error) {
	var counters []byte
	var now string
	ok, err = s.Row("counters", `SELECT counters, now FROM meta WHERE id = 1`, &counters, &now)
	if !ok || err != nil {
		return false, err
	}
	if err = n.Unmarshal(counters, &st.Counters, "counters"); err != nil {
		return false, err
	}
	if st.Now, err = n.ParseNow(now); err != nil {
		return false, err
	}
	return true, nil
}

// loadConfig reads the configuration, or that of a fresh install when no
// batch carried one yet.
func (n Name) loadConfig(s Snapshot, cfg *sb.Config) error {
	var data []byte
	ok, err := s.Row("config", `SELECT json FROM config WHERE id = 1`, &data)
	switch {
	case err != nil:
		return err
	case !ok:
		*cfg = sb.Config{Settings: sb.DefaultSettings(), Statuses: sb.DefaultStatuses()}
		return nil
	}
	err = n.Unmarshal(data, cfg, "config")
	cfg.InUTC()
	return err
}

func (n Name) loadLists(s Snapshot, st *sb.State) (err error) {
	r := Reader{Name: n, Querier: s}
	if st.Operators, err = r.Operators(); err != nil {
		return err
	}
	if st.Chats, err = s.OpenChats(); err != nil {
		return err
	}
	if st.Closed, err = s.LastClosed(sb.KeepClosed); err != nil {
		return err
	}
	slices.Reverse(st.Closed)
	if st.Audit, err = r.Decisions(sqlLastDecisions); err != nil {
		return err
	}
	slices.Reverse(st.Audit)
	return nil
}
