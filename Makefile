# Upward: `make run` to try it, `make test` to check it. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: help run serve setup demo test test-fast lint types bench lock check clean

help:
	@echo "make run     set up (venv, dependencies, database, demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make test    set up and run the whole test suite (browser tests need /usr/bin/chromium)"
	@echo "make lint    ruff and mypy"
	@echo "make bench   matching benchmarks (prints a table)"
	@echo "make lock    re-pin requirements*.txt from requirements*.in"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Upward needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install only when the pinned requirements change.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.runtime
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

# The background worker (emails, matching runs) starts next to the web server and stops with it.
# With TASKS_BACKEND=immediate no worker is needed: tasks run inline (docs/notifications.md).
run: setup
	@echo "Upward is starting on http://$(HOST):$(PORT)/  (demo accounts: see README.md)"
	@if [ "$${TASKS_BACKEND:-database}" = database ]; then \
		$(BIN)/python manage.py db_worker --no-reload --interval 2 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		echo "Background worker started (process $$worker)."; \
	fi; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/mypy matching

# The mentor-match baseline lives in its own venv: its import name is also `matching`.
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet mentor-match==7.0.1 || echo "mentor-match could not be installed; bench will skip that baseline"

bench: $(VENV)/.dev $(BENCH_VENV)/bin/python
	MENTOR_MATCH_PYTHON=$(abspath $(BENCH_VENV))/bin/python $(BIN)/python -m bench.run $(BENCH_ARGS)

lock:
	rm -rf /tmp/upward-lock && $(PYTHON) -m venv /tmp/upward-lock
	/tmp/upward-lock/bin/pip install --quiet -r requirements.in
	(echo "# Pinned runtime dependencies. Regenerate with \`make lock\` after editing requirements.in."; /tmp/upward-lock/bin/pip freeze | grep -v '^pip==') > requirements.txt
	/tmp/upward-lock/bin/pip install --quiet -r requirements-dev.in
	(echo "# Pinned test and tooling dependencies, on top of requirements.txt. Regenerate with \`make lock\`."; echo "-r requirements.txt"; /tmp/upward-lock/bin/pip freeze | grep -v '^pip==' | grep -vxF -f requirements.txt) > requirements-dev.txt

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
