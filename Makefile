# Tandem. The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false

.PHONY: demo demo-build test build generate checkgenerate lint vet staticcheck checks web web-test web-test-run web-unit web-unit-run web-e2e-run chromium voxengine-test voxengine-test-run examples-test examples-node-test examples-node-test-run bench

# make demo: builds, then runs tandem demo and its traffic (simulated operators and callers
# through the real scenario in the emulator) in one process tree until Ctrl-C; see
# clients/voxengine/demo/run.js. make demo DEMO_ARGS=--reset starts from a new database;
# DEMO_ARGS='--addr :8081' listens elsewhere (run.js --help lists the rest).
DEMO_ARGS ?=
demo:
	@t0=$$(node -e 'process.stdout.write(String(Date.now()))') || { echo "make demo needs Node 20 (node on the PATH)"; exit 1; }; \
	$(MAKE) --no-print-directory demo-build && \
	TANDEM_DEMO_T0=$$t0 exec node $(VOX)/demo/run.js --log bin/tandem-demo.log $(DEMO_ARGS)

# What the demo runs: the web app, tandem with it inside, and the emulator's generated client.
# The Go packages compile in the background meanwhile (from a cold cache that is most of the
# time: SQLite in pure Go is big), so the final go build only embeds the app and links. The
# app and the emulator's client are rebuilt only when a source is newer than what was built. Each step's output goes
# to bin/demo-build.log, shown when the step fails.
demo-build:
	@mkdir -p bin; \
	$(GO) build ./server/cmd/tandem ./clients/go/cmd/tandemctl >bin/demo-go.log 2>&1 & gopid=$$!; \
	step() { echo "demo: $$1"; shift; "$$@" >$(CURDIR)/bin/demo-build.log 2>&1 || { cat $(CURDIR)/bin/demo-build.log; echo "demo: that failed (bin/demo-build.log)"; kill $$gopid 2>/dev/null; exit 1; }; }; \
	echo "demo: compiling the server in the background"; \
	test -d $(WEB)/node_modules || step "installing the web app's packages (first run only)…" $(MAKE) --no-print-directory $(WEB)/node_modules; \
	if test -f $(WEB)/dist/index.html && test -z "$$(find $(WEB)/src $(WEB)/index.html $(WEB)/package-lock.json $(WEB)/vite.config.mts gen/ts -newer $(WEB)/dist/index.html -print -quit)"; \
	then echo "demo: the web app is up to date"; \
	else step "building the web app…" $(MAKE) --no-print-directory web; fi; \
	test -d $(VOX)/node_modules || step "installing the emulator's packages (first run only)…" $(MAKE) --no-print-directory $(VOX)/node_modules; \
	if test -f $(VOX)/build/gen/tandem/admin/v1/admin_pb.js && test -z "$$(find gen/ts -newer $(VOX)/build/gen/tandem/admin/v1/admin_pb.js -print -quit)"; \
	then echo "demo: the emulator's API client is up to date"; \
	else step "building the emulator's API client…" bash -c 'cd $(VOX) && npm run --silent build:gen'; fi; \
	kill -0 $$gopid 2>/dev/null && echo "demo: waiting for the Go compiler (the first run takes a few minutes)…"; \
	wait $$gopid || { cat bin/demo-go.log; exit 1; }; \
	step "building tandem and tandemctl…" bash -c '$(GO) build -o bin/tandem ./server/cmd/tandem && $(GO) build -o bin/tandemctl ./clients/go/cmd/tandemctl'

# One run, on this machine, of Tandem against the bare stack: see "Performance" in the README.
bench: build
	./bin/tandem bench

build: web
	$(GO) build -o bin/tandem ./server/cmd/tandem
	$(GO) build -o bin/tandemctl ./clients/go/cmd/tandemctl

