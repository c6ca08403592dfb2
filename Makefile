# The shop's commands. A newcomer needs two: `make run` and `make test`.
# Each target installs what it needs first, and only when a requirement or lock file changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

STAGE ?= dev
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
CDK_OUT ?= cdk.out
CDK_FLAGS := --no-notices -c stage=$(STAGE)

# jsii (under aws-cdk-lib) prints a banner on Node 20; the CLI reports telemetry unless told not to.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_CLI_TELEMETRY := true

RUN_STAMP := $(VENV)/.installed-run
# checkov pins many packages the shop also uses: it gets a virtualenv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: help setup run test test-fast lint format synth diff cost deploy release rollback bench openapi fuzz api-docs create-admin load bench-load bench-calls simulate-scale lighthouse clean

help:
	@echo "make run        start the whole shop locally (http://127.0.0.1:$(PORT))"
	@echo "make test       run every test tier (infra, unit, integration, e2e, browser)"
	@echo "make lint       ruff (lint + format check), mypy and lint-imports"
	@echo "make synth      synthesize every stack of STAGE=$(STAGE) into $(CDK_OUT)/ (nag + cfn-lint + checkov)"
	@echo "make diff       cdk diff of STAGE against AWS, or offline against AGAINST=<release>"
	@echo "make cost       fixed monthly cost of STAGE=$(STAGE) with zero traffic, item by item"
	@echo "make deploy     cdk deploy --all for STAGE"
	@echo "make release    synthesize prod into releases/<version>/ with a manifest"
	@echo "make rollback   VERSION=x STAGE=... redeploy a release's exact cloud assembly"
	@echo "make bench      run the benchmarks under bench/ (make bench-load: 100 shoppers for 60 s locally)"
	@echo "make load       URL=<site> USERS=100 MINUTES=5  locust load test (no URL: a local shop), reports in load-report/"
	@echo "make bench-calls  AWS calls and Redis round trips per request, route by route (local shop)"
	@echo "make simulate-scale  the capacity simulation behind docs/scaling.md (flash sale, 10,000 orders a day)"
	@echo "make lighthouse URL=<site> RUNS=3  Lighthouse 12.2.3 (mobile) on home, shop, product, cart, checkout (no URL: a local shop)"
	@echo "make openapi    rewrite docs/openapi.json from the handlers (make fuzz: schemathesis against it)"
	@echo "make create-admin STAGE=... EMAIL=...  create or promote a shop administrator"

# `make run` needs only the shop and its local stand-ins; the test and lint tools come with `make test`.
# --no-compile: Python compiles a module when it is first imported; compiling every installed file up
# front took more than half of a fresh `make run`'s install.
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --no-compile

$(RUN_STAMP): requirements.txt requirements-local.txt lambdas/requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements-local.txt
	@touch $@

$(PY_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

$(CHECKOV_STAMP): requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-checkov.txt
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(PY_STAMP) $(NPM_STAMP) $(CHECKOV_STAMP)

run: $(RUN_STAMP)
	$(PY) -m cdk_app.local --port $(PORT)

test: setup
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest tests/unit tests/integration -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy cdk_app stacks constructs_lib lambdas app.py
	PYTHONPATH=lambdas:. $(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

synth: setup
	rm -rf $(CDK_OUT)
	$(CDK) synth $(CDK_FLAGS) --quiet --output $(CDK_OUT)
	$(PY) -m cdk_app.cfn_lint_gate $(CDK_OUT)
	$(PY) -m cdk_app.checkov_gate $(CDK_OUT)
	@ls -1 $(CDK_OUT)/*.template.json

diff: setup
	$(PY) -m cdk_app.diff --stage $(STAGE) $(if $(AGAINST),--against $(AGAINST))

cost: setup
	$(PY) -m cdk_app.cost --stage $(STAGE)

deploy: setup
	$(CDK) deploy $(CDK_FLAGS) --all --require-approval broadening

release: setup
	$(PY) -m cdk_app.release create --stage $(or $(RELEASE_STAGE),prod)

rollback: setup
	@test -n "$(VERSION)" || { echo "usage: make rollback VERSION=x.y.z STAGE=prod"; exit 2; }
	$(PY) -m cdk_app.release rollback --version $(VERSION) --stage $(STAGE)

# The route table imports the shared contracts from lambdas/shop, as app.py arranges for the CLI.
api-docs: setup
	PYTHONPATH=lambdas:. $(PY) -m cdk_app.api_docs

create-admin: setup
	@test -n "$(EMAIL)" || { echo "usage: make create-admin STAGE=dev EMAIL=you@example.com [PASSWORD=...]"; exit 2; }
	$(PY) -m cdk_app.create_admin --stage $(STAGE) --email $(EMAIL) $(if $(PASSWORD),--password '$(PASSWORD)')

openapi: setup
	PYTHONPATH=lambdas:. $(PY) -m cdk_app.openapi

# schemathesis over docs/openapi.json against a local shop it starts (also part of `make test`).
fuzz: setup
	$(PY) -m pytest tests/e2e/test_api_fuzz.py -q

bench: setup
	$(PY) bench/bench_synth.py
	$(PY) bench/bench_catalog_cache.py
	$(PY) bench/bench_cold_start.py

# Seed 001's load test with locust (bench/locustfile.py); without URL against a local shop started for it.
USERS ?= 100
MINUTES ?= 5
load: setup
	$(PY) bench/load.py $(if $(URL),--url $(URL)) --users $(USERS) --minutes $(MINUTES) $(if $(THINK),--think-seconds $(THINK))

# The same against the local shop for one minute.
bench-load: setup
	$(PY) bench/load.py --users 100 --minutes 1

# Per route: DynamoDB, SQS and other AWS calls and Redis round trips of one request (docs/benchmarks.md).
bench-calls: setup
	$(PY) bench/bench_calls.py

# docs/scaling.md's figures: a flash sale and a 10,000-order day through the limits the code sets.
simulate-scale: setup
	PYTHONPATH=lambdas:. $(PY) bench/simulate_scale.py --sale-plan

# Lighthouse 12.2.3 (node_modules, mobile) on home, shop, product, cart and checkout, RUNS times each: the
# median scores and LCP/TBT/CLS as docs/benchmarks.md's table. Without URL against a local shop it starts.
RUNS ?= 3
lighthouse: $(RUN_STAMP) $(NPM_STAMP)
	$(PY) bench/lighthouse.py $(if $(URL),--url $(URL)) --runs $(RUNS)

clean:
	rm -rf $(CDK_OUT) .pytest_cache .mypy_cache .ruff_cache
