# Two commands do everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: worker run serve test install install-dev migrate seed lint format check-deploy browser clean bench bench-tools fuzz-api

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## Run the product on the embedded default (SQLite unless DATABASE_URL says otherwise), with demo data:
## the web server, a Celery worker and beat together (honcho, Procfile.dev); one Ctrl-C stops them all.
run: seed
	@echo "Serving on http://$(HOST):$(PORT)/ with a fulfilment worker  (Ctrl-C stops everything)"
	mkdir -p var
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

## The production topology (Procfile: gunicorn, worker, control worker, beat) with DEBUG=0. Needs
## SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL (README, "Production topology").
serve: migrate
	DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	mkdir -p var
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=0 HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/honcho -f Procfile start

## One worker with beat on the configured broker (CELERY_BROKER_URL or REDIS_URL), without the web server.
worker: install
	mkdir -p var
	$(VENV)/bin/celery -A ordersite worker --beat --schedule var/celerybeat-schedule --queues control,orders -l info

## Chromium for the browser tests comes from Debian; Playwright's own download cannot work here.
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y chromium >/dev/null 2>&1 || { $$SUDO apt-get update >/dev/null && $$SUDO apt-get install -y chromium >/dev/null; }; }

## Run every test (unit, integration, admin, browser) on two processes.
test: install-dev browser
	$(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest -n 2 --create-db $(PYTEST_ARGS)

## Benchmarks on the local PostgreSQL, not part of the tests: `make bench` (1,000,000 orders) or `make bench ORDERS=N`.
ORDERS ?= 1000000
bench: install-dev bench-tools
	bash .ci/services
	$(PY) -m tests.benchmarks.run --orders $(ORDERS) $(BENCH_ARGS)

## wrk (the load generator) and pgbench come from Debian's packages.
bench-tools:
	@command -v wrk >/dev/null 2>&1 && command -v pgbench >/dev/null 2>&1 || { \
		echo "Installing wrk and pgbench"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		PG=postgresql-$$(ls /etc/postgresql 2>/dev/null | head -n 1); \
		$$SUDO apt-get install -y wrk $$PG >/dev/null 2>&1 || { $$SUDO apt-get update >/dev/null && $$SUDO apt-get install -y wrk $$PG >/dev/null; }; }

## schemathesis (all checks) against every TMF API of a running server, e.g. started with
## `API_THROTTLE_RATE=off make run` (the throttle would answer 429s instead); schemathesis.toml says the rest.
## It has a venv of its own, so its pytest plugin and its hypothesis stay out of `make test`.
ST_VENV := .venv-schemathesis
ST_EXAMPLES ?= 50
TMF_APIS := productOrderingManagement:demo-api-token customerManagement:demo-api-token \
	productInventory:demo-api-token productOfferingQualification:demo-api-token \
	productCatalogManagement:demo-catalog-token
fuzz-api:
	test -x $(ST_VENV)/bin/st || { $(PYTHON) -m venv $(ST_VENV) && $(ST_VENV)/bin/pip install --quiet schemathesis==4.32.5; }
	@failed=0; for api in $(TMF_APIS); do \
		echo "== $${api%%:*}"; \
		$(ST_VENV)/bin/st run "http://$(HOST):$(PORT)/tmf-api/schema?format=json" --url http://$(HOST):$(PORT) \
			-H "Authorization: Bearer $${api#*:}" --include-path-regex "/$${api%%:*}/" \
			--checks all -n $(ST_EXAMPLES) -w 1 || failed=1; \
	done; exit $$failed

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## A deployment's settings, checked: here with throwaway secrets for the site and each downstream system
## (orders.FulfilmentStep.System), and with the simulators allowed, as CI has no real downstream systems.
DOWNSTREAM_SYSTEMS := LOGISTICS FIELD_SERVICE NETWORK BILLING DESIGN
RANDOM_SECRET = $$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')
check-deploy: install
	DEBUG=0 SECRET_KEY=$(RANDOM_SECRET) ALLOWED_HOSTS=example.com ALLOW_SIMULATORS=1 \
		$(foreach system,$(DOWNSTREAM_SYSTEMS),FULFILMENT_CALLBACK_SECRET_$(system)=$(RANDOM_SECRET)) \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles .pytest_cache .ruff_cache
