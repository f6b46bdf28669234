# The two entry points a newcomer needs: `make demo` and `make test`. Both set up a virtual
# environment in .venv (once, and again when pyproject.toml changes) before doing anything.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Node tools the suite runs (gitlab-ci-local, for the GitLab CI example), where npm exists.
NODE_TOOLS := $(if $(shell command -v npm),.ci/node/node_modules/.package-lock.json)

.PHONY: setup demo test lint typecheck unit bench lock clean

PIP := --quiet --disable-pip-version-check

# Installed at the versions constraints.txt names: the suite was last run green on them.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP) --upgrade pip
	$(BIN)/python -m pip install $(PIP) -c constraints.txt -e '.[dev,local]'
	touch $(STAMP)

setup: $(STAMP)

.ci/node/node_modules/.package-lock.json: .ci/node/package-lock.json
	npm ci --prefix .ci/node --no-audit --no-fund --loglevel=error

demo: $(STAMP)
	$(BIN)/reconciler demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy --strict reconciler

unit: $(STAMP) $(NODE_TOOLS)
	$(BIN)/pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/bench_spec.py
	$(BIN)/python bench/bench_client.py
	$(BIN)/python bench/bench_plan.py
	$(BIN)/python bench/bench_plan_latency.py 1000 20 --curve --apply-import --tls
	$(BIN)/python bench/bench_fleet.py 100 50 20 --shards 4
	$(BIN)/python bench/bench_content.py 20000 20 1000

# constraints.txt anew: the newest releases pyproject.toml allows, in a scratch environment
# (then `make test` on them before committing it).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install $(PIP) --upgrade pip
	.venv-lock/bin/python -m pip install $(PIP) -e '.[dev,local]'
	{ sed -n '/^#/p' constraints.txt; .venv-lock/bin/python -m pip freeze --exclude-editable; } \
	  > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
