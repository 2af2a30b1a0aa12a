# callqa: two commands. `make demo` builds a warehouse from a synthetic contact center; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
# uv from PATH, else the one pip installed for this Python (bootstrapped by `make uv`).
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

DEMO_DIR        ?= data/demo
# Five whole months (2026-02-02 to 2026-06-30): every hire of the data gets its 90-day window, every class its
# 30 production days, every QA month its full sample; about 150,000 contacts (docs/decisions.md).
DEMO_DAYS       ?= 149
DEMO_PER_DAY    ?= 1000
DEMO_SEED       ?= 42
DEMO_TIMEZONE   ?= America/New_York
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
# The local PostgreSQL server of the dbt `postgres` target (make pg-start; dbt/scripts/postgres_server.sh).
export PGHOST       ?= 127.0.0.1
export PGPORT       ?= 55432
export PGUSER       ?= callqa
export PGDATABASE   ?= callqa
export PG_DIR       ?= $(CURDIR)/data/postgres

.PHONY: help uv install demo test dev dbt-parse docs notebooks bi bi-browser bi-test clean pg-start pg-stop

help:
	@echo "make demo   install, generate a synthetic contact center, run the whole pipeline"
	@echo "make test   install and run the test suite"
	@echo "make dev    open the Dagster UI on the same definitions"
	@echo "make docs   the dbt docs site (models, columns, lineage, exposures) as one HTML file in reports/dbt-docs/"
	@echo "make notebooks   run every notebook in notebooks/ on the published warehouse; HTML reports in reports/notebooks/"
	@echo "make bi     the dashboard (Observable Framework) built from the serving copy into reports/dashboard/site/"
	@echo "make pg-start / pg-stop   a local PostgreSQL server (Debian's package) for the dbt postgres target"

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

install: uv
	$(UV) sync --frozen

dbt-parse: install
	$(UV) run python -c "from dagster_project.defs.transform.project import prepare_dbt_project; prepare_dbt_project()"

demo: install
	rm -rf $(DEMO_DIR)
	CALLQA_TIMEZONE=$(DEMO_TIMEZONE) $(UV) run callqa generate --out $(DEMO_DIR)/landing \
		--days $(DEMO_DAYS) --contacts-per-day $(DEMO_PER_DAY) --seed $(DEMO_SEED)
	CALLQA_TIMEZONE=$(DEMO_TIMEZONE) $(UV) run callqa run --landing $(DEMO_DIR)/landing \
		--warehouse $(DEMO_DIR)/callqa.duckdb

# The tests include the PostgreSQL target (tests/postgres): start the server first, and make its tests fail
# rather than skip when it is not there.
test: install pg-start
	CALLQA_REQUIRE_POSTGRES=1 $(UV) run pytest

pg-start:
	bash dbt/scripts/postgres_server.sh start

pg-stop:
	bash dbt/scripts/postgres_server.sh stop

dev: dbt-parse
	CALLQA_TIMEZONE=$${CALLQA_TIMEZONE:-$(DEMO_TIMEZONE)} \
	CALLQA_LANDING_DIR=$${CALLQA_LANDING_DIR:-$(CURDIR)/$(DEMO_DIR)/landing} \
	CALLQA_WAREHOUSE=$${CALLQA_WAREHOUSE:-$(CURDIR)/$(DEMO_DIR)/callqa.duckdb} \
	$(UV) run dagster dev -m dagster_project.definitions

# The dbt docs site of the warehouse (default: the demo's; run `make demo` first, or set CALLQA_WAREHOUSE), as a
# single static HTML file: descriptions, columns, tests, lineage from sources to exposures.
docs: install
	@warehouse=$${CALLQA_WAREHOUSE:-$(CURDIR)/$(DEMO_DIR)/callqa.duckdb}; \
	test -f "$$warehouse" || { echo "no warehouse at $$warehouse: run 'make demo' first (or set CALLQA_WAREHOUSE)"; exit 1; }; \
	cd dbt && CALLQA_WAREHOUSE="$$warehouse" CALLQA_TIMEZONE=$${CALLQA_TIMEZONE:-$(DEMO_TIMEZONE)} \
		$(UV) run dbt docs generate --static --target-path $(CURDIR)/reports/dbt-docs --project-dir . --profiles-dir . --quiet
	@echo "dbt docs: $(CURDIR)/reports/dbt-docs/static_index.html (open it in a browser)"

clean:
	rm -rf data dbt/target dbt/logs .pytest_cache

# Every notebook in notebooks/, executed against the published copy of the warehouse (default: the demo's; run
# `make demo` first, or set CALLQA_WAREHOUSE / CALLQA_SERVING_WAREHOUSE) and rendered to HTML for people who would
# rather look than read. The committed notebooks carry no outputs; the reports do.
notebooks: install
	@warehouse=$${CALLQA_WAREHOUSE:-$(CURDIR)/$(DEMO_DIR)/callqa.duckdb}; \
	test -f "$$warehouse" || { echo "no warehouse at $$warehouse: run 'make demo' first (or set CALLQA_WAREHOUSE)"; exit 1; }; \
	CALLQA_WAREHOUSE="$$warehouse" CALLQA_TIMEZONE=$${CALLQA_TIMEZONE:-$(DEMO_TIMEZONE)} \
		$(UV) run jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=900 \
		--output-dir $(CURDIR)/reports/notebooks notebooks/*.ipynb

# The dashboard as code (notebooks/dashboard, Observable Framework): its Python data loaders read the serving copy
# (default: the demo's; run `make demo` first, or set CALLQA_SERVING_WAREHOUSE) read-only when the site is built; the
# static site lands in reports/dashboard/site/ (serve it with `python -m http.server -d reports/dashboard/site`).
# node_modules is installed from the committed package-lock.json, again only when the lock changed. Not `npm ci`: the
# registry here has no other-platform builds of rollup's optional packages, so the lock cannot list them and `npm ci`
# refuses it as out of sync; `npm install --no-save` installs exactly the locked versions and leaves the lock as is.
DASHBOARD_DIR := notebooks/dashboard
bi: install
	@serving=$${CALLQA_SERVING_WAREHOUSE:-$(CURDIR)/$(DEMO_DIR)/callqa_serving.duckdb}; \
	test -f "$$serving" || { echo "no serving copy at $$serving: run 'make demo' first (or set CALLQA_SERVING_WAREHOUSE)"; exit 1; }; \
	cd $(DASHBOARD_DIR) && \
	{ test node_modules/.package-lock.json -nt package-lock.json || npm install --no-save --no-audit --no-fund; } && \
	rm -rf src/.observablehq/cache/data $(CURDIR)/reports/dashboard/site && \
	CALLQA_SERVING_WAREHOUSE="$$serving" CALLQA_DASHBOARD_OUT=$(CURDIR)/reports/dashboard/site \
		OBSERVABLE_TELEMETRY_DISABLE=true $(UV) run npm run build
	@echo "dashboard: $(CURDIR)/reports/dashboard/site/index.html"

# Debian's Chromium for the dashboard's browser test (no browser download by a test tool).
bi-browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

# The dashboard's end-to-end test: a generated warehouse, the site built from its serving copy, every page opened in
# headless Chromium; screenshots in reports/dashboard/screenshots/.
bi-test: install bi-browser
	$(UV) run pytest tests/e2e/test_dashboard.py -n 0
