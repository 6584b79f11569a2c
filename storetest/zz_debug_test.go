package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard/switchboard/routing"
)

func TestDebugScenario(t *testing.T) {
	e := routing.New(t0)
	for i, st := range scenario() {
		now := t0.Add(time.Duration(st.sec)*time.Second + time.Duration(i)*time.Nanosecond)
		res, err := e.Apply(now, st.cmd)
		var names []string
		for _, ev := range res.Events {
			names = append(names, ev.Name+":"+ev.ChatID)
		}
		fmt.Printf("%d %T err=%v outcome=%s ops=%d chats=%d del=%v cfg=%v %v\n", i, st.cmd, err, res.Outcome, len(res.Changes.Operators), len(res.Changes.Chats), res.Changes.DeletedOperators, res.Changes.Config, names)
	}
	x := e.Export()
	fmt.Println("open", len(x.Chats), "closed", len(x.Closed), "audit", len(x.Audit))
	for _, c := range x.Closed {
		fmt.Println(c.ID, c.ClosedAt.Sub(t0), c.ClosedBy)
	}
	for _, c := range x.Chats {
		fmt.Println(c.ID, c.Status, c.OperatorID, c.Excluded, c.Overdue)
	}
}
