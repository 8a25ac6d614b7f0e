# Greenlight — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_NUM_THREADS ?= 1
export PYTHONUNBUFFERED := 1

# Tests use their own Redis database and PostgreSQL test database, so a running `make run` is untouched.
TEST_ENV := REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/9} CHANNELS_PREFIX=gl-test DATA_DIR=$(CURDIR)/var/test

.PHONY: setup migrate demo run test test-fast test-python test-e2e lint bench chaos load clean-test

setup:
	@deploy/bootstrap.sh

migrate: setup
	@$(PY) manage.py migrate --noinput -v0

demo: migrate
	@frontend/scripts/task.sh build
	@$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py build_demo_model
	@$(PY) manage.py provenance_ca
	@$(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "  Greenlight is starting on http://127.0.0.1:$(PORT)/   (API docs: /api/docs/, health: /healthz)"
	@echo "  Demo logins (password greenlight-demo): producer@northlight.test, supervisor@northlight.test,"
	@echo "  artist@northlight.test, client@northlight.test, producer@harbor.test, agent@crescent.test"
	@echo ""
	GREENLIGHT_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

# tests/deploy checks deploy/compose.yaml with Debian's docker-compose (no Docker engine needed) and
# renders the Kubernetes manifests with the machine's kubectl (docs/OPERATIONS.md, "Checked in CI").
test: setup
	@EXTRA_APT="docker-compose" deploy/bootstrap.sh
	$(TEST_ENV) $(PY) manage.py build_demo_model --no-register
	$(TEST_ENV) $(PY) manage.py provenance_ca
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(PY) -m pytest tests --ignore=tests/e2e --ignore=tests/bench -p no:cacheprovider
	frontend/scripts/task.sh unit
	@$(MAKE) --no-print-directory test-e2e

# The fast loop while working: every test that starts no process (no Celery worker, no web server,
# no browser, no fault suite, no whole-API fuzzing), on the same PostgreSQL and Redis, in two
# pytest-xdist processes, each with its own test database, Redis database, channel prefix and media
# folder (tests/support/parallel.py). Markers come from tests/conftest.py (`slow`, `worker`, `e2e`,
# `chaos`); `make test` still runs everything, in one process. Figure: docs/PERFORMANCE.md.
test-fast: setup
	@EXTRA_APT="docker-compose" deploy/bootstrap.sh
	$(TEST_ENV) $(PY) manage.py build_demo_model --no-register
	$(TEST_ENV) $(PY) -m pytest tests --ignore=tests/e2e --ignore=tests/bench -m "not slow" -q -p no:cacheprovider -p tests.support.parallel -n 2 --dist worksteal

# Browser tests: Debian's Chromium driven by Playwright against a live server and a real worker, in
# their own pytest invocation (sync Playwright must not share a process with asyncio tests).
# Screenshots land in test-artifacts/screenshots/ (see docs/FRONTEND.md).
test-e2e: setup
	@EXTRA_APT="chromium" deploy/bootstrap.sh
	@frontend/scripts/task.sh build
	$(TEST_ENV) $(PY) -m pytest tests/e2e -p no:cacheprovider

# ruff, the import contracts of pyproject.toml (import-linter), then ESLint and the TypeScript check.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	frontend/scripts/task.sh lint

bench: migrate
	$(PY) tests/bench/run_all.py

# The fault suite at full scale (docs/OPERATIONS.md, "Fault suite"): render worker killed 20 times,
# media worker killed mid-transcode, a private Redis restarted under WebSocket clients, PostgreSQL
# sessions killed and a private PostgreSQL cluster restarted during writes. `make test` runs the
# bounded subset (tests/chaos/test_*.py at the default scale). Figures: var/chaos/report.jsonl.
chaos: setup
	$(TEST_ENV) $(PY) manage.py build_demo_model --no-register
	@mkdir -p var/chaos && rm -f var/chaos/report.jsonl
	$(TEST_ENV) CHAOS_SCALE=full $(PY) -m pytest tests/chaos -o python_files="test_*.py chaos_*.py" -p no:cacheprovider -v
	$(PY) tests/chaos/report.py

# 200 simulated reviewers + 10 concurrent renders with locust against a throwaway database, a private
# Redis and the Procfile's processes (loopback only, LOAD_DURATION seconds). Figures: var/load/summary.md.
LOAD_DURATION ?= 120
load: setup
	$(PY) tests/load/run.py --duration $(LOAD_DURATION)
