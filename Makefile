# Tandem. The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false

.PHONY: demo test build generate checkgenerate lint vet web web-test chromium voxengine-test

demo: build
	./bin/tandem demo

build: web
	$(GO) build -o bin/tandem ./server/cmd/tandem
	$(GO) build -o bin/tandemctl ./clients/go/cmd/tandemctl

test: vet lint checkgenerate
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory web-test
	$(MAKE) --no-print-directory voxengine-test

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l server clients)" || { echo "gofmt needed:"; gofmt -l server clients; exit 1; }

lint:
	$(GO) tool buf lint

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

web: $(WEB)/node_modules
	cd $(WEB) && npm run build

# Debian's Chromium for the browser tests (Playwright's own downloads are not used).
chromium:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The app's unit tests (vitest), then its browser tests (Playwright, Chromium) against a tandem
# built with the app inside; screenshots and failure traces land in clients/web/test-results.
web-test: web chromium
	cd $(WEB) && npx vitest run
	cd $(WEB) && npx playwright test

# The cloud scenario (clients/voxengine): type-check it against Voximplant's declarations and run
# it unmodified in the local VoxEngine emulator against the real tandem binary.
VOX := clients/voxengine

$(VOX)/node_modules: $(VOX)/package-lock.json
	cd $(VOX) && npm ci --no-audit --no-fund
	@touch $@

voxengine-test: build $(VOX)/node_modules
	cd $(VOX) && TANDEM_BIN=$(CURDIR)/bin/tandem npm test
