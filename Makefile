# Wuji — developer entry points. Everything runs inside .venv (created by `make venv`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The CPU torch wheel lives in /opt/wheels on the lab machines; pass it explicitly because
# CI may not carry the PIP_FIND_LINKS environment variable.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)

ADDRESS ?= 127.0.0.1
PORT    ?= 8501

CHROMIUM  := /usr/bin/chromium
CJK_FONT  := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
INITDB    := /usr/lib/postgresql/*/bin/initdb

.PHONY: help venv run test test-fast physics bench test-deps clean

help:
	@echo "make venv          create .venv and install requirements-dev.txt"
	@echo "make run           start the app (ADDRESS=$(ADDRESS) PORT=$(PORT))"
	@echo "make test-fast     ruff check . + the fast tier: units, math, AppTest, architecture (docs/testing.md)"
	@echo "make test          ruff check . + every test but the long physics tier, as CI runs it (browser: $(CHROMIUM))"
	@echo "make physics       every physics claim, the long tier's too (about 40 CPU-minutes; docs/physics.md)"
	@echo "make bench         python -m sim bench"
	@echo "make test-deps     install Debian chromium, fonts-noto-cjk and postgresql if missing (root only)"
	@echo "make clean         remove .venv, caches and test artifacts"

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install $(FIND_LINKS) -r requirements-dev.txt
	touch $@

run: venv
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT)

test-deps:
	@if [ -x $(CHROMIUM) ] && [ -f $(CJK_FONT) ] && ls $(INITDB) >/dev/null 2>&1; then \
	  echo "test-deps: $(CHROMIUM), Noto CJK fonts and PostgreSQL present"; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "test-deps: installing chromium, fonts-noto-cjk and postgresql with apt-get"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk postgresql; \
	else \
	  echo "test-deps: $(CHROMIUM), fonts-noto-cjk or postgresql missing and not root;"; \
	  echo "  run: sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk postgresql"; \
	  echo "  (browser and PostgreSQL tests skip locally, and fail when CI is set)"; \
	fi

test: venv test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not long"

# The physics claims whole: CI's and the long tier's (issue 14's methods, the default preset's three seeds).
physics: venv
	$(BIN)/python -m pytest -q tests/test_physics.py

# The inner loop: everything but the tests marked slow or browser (pyproject.toml says how a test gets a tier).
test-fast: venv
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: venv
	$(BIN)/python -m sim bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts .wuji-cache
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
