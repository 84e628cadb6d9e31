# Two commands for a fresh machine: `make demo` and `make test`.
# `make test-fast` is the quick loop while working: no PostgreSQL, no browser, no large files,
# no coder trained from scratch (the markers are declared in pyproject.toml); it keeps the
# embeddings and fitted coders between runs in .cache/tests/, under a hash of the code that
# makes them (tests/conftest.py, kept_cache).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast install lint bench clean

$(BIN)/collablens: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/collablens

demo: install
	$(BIN)/collablens demo --dir demo
	@echo "Open demo/report.html in a browser."

# Everything, as CI runs it (.ci/run), on every core: pytest-xdist runs one worker per core.
test: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto

FAST := not postgres and not browser and not slow and not training

test-fast: install
	COLLABLENS_TEST_CACHE=keep $(BIN)/pytest -q -n auto -m "$(FAST)"

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_coder.py

clean:
	rm -rf demo .pytest_cache .ruff_cache build dist src/*.egg-info
