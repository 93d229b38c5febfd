# slipway's build. Every target installs what it needs itself: Debian
# packages through apt-get, Go modules through the module proxy.

SHELL       := /bin/bash
GO          ?= go
export GOTOOLCHAIN := local
# Static binaries, as Terraform, kubectl and Helm ship theirs: they run
# without the build machine's libc (Alpine, distroless images), and
# without cgo the linker no longer exports every symbol for Go's plugin
# package (kustomize's loader of Go plugins, which slipway never enables,
# imports it): bin/slipway is 121 MB instead of 153 MB, and each of its
# processes starts in about 9 MiB less memory. The tests build the same
# way, so they test what ships and share its build cache.
export CGO_ENABLED := 0
BIN         := bin
CACHE       := $(HOME)/.cache/slipway
# What `slipway version` reports, stamped into bin/slipway by make build.
# A build that is not stamped (go build, go install) says "dev".
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE        ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS     := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
# The repository holds four Go modules: slipway itself, the provider SDK
# (its own module, so an author's go.mod gets none of slipway's
# requirements) and the two example providers (each built as an outside
# author's module). go.work joins them for development; every target here runs
# each module on its own go.mod instead (GOWORK=off), as its users build
# it, so a requirement missing from one module's go.mod fails here and
# is not hidden by the workspace. `go test ./...` in one module does not
# reach the others: the targets loop over MODULES.
MODULES     := plugin-sdk examples/provider-file examples/provider-distribution .
export GOWORK := off
# in_modules runs a command in each module's directory, stopping at the
# first that fails.
in_modules   = set -e; for m in $(MODULES); do echo "== module $$m"; (cd $$m && $(1)); done

.PHONY: all build deps testbed test test-unit bench bench-small bench-platform bench-rollouts crash fuzz lint license-headers generate check-generate demo demo-files site site-serve clean

all: build

## build: slipway, the testbed command and the example file provider, into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/slipway ./cmd/slipway
	$(GO) build -o $(BIN)/slipway-testbed ./cmd/slipway-testbed
	cd examples/provider-file && $(GO) build -o $(abspath $(BIN))/slipway-provider-file .
	cd examples/provider-distribution && $(GO) build -o $(abspath $(BIN))/slipway-provider-distribution .

## deps: the Debian packages the tests and the demo use (git for the git
## server, docker-registry for the image registry, postgresql for the pg
## state backend's tests, hugo and chromium for the documentation site's
## link test, and
## chromium for the plan page's browser tests too, prometheus for the
## rollout analyses' tests, time for the benchmark scripts' peak memory)
deps:
	@command -v git >/dev/null 2>&1 && test -x /usr/bin/docker-registry && compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v hugo >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && test -x /usr/bin/prometheus && test -x /usr/bin/time || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git docker-registry postgresql hugo chromium prometheus time; }

## testbed: build the control-plane binaries once per machine (cached outside the repo)
testbed: deps
	$(GO) build -o $(BIN)/slipway-testbed ./cmd/slipway-testbed
	$(BIN)/slipway-testbed build > $(BIN)/.testbed-dir
	ln -sf "$$(sed -n 's/^testbed binaries are in //p' $(BIN)/.testbed-dir)/kubectl" $(BIN)/kubectl

## test: vet, formatting, the benchmark scripts at small sizes, and every
## test, end-to-end ones against a real control plane and git server
## included (the control plane is built on first use)
test: lint testbed bench-small
	@$(call in_modules,$(GO) test -count=1 -timeout 60m ./...)

## test-unit: the fast tests only
test-unit:
	@$(call in_modules,$(GO) test -short ./...)

## bench: the Go benchmarks (parse/evaluate, plan through a real plugin, scale)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./lang/... ./planner/... ./cmd/...
	cd plugin-sdk && $(GO) test -run '^$$' -bench . -benchmem ./...

## bench-platform: examples/bench/platform.sh on a local control plane, N
## apps (1000 unless N=) and RUNS runs of each no-op measurement (5 unless
## RUNS=); a long run, for a quiet machine
bench-platform: build testbed
	./examples/bench/platform.sh $${N:-1000} $${RUNS:-5}

## bench-small: the benchmark scripts of examples/bench at a few apps
## each (under a minute together), so that they keep working: a script
## stops with an error when a command fails, or when a plan right after an
## apply is not a no-op
bench-small: build testbed
	AGENT_RUNS=2 ./examples/bench/platform.sh 3 1
	./examples/bench/apps.sh 3 1
	./examples/bench/rollouts.sh 2

## bench-rollouts: examples/bench/rollouts.sh, N apps (50 unless N=) each
## rolling a canary of 4 steps at once in one apply: wall time against the
## pauses, and the API requests made
bench-rollouts: build testbed
	./examples/bench/rollouts.sh $${N:-50}

## crash: kill applies of 5,000 tickets at 5 random points and count what
## state and the intent journal miss (CI runs the same test at 300 and 3)
crash:
	SLIPWAY_CRASH_N=$${N:-5000} SLIPWAY_CRASH_KILLS=$${KILLS:-5} $(GO) test -count=1 -timeout 30m -run '^TestCrashLeavesNothingUntracked$$' -v ./cmd/slipway/

