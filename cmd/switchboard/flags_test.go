package main

import (
	"strings"
	"testing"
	"time"
)

// TestServeFlags: the database, advertise, lease, session and heap flags and their
// environment variables; bad values name the flag.
func TestServeFlags(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want func(Config) bool
		err  string
	}{
		{name: "SQLite by default", want: func(c Config) bool { return c.DatabaseURL == "" && c.LeaseTTL == 5*time.Second }},
		{name: "URL from the environment", env: map[string]string{"SWITCHBOARD_DATABASE_URL": "postgres://db/sb"},
			want: func(c Config) bool { return c.DatabaseURL == "postgres://db/sb" }},
		{name: "the flag wins", args: []string{"--database-url", "host=db dbname=sb"}, env: map[string]string{"SWITCHBOARD_DATABASE_URL": "postgres://x"},
			want: func(c Config) bool { return c.DatabaseURL == "host=db dbname=sb" }},
		{name: "lease and advertise", args: []string{"--lease-ttl", "2s", "--advertise-addr", "sb-1:8080"},
			want: func(c Config) bool { return c.LeaseTTL == 2*time.Second && c.AdvertiseAddr == "sb-1:8080" }},
		{name: "lease from the environment", env: map[string]string{"SWITCHBOARD_LEASE_TTL": "3s"},
			want: func(c Config) bool { return c.LeaseTTL == 3*time.Second }},
		{name: "a lease that is no duration", args: []string{"--lease-ttl", "soon"}, err: "--lease-ttl"},
		{name: "a lease too short", args: []string{"--lease-ttl", "10ms"}, err: "--lease-ttl"},
		{name: "a URL that is neither form", args: []string{"--database-url", "db.example.com"}, err: "--database-url"},
		{name: "session TTL by default", want: func(c Config) bool { return c.SessionTTL == 12*time.Hour }},
		{name: "session TTL from the environment", env: map[string]string{"SWITCHBOARD_SESSION_TTL": "8h"},
			want: func(c Config) bool { return c.SessionTTL == 8*time.Hour }},
		{name: "a session TTL that is no duration", args: []string{"--session-ttl", "a day"}, err: "--session-ttl"},
		{name: "a session TTL of zero", args: []string{"--session-ttl", "0s"}, err: "--session-ttl"},
		{name: "heap floor by default", want: func(c Config) bool { return c.HeapFloorMiB == 256 }},
		{name: "heap floor from the environment", env: map[string]string{"SWITCHBOARD_HEAP_FLOOR": "0"},
			want: func(c Config) bool { return c.HeapFloorMiB == 0 }},
		{name: "heap floor flag", args: []string{"--heap-floor", "512"}, want: func(c Config) bool { return c.HeapFloorMiB == 512 }},
		{name: "a heap floor that is no number", args: []string{"--heap-floor", "1GiB"}, err: "--heap-floor"},
		{name: "a negative heap floor", args: []string{"--heap-floor", "-1"}, err: "--heap-floor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMain()
			err := m.ParseFlags(tc.args, env(tc.env))
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("ParseFlags: %v, want an error naming %s", err, tc.err)
			case tc.err == "" && err != nil:
				t.Fatal(err)
			case tc.err == "" && !tc.want(m.Config):
				t.Errorf("config %+v", m.Config)
			}
		})
	}
}

// TestAdvertise: the address the other instances reach this one at.
func TestAdvertise(t *testing.T) {
	for _, tc := range []struct{ flag, listen, want string }{
		{"sb-1:9000", "127.0.0.1:8080", "sb-1:9000"},
		{"", "127.0.0.1:8080", "127.0.0.1:8080"},
		{"", "10.0.0.5:8080", "10.0.0.5:8080"},
	} {
		if got := advertise(tc.flag, tc.listen); got != tc.want {
			t.Errorf("advertise(%q, %q) = %q, want %q", tc.flag, tc.listen, got, tc.want)
		}
	}
	if got := advertise("", "[::]:8080"); strings.HasPrefix(got, "[::]") || !strings.HasSuffix(got, ":8080") {
		t.Errorf("advertise of an unspecified host: %q, want the machine's name", got)
	}
}
