# WalletBridge developer entry points. `make demo` and `make test` install what is missing
# (Debian packages via apt, with sudo when not root; a throwaway Python venv for the interop
# oracles), so a fresh Debian machine with Swift needs nothing else.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libssl-dev libcurl4-openssl-dev libsqlite3-dev pkg-config openssl python3-venv
# The interop oracles, pinned to the versions the shared vectors were made with.
ORACLES := paytmchecksum==1.7.0 global-open-sdk-python==1.7.1 dana-python==2.2.2
# The OpenAPI checkers (validation of Specs/openapi, conformance of the sandbox's replies).
OPENAPI_TOOLS := openapi-spec-validator==0.9.0 jsonschema==4.26.0
VENV := .build/interop-venv
INTEROP_CASES ?= 100
CLI := .build/debug/walletbridge
# One debug build for every target (demo, test, interop): the same flags, so switching between
# them rebuilds nothing (`swift build --product X` alone would build without testability and
# recompile every module).
DEBUG_BUILD := swift build --build-tests

.PHONY: all deps build format-check format rebuild-check build-alike-check api-check api-baseline demo test unit cli crash chaos scaleout contract openapi interop interop-run docs bench simulate clean

all: build

## deps: install missing Debian packages (only network traffic besides PyPI).
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v swift >/dev/null 2>&1 || { echo "make: swift is not on PATH (Swift 6 toolchain required)"; exit 1; }

build: deps
	$(DEBUG_BUILD)

## demo: signed GCash-style payments over libcurl against the embedded sandbox (no set-up).
demo: deps
	$(DEBUG_BUILD)
	$(CLI) demo
	@echo
	@echo "--- the CLI: walletbridge pay --wallet gcash --amount 10.00 --currency PHP --json ---"
	WALLETBRIDGE_STATE_FILE=.build/demo-state.json $(CLI) pay --wallet gcash --amount 10.00 --currency PHP --json
	@echo
	@echo "--- walletbridge pay --wallet paytm --amount 10.00 --currency INR --json ---"
	WALLETBRIDGE_STATE_FILE=.build/demo-state.json $(CLI) pay --wallet paytm --amount 10.00 --currency INR --json
	@echo
	@echo "--- walletbridge pay --wallet dana --amount 10000 --currency IDR --json ---"
	WALLETBRIDGE_STATE_FILE=.build/demo-state.json $(CLI) pay --wallet dana --amount 10000 --currency IDR --json

## test: every test: Swift Testing suites, the CLI smoke run, the crash, chaos and scale-out tests, the contract
## suite, interop against the official libraries, the OpenAPI checks, the API check and the documentation
## (fails on any DocC warning). The interop venv is installed while the build runs; after the build, the API
## check and the documentation (CPU-bound, about 3 minutes) run beside the end-to-end checks (which mostly wait
## on processes), with their output printed when they end; the Swift Testing suites come last (SwiftPM's lock
## on .build is then free). Fails if anything fails.
TEST_CHECKS := cli crash chaos scaleout contract interop-run openapi unit
test: deps
	@mkdir -p .build; \
	$(MAKE) --no-print-directory $(VENV)/.ready >.build/test-venv.log 2>&1 & venv=$$!; \
	if ! $(MAKE) --no-print-directory build format-check build-alike-check; then wait $$venv || true; exit 1; fi; \
	if ! wait $$venv; then cat .build/test-venv.log; echo "make: the interop venv could not be installed"; exit 1; fi; \
	{ Tests/Build/api_check.sh && $(MAKE) --no-print-directory docs; } >.build/test-docs.log 2>&1 & docs=$$!; \
	status=0; $(MAKE) --no-print-directory $(TEST_CHECKS) || status=$$?; \
	docs_status=0; wait $$docs || docs_status=$$?; \
	echo "--- make api-check docs (ran beside the checks; log in .build/test-docs.log) ---"; \
	grep -E "^api-check|^make:|^error|^warning: |Finished building documentation" .build/test-docs.log || true; \
	if [ "$$docs_status" != 0 ]; then tail -40 .build/test-docs.log; echo "make: api-check or docs failed"; fi; \
	if [ "$$status" != 0 ]; then echo "make: a check failed (see above)"; fi; \
	[ "$$status" = 0 ] && [ "$$docs_status" = 0 ]

## format-check: every Swift file is formatted as .swift-format says (swift-format from the toolchain);
## `make format` rewrites them.
format-check:
	swift format lint --strict --recursive Sources Examples Tests Package.swift
	@echo "format-check: every Swift file follows .swift-format"

format:
	swift format format --in-place --recursive Sources Examples Tests Package.swift

## rebuild-check: the demo's and the tests' build is one and the same: a second build compiles nothing.
## Not part of `make test`: on a fresh clone SwiftPM sometimes recompiles dependencies on the
## second build (seen once in CI: 104 files), whatever the flags.
rebuild-check:
	@compiled=$$($(DEBUG_BUILD) 2>&1 | grep -v "Compiling plugin" | grep -c "Compiling" || true); \
	if [ "$$compiled" != 0 ]; then echo "make: a second debug build compiled $$compiled files (make demo and make test must build alike)"; exit 1; fi; \
	echo "rebuild-check: a second debug build compiled nothing"

## build-alike-check: `make demo`, `make test` and `make interop` build with one and the same command
## (so switching between them recompiles nothing); fails if one of them drifts.
build-alike-check:
	@Tests/Build/build_alike_check.sh

## api-check: the public API of every library product against the baseline named in API/BASELINE
## (digests committed in API/baseline/, compared with the debug build's modules by swift-api-digester,
## so nothing is rebuilt here); any breaking change fails.
api-check: build
	@Tests/Build/api_check.sh

