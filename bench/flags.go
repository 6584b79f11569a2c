package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Config is the load tool's configuration: one field per flag of
// `switchboard bench` (see ParseFlags for each one's meaning and default).
type Config struct {
	URL           string
	AdminToken    string
	PID           int
	Data          string
	Duration      time.Duration
	Rate          float64
	Concurrency   int
	Operators     int
	Topics        int
	Channels      int
	ChannelLimits []int // one per channel, 0: no limit
	MaxChats      int
	HandleTime    float64
	Waiting       int
	StatusChanges float64
	BreakTime     float64
	SSEClients    int
	SSERole       string
	Queue         bool
	JSON          string
	Chart         string
	CPUProfile    string
	MemProfile    string
	Restart       int
	// WebhookReceiverDelay, when set, starts a webhook receiver in this
	// process that answers after this long and subscribes it to every event.
	WebhookReceiverDelay time.Duration
	// WebhookBatch is the receiver's subscription's max_batch_size.
	WebhookBatch int
}

// ParseFlags reads the flags of `switchboard bench` (and
// SWITCHBOARD_ADMIN_TOKEN through getenv) and checks them; an error names the
// flag. Usage, for -h or a bad flag, goes to output.
func ParseFlags(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&c.URL, "url", "", "target an existing server (http://host:port) instead of starting one in this process")
	fs.StringVar(&c.AdminToken, "admin-token", getenv("SWITCHBOARD_ADMIN_TOKEN"), "admin token of the --url server (SWITCHBOARD_ADMIN_TOKEN)")
	fs.IntVar(&c.PID, "pid", 0, "with --url: the server's pid, to report its RSS and CPU")
	fs.StringVar(&c.Data, "data", "", "data folder of the in-process server (default: a temporary folder, removed after)")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long to measure")
	fs.Float64Var(&c.Rate, "rate", 0, "connects per second, Poisson arrivals; 0: closed loop at full speed with --concurrency workers; negative: no connects while measuring")
	fs.IntVar(&c.Concurrency, "concurrency", 64, "connect workers (closed loop), or the worker pool of the Poisson arrivals")
	fs.IntVar(&c.Operators, "operators", 100, "simulated operators")
	fs.IntVar(&c.Topics, "topics", 10, "topics; skill groups serve two topics each, every operator is in one group and every third in a second")
	fs.IntVar(&c.Channels, "channels", 4, "channels (telegram, whatsapp, widget, viber, …)")
	limits := fs.String("channel-limits", "2,2,3", "per-channel limits of every operator, in channel order (missing or 0: no limit)")
	fs.IntVar(&c.MaxChats, "max-chats", 5, "general limit of every operator")
	fs.Float64Var(&c.HandleTime, "handle-time", 1, "mean seconds an operator keeps a chat before closing it (exponential); 0: operators never close")
	fs.IntVar(&c.Waiting, "waiting", 0, "fill the queue with this many waiting chats before measuring; with --rate 0 the queue is held there (each chat leaving it is replaced by a new connect)")
	fs.Float64Var(&c.StatusChanges, "status-changes", 1, "breaks per second: a random online operator goes on break and comes back after --break-time")
	fs.Float64Var(&c.BreakTime, "break-time", 5, "mean seconds of a break (exponential)")
	fs.IntVar(&c.SSEClients, "sse-clients", 0, "extra SSE subscribers that only measure event lag")
	fs.StringVar(&c.SSERole, "sse-role", "admin", `role of the extra subscribers: "admin" (every event) or "operator" (panels of the simulated operators in turn, each seeing what its operator may see)`)
	fs.BoolVar(&c.Queue, "queue", true, `connects ask for "status":"queue" (chats wait when every operator is busy); false: they are answered limit`)
	fs.StringVar(&c.JSON, "json", "", "write the figures as JSON to this file")
	fs.StringVar(&c.Chart, "chart", "", "write an SVG chart of connect latency per second to this file")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file (in-process server: server and load generator)")
	fs.StringVar(&c.MemProfile, "memprofile", "", "write an allocation profile of the whole run to this file (in-process server: server and load generator)")
	fs.IntVar(&c.Restart, "restart", 0, "instead of a workload: store this many open chats (through the engine and the store, in large batches; skipped when --data already holds a database), then start `switchboard serve` on them and report restart to ready and its RSS")
	fs.IntVar(&c.WebhookBatch, "webhook-batch", 1, "the receiver's subscription's max_batch_size: events per request (1: each alone, as Standard Webhooks does)")
	fs.DurationVar(&c.WebhookReceiverDelay, "webhook-receiver-delay", 0, "start a webhook receiver in this process that answers each delivery after this long (e.g. 50ms), subscribe it to every event, and report deliveries per second and their lag; 0: none")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.ChannelLimits, err = parseLimits(*limits, c.Channels); err != nil {
		return c, err
	}
	return c, c.validate()
}

// parseLimits reads --channel-limits: one limit per channel, the missing
// ones 0, the extra ones dropped.
func parseLimits(s string, channels int) ([]int, error) {
	var limits []int
	for i, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("--channel-limits: %q is not a limit", v)
		}
		if i < channels {
			limits = append(limits, n)
		}
	}
	for len(limits) < channels {
		limits = append(limits, 0)
	}
	return limits, nil
}

func (c Config) validate() error {
	switch {
	case c.Duration <= 0:
		return errors.New("--duration must be positive")
	case c.Concurrency < 1:
		return errors.New("--concurrency must be at least 1")
	case c.Operators < 1:
		return errors.New("--operators must be at least 1")
	case c.Topics < 1 || c.Topics > 1000:
		return errors.New("--topics must be 1 to 1000")
	case c.Channels < 1 || c.Channels > 64:
		return errors.New("--channels must be 1 to 64")
	case c.MaxChats < 1:
		return errors.New("--max-chats must be at least 1")
	case c.HandleTime < 0:
		return errors.New("--handle-time must not be negative")
	case c.BreakTime <= 0:
		return errors.New("--break-time must be positive")
	case c.WebhookReceiverDelay < 0:
		return errors.New("--webhook-receiver-delay must not be negative")
	case c.WebhookBatch < 1 || c.WebhookBatch > 1000:
		return errors.New("--webhook-batch must be 1 to 1000")
	case c.Waiting < 0 || c.SSEClients < 0 || c.StatusChanges < 0 || c.Restart < 0:
		return errors.New("--waiting, --sse-clients, --status-changes and --restart must not be negative")
	case c.SSERole != "admin" && c.SSERole != "operator":
		return errors.New(`--sse-role must be "admin" or "operator"`)
	case c.Restart > 0 && c.URL != "":
		return errors.New("--restart starts its own server; leave out --url")
	case c.URL != "" && c.Data != "":
		return errors.New("--data is for the in-process server; leave it out with --url")
	case c.URL != "" && c.AdminToken == "":
		return errors.New("--url needs --admin-token (or SWITCHBOARD_ADMIN_TOKEN)")
	case c.URL == "" && c.PID != 0:
		return errors.New("--pid is for --url; the in-process server is this process")
	case c.URL != "" && (c.CPUProfile != "" || c.MemProfile != ""):
		return errors.New("--cpuprofile and --memprofile profile the in-process server; leave them out with --url")
	}
	return nil
}
