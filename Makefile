# Storefleet — the two commands of README.md, and the ones around them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BOOT := var/bootstrap
UV := $(BOOT)/bin/uv
PY := $(VENV)/bin/python
PORT ?= 8000
ERP_PORT ?= 8010
# Web, worker and beat find the reference ERP that the Procfile starts on ERP_PORT.
ERP_URL ?= http://127.0.0.1:$(ERP_PORT)/
MANAGE := cd platform && ../$(PY) manage.py
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Python writes the bytecode of what it imports (its default): a shell that says not to
# (PYTHONDONTWRITEBYTECODE=1, as this project's machines do) would have every process the tests,
# the demo and the benchmarks start (Celery workers, the reference ERP's server and queue worker,
# management commands) compile Django, Wagtail and Tryton from source again: about 6 s of a
# core for each Django process, and the suite starts some 160 ERP servers.
unexport PYTHONDONTWRITEBYTECODE
export DJANGO_SETTINGS_MODULE ?= storefleet.settings.local

.PHONY: help install demo test test-infra lint typecheck pytest pytest-embedded migrate messages bench-storefront bench-erp bench-launch bench-ordering bench-portal bench-security bench-api bench-quotes bench-marketing clean

help:
	@echo "make demo   - set up and run the embedded default with demo stores"
	@echo "make test   - every test, ruff and mypy"
	@echo "make test-infra - the infrastructure tests only (Pulumi mocks, moto)"
	@echo "make messages - gather the storefront's strings into the German catalogue and compile it"
	@echo "make bench-storefront - storefront throughput against a trivial view"

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install it and retry, or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check "uv>=0.13,<0.14"

# Installs exactly what uv.lock says (fails if the lock is out of date with pyproject.toml).
$(VENV)/.installed: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

migrate: install
	@mkdir -p var
	$(MANAGE) migrate --noinput

# Every address the platform writes (links, e-mails, the printed URLs) carries PORT: the stores'
# Sites are moved to it (demo_stores), and web and worker build their URLs on it. Its own name:
# honcho gives each process a PORT of its own.
demo: export STOREFLEET_PUBLIC_PORT = $(PORT)
demo: install
	@mkdir -p var
	@echo "== Database: var/storefleet.sqlite3 (migrations)"
	@$(MANAGE) migrate --noinput -v0
	@echo "== Demo stores: launched from brands/ through the provisioning pipeline"
	@$(MANAGE) demo_stores
	@$(MANAGE) collectstatic --noinput -v0
	@echo "== Starting web (:$(PORT)), worker, beat and the reference ERP (:$(ERP_PORT)); Ctrl-C stops them all."
	@echo "   The table of stores, users and addresses follows once the ERP answers"
	@echo "   (its first start builds and seeds it: about two minutes, with progress below)."
	@# honcho ends with 130 or 143 when Ctrl-C stops it: that is the normal way out, not an error.
	@PATH="$(abspath $(VENV))/bin:$$PATH" PORT=$(PORT) ERP_PORT=$(ERP_PORT) ERP_URL=$(ERP_URL) \
	  $(VENV)/bin/honcho -f infra/local/Procfile -d . start; \
	  status=$$?; case $$status in 0|130|143) echo "Storefleet stopped." ;; *) exit $$status ;; esac

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

# The storefront's catalogues (every language under platform/storefleet/locale: de, fr, ja):
# gather every marked string of the storefront into each .po (new ones come in empty, changed
# ones fuzzy: translate them, tests/tenants/test_storefront_languages.py fails until they are),
# then compile the .mo that is committed with it.
messages: install
	cd platform/storefleet && for lang in $$(ls locale); do \
	  PYTHONPATH=.. ../../$(VENV)/bin/django-admin makemessages -l $$lang --no-location && \
	  PYTHONPATH=.. ../../$(VENV)/bin/django-admin compilemessages -l $$lang || exit 1; \
	done