# The browser, scenario and Node example tests mostly wait on timers, the network and the
# processes they start, so they run side by side once what they share is built; each one's
# output is shown whole when it ends (--output-sync), and any failing fails make test.
# The app's unit tests (vitest) run beside the static checks: neither waits on a timer.
test:
	$(MAKE) --no-print-directory -j2 --output-sync=target checks web-unit
	@echo "== $$(date -u +%T) the Go tests"
	scripts/pg-test-cluster.sh run -- $(GO) test -race -count=1 ./...
	@echo "== $$(date -u +%T) building for the browser, scenario and example tests"
	$(MAKE) --no-print-directory build chromium $(VOX)/node_modules $(OPNODE)/node_modules
	@echo "== $$(date -u +%T) the browser, scenario and example tests, side by side"
	$(MAKE) --no-print-directory -j3 --output-sync=target web-e2e-run voxengine-test-run examples-node-test-run # the Go example ran in go test above

vet:
	@echo "== $$(date -u +%T) vet, lint, staticcheck, generate, security"
	$(GO) vet ./...
	@test -z "$$(gofmt -l server clients)" || { echo "gofmt needed:"; gofmt -l server clients; exit 1; }

lint:
	$(GO) tool buf lint

staticcheck:
	$(GO) tool staticcheck ./...

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

generate: node_modules
	$(GO) tool buf generate

# checkgenerate regenerates into the tree and fails when that changed anything.
checkgenerate: generate
	@if [ -n "$$(git status --porcelain -- gen)" ]; then echo "gen/ is stale: run make generate and commit it"; git status --short -- gen; exit 1; fi

# The operator app (clients/web): type-check and build it into clients/web/dist, which
# `go build` embeds into tandem (so build it before the binary).
WEB := clients/web

$(WEB)/node_modules: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	@touch $@

# Built again only when its sources changed: make test's steps each ask for it.
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/index.html $(WEB)/vite.config.mts $(WEB)/tsconfig.json $(WEB)/package.json gen/ts -type f 2>/dev/null)

web: $(WEB)/dist/index.html

$(WEB)/dist/index.html: $(WEB)/node_modules $(WEB_SOURCES)
	cd $(WEB) && npm run build

# Debian's Chromium for the browser tests (Playwright's own downloads are not used).
chromium:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The app's unit tests (vitest), then its browser tests (Playwright, Chromium) against a tandem
# built with the app inside; screenshots and failure traces land in clients/web/test-results.
web-test: build chromium
	$(MAKE) --no-print-directory web-test-run

web-test-run: web-unit-run web-e2e-run

web-unit-run:
	cd $(WEB) && npx vitest run

# The static checks, one after another (generate rewrites gen/ while vet would read it).
checks:
	$(MAKE) --no-print-directory -j1 vet lint staticcheck checkgenerate security

web-unit: $(WEB)/node_modules
	$(MAKE) --no-print-directory web-unit-run

web-e2e-run:
	cd $(WEB) && TANDEM_BIN=$(CURDIR)/bin/tandem npx playwright test

# The cloud scenario (clients/voxengine): type-check it against Voximplant's declarations and run
# it unmodified in the local VoxEngine emulator against the real tandem binary.
VOX := clients/voxengine

$(VOX)/node_modules: $(VOX)/package-lock.json
	cd $(VOX) && npm ci --no-audit --no-fund
	@touch $@

voxengine-test: build $(VOX)/node_modules
	$(MAKE) --no-print-directory voxengine-test-run

voxengine-test-run:
	cd $(VOX) && TANDEM_BIN=$(CURDIR)/bin/tandem npm test

# The examples (clients/examples): the Go nightly report and the Node operator app, each tested
# against the real tandem binary.
OPNODE := clients/examples/operator-node

$(OPNODE)/node_modules: $(OPNODE)/package-lock.json
	cd $(OPNODE) && npm ci --no-audit --no-fund
	@touch $@

examples-test: build examples-node-test
	TANDEM_BIN=$(CURDIR)/bin/tandem $(GO) test -count=1 ./clients/examples/...

