// Package playday plays clients through a routing server on a clock the
// caller sets, so that tests get a server with a history: clients arrive
// and wait in the queue, operators close each chat a handle time after it
// was connected, and clients still waiting after their patience leave.
// Commands go through the caller's do (server.Server.Do, usually), in
// time order, with the clock set to each one's time first.
package playday

import (
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

// Client is one client: when it arrives, on what topic and channel, how
// long its operator keeps the chat and how long it waits at most.
type Client struct {
	At               time.Time
	Topic, Channel   string
	Handle, Patience time.Duration
}

// action is something a client or an operator does at a time.
type action struct {
	at     time.Time
	kind   string // connect, close, leave
	client int
	chatID string
}

// Play plays the clients (in time order) until every chat is closed. Client
// i connects as "c<i>"; a closing operator is named "x".
func Play(clients []Client, clock *atomic.Int64, do func(routing.Command) routing.Result) {
	todo := make([]action, len(clients))
	for i, c := range clients {
		todo[i] = action{at: c.At, kind: "connect", client: i}
	}
	clientOf, waiting := map[string]int{}, map[string]bool{}
	for len(todo) > 0 {
		sort.SliceStable(todo, func(i, j int) bool { return todo[i].at.Before(todo[j].at) })
		a := todo[0]
		todo = todo[1:]
		clock.Store(a.at.UnixNano())
		var res routing.Result
		switch a.kind {
		case "connect":
			c := clients[a.client]
			res = do(routing.Connect{Client: sb.Client{ID: "c" + strconv.Itoa(a.client), Channel: c.Channel}, Topic: c.Topic, AutoConnect: true, Status: "queue"})
			clientOf[res.Chat.ID], waiting[res.Chat.ID] = a.client, true
			todo = append(todo, action{at: a.at.Add(c.Patience), kind: "leave", chatID: res.Chat.ID})
		case "leave":
			if !waiting[a.chatID] {
				continue
			}
			res = do(routing.Close{ChatID: a.chatID, By: sb.ByClient})
		case "close":
			res = do(routing.Close{ChatID: a.chatID, By: sb.ByOperator, OperatorID: "x"})
		}
		for _, ev := range res.Events {
			switch ev.Name {
			case sb.EventAutoConnected:
				waiting[ev.ChatID] = false
				todo = append(todo, action{at: a.at.Add(clients[clientOf[ev.ChatID]].Handle), kind: "close", chatID: ev.ChatID})
			case sb.EventChatClosed:
				waiting[ev.ChatID] = false
			}
		}
	}
}
