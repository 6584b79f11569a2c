package routing_test

import (
	"fmt"
	"time"

	sb "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/routing"
)

func ExampleEngine() {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	e := routing.New(now)
	apply := func(cmd routing.Command) routing.Result {
		res, err := e.Apply(now, cmd)
		if err != nil {
			panic(err)
		}
		return res
	}
	apply(routing.CreateTopic{Topic: sb.Topic{Alias: "support", Name: "Support"}})
	apply(routing.CreateOperator{Operator: sb.Operator{ID: "op-7", Name: "Taras", Role: sb.RoleOperator}})
	apply(routing.CreateSkillGroup{Group: sb.SkillGroup{
		ID: "first-line", Name: "First line", Topics: []string{"support"}, Operators: []string{"op-7"}, Active: true,
	}})
	apply(routing.SetOperatorStatus{OperatorID: "op-7", Status: sb.StatusOnline})

	res := apply(routing.Connect{
		Client:      sb.Client{ID: "380501234567", Name: "Olena", Channel: "telegram"},
		Text:        "Asks about a refund for order 1182",
		Topic:       "support",
		AutoConnect: true,
	})
	fmt.Println(res.Outcome, res.Chat.ID, res.Chat.Status, res.Chat.OperatorID)
	for _, ev := range res.Events {
		fmt.Println(ev.Name)
	}
	// Output:
	// success 1 active op-7
	// chat_created
	// message_created
	// auto_connected
}
