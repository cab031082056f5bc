# CCHC — make demo | make test | make lint | make fmt | make bench
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CCHC := $(VENV)/bin/cchc
PYTEST := $(VENV)/bin/pytest
DEMO_ENV := CCHC_DATA_DIR=$${CCHC_DATA_DIR:-$(CURDIR)/var} CCHC_HTTPS=false
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve lint fmt test test-pg bench messages clean

# Byte-code caches make every test subprocess and the second test run start faster.
unexport PYTHONDONTWRITEBYTECODE

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

demo: install
	$(DEMO_ENV) $(CCHC) migrate --noinput
	$(DEMO_ENV) $(CCHC) collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(CCHC) demo load
	@echo ""
	@echo "  CCHC: http://$(HOST):$(PORT)/  — đăng nhập / log in: admin / cchc-demo-2025"
	@echo "  (các tài khoản khác / other accounts: see README)"
	@echo ""
	$(DEMO_ENV) $(CCHC) db_worker & \
	  WORKER=$$!; trap "kill $$WORKER" EXIT INT TERM; \
	  $(DEMO_ENV) $(CCHC) runserver --nostatic $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy cchc
	CCHC_DATA_DIR=$$(mktemp -d) CCHC_HTTPS=false $(CCHC) makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Database-facing tests on a real PostgreSQL server started by tests/settings.py.
test-pg: install
	CCHC_TEST_DB=postgres $(PYTEST) -q tests/web tests/db

# The suite on SQLite across one worker per CPU (pytest-xdist, -n auto in pyproject.toml),
# then the Chromium journeys in one process (one live server, one browser).
test: lint test-pg
	$(PYTEST) -m "not browser"
	$(PYTEST) -m browser

bench: install
	$(PY) -m bench.run

messages: install
	for app in cchc/*/locale; do \
	  (cd $$(dirname $$app) && CCHC_DATA_DIR=$$(mktemp -d) $(CURDIR)/$(CCHC) makemessages -l vi --ignore 'migrations/*' && \
	   CCHC_DATA_DIR=$$(mktemp -d) $(CURDIR)/$(CCHC) compilemessages -l vi); done

clean:
	rm -rf $(VENV) var test-artifacts
