# GovPlan: `make run` serves the demo, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint imports format typecheck test-sqlite test-postgres messages bench bench-national bench-load serve-prod clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

setup: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	@# The rate limits' counter tables when CACHE_URL=db:// (nothing to do with the default locmem).
	DEBUG=1 $(BIN)/python manage.py createcachetable
	DEBUG=1 $(BIN)/python manage.py load_reference_data
	DEBUG=1 $(BIN)/python manage.py load_frameworks
	DEBUG=1 $(BIN)/python manage.py load_demo
	@# The national dashboards' slice: Bắc Giang + Bắc Ninh (merged 2025), Hà Nội, two
	@# ministries, 2021-2025 with a few communes (bench/national.py generates the full set).
	DEBUG=1 $(BIN)/python manage.py generate_national --scale tiny --seed 1

run: setup
	@echo ""
	@echo "GovPlan is starting on http://$(HOST):$(PORT)/"
	@echo "Demo logins (password for all: govplan-demo; * = two-factor code required, print it"
	@echo "with: DEBUG=1 $(BIN)/python manage.py demo_otp_code <user name>):"
	@echo "  quantri *          central administrator"
	@echo "  thamdinh *         appraiser (central authority)"
	@echo "  bacninh.bientap    editor, Bắc Ninh province"
	@echo "  bacninh.lanhdao *  approver, Bắc Ninh province"
	@echo "  bacninh.thamdinh * appraiser, Bắc Ninh province (its communes and departments)"
	@echo "  bacninh.so         editor, Sở KH&CN Bắc Ninh"
	@echo "  bacninh.xa         editor, a commune of Bắc Ninh"
	@echo "  hanoi.bientap      editor, Hà Nội"
	@echo "  hanoi.xem          viewer, Hà Nội"
	@echo "  taichinh.bientap   editor, Ministry of Finance"
	@echo "Demo signing key: var/demo/bacninh-lanhdao.p12 (passphrase govplan-demo)"
	@echo ""
	@echo "Background work (batch exports, e-mails) runs in a db_worker process beside the server."
	@echo ""
	@# The jobs a previous worker left unfinished carry on; the worker stops with the server
	@# (a batch export cut short carries on at the next start, or from its page).
	@DEBUG=1 TASKS_BACKEND=database $(BIN)/python manage.py resume_exports
	@DEBUG=1 TASKS_BACKEND=database $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; sleep 1; kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	DEBUG=1 TASKS_BACKEND=database $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/run_tests.py

test-sqlite: $(DEV_STAMP)
	$(BIN)/python scripts/run_tests.py --sqlite-only

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The import contracts (pyproject.toml, [tool.importlinter]; docs/architecture.md, "Layers").
imports: $(DEV_STAMP)
	$(BIN)/lint-imports

messages: $(DEV_STAMP)
	@# DEBUG=1: settings load without a SECRET_KEY, so the project's makemessages (it knows _l) is used.
	cd govplan && DEBUG=1 ../$(BIN)/python ../manage.py makemessages -l vi --no-obsolete --no-location
	$(BIN)/python scripts/compile_messages.py

# `make bench` times the application (bench/run.py); `make bench-national` the national
# figures on the generated national data set (bench/national.py, PostgreSQL).
bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache

# The national benchmark (issue 14) on PostgreSQL: generates the ~20-million-value data set
# into govplan_bench when absent (DATABASE_URL to use another), then prints its figures.
bench-national: $(DEV_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/national.py

# The production shape on this machine (docs/deployment.md): gunicorn (4 workers x 4 threads),
# DEBUG off, PostgreSQL (DATABASE_URL, default govplan_prod on 127.0.0.1:5432), migrations,
# reference data, static files, and the task worker. Ctrl-C stops it.
serve-prod: $(STAMP)
	$(BIN)/python scripts/serve_prod.py

# The deadline-day load benchmark (issue 15): the national 2027 data set into
# govplan_load_full, then 50 and 200 locust users for 5 minutes each against the production
# shape. A smoke run: make bench-load LOAD_ARGS="--scale tiny --users 10 --seconds 40".
LOAD_ARGS ?=
bench-load: $(DEV_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)