## api-baseline COMMIT=<sha>: move the API baseline to COMMIT (a deliberate act, after a CHANGELOG entry).
api-baseline: deps
	@Tests/Build/api_check.sh --move-to "$(COMMIT)"

## unit: the Swift Testing suites; the PostgreSQL ones run against a throwaway cluster under
## .build/postgres (Tests/Postgres/pg_cluster.sh), stopped even when a test fails.
unit:
	@url=$$(Tests/Postgres/pg_cluster.sh start); \
	trap 'Tests/Postgres/pg_cluster.sh stop' EXIT; \
	echo "unit: PostgreSQL test cluster at $$url"; \
	WALLETBRIDGE_TEST_POSTGRES_URL="$$url" swift test --skip-build --parallel

cli:
	Tests/CLI/smoke.sh $(CLI)

## chaos: `walletbridge simulate` under the chaos profile for every wallet (a few hundred payments),
## and one simulation killed halfway and settled by `recover`; fails on any duplicate, lost or open payment.
chaos: deps
	python3 Tests/Chaos/chaos_test.py --cli $(CLI)

## scaleout: three merchant-server instances on one PostgreSQL journal (a throwaway cluster), the
## sandbox under chaos delivering every notification to a random instance (some to two), one
## instance SIGKILLed mid-run; fails on any payment open, charged twice, disagreeing with the
## ledger, or any notification applied twice. SCALEOUT_JOURNAL=sqlite runs it on one SQLite file.
scaleout: deps
	python3 Tests/ScaleOut/scaleout.py --cli $(CLI) --merchant .build/debug/merchant-server

## simulate: the full-size runs of the README (10,000 payments per wallet, chaos, release build).
simulate: deps
	swift build -c release --product walletbridge
	for w in gcash paytm dana; do .build/release/walletbridge simulate --wallet $$w --payments 10000 --concurrency 32 --faults chaos --seed $${SEED:-$$RANDOM} --baseline --json; done

## contract: the contract scenarios (Specs/contract) for every shipped wallet, JUnit parsed, and the self-test.
contract: deps
	python3 Tests/Contract/contract_check.py --cli $(CLI)

## openapi: Specs/openapi validated, and the sandbox's real replies checked against them.
openapi: deps $(VENV)/.ready
	$(VENV)/bin/python Tests/OpenAPI/openapi_check.py --cli $(CLI)

## crash: SIGKILL a paying process mid-flight, `walletbridge recover`, then journal vs ledger.
crash: deps
	python3 Tests/Crash/crash_test.py --cli $(CLI)

$(VENV)/.ready: Makefile
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(ORACLES) $(OPENAPI_TOOLS)
	touch $@

interop: deps $(VENV)/.ready
	$(DEBUG_BUILD)
	$(MAKE) --no-print-directory interop-run

## interop-run: the interop checks on the current build (`make test` runs it after its own build).
interop-run: deps $(VENV)/.ready
	$(VENV)/bin/python Tests/Interop/interop.py --cli $(CLI) --cases $(INTEROP_CASES)
	$(VENV)/bin/python Tests/Interop/sandbox_interop.py --cli $(CLI)

## docs: the DocC reference of the library products, one archive per module in .build/docs/MODULE.doccarchive
## (WalletBridgeCore's carries the articles), built by swift-docc-plugin; any DocC warning fails it.
## Browse one with: python3 -m http.server -d .build/docs/WalletBridgeCore.doccarchive, then
## http://localhost:8000/documentation/walletbridgecore
DOCS_DIR := .build/docs
DOCS_TARGETS := WalletBridgeCore WalletBridgeHTTP WalletBridgeTransport WalletBridgeCrypto WalletBridgeAlipayPlus \
  WalletBridgePaytm WalletBridgeSNAP WalletBridgeSQLite WalletBridgePostgres WalletBridgeContract WalletBridgeSandbox WalletBridgeTesting
docs: deps
	rm -rf $(DOCS_DIR) && mkdir -p .build
	swift package --allow-writing-to-directory $(DOCS_DIR) generate-documentation \
	  $(addprefix --target ,$(DOCS_TARGETS)) --output-path $(DOCS_DIR) --warnings-as-errors 2>&1 | tee .build/docs.log
	@# DocC diagnostics are "warning: ..." followed by a " --> file:line" line; none may be left.
	@if awk '/^warning: /{w=1; next} w && /^ *--> /{found=1} {w=0} END{exit !found}' .build/docs.log; then \
	  echo "make: DocC reported warnings (see .build/docs.log)"; exit 1; fi
	@echo "make: documentation in $(DOCS_DIR): $(addsuffix .doccarchive,$(DOCS_TARGETS))"

## bench: release builds of the CLI and of Benchmarks/ (the peers: AsyncHTTPClient, URLSession), then
## Tests/Bench/bench.py: a standalone sandbox pinned to CPU 0, the clients pinned to CPU 1; one table of
## client CPU per request (WalletBridge, plain libcurl, the peers; sequential and 64 in flight), the
## `bench pay` ratios to the sum of a payment's parts and the `bench crypto` ratios to raw OpenSSL;
## TLS rows against a second sandbox (`--tls`), and HTTP/2 rows against nginx when it is installed
## (apt-get install nginx-light; not installed here, as it is a daemon: the rows print n/a without it).
## Not part of `make test` (it measures, it does not check). BENCH_ARGS passes options (--runs 1 ...).
bench: deps
	swift build -c release --product walletbridge
	swift build -c release --package-path Benchmarks --product peers
	python3 Tests/Bench/bench.py --cli .build/release/walletbridge --peers Benchmarks/.build/release/peers $(BENCH_ARGS)

clean:
	rm -rf .build
