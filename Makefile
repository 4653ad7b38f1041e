# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run check test lint format install install-dev migrate bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate the database, and start the app from .env
run: install
	@$(BIN)/touchbase serve

migrate: install
	$(BIN)/touchbase db upgrade

## check: install, migrate, then check settings, database, tokens and scopes (one line each)
check: migrate
	@$(BIN)/touchbase check

## test: lint, then the whole suite (SQLite and PostgreSQL)
test: install-dev lint
	$(BIN)/pytest

## lint: ruff, formatting, types (mypy) and the layer contracts (import-linter)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info

## bench: every benchmark at full size (~20 min on 2 cores; needs PostgreSQL for section 2)
bench: install-dev
	$(BIN)/python -m benchmarks

## bench-quick: the same five sections at tiny sizes, under a minute
bench-quick: install-dev
	$(BIN)/python -m benchmarks --quick
