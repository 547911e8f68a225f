# Tandem. The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false

.PHONY: demo test build generate checkgenerate lint vet

demo: build
	./bin/tandem demo

build:
	$(GO) build -o bin/tandem ./server/cmd/tandem
	$(GO) build -o bin/tandemctl ./clients/go/cmd/tandemctl

test: vet lint checkgenerate
	$(GO) test -race -count=1 ./...

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
