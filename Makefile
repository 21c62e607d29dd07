# Developer entry points. On a fresh machine only python3.11 and make are needed.
#   make run    the whole stack (embedded PostgreSQL + Redis unless DATABASE_URL/REDIS_URL are set)
#   make test   lint, the dependency audit, then the tests (unit/integration in parallel, then the
#               e2e browser journeys)
#   make audit  the locked dependencies against known vulnerabilities, strictly (before a release)
#   make test-fast  the inner loop: no lint, no browser, no real processes
#   make test-live  only the tests that start real processes (CI: on the machine's servers too)
#   make bench  seed synthetic workspaces and measure every page (PROFILE=small|large)

SHELL := /bin/bash
# Let Python keep its bytecode caches even where the environment turns them off: each process
# the tests and the dev runner start (xdist workers, web servers, Celery workers) then loads
# Django and the app from caches instead of compiling them from source, seconds per process.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

PYTEST_ARGS ?= -n 2 -m "not e2e"
# The browser journeys run apart and without xdist (two browsers and live servers on 2 cores
# made the draft autosave miss its 10 s wait); E2E_ARGS= skips them.
E2E_ARGS ?= -m e2e

.PHONY: install run test test-fast test-live lint audit clean-data bench

install: $(STAMP)

$(STAMP): uv.lock pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
	    echo "Python 3.11 is needed (python3.11, or python3 being 3.11)." >&2; exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $(PYTHON)"; \
	  "$(PYTHON)" -m venv $(VENV); \
	fi
	@[ -x $(VENV)/bin/uv ] || { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip -q; \
	  $(PY) -m pip install -q uv==$(UV_VERSION); }
	$(VENV)/bin/uv sync --frozen
	@touch $@

run: install
	$(PY) -m devtools.devstack run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=hls.settings_test $(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

# Known vulnerabilities in uv.lock's pins (pip-audit, devtools/audit.py): any one fails. `make
# audit` also fails on a pin it could not check; `make test` only lists those (PyPI's advisory
# data per release may be out of reach from where the tests run).
audit: install
	$(PY) -m devtools.audit --strict

test: install lint
	$(PY) -m devtools.audit
	$(PY) -m devtools.devstack ensure-browser
	$(PY) -m devtools.devstack exec -- $(VENV)/bin/pytest $(PYTEST_ARGS)
ifneq ($(strip $(E2E_ARGS)),)
	@# pytest exits 5 when no test was collected, i.e. there are no e2e tests yet.
	$(PY) -m devtools.devstack exec -- $(VENV)/bin/pytest $(E2E_ARGS) || [ $$? -eq 5 ]
endif

# The inner loop: everything but the browser journeys and the tests that start real processes.
test-fast: install
	$(PY) -m devtools.devstack exec -- $(VENV)/bin/pytest -n 2 -m "not e2e and not live"

# The tests that start real processes (Celery workers, web servers, Redis, the dev runner) alone,
# without lint: CI runs them a second time on the machine's PostgreSQL and Redis.
test-live: install
	$(PY) -m devtools.devstack exec -- $(VENV)/bin/pytest -n 2 -m live

clean-data:
	rm -rf .data

# Seed (or re-use) a bench database hls_bench_$(PROFILE) beside the dev one, run gunicorn and a
# Celery worker on it and measure every page with locust (docs/performance.md). Figures are
# printed and written to .bench/$(PROFILE).json. PROFILE=large: 1,000,000 entries. Then the
# reminder fan-out: REMINDERS due at once, two workers, an SMTP sink, once with a worker killed
# (.bench/fanout-$(PROFILE).json); it fails on any duplicate or loss.
PROFILE ?= small
REMINDERS ?= $(if $(filter large,$(PROFILE)),100000,200)
bench: install
	$(PY) -m devtools.devstack exec -- $(PY) -m devtools.bench --profile $(PROFILE)
	$(PY) -m devtools.devstack exec -- $(PY) -m devtools.bench.fanout --profile $(PROFILE) --reminders $(REMINDERS)

# Vendored front-end libraries (static/vendor/README.md): fetch the pinned version from the npm
# registry and check it. To update: change CYTOSCAPE_VERSION, run `make vendor CYTOSCAPE_SHA256=`
# and record the printed checksum here and in static/vendor/README.md.
CYTOSCAPE_VERSION := 3.34.4
CYTOSCAPE_SHA256 ?= 081591ab735b2b6a3b31a3c60f8f3a3e2fee8c92939e0c7820ad1208571b6cd8
# DejaVu Sans (regular and bold) for the learning reports' PDF export (any language, typographic
# quotes). To update: change DEJAVU_VERSION, run `make vendor DEJAVU_SHA256=` and record the sums.
DEJAVU_VERSION := 2.37.3
DEJAVU_SHA256 ?= 7da195a74c55bef988d0d48f9508bd5d849425c1770dba5d7bfc6ce9ed848954 e6476c1b80502924294eed40894c5b18e06c181444ca953e5334262df9c27724

.PHONY: schema
# The committed OpenAPI file; tests/api/test_schema.py fails when it and the code disagree.
schema: install
	DJANGO_SETTINGS_MODULE=hls.settings_test $(VENV)/bin/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

.PHONY: vendor
vendor:
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  (cd "$$tmp" && npm pack --silent cytoscape@$(CYTOSCAPE_VERSION) >/dev/null && tar xzf cytoscape-$(CYTOSCAPE_VERSION).tgz); \
	  sum=$$(sha256sum "$$tmp/package/dist/cytoscape.min.js" | cut -d' ' -f1); \
	  echo "cytoscape $(CYTOSCAPE_VERSION) dist/cytoscape.min.js sha256 $$sum"; \
	  if [ -n "$(CYTOSCAPE_SHA256)" ] && [ "$$sum" != "$(CYTOSCAPE_SHA256)" ]; then \
	    echo "sha256 mismatch: expected $(CYTOSCAPE_SHA256)" >&2; exit 1; fi; \
	  mkdir -p static/vendor/cytoscape; \
	  cp "$$tmp/package/dist/cytoscape.min.js" "$$tmp/package/LICENSE" static/vendor/cytoscape/
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  (cd "$$tmp" && npm pack --silent dejavu-fonts-ttf@$(DEJAVU_VERSION) >/dev/null && tar xzf dejavu-fonts-ttf-$(DEJAVU_VERSION).tgz); \
	  sums=$$(cd "$$tmp/package/ttf" && sha256sum DejaVuSans.ttf DejaVuSans-Bold.ttf | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $$//'); \
	  echo "dejavu-fonts-ttf $(DEJAVU_VERSION) ttf/DejaVuSans.ttf ttf/DejaVuSans-Bold.ttf sha256 $$sums"; \
	  if [ -n "$(DEJAVU_SHA256)" ] && [ "$$sums" != "$(DEJAVU_SHA256)" ]; then \
	    echo "sha256 mismatch: expected $(DEJAVU_SHA256)" >&2; exit 1; fi; \
	  mkdir -p static/vendor/fonts; \
	  cp "$$tmp/package/ttf/DejaVuSans.ttf" "$$tmp/package/ttf/DejaVuSans-Bold.ttf" static/vendor/fonts/; \
	  cp "$$tmp/package/LICENSE" static/vendor/fonts/LICENSE-DejaVu
