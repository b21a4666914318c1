# Madar: the two commands are `make run` and `make test` (see README.md).
# Both install what they need on a fresh machine and are safe to run twice.
SHELL := /bin/bash
.DEFAULT_GOAL := run
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)

MADAR_RELEASE := target/release/madar
MADAR_DEBUG := target/debug/madar
DEBIAN_PACKAGES := libpq-dev libsqlite3-dev pkg-config sqlite3 brotli

.PHONY: run test setup e2e-setup client client-dev server openapi check-contract lint fmt clean-test-dbs bench bench-quick bench-smoke fuzz fuzz-smoke test-reliability

## Install system packages and Rust targets the build needs (skipped when present).
setup:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@command -v cargo-nextest >/dev/null || $(CARGO) install cargo-nextest --locked

## What the browser tests need: Debian's Chromium and playwright-core (tests/e2e, from npm).
e2e-setup:
	@dpkg -s chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@[ -d tests/e2e/node_modules/playwright-core ] || (cd tests/e2e && npm ci --no-audit --no-fund)

## Build the web client into client/dist (served by madar).
client: setup
	scripts/build-client.sh

## Rebuild the web client on every change (serve it with `make run` in another terminal).
client-dev: setup
	scripts/client-dev.sh

## Set up, build, load the demo and run Madar on SQLite (./data), serving the web client.
run: setup client
	$(CARGO) build --release -p madar-api
	@$(MADAR_RELEASE) seed --demo || echo "(demo data not loaded: this database holds real data)"
	@echo ""
	@echo "  Madar: http://$${MADAR_BIND:-127.0.0.1:8080}/   API docs: http://$${MADAR_BIND:-127.0.0.1:8080}/docs/"
	@echo "  Demo logins (password madar-demo-2026): admin@demo.madar.ma, coordinator@demo.madar.ma,"
	@echo "  caseworker@demo.madar.ma, partner@demo.madar.ma, hotline@demo.madar.ma,"
	@echo "  analyst@demo.madar.ma, auditor@demo.madar.ma"
	@echo ""
	$(MADAR_RELEASE) serve

## Set up and run the whole suite: contract checks, lints, unit tests, and the black-box tests
## against the real binary on SQLite and on PostgreSQL (127.0.0.1:5432).
test: setup client e2e-setup check-contract lint
	$(CARGO) build -p madar-api
	$(CARGO) nextest run --no-fail-fast
	CARGO_TARGET_DIR=target/client $(CARGO) test -p madar-client --lib
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory bench-smoke

## The contract crate builds for WASM and pulls neither diesel nor actix.
check-contract:
	$(CARGO) check -q -p madar-openapi --target wasm32-unknown-unknown
	@for dep in diesel actix-web; do \
	  if $(CARGO) tree -q -p madar-openapi -e normal --target wasm32-unknown-unknown | grep -q "^.*$$dep v"; then \
	    echo "madar-openapi depends on $$dep: the contract must stay free of server crates"; exit 1; fi; done
	@echo "contract crate: wasm32 ok, no diesel, no actix"

## Regenerate openapi/openapi.json from the code (no server needed); review and commit it.
openapi:
	$(CARGO) run -q -p madar-api -- openapi > openapi/openapi.json

## Clippy denies unwrap/expect in the server and the web client outside tests.
lint:
	$(CARGO) clippy -q -p madar-api -p madar-openapi --no-deps -- -D warnings
	CARGO_TARGET_DIR=target/client $(CARGO) clippy -q -p madar-client --target wasm32-unknown-unknown --no-deps -- -D warnings
	$(CARGO) fmt --all -- --check

fmt:
	$(CARGO) fmt --all

## Drop the per-test PostgreSQL databases a killed test run may leave behind.
clean-test-dbs:
	psql -h 127.0.0.1 -U postgres -Atc "select datname from pg_database where datname like 'madar_t_%' or datname like 'madar_tpl_%'" \
	  | xargs -r -I{} psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS "{}" WITH (FORCE)'

## The benchmark (bench/README.md): release build, 1,000,000 children on PostgreSQL and SQLite
## (generated once, then reused), every scenario, the machine's ceilings; writes bench/results/.
bench: setup
	scripts/bench.sh full

## The same on 50,000 children, in a few minutes.
bench-quick: setup
	scripts/bench.sh quick

## A tiny dataset, each scenario for a second on both backends, failing on any error (CI).
bench-smoke:
	scripts/bench.sh smoke

## Fuzzing against the contract (schemathesis from PyPI, in target/fuzz-venv): every role on a
## fresh demo database; no server error, and responses conform to openapi/openapi.json; then
## two coordinators of two provinces as peers for the object-level authorization check.
fuzz-smoke:
	scripts/fuzz.sh smoke sqlite

fuzz:
	scripts/fuzz.sh long sqlite
	scripts/fuzz.sh long postgres

## Crash trials: reports in bursts, the server killed with SIGKILL 20 times per backend, every
## unanswered request retried; every acknowledged report must be there exactly once.
test-reliability: setup
	$(CARGO) build -p madar-api
	MADAR_CRASH_TRIALS=20 $(CARGO) nextest run -p madar-tests --no-capture -E 'test(/reliability_tests/)'
