# Two commands for a fresh machine: `make demo` and `make test`.
# `make test-fast` is the quick loop while working: no PostgreSQL, no browser, no large files,
# no coder trained from scratch (the markers are declared in pyproject.toml); it keeps the
# embeddings and fitted coders between runs in .cache/tests/, under a hash of the code that
# makes them (tests/conftest.py, kept_cache).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast install lint bench clean

# The first install takes a few minutes: say so, and what is happening, as it happens.
$(BIN)/collablens: pyproject.toml
	@echo "[setup 1/3] Making a virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "[setup 2/3] Updating pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "[setup 3/3] Installing collablens and its test tools (the first time: a few minutes)"
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/collablens

demo: install
	$(BIN)/collablens demo --dir demo
	@echo "Open demo/report.html in a browser."
	@echo "To run collablens yourself: source $(VENV)/bin/activate (then collablens --help),"
	@echo "or call $(VENV)/bin/collablens directly."

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
