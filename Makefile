# pgqrs developer tasks. `make` alone lists them.
# Every test target first runs `setup` (scripts/bootstrap.sh: system packages + .venv), which is
# quick when everything is already there. Each test target starts its own throwaway server.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PY := .venv/bin/python
PYTEST_ARGS ?=
# pgTAP comes from the system's PostgreSQL 15 (the Docker image and the embedded 18 lack it).
SQL_TEST_PG ?= 15
# The server whose extension directory install-extension fills (PGXS reads pg_config).
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/$(SQL_TEST_PG)/bin/pg_config) pg_config)
# sql-test runs the whole pgTAP suite once per install mode (pgqrs.testing INSTALL_MODES): a fresh
# psql -f of the newest script, the oldest script plus every delta, and CREATE EXTENSION of the
# oldest version followed by ALTER EXTENSION UPDATE.
SQL_TEST_MODES ?= psql upgrade extension-upgrade

.PHONY: help setup install-extension test sql-test py-test py-test-18 lint gen soak demo bench screenshots clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## Install system packages (as root) and the .venv with pgqrs-workflows[test,dev]
	@bash scripts/bootstrap.sh

# Skips the copy when the installed files already match, so that only a change to sql/ needs root.
install-extension: ## Install pgqrs as a PostgreSQL extension (PGXS: make -C sql install; as root)
	@dir="$$($(PG_CONFIG) --sharedir)/extension"; \
	for f in sql/pgqrs.control sql/pgqrs--*.sql; do \
		cmp -s "$$f" "$$dir/$${f#sql/}" || { $(MAKE) -C sql install PG_CONFIG=$(PG_CONFIG) >/dev/null \
			&& echo "install-extension: installed pgqrs into $$dir"; exit; }; \
	done

test: setup ## Run every test: lint, pgTAP, pytest on PostgreSQL 15 and on PostgreSQL 18
	@$(MAKE) lint
	@$(MAKE) sql-test
	@$(MAKE) py-test
	@$(MAKE) py-test-18

# pg_prove hands a file to pgTAP only when its last suffix matches --ext ("--ext .test.sql"
# makes it run the files as Perl), so the files are listed here and passed with --ext .sql.
SQL_TESTS = $(shell find tests/sql -name '*.test.sql' 2>/dev/null | LC_ALL=C sort)

sql-test: setup install-extension ## pgTAP tests (tests/sql/**/*.test.sql), once per install mode
	@if [[ -z "$(SQL_TESTS)" ]]; then echo "sql-test: no tests/sql/**/*.test.sql found" >&2; exit 1; fi
	@for mode in $(SQL_TEST_MODES); do \
		echo "pg_prove: $(words $(SQL_TESTS)) files in tests/sql, pgqrs installed by: $$mode"; \
		$(PY) -m pgqrs.testing exec --pg $(SQL_TEST_PG) --install=$$mode -- \
			bash -c 'psql -X -q -v ON_ERROR_STOP=1 -f tests/sql/fixtures/helpers.sql && pg_prove -j 2 --ext .sql "$$@"' _ $(SQL_TESTS) \
			|| exit 1; \
	done

py-test: setup install-extension ## pytest on a throwaway PostgreSQL 15 (or PGQRS_TEST_DSN / Docker)
	$(PY) -m pytest tests/py -m 'not slow' $(PYTEST_ARGS)

py-test-18: setup ## pytest on the embedded PostgreSQL 18
	PGQRS_TEST_PG=18 $(PY) -m pytest tests/py -m 'not pg15_only and not slow' $(PYTEST_ARGS)

lint: setup ## ruff check, ruff format --check, mypy --strict, generated files up to date
	.venv/bin/ruff check pgqrs tests/py tools bench examples
	.venv/bin/ruff format --check pgqrs tests/py tools bench examples
	.venv/bin/mypy --strict pgqrs
	$(PY) tools/gen_sync.py --check
	$(PY) tools/gen_sql.py --check
	$(PY) tools/gen_proxy.py --check

gen: setup ## Regenerate pgqrs/*_sync.py, the SQL scripts from sql/src and the proxy's from sql/proxy
	$(PY) tools/gen_sync.py
	$(PY) tools/gen_sql.py
	$(PY) tools/gen_proxy.py

soak: setup ## Long fault/soak loops (pytest -m slow)
	$(PY) -m pytest tests/py -m slow $(PYTEST_ARGS)

demo: ## Run a workflow, kill -9 it mid-step, resume it in a new process
	@bash scripts/bootstrap.sh --demo
	$(PY) -m pgqrs.demo

bench: setup ## Benchmarks on a throwaway PostgreSQL 15 (or PGQRS_BENCH_DSN): table + bench/results.json
	$(PY) bench/run.py

clean: ## Remove the venv and caches
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

screenshots: setup ## Regenerate the dashboard screenshots of docs/dashboard.md (docs/images/)
	$(PY) tools/screenshots.py
