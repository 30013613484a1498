# Two commands on a fresh clone: `make run` then `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
DB ?= policytext.duckdb
STAMP := $(VENV)/.installed

.PHONY: run test test-all eval bench bench-scaling lint report clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "setuptools>=68,<81" wheel
	$(BIN)/pip install -q -e ".[test,bench,ocr]"
	# OCR engine without its opencv-python requirement (it would replace the headless build of the ocr extra)
	$(BIN)/pip install -q --no-deps "rapidocr-onnxruntime==1.4.4"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/policytext run --db $(DB) --shared $(SHARED)

test: $(STAMP)
	$(BIN)/python -m pytest

test-all: $(STAMP)
	$(BIN)/python -m pytest -m "" 

# PDF_VARIANTS=single,two-column limits the PDF benchmark (the scanned variant is OCR: minutes a
# document); OCR_CACHE=DIR reuses per-page OCR results (default PDF_WORK/ocr-cache)
PDF_WORK ?= .eval-pdf
eval: $(STAMP)
	$(BIN)/policytext eval --db $(DB) --gold $(SHARED)/gold --pdf $(SHARED)/pdf --pdf-work $(PDF_WORK) $(if $(PDF_VARIANTS),--pdf-variants $(PDF_VARIANTS)) $(if $(OCR_CACHE),--ocr-cache $(OCR_CACHE))
	$(BIN)/policytext eval --references dev

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench --shared $(SHARED) --out bench-results $(BENCH_ARGS)

# every stage on pathological input of 10 kB .. 10 MB: time per MB and the slope (must be flat)
bench-scaling: $(STAMP)
	$(BIN)/python -m benchmarks.scaling --out bench-results $(SCALING_ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check pipeline tests

clean:
	rm -rf $(VENV) $(DB) $(DB).wal report bench-results $(PDF_WORK)
