# Switchboard. `make test` is the command CI runs (through .ci/run).
GO ?= go

.PHONY: test test-race lint bench fuzz verify

# Everything under the race detector (-short trims the routing differential
# run to 20,000 steps there), then the full 200,000-step differential run.
test:
	$(GO) test -race -short -count=1 ./...
	$(GO) test -count=1 -run 'TestDifferential|TestExportRebuild' ./routing

test-race: test

lint:
	gofmt -l . | tee /dev/stderr | (! read -r _)
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./routing

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRouting -fuzztime 60s ./routing

verify: lint test
