# Upward: `make run` to try it, `make test` to check it. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: help run setup test test-fast check check-static lint types imports bench lock clean

help:
	@echo "make run           set up (venv, dependencies, database, demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make test          set up and run the whole test suite (browser tests need /usr/bin/chromium)"
	@echo "make test-fast     the tests without the browser and slow ones"
	@echo "make check         check-static, then test-fast: run it before you commit"
	@echo "make check-static  lint, types and imports"
	@echo "make lint          ruff"
	@echo "make types         mypy over config, upward and matching"
	@echo "make imports       import-linter: apps import only downwards (pyproject.toml)"
	@echo "make setup         venv, dependencies, migrations and demo data, without serving"
	@echo "make bench         matching, people-import and report-page benchmarks (prints tables)"
	@echo "make lock          re-pin requirements*.txt, with hashes, from requirements*.in (pip-tools)"
	@echo "make clean         remove the venv, the local database and tool caches"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Upward needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install only when the pinned requirements change. The files carry hashes, so pip
# checks every download against them (hash-checking mode needs no flag). The dev file is
# installed together with the runtime one: it was compiled against it (-c requirements.txt).
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.runtime
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo $(SEED_ARGS)

# The background worker (emails, matching runs) starts next to the web server and stops with it.
# With TASKS_BACKEND=immediate no worker is needed: tasks run inline (docs/notifications.md).
# HOST and PORT reach the settings too, so links in emails and calendar files point at this
# server (config/env.py builds SITE_URL from them unless SITE_URL is set).
# The demo accounts are printed last, after migrations and seeding, just before serving.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: SEED_ARGS := --no-accounts
run: setup
	@if [ "$${TASKS_BACKEND:-database}" = database ]; then \
		$(BIN)/python manage.py db_worker --no-reload --interval 2 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		echo "Background worker started (process $$worker)."; \
	fi; \
	echo; $(BIN)/python manage.py demo_accounts; \
	echo "Upward is starting on http://$(HOST):$(PORT)/  (the tour: README.md)"; echo; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

types: $(VENV)/.dev
	$(BIN)/mypy config upward matching

imports: $(VENV)/.dev
	$(BIN)/lint-imports

# The static checks alone: CI runs these next to `make test`, which already runs every test.
check-static: lint types imports

check: check-static
	$(MAKE) test-fast

# The mentor-match baseline lives in its own venv: its import name is also `matching`.
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet mentor-match==7.0.1 || echo "mentor-match could not be installed; bench will skip that baseline"

bench: $(VENV)/.dev $(BENCH_VENV)/bin/python
	MENTOR_MATCH_PYTHON=$(abspath $(BENCH_VENV))/bin/python $(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.people_import
	$(BIN)/python -m bench.filesync
	$(BIN)/python -m bench.reports $(REPORTS_BENCH_ARGS)

# pip-tools lives in a throwaway venv: the project's own venv never depends on it. Existing pins
# are kept unless an .in file asks for something they do not satisfy; `make lock UPGRADE=1`
# moves every pin to the newest release allowed. Each pin says why it is there (`# via ...`).
LOCK_VENV ?= /tmp/upward-lock
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-find-links --no-emit-index-url $(if $(UPGRADE),--upgrade)
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip-tools
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
