package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboard/switchboard"
)

// ChatsCreator is where a history comes from: switchboard.Store's method
// of that name, or a running server's API.
type ChatsCreator interface {
	ChatsCreated(ctx context.Context, from, to time.Time) ([]sb.Chat, error)
}

var _ ChatsCreator = (*API)(nil)

// API reads a running server through its HTTP API with an admin token.
type API struct {
	URL    string // http://host:port
	Token  string
	Client *http.Client // nil: http.DefaultClient
}

type eventPage struct {
	Events []sb.Event `json:"events"`
}

// ChatsCreated returns the chats created in [from, to), each in the
// latest state the event log shows: it pages GET /api/v1/events from the
// first event at or after from (found by bisection over the event ids)
// and follows every event that carries one of those chats, until the log
// ends or every such chat is closed and the events have passed to.
func (a *API) ChatsCreated(ctx context.Context, from, to time.Time) ([]sb.Chat, error) {
	after, err := a.seek(ctx, from)
	if err != nil {
		return nil, err
	}
	chats := map[string]*sb.Chat{}
	var order []string
	open := 0
	for {
		var p eventPage
		if err := a.get(ctx, "/api/v1/events?limit=1000&after="+strconv.FormatInt(after, 10), &p); err != nil {
			return nil, err
		}
		for _, ev := range p.Events {
			after = ev.Seq
			if ev.Chat == nil || ev.ChatID == "" {
				continue
			}
			c, tracked := chats[ev.ChatID]
			switch {
			case ev.Name == sb.EventChatCreated && !tracked && !ev.Chat.CreatedAt.Before(from) && ev.Chat.CreatedAt.Before(to):
				c = new(sb.Chat)
				chats[ev.ChatID] = c
				order = append(order, ev.ChatID)
				open++
			case !tracked:
				continue
			}
			wasOpen := c.ID == "" || c.Open()
			*c = *ev.Chat
			if wasOpen && !c.Open() {
				open--
			}
		}
		if len(p.Events) == 0 || (open == 0 && !p.Events[len(p.Events)-1].OccurredAt.Before(to)) {
			break
		}
	}
	out := make([]sb.Chat, 0, len(order))
	for _, id := range order {
		out = append(out, *chats[id])
	}
	return out, nil
}

// seek returns the id after which the events occur at or after t: event
// times never go back as ids grow.
func (a *API) seek(ctx context.Context, t time.Time) (int64, error) {
	before := func(after int64) (bool, error) { // the event after `after` exists and occurred before t
		var p eventPage
		if err := a.get(ctx, "/api/v1/events?limit=1&after="+strconv.FormatInt(after, 10), &p); err != nil {
			return false, err
		}
		return len(p.Events) > 0 && p.Events[0].OccurredAt.Before(t), nil
	}
	lo, hi := int64(0), int64(1) // the answer is in [lo, hi]
	for {
		b, err := before(hi)
		if err != nil {
			return 0, err
		}
		if !b {
			break
		}
		lo, hi = hi, hi*2
	}
	for lo < hi {
		mid := (lo + hi) / 2
		b, err := before(mid)
		if err != nil {
			return 0, err
		}
		if b {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// Live returns the server's configuration and operators (GET settings,
// topics, skill-groups, operators).
func (a *API) Live(ctx context.Context) (sb.Config, []sb.Operator, error) {
	var c sb.Config
	var ops []sb.Operator
	for path, v := range map[string]any{
		"/api/v1/settings": &c.Settings, "/api/v1/topics": &c.Topics,
		"/api/v1/skill-groups": &c.Groups, "/api/v1/operators": &ops,
	} {
		if err := a.get(ctx, path, v); err != nil {
			return c, nil, err
		}
	}
	return c, ops, nil
}

func (a *API) get(ctx context.Context, path string, v any) error {
	u, err := url.JoinPath(strings.TrimRight(a.URL, "/"), "/")
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(u, "/")+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	client := a.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
