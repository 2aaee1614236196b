# make run   - the platform in the embedded mode at http://127.0.0.1:5000
# make test  - the whole suite against the local PostgreSQL and Redis
# make lint  - ruff and the import-layer contracts
# make bench - benchmarks (figures, never pass/fail)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_MODULES := frontend/node_modules/.installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

.PHONY: run test lint bench frontend clean

$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(NODE_MODULES): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: $(NODE_MODULES) $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

frontend: frontend/dist/index.html

run: $(INSTALLED) frontend/dist/index.html
	$(BIN)/engagex db upgrade
	$(BIN)/engagex demo
	$(BIN)/engagex serve --host 127.0.0.1 --port 5000

test: $(INSTALLED) $(NODE_MODULES)
	$(BIN)/pytest
	cd frontend && npm test --silent

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(INSTALLED)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist instance outbox
