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
	$(BIN)/python benchmarks/index_lookup.py
	$(BIN)/python benchmarks/security_audit.py
	$(BIN)/python benchmarks/deprecation_scan.py
	$(BIN)/python benchmarks/cli_startup.py
	$(BIN)/python benchmarks/dead_code_scan.py
	$(BIN)/python benchmarks/webhook_load.py
	$(BIN)/python -m benchmarks.flaky_ingest

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
