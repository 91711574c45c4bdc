# The kit's two everyday commands are `make check` (the main job) and `make test` (all tests).
# Both create .venv and install the pinned Python and Node tools on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Fixed so that the main job is reproducible; `make check SEED=N` explores other cases.
SEED ?= 20261124

.PHONY: install check test lint-code typecheck unit clean

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

lint-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules build .pytest_cache .mypy_cache .ruff_cache .hypothesis