examples-node-test: build $(OPNODE)/node_modules
	$(MAKE) --no-print-directory examples-node-test-run

examples-node-test-run:
	cd $(OPNODE) && TANDEM_BIN=$(CURDIR)/bin/tandem npm test

# ---- Security: make security (make test runs it) ------------------------------------------
# govulncheck reads Go's vulnerability database from the golang.org/x/vulndb module, which the
# module proxy serves (vuln.go.dev itself may be out of reach), indexed once into bin/. The
# standard library is judged as the release toolchain builds it (RELEASE_GO, fetched through
# the module proxy): see "Security" in the README.
GOVULNCHECK  := golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB       := v0.0.0-20261105234957-e22db6528018
VULNDB_DIR   := bin/vulndb-$(VULNDB)
RELEASE_GO   ?= go1.26.11
# Each target's budget is a count of runs, about ten seconds of it here: a duration
# (-fuzztime=10s) races Go 1.26's fuzzing coordinator at its deadline, which then fails the
# target with a bare "context deadline exceeded" and no input (golang/go#75804, fixed in 1.27).
FUZZ_TARGETS := ./server/internal/callcenter:FuzzNormalizeNumber:400000 ./server/internal/cloud:FuzzVerify:100000 \
	./server/internal/cloud:FuzzSignVerify:100000 ./server/internal/rpc:FuzzIntakeJSON:15000
NPM_AUDIT    := clients/web clients/voxengine clients/examples/operator-node

.PHONY: security vulncheck fuzz npm-audit

security: vulncheck fuzz npm-audit

$(VULNDB_DIR)/index/db.json:
	dir=$$(cd $$(mktemp -d) && GOFLAGS= $(GO) mod download -json golang.org/x/vulndb@$(VULNDB) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && \
	test -n "$$dir" && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB) -vulns "$$dir/data/osv" -out $(VULNDB_DIR)

vulncheck: $(VULNDB_DIR)/index/db.json
	GOTOOLCHAIN=$(RELEASE_GO) $(GO) run $(GOVULNCHECK) -db file://$(CURDIR)/$(VULNDB_DIR) ./...

# Each fuzz target briefly, from its committed seed corpus (testdata/fuzz/…).
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; runs=$${rest#*:}; \
		echo "fuzz $$name for $$runs runs"; \
		$(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$${runs}x "$$pkg" || exit 1; \
	done

# npm audit of what ships (no dev dependencies). Vulnerabilities fail; a registry without the
# audit endpoint (a read-only mirror answers 405) is reported and skipped.
npm-audit:
	@for d in $(NPM_AUDIT); do \
		test -f $$d/package.json || continue; \
		out=$$(cd $$d && npm audit --omit=dev --json 2>/dev/null); status=$$?; \
		if echo "$$out" | grep -q '"auditReportVersion"'; then \
			if [ $$status -ne 0 ]; then (cd $$d && npm audit --omit=dev); exit 1; fi; \
			echo "npm audit --omit=dev in $$d: no vulnerabilities"; \
		else \
			echo "npm audit --omit=dev in $$d: not audited, the registry has no audit endpoint here: $$(echo "$$out" | sed -n 's/^  "message": "\(.*\)",$$/\1/p')"; \
		fi; \
	done

# ---- PostgreSQL: make test-postgres --------------------------------------------------------
# The store conformance suite and the end-to-end, crash and replica tests on a throwaway
# PostgreSQL (scripts/pg-test-cluster.sh; make test runs them with everything else), with the
# failover test's 20 leader kills per replica count. See docs/replicas.md.
.PHONY: test-postgres
test-postgres:
	scripts/pg-test-cluster.sh run -- $(GO) test -race -count=1 -run 'Conformance|Postgres|Migrations|Replica|Leader|Fencing' \
		./server/internal/postgres/... ./server/internal/sqlite/... ./server/cmd/tandem/...
