# One-command setup: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LLM_STAMP := $(VENV)/.llm-test-stamp
# llama-cpp-python's wheel, built from source once per machine and kept here (pyproject: llm-test)
WHEELS ?= $(HOME)/.cache/transcript-qa/wheels
LLAMA_CPP := 0.3.36
HOST ?= 127.0.0.1
PORT ?= 7860

export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup llm-test index run test lint browser clean eval bench screenshot

$(STAMP): pyproject.toml $(wildcard */__init__.py)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first: the local CPU wheel; any other torch requirement pulls a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The real llama.cpp server of the generated-answer tests: PyPI has only its source, whose
# build takes about 8 minutes on 2 idle cores (25 on busy ones), so the wheel is built once
# into $(WHEELS) and installed from there afterwards (seconds).
$(LLM_STAMP): $(STAMP) pyproject.toml
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP)-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_CPP) from source once (about 8 min on 2 idle cores), into $(WHEELS)"; \
	  $(PY) -m pip wheel --quiet --no-deps 'llama-cpp-python==$(LLAMA_CPP)' -w $(WHEELS); }
	$(PY) -m pip install --quiet --find-links $(WHEELS) -e '.[test,llm-test]'
	touch $@

llm-test: $(LLM_STAMP)

index: setup
	$(VENV)/bin/qa index seeds

# questions offered under the chat box for the shipped seed (any corpus: its own askers' questions)
SEED_EXAMPLES := --example "Which embassies will open in Africa?" \
  --example "What did Lavrov say about the Arctic?" \
  --example "How will the 80th anniversary of Victory be marked?" \
  --example "What did Lavrov say about medical visas?"

run: index
	$(VENV)/bin/qa serve --host $(HOST) --port $(PORT) $(SEED_EXAMPLES)

# Headless Chromium for the browser tests, from Debian's packages (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "could not install chromium: run 'apt-get update && apt-get install -y chromium chromium-driver' as root"; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(wildcard qa index ui eval bench scripts)

test: setup llm-test browser lint
	$(VENV)/bin/pytest -q

eval: index
	$(VENV)/bin/qa eval

bench: index
	$(VENV)/bin/qa bench

# docs/screenshot.png, from the app serving seeds/ in headless Chromium
screenshot: index browser
	$(PY) scripts/screenshot.py

clean:
	rm -rf .qa-index .pytest_cache .mypy_cache .ruff_cache eval-report test-artifacts
