# Two commands for a fresh machine: `make run` (the app with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The address `make run` serves; links in the emails it sends point here too.
RUN_ADDR ?= 127.0.0.1:8000

.PHONY: run test install install-dev browser-tools lint format migrate demo css prod-local

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	SITE_URL=http://$(RUN_ADDR) $(PY) manage.py send_reminders
	SITE_URL=http://$(RUN_ADDR) $(PY) manage.py runserver $(RUN_ADDR)

test: install-dev browser-tools
	$(PY) tests/run_layers.py

# The browser and PDF tests' tools: Debian's Chromium and pdfinfo (apt, as root) and axe-core
# (npm). Best effort and time-limited: what cannot be had makes its tests skip, saying why.
browser-tools:
	@{ command -v chromium && command -v pdfinfo; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium and poppler-utils (pdfinfo) for the browser and PDF tests..."; \
	    (timeout 600 apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      timeout 900 apt-get install -y -qq chromium poppler-utils) >/dev/null 2>&1 \
	      || echo "Chromium or poppler-utils could not be installed: those tests will be skipped."; \
	  else echo "No chromium and no root apt-get: the browser layer will be skipped."; fi; }
	@[ -f node_modules/axe-core/axe.min.js ] || { \
	  command -v npm >/dev/null 2>&1 && timeout 600 npm ci --no-audit --no-fund --silent \
	    || echo "npm ci failed: axe-core is missing, the browser layer will be skipped."; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Rebuild static/css/tracker.css from govuk-frontend's Sass (the built file is committed, so
# `make run` and `make test` need no Node; run this after changing static/src/ or upgrading).
css:
	npm ci --no-audit --no-fund
	npm run build:css

# The production process layout (gunicorn, Celery worker, Celery beat) on this machine against
# the local PostgreSQL and Redis, with production settings: for trying it (docs/deploy.md).
prod-local: install
	PY=$(PY) bin/prod-local

# Time the pages and jobs that grow with the data, on the current database (DATABASE_URL): build
# one first with `manage.py generate_dataset --actions 100000`. See docs/performance.md.
.PHONY: bench
bench: install
	$(PY) manage.py benchmark
