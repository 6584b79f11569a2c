// Command switchboard runs the Switchboard server.
//
//	switchboard serve [--addr localhost:8080] [--data ./switchboard-data]
//	switchboard bench [flags]   (the load tool: package bench)
//	switchboard version
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // calendars' time zones on a machine without a tz database
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: switchboard serve|bench|version [flags]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "simulate": // simulate.go
		if err := runSimulate(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "version":
		fmt.Println(version)
	case "bench":
		if err := runBench(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := serve(ctx, os.Args[2:], os.Getenv, nil)
		stop()
		os.Exit(code)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

// serve is the serve command until ctx ends: flags, the heap floor, run,
// close. It returns the exit code. A nil log is Main's default.
func serve(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) int {
	m := NewMain()
	m.Log = log
	if err := m.ParseFlags(args, getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer startHeapFloor(uint64(m.Config.HeapFloorMiB) << 20)()
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	<-ctx.Done()
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