## fuzz: run every fuzz test for FUZZTIME each (default 10m), one after
## another. A crash stops the run and leaves the input that caused it in
## the package's testdata/fuzz/FuzzXxx/: fix it and commit that file as a
## seed. Plain `go test` runs the committed seeds as ordinary tests.
FUZZTIME    ?= 10m
FUZZ_TESTS  := ./state:FuzzDecode ./state:FuzzFastParseAgreesWithCty ./state:FuzzDecodeJournal ./state:FuzzEncodeValue ./state/local:FuzzLockRecord \
               ./planner/planfile:FuzzDecode \
               ./lang:FuzzLoad ./lang:FuzzFormat \
               ./providers/git:FuzzEditYAML \
               ./providers/kubernetes:FuzzDecodeDocuments ./providers/kubernetes:FuzzRolloutInputs
fuzz:
	@set -e; for t in $(FUZZ_TESTS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "== $$name in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -timeout 0 $$pkg; \
	done

## lint: go vet and a tidy go.mod in every module, and gofmt
lint:
	@$(call in_modules,$(GO) vet ./... && $(GO) mod tidy -diff)
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## license-headers: add the Apache licence header to every Go file that
## lacks it (TestLicenseHeaders in cmd/slipway checks that none does)
license-headers:
	$(GO) test -count=1 -run '^TestLicenseHeaders$$' ./cmd/slipway -args -fix-headers

## demo: a local control plane, git server and registry, then
## init/plan/apply/status of examples/quickstart: a pipeline builds, pushes
## and promotes, the app syncs (the first run builds the control plane)
demo: build testbed
	GO="$(GO)" ./examples/quickstart/demo.sh

## demo-files: the file-provider example alone (no cluster)
demo-files: build
	./examples/files/demo.sh

## generate: the protocol's Go code from plugin-sdk/proto (protoc from
## Debian), the docs site's reference pages from the schemas and its
## plan viewer from planner/render/planpage, and the JSON Schemas of
## slipway's JSON output into website/schema from the Go types that write it
PROTOC_GEN_GO_VERSION       := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION  := v1.6.2
GENERATE_BIN                := $(HOME)/.cache/slipway/bin
PROTO_ROOT                  := plugin-sdk/proto
PROTO_FILES                 := $(PROTO_ROOT)/slipway/provider/v1/provider.proto
PROTO_OUT                   := plugin-sdk/internal/protocol
GENERATED                   := $(PROTO_OUT) website/docs/reference examples/provider-file/docs examples/provider-distribution/docs website/static/viewer/index.html
SCHEMA_OUT                  := website/schema

generate:
	@command -v protoc >/dev/null 2>&1 || { \
		echo "protoc not found; installing Debian's protobuf-compiler"; \
		apt-get update -qq && apt-get install -y protobuf-compiler; \
	}
	GOBIN=$(GENERATE_BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(GENERATE_BIN) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	protoc -I $(PROTO_ROOT) \
		--plugin=protoc-gen-go=$(GENERATE_BIN)/protoc-gen-go \
		--plugin=protoc-gen-go-grpc=$(GENERATE_BIN)/protoc-gen-go-grpc \
		--go_out=. --go_opt=module=slipway.dev/slipway \
		--go-grpc_out=. --go-grpc_opt=module=slipway.dev/slipway \
		$(PROTO_FILES)
	$(GO) generate ./website
	$(GO) generate ./planner/render
	$(GO) generate ./cmd/slipway/internal/schema

## check-generate: fail when the committed generated code is out of date
check-generate: generate
	@git diff --exit-code -- $(GENERATED) >/dev/null && \
	test -z "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" || { \
		echo "error: generated files are out of date ($(PROTO_OUT) with $(PROTO_ROOT), website/docs/reference with the schemas, the plan viewer with planner/render/planpage)."; \
		echo "Run 'make generate' and commit the result:"; \
		git status --short -- $(GENERATED); \
		exit 1; \
	}
	@git diff --exit-code -- $(SCHEMA_OUT) >/dev/null && \
	test -z "$$(git status --porcelain --untracked-files=all -- $(SCHEMA_OUT))" || { \
		echo "error: $(SCHEMA_OUT) is out of date with the Go types of the JSON output."; \
		echo "Run 'make generate' and commit the result:"; \
		git status --short -- $(SCHEMA_OUT); \
		exit 1; \
	}

## site: the documentation site (website/) into SITE_DIR, website/public
## unless SITE_DIR= says otherwise; the reference pages in
## website/docs/reference come from `make generate`
SITE_DIR    ?= $(CURDIR)/website/public
site:
	@command -v hugo >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo; }
	cd website && hugo --gc --cleanDestinationDir --destination "$(SITE_DIR)"

## site-serve: serve the documentation site on 127.0.0.1:1313, rebuilding
## on every change
site-serve:
	@command -v hugo >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo; }
	cd website && hugo server --bind 127.0.0.1 --port $${PORT:-1313}

clean:
	rm -rf $(BIN) website/public website/resources