# The suite runs on its own settings (storefleet.settings.test), whatever the shell exports, on
# PYTEST_WORKERS pytest-xdist workers (0: in this process). A module stays on one worker
# (--dist loadfile): its fixtures (a module's own ERP copy) are built once; the costliest
# modules go first (tests/module_costs.json, --no-loadscope-reorder). Each worker has its
# own test database, ERP servers, live servers, folders and, with Redis, its own databases
# (settings/test.py: 3 per worker from the URLs' numbers up, so at most 16 / 3 workers there).
# 0 by default until a whole run on workers has passed here: the fault tests (then 100-order
# bursts, now 40, with a 30 s lease) were seen to refuse an order when the two cores were
# overloaded. .ci/run takes 2 with CI_MODE=xdist.
PYTEST_WORKERS ?= 0
PYTEST_XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),-p no:xdist,-n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)
pytest: install
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=storefleet.settings.test $(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

test: lint typecheck pytest

# The embedded default (SQLite, in-memory broker, local-memory cache), whatever the shell
# exports: what `make test` runs on a newcomer's machine. CI (.ci/run, CI_MODE=xdist) runs it
# after the PostgreSQL and Redis pass on EMBEDDED_TESTS, the tests whose code paths differ
# between the two configurations: the broker (tasks sent in-process and to a worker process,
# shared_broker's filesystem broker and the pool it hands back), the outbox's claims on SQLite's
# locking, the caches; EMBEDDED_TESTS=tests runs every test this way.
EMBEDDED_TESTS ?= tests/core tests/outbox tests/provisioning/test_tasks.py \
  tests/ordering/test_services.py tests/catalog/test_buyer_page_cache.py \
  tests/brand/test_page_cache.py tests/accounts/test_throttle.py \
  tests/ordering/faults/test_order_submission.py::test_a_task_and_its_resend_running_at_the_same_moment_make_one_sale
pytest-embedded: install
	@mkdir -p var
	env -u DATABASE_URL -u CACHE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND \
	  DJANGO_SETTINGS_MODULE=storefleet.settings.test \
	  $(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS) $(EMBEDDED_TESTS)

# Only the infrastructure tests: the Pulumi programs under mocks, the pulumi driver at the
# Automation API boundary, S3 media and CloudFront invalidation against moto on loopback.
test-infra: install
	DJANGO_SETTINGS_MODULE=storefleet.settings.test $(VENV)/bin/pytest tests/infra $(PYTEST_ARGS)

bench-storefront: install
	$(PY) tests/bench/bench_storefront.py

clean:
	rm -rf $(VENV) $(BOOT) var/cache var/celery

bench-erp: install
	$(PY) tests/bench/bench_erp.py

# Needs wrk (apt-get install wrk), like bench-storefront.
bench-launch: install
	$(PY) tests/bench/bench_launch.py

# Uses wrk when installed (else a plain sequential client); PostgreSQL and Redis when
# DATABASE_URL / CELERY_BROKER_URL / CACHE_URL say so, the embedded default otherwise.
bench-ordering: install
	$(PY) tests/bench/bench_ordering.py

# The buyer's portal: queries and p95 of "My orders" with 1,000 orders against the signed-in
# product list, and 8 replayed payment webhooks. wrk when installed, like bench-ordering.
bench-portal: install
	$(PY) tests/bench/bench_portal.py

# The hostile-input suite at its large setting and the walls matrices (tests/hostile).
bench-security: install
	$(PY) tests/bench/bench_security.py

# The partner API: prices by API against the catalog page, order placement against raw ERP calls,
# webhook latency and 1,000 events through an outage, schemathesis cases (tests/bench/bench_api.py).
bench-api: install
	$(PY) tests/bench/bench_api.py

# Quotes: request -> ERP quotation and accept -> ERP-confirmed against raw ERP calls, 100
# acceptances through an ERP outage, price drift between accepted quotes and ERP sales.
bench-quotes: install
	$(PY) tests/bench/bench_quotes.py

# Search engines and leads: a 5,000-product sitemap against a catalog list render, hreflang on
# every demo page, 500 leads through an ERP outage (tests/bench/bench_marketing.py).
bench-marketing: install
	$(PY) tests/bench/bench_marketing.py
