package bench

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseFlags: the defaults, the channel limits, the environment's admin
// token; bad values and conflicting flags name the flag.
func TestParseFlags(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want func(Config) bool
		err  string
	}{
		{name: "defaults", want: func(c Config) bool {
			return c.Duration == time.Minute && c.Rate == 0 && c.Concurrency == 64 && c.Operators == 100 && c.Topics == 10 &&
				slices.Equal(c.ChannelLimits, []int{2, 2, 3, 0}) && c.MaxChats == 5 && c.Queue && c.SSERole == "admin"
		}},
		{name: "limits cut to the channels", args: []string{"--channels", "2", "--channel-limits", "1, 0,4"},
			want: func(c Config) bool { return slices.Equal(c.ChannelLimits, []int{1, 0}) }},
		{name: "admin token from the environment", args: []string{"--url", "http://sb:8080"}, env: map[string]string{"SWITCHBOARD_ADMIN_TOKEN": "t"},
			want: func(c Config) bool { return c.URL == "http://sb:8080" && c.AdminToken == "t" }},
		{name: "a limit that is no number", args: []string{"--channel-limits", "2,x"}, err: "--channel-limits"},
		{name: "a duration of zero", args: []string{"--duration", "0s"}, err: "--duration"},
		{name: "an unknown role", args: []string{"--sse-role", "robot"}, err: "--sse-role"},
		{name: "--url without a token", args: []string{"--url", "http://sb:8080"}, err: "--admin-token"},
		{name: "--pid without --url", args: []string{"--pid", "7"}, err: "--pid"},
		{name: "--restart with --url", args: []string{"--restart", "10", "--url", "http://sb:8080", "--admin-token", "t"}, err: "--restart"},
		{name: "an argument", args: []string{"60s"}, err: "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseFlags(tc.args, env(tc.env), &bytes.Buffer{})
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("ParseFlags: %v, want an error naming %s", err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case tc.err == "" && !tc.want(c):
				t.Errorf("config %+v", c)
			}
		})
	}
}

// TestUsage: -h lists every option.
func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if _, err := ParseFlags([]string{"-h"}, func(string) string { return "" }, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, name := range []string{"url", "admin-token", "pid", "data", "duration", "rate", "concurrency", "operators", "topics",
		"channels", "channel-limits", "max-chats", "handle-time", "waiting", "status-changes", "break-time", "sse-clients",
		"sse-role", "queue", "json", "chart", "cpuprofile", "memprofile", "restart"} {
		if !strings.Contains(out.String(), "\n  -"+name+" ") && !strings.Contains(out.String(), "\n  -"+name+"\n") {
			t.Errorf("-h does not list -%s:\n%s", name, out.String())
		}
	}
}
