# atout — two commands do all the set-up on a fresh machine:
#   make demo   installs, prepares the Drôme demo on SQLite and serves it on http://127.0.0.1:8000
#               (gunicorn and the background worker; another port: make demo PORT=8080)
#   make test   installs with the test extras (and Chromium for browser tests) and runs the whole suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

# The offline mirror of the official data: ../shared/data when it sits beside the clone.
ifeq ($(ATOUT_DATA_DIR),)
  ifneq ($(wildcard ../shared/data),)
    export ATOUT_DATA_DIR := $(abspath ../shared/data)
  endif
endif
export ATOUT_VAR_DIR ?= $(abspath var)

.PHONY: demo test install install-test browser system-libs bench-tools lint serve messages clean

# Dependencies are installed by uv (from PyPI, like pip, and resolving to the same versions): about three
# times faster than pip, which counts in every fresh clone CI makes. --compile-bytecode as pip does, since
# processes may run with PYTHONDONTWRITEBYTECODE and would otherwise compile every module they import.
UV_INSTALL := $(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Its own target, so that a virtual environment made before uv was used gets it too.
$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet 'uv>=0.8,<1'

# PDF reports (WeasyPrint) need Pango, HarfBuzz and fonts from Debian. Installed once, as root or via sudo.
system-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset \
	   && [ -d /usr/share/fonts/truetype/dejavu ]; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation; }

$(VENV)/.installed: pyproject.toml | $(BIN)/uv system-libs
	$(UV_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/uv system-libs
	$(UV_INSTALL) -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Browser tests drive Debian's Chromium through Playwright (Playwright's own browser download does
# not work offline). Installed once, as root or through sudo.
# axe-core (accessibility checks) comes from the npm registry, pinned by its package-lock.json.
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core; }
	@[ -f tests/browser/axe/node_modules/axe-core/axe.min.js ] || npm ci --prefix tests/browser/axe --no-audit --no-fund --silent

demo: install
	$(BIN)/atout migrate --noinput -v0
	$(BIN)/atout collectstatic --noinput -v0
	$(BIN)/atout demo
	@echo
	@echo "atout is served on http://$(HOST):$(PORT)/  (Drôme process: http://$(HOST):$(PORT)/p/drome/)"
	@echo "Stop with Ctrl-C."
	@# Long work (PDF reports, theme analyses, newsletters) goes to the database queue and a background
	@# worker runs it beside gunicorn, so no page waits for it; both stop together.
	export ATOUT_TASKS_BACKEND=django_tasks_db.DatabaseBackend; \
	$(BIN)/atout worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn atout.wsgi --preload --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --forwarded-allow-ips="127.0.0.1"

# Load generator of bench/submissions_load.py (a C program, so the load costs little CPU).
bench-tools:
	@command -v wrk >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }

test: install-test browser
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

# Regenerate the translation catalogues after changing user-facing text (needs GNU gettext).
messages: install
	cd src/atout && ../../$(BIN)/atout makemessages -l en -l fr --no-obsolete && ../../$(BIN)/atout compilemessages

clean:
	rm -rf var .pytest_cache test-artifacts
