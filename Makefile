# Switchboard. `make test` is the command CI runs (through .ci/run).
GO ?= go

.PHONY: test test-race lint bench fuzz verify

test:
	$(GO) test -race -count=1 ./...

test-race: test

lint:
	gofmt -l . | tee /dev/stderr | (! read)
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./routing

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRouting -fuzztime 60s ./routing

verify: lint test
