# Groundwork: `make demo` runs the main job, `make test` runs the test suite.
# Both build .venv from nothing; only the package registries are needed.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# llama-cpp-python builds from source; a native build crashes on some CPUs here
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo cli-demo test test-fast lint install install-dev chromium clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -e '.[dev,llamacpp,ray]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# ingest sample_docs/, then run the API (:8000) and the chat UI (:8501) until Ctrl-C
demo: install
	$(VENV)/bin/groundwork up --docs sample_docs --collection company

# the same documents from the command line: four questions, one of them refused
cli-demo: install
	$(VENV)/bin/groundwork ingest sample_docs --collection company
	$(VENV)/bin/groundwork ask "How many vacation days carry over?" --collection company
	$(VENV)/bin/groundwork ask "How long is parental leave for non-birth parents?" --collection company
	$(VENV)/bin/groundwork ask "What is the annual deductible of the Silver plan?" --collection company
	$(VENV)/bin/groundwork ask "What is the capital of Australia?" --collection company

lint: install-dev
	$(VENV)/bin/ruff check app ingest retrieval ui tests benchmarks scripts

# Debian's Chromium for the browser test (Playwright drives it; no browser download)
chromium:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install-dev chromium
	$(VENV)/bin/ruff check app ingest retrieval ui tests benchmarks scripts
	$(VENV)/bin/pytest -q

# the edit-test loop: unit tests only (no servers, no browser, no llama.cpp, no models)
test-fast: install-dev
	$(VENV)/bin/ruff check app ingest retrieval ui tests benchmarks scripts
	$(VENV)/bin/pytest -q -m "not integration and not server and not llamacpp" -p no:cacheprovider

clean:
	rm -rf $(VENV) data
