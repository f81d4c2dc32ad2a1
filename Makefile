# Two commands do everything on a fresh machine: `make run` and `make test`.
# Versions are the ones measured in ../shared/TOOLCHAIN.md (rustc 1.95).

SHELL := /bin/bash
.DEFAULT_GOAL := run

CARGO_LEPTOS_VERSION := 0.3.5
BINARYEN_VERSION := 132
# The S3-compatible server the storage tests start (moto's server mode, from PyPI).
MOTO_VERSION := 5.2.5
# The wasm-bindgen CLI must match the library in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3; exit}' Cargo.lock)
TOOLS := $(CURDIR)/.tools
export PATH := $(TOOLS)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_PROGRESS_WHEN := never
# One-shot builds (CI, a fresh clone) gain nothing from incremental artefacts but disk use.
export CARGO_INCREMENTAL ?= 0

ANXIN := target/release/anxin

.PHONY: run test build tools tools-rust tools-node tools-browser tools-s3 test-rust test-e2e bench screenshots clean-data help

help:
	@echo "make run    install what is missing, build, serve http://127.0.0.1:3000 (SQLite + demo data)"
	@echo "make test   unit + integration tests (SQLite; PostgreSQL too when ANXIN_TEST_PG is set), then browser tests"
	@echo "make bench  pages under load on 10k and 1M policies (SQLite, PostgreSQL), Lighthouse, sizes: bench/results.md"
	@echo "make screenshots  regenerate docs/screenshots (desktop and phone)"

run: build
	$(ANXIN) serve

build: tools-rust tools-node
	cargo leptos build --release
	$(ANXIN) precompress target/site

test: build tools-browser test-rust test-e2e

# Integration tests run once per engine; the second run reuses the first one's build.
test-rust: tools-s3
	cargo test --workspace --locked
	@if [ -n "$$ANXIN_TEST_PG" ]; then \
	  echo "== integration tests on PostgreSQL ($$ANXIN_TEST_PG)"; \
	  ANXIN_TEST_ENGINE=postgres cargo test --workspace --locked; \
	else \
	  echo "== ANXIN_TEST_PG not set: PostgreSQL integration tests skipped (CI always sets it)"; \
	fi

# A free port each run, so a server already on 3100 (a second checkout, a demo) is no obstacle.
FREE_PORT = $(shell python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

test-e2e: tools-browser
	cd end2end && ANXIN_E2E_PORT=$(FREE_PORT) npx playwright test

bench: build tools-browser
	bench/run.sh

screenshots: build tools-browser
	cd end2end && ANXIN_E2E_PORT=$(FREE_PORT) ANXIN_SCREENSHOTS=1 npx playwright test screenshots.spec.ts

tools: tools-rust tools-node tools-browser tools-s3

tools-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@command -v cargo-leptos >/dev/null && cargo-leptos --version | grep -q "$(CARGO_LEPTOS_VERSION)" \
	  || cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked
	@command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q "$(WASM_BINDGEN_VERSION)" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

tools-node:
	@[ -x $(TOOLS)/node_modules/.bin/wasm-opt ] \
	  || (mkdir -p $(TOOLS) && npm install --prefix $(TOOLS) --no-audit --no-fund binaryen@$(BINARYEN_VERSION))

# Chinese fonts too: our users' phones have them, and layout and touch-target checks
# measure real glyphs, not fallback boxes.
tools-browser:
	@[ -x /usr/bin/chromium ] && fc-list | grep -qi "noto sans cjk" \
	  || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk)
	@[ -d end2end/node_modules/@playwright/test ] || (cd end2end && npm ci --no-audit --no-fund)

# A venv of its own, so the machine's Python stays as it is; the storage tests find
# .tools/py/bin/moto_server (or $ANXIN_MOTO).
tools-s3:
	@$(TOOLS)/py/bin/pip show moto 2>/dev/null | grep -qx "Version: $(MOTO_VERSION)" && [ -x $(TOOLS)/py/bin/moto_server ] \
	  || (python3 -m venv $(TOOLS)/py \
	      && $(TOOLS)/py/bin/pip install --quiet --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)')

clean-data:
	rm -rf data
