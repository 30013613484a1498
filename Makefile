# Two commands on a fresh clone: `make run` then `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
DB ?= policytext.duckdb
STAMP := $(VENV)/.installed

.PHONY: run test test-all eval bench lint report clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "setuptools>=68,<81" wheel
	$(BIN)/pip install -q -e ".[test,bench]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/policytext run --db $(DB) --shared $(SHARED)

test: $(STAMP)
	$(BIN)/python -m pytest

test-all: $(STAMP)
	$(BIN)/python -m pytest -m "" 

eval: $(STAMP)
	$(BIN)/policytext eval --db $(DB) --gold $(SHARED)/gold
	$(BIN)/policytext eval --references dev

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench --shared $(SHARED) --out bench-results $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check pipeline tests

clean:
	rm -rf $(VENV) $(DB) $(DB).wal report bench-results
