# The kit's everyday commands are `make check` (the main job), `make test` (all tests) and
# `make test-fast` (all but the slow tier, for the edit-test loop). They create .venv and install
# the pinned Python and Node tools on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Fixed so that the main job is reproducible; `make check SEED=N` explores other cases.
SEED ?= 20261124
# pytest-xdist workers: one per core by default (`make test JOBS=1` runs in one process).
JOBS ?= auto
# The fast tier spends a good part of its time waiting (sleeps, subprocesses, the browser), so
# by default it runs one worker more than there are cores (JOBS=N still chooses).
FAST_JOBS := $(if $(filter auto,$(JOBS)),$(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)'),$(JOBS))
# Each test file goes to one worker, so that a module's shared check runs are made once;
# files go out in collection order (tests/plugins/order.py puts the slow ones first).
XDIST := --dist loadfile --no-loadscope-reorder
PYTEST_PARALLEL := -n $(JOBS) $(XDIST)

.PHONY: install check test test-fast lint-code typecheck unit unit-fast clean

install: $(STAMP)

$(STAMP): pyproject.toml generated_client/pyproject.toml requirements.lock package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	# Editable: the kit and the generated client (prevail_sessions_client, its own distribution)
	# are importable from .venv; the lock holds what both need.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . -e generated_client
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

## The main job: the client matches the spec, the spec passes lint, and the built-in mock
## passes the conformance check (reports in build/reports/).
check: $(STAMP)
	$(BIN)/prevail-contract generate --check
	$(BIN)/prevail-contract lint
	$(BIN)/prevail-contract check --report-dir build/reports --seed $(SEED)

## Every test: code style, types, then pytest.
test: $(STAMP) lint-code typecheck unit

## The same without the slow tier (the tests that make full `check` runs).
test-fast: $(STAMP) lint-code typecheck unit-fast

lint-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# the layers ([tool.importlinter] in pyproject.toml; README, "Architecture")
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_PARALLEL)

unit-fast: $(STAMP)
	$(BIN)/pytest -n $(FAST_JOBS) $(XDIST) -m "not slow"

clean:
	rm -rf $(VENV) node_modules build .pytest_cache .mypy_cache .ruff_cache .hypothesis
