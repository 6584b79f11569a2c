# Switchboard. The test command is scripts/test (README, "Test"; .ci/run runs
# it): it starts what the tests need (Chromium, a throwaway PostgreSQL) and
# runs `make verify`, which is lint + test.
GO ?= go
GOLANGCI_LINT_VERSION = v2.15.0
# Built from the Go module proxy at a pinned version (the build is cached
# after the first run), kept out of go.mod so that its dependencies do not
# move the project's.
GOLANGCI_LINT = $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

# The long property tests: the routing differential run (200,000 steps), the
# export/import rebuild, the replay of decoded commands, the naive model's own
# invariants and the hand-written JSON encoders against encoding/json. Each
# runs on one goroutine, so the race detector finds nothing in them and only
# slows them five- to tenfold: test-long runs them once, at full length,
# without it, and test-race leaves them out.
LONG = ^(TestDifferential|TestExportRebuild|TestReplayDecodedCommands|TestNaiveInvariants|TestAppendJSON)$$

.PHONY: test test-race test-long lint bench fuzz verify

test: test-race test-long

# Everything else under the race detector. -parallel 4 on 2 cores: the
# end-to-end tests mostly wait (for timers, take-overs, child processes,
# the browser).
test-race:
	$(GO) test -race -short -count=1 -parallel 4 -skip '$(LONG)' ./...

test-long:
	$(GO) test -count=1 -run '$(LONG)' . ./routing

# gofmt's list is captured, not tee'd to /dev/stderr: where stderr is a file
# (a CI log) that would reopen and truncate it.
lint:
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "not gofmt'ed:" $$files >&2; exit 1; fi
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./routing

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRouting -fuzztime 60s ./routing

verify: lint test
