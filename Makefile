# Anjian: two commands. `make run` serves the demo; `make test` runs the checks and the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/anjian
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENTERPRISES ?= 300

.PHONY: install assets run demo test test-pg test-e2e lint bench ci clean e2e-deps messages

install: $(VENV)/.installed assets

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

anjian/static/vendor/.built: frontend/node_modules/.installed frontend/copy-vendor.mjs
	cd frontend && npm run --silent build
	touch $@

assets: frontend/node_modules/.installed anjian/static/vendor/.built

# Serve the demo: SQLite in ./var, demo district (太仓市), demo accounts printed, job worker started.
run: install
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py demo --enterprises $(DEMO_ENTERPRISES) --if-empty
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py run_huey --quiet & \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/lint-imports --no-cache

# The unit suite on SQLite (parallel). The browser suite is `make test-e2e`.
test: lint
	$(VENV)/bin/pytest -n 2 -m "not e2e" -q

# The same suite on this machine's PostgreSQL server.
test-pg: install
	DATABASE_URL=$(PG_URL) ANJIAN_REQUIRE_SERVICES=1 $(VENV)/bin/pytest -n 2 -m "not e2e" -q

e2e-deps:
	@test -x /usr/bin/chromium -a -d /usr/share/fonts/opentype/noto || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

# Browser tests in Debian's headless Chromium, driven by Playwright.
test-e2e: install e2e-deps
	$(VENV)/bin/pytest -m e2e -q tests/e2e

bench: install
	DATABASE_URL=$(PG_URL)_bench $(PY) -m bench

# Extract translatable strings and compile the catalogues (zh-hans is the source language).
messages: install
	$(PY) manage.py makemessages -l en --ignore ".venv/*" --ignore "frontend/*" --ignore "var/*" --no-obsolete
	$(PY) manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var frontend/node_modules anjian/static/vendor
