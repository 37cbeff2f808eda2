# gtchain: the two commands a newcomer needs are `make demo` and `make test`.
# Everything is installed project-locally: .venv/ (Python) and node_modules/ (AWS CDK CLI and
# the supported Node.js that runs it and jsii: see stacks/node_runtime.py for which and why).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make

export NODE_NO_WARNINGS := 1
# node_modules/.bin before the machine's Node 20: `cdk` (#!/usr/bin/env node) and jsii (`node`
# on PATH) run on the pinned Node. `npm ci` itself may run on the machine's npm and Node.
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: setup demo test lint typecheck unit e2e bench synth clean

setup: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,sandbox]'
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## The main job: the offline sandbox demo of the seed scenario.
demo: setup
	$(BIN)/gtchain demo

## Lint, type-check and every test tier. pytest's exit code 5 (no tests collected) is a failure.
test: setup lint typecheck
	@$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not e2e" ; code=$$?; \
	  if [ $$code -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	  [ $$code -eq 0 ] || exit $$code
	@$(BIN)/python -m pytest -q -m e2e ; code=$$?; \
	  if [ $$code -eq 5 ]; then echo "pytest collected no e2e tests: failing on purpose"; exit 1; fi; \
	  exit $$code

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy app.py gtchain lambdas/gtchain_runtime stacks/gtchain_cdk bench tests

## The benchmarks and the test counts, each recorded (bench/results/), then rendered into
## docs/figures.md: the one place for figures that change with every run.
bench: setup
	$(BIN)/python bench/manifest_bench.py
	$(BIN)/python bench/synth_bench.py
	$(BIN)/python bench/load_bench.py
	$(BIN)/python bench/test_counts.py
	$(BIN)/python bench/figures.py

synth: setup
	cdk synth --quiet

clean:
	rm -rf $(STAMPS) cdk.out .cache .build build dist
