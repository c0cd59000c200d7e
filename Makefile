PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q -m "not network"

bench: $(STAMP)
	$(BIN)/python -m benchmarks.index_lookup
	$(BIN)/python -m benchmarks.security_audit
	$(BIN)/python -m benchmarks.deprecation_scan
	$(BIN)/python -m benchmarks.cli_startup
	$(BIN)/python -m benchmarks.dead_code_scan
	$(BIN)/python -m benchmarks.health_scan
	$(BIN)/python -m benchmarks.github_client
	$(BIN)/python -m benchmarks.webhook_load
	$(BIN)/python -m benchmarks.flaky_ingest
	$(BIN)/python -m benchmarks.query_advice
	$(BIN)/python -m benchmarks.forecast_quality

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
