# Replydesk. `make run` starts the dashboard (demo mode); `make test` runs every test.
# Build tags are set here once: SQLite's FTS5 module powers inbox search.
SHELL   := /bin/bash
TAGS    := sqlite_fts5
GO      ?= go
GOFLAGS += -tags=$(TAGS)
export GOFLAGS

.DEFAULT_GOAL := help
.PHONY: help run run-postgres reset-demo build test test-fast fuzz generate check bench clean

# Demo mode's data: the database (and its WAL files) and the simulator's state beside it.
DEMO_DB := $(or $(REPLYDESK_DATABASE),data/replydesk.db)

help: ## show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## start the dashboard on http://localhost:8080 (demo mode unless META_APP_ID is set)
	@if [ "$$($(GO) list -f '{{.Stale}}' github.com/mattn/go-sqlite3 2>/dev/null)" != "false" ]; then \
		echo "First build: compiling SQLite (C, through cgo) takes about 2 minutes on 2 cores; later starts take seconds."; fi
	$(GO) run ./cmd/replydesk serve

run-postgres: ## two processes (:8080, :8081) sharing one PostgreSQL database, with the simulated Meta on :9090
	scripts/run-postgres.sh

reset-demo: ## start the demo world afresh (deletes demo mode's database and the simulator's state)
	@if [ -n "$$META_APP_ID" ]; then echo "reset-demo resets demo mode only, and META_APP_ID is set: nothing deleted."; exit 1; fi
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(dir $(DEMO_DB))sim-state.json
	@echo "Demo data deleted: the next make run starts a fresh world (the same sample people, new comments)."

build: ## build bin/replydesk
	$(GO) build -trimpath -o bin/replydesk ./cmd/replydesk

test: ## run every test, browser tests included (race detector on), on SQLite and PostgreSQL (when installed)
	scripts/test.sh

test-fast: ## run the tests without browser tests and the race detector (PostgreSQL when REPLYDESK_TEST_POSTGRES is set)
	$(GO) test -short -count=1 ./...

# The fuzzers `make fuzz` runs, as package:target. Their seed corpora run in
# `make test` like any test.
FUZZTIME ?= 20s
FUZZERS  := internal/webhook:FuzzParse internal/webhook:FuzzParseMatchesReference \
	internal/templates:FuzzParse internal/inbox:FuzzParseFilter internal/sse:FuzzWrite \
	internal/signedreq:FuzzParse

fuzz: ## run each fuzzer for FUZZTIME (default 20s): webhook, template, inbox filter, SSE writer, signed request
	@set -eo pipefail; for f in $(FUZZERS); do \
		pkg=$${f%%:*}; name=$${f##*:}; echo "fuzz $$name ./$$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg/ 2>&1 | grep -v -e '^fuzz: elapsed' ; \
	done

generate: ## regenerate the templ components (*_templ.go)
	$(GO) tool templ generate

check: ## go vet, formatting, and generated code identical to what is committed
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$')); \
		if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	@$(GO) tool templ fmt -fail . >/dev/null 2>&1 || (echo "templ fmt needed (run: go tool templ fmt .)"; exit 1)
	@$(GO) tool templ generate >/dev/null 2>&1
	@git diff --exit-code --stat -- '*_templ.go' || (echo "generated templ code is stale: run make generate and commit"; exit 1)
	@test -z "$$(git ls-files --others --exclude-standard -- '*_templ.go')" || (echo "uncommitted generated files"; exit 1)

bench: ## webhook ingest (with and without rules), live fan-out, a Live burst against a send rule, inbox reads at 1M comments, rule matching; on SQLite then PostgreSQL
	scripts/bench.sh


clean: ## remove build output
	rm -rf bin
