# Two entry points that work on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Graphviz's `dot` renders the diagrams; installed where the platform allows it, skipped otherwise.
graphviz-dot:
	@command -v dot >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null) ) || \
	  command -v dot >/dev/null 2>&1 || echo "note: Graphviz 'dot' not installed; diagrams are written as DOT source"

# Chromium and chromedriver run the step-through player's browser tests; installed as root on Debian, skipped otherwise.
chromium-browser:
	@(command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1) || \
	  (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && grep -qi '^ID=debian' /etc/os-release && \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) ) || \
	  (command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1) || \
	  echo "note: Chromium or chromedriver not installed; the browser tests of the step-through player are skipped"

demo: $(BIN)/python graphviz-dot
	$(BIN)/python -m pip install --quiet -e ".[demo]"
	$(BIN)/python -m autograd_core demo
	$(BIN)/python -m autograd_core.nn demo

test: $(BIN)/python graphviz-dot chromium-browser
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pytest -q

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_engine.py

.PHONY: demo test bench graphviz-dot chromium-browser
