# callqa: two commands. `make demo` builds a warehouse from a synthetic contact center; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
# uv from PATH, else the one pip installed for this Python (bootstrapped by `make uv`).
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

DEMO_DIR        ?= data/demo
DEMO_DAYS       ?= 90
DEMO_PER_DAY    ?= 2000
DEMO_SEED       ?= 42
DEMO_TIMEZONE   ?= America/New_York
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
# The local PostgreSQL server of the dbt `postgres` target (make pg-start; dbt/scripts/postgres_server.sh).
export PGHOST       ?= 127.0.0.1
export PGPORT       ?= 55432
export PGUSER       ?= callqa
export PGDATABASE   ?= callqa
export PG_DIR       ?= $(CURDIR)/data/postgres

.PHONY: help uv install demo test dev dbt-parse clean pg-start pg-stop

help:
	@echo "make demo   install, generate a synthetic contact center, run the whole pipeline"
	@echo "make test   install and run the test suite"
	@echo "make dev    open the Dagster UI on the same definitions"
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

clean:
	rm -rf data dbt/target dbt/logs .pytest_cache
