# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BENCH_VENV := .bench-venv
BENCH_PY   := $(BENCH_VENV)/bin/python

.PHONY: demo test lint bench fuzz graphviz chromium clean

# The virtual environment, with the package installed editable and its dev extra.
# Re-installed only when pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Graphviz's `dot` renders the computation graphs; the Python package only calls it.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (dot) with apt-get ..."; \
	    (apt-get install -y --no-install-recommends graphviz >/dev/null 2>&1 || \
	     (apt-get update >/dev/null && apt-get install -y --no-install-recommends graphviz >/dev/null)); \
	  else \
	    echo "Graphviz's 'dot' is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz)"; \
	    exit 1; \
	  fi; }
	@command -v dot >/dev/null 2>&1 || { echo "Graphviz install failed: 'dot' still not on PATH"; exit 1; }

# Headless Chromium (Debian's package) runs the step-through page's browser tests; Playwright
# drives it by path and never downloads a browser of its own (never `playwright install`).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium with apt-get (for the browser tests) ..."; \
	    (apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	     (apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null)); \
	  else \
	    echo "Chromium is missing, and the browser tests need it: install it (Debian: sudo apt-get install chromium; Ubuntu: sudo snap install chromium; macOS: brew install --cask chromium), or run AGC_SKIP_BROWSER=1 make test to skip them"; \
	    exit 1; \
	  fi; }
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { echo "Chromium install failed: 'chromium' still not on PATH"; exit 1; }

demo: $(STAMP) graphviz
	$(PY) -m nn demo

test: $(STAMP) graphviz $(if $(AGC_SKIP_BROWSER),,chromium)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The benchmark's own environment: the peers (micrograd, PyTorch 2.13.0 CPU, HIPS autograd,
# scikit-learn) are never the project's dependencies. Re-installed when either list changes.
$(BENCH_VENV)/.installed: pyproject.toml bench/requirements.txt
	@test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -r bench/requirements.txt -e .
	@touch $@

$(BENCH_VENV): $(BENCH_VENV)/.installed

# Every workload side by side (a few minutes on 2 cores); the table goes to
# bench/results/README-table.md, the raw figures to bench/results/*.json.
bench: $(BENCH_VENV) graphviz
	$(BENCH_PY) -m bench.run

# Differential fuzzing against PyTorch (in the benchmark's environment, which has it):
# 10,000 seeded random graphs over every primitive, forward, gradients, forward mode and
# Hessian-vector products; exits non-zero with the reproducing seeds on a mismatch.
# FUZZ_ARGS="--graphs 50000 --start 10000" for a longer run.
fuzz: $(BENCH_VENV)
	$(BENCH_PY) tools/fuzz_torch.py $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
