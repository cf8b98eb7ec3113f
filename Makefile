# A newcomer needs only `make run` and `make test`; both start with `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-libs run test lint format migrations-check check-deploy audit outdated bench bench-invitations bench-import clean

install: system-libs $(STAMP)

# WeasyPrint (the PDF reports) needs Debian's Pango: installed here when missing, if root.
PANGO_LIBS := libpango-1.0-0 libpangoft2-1.0-0
system-libs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' \
		&& ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && apt-get install -y -qq $(PANGO_LIBS); \
	else \
		echo "PDF reports need Pango: sudo apt-get install $(PANGO_LIBS)"; \
	fi

# The runtime pins and the development tools (tests, ruff, pip-audit, import-linter). A
# production image installs only requirements.lock: pip install -r requirements.lock
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production settings must pass Django's deployment checks with no warning at all.
check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-deploy-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=coprod.example.org COPROD_BASE_URL=https://coprod.example.org \
	COPROD_FIELD_ENCRYPTION_KEY=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Known vulnerabilities in the exact versions pinned in requirements.lock and
# requirements-dev.lock, from PyPI's advisory data (it needs to reach the package index);
# any finding, or a package it cannot check, fails.
audit: install
	$(BIN)/pip-audit -r requirements.lock -r requirements-dev.lock --no-deps --disable-pip \
		--strict --vulnerability-service pypi --progress-spinner off

# What in the locks is behind the package index (the index answers here, where advisory
# data for `make audit` cannot be reached). Each pin is kept at its newest patch release;
# a newer minor or major is taken on purpose, with the tests. textstat is held back on
# purpose (see pyproject.toml); setuptools and pip are the venv's own, not pinned.
outdated: install
	$(BIN)/python -m pip list --outdated --disable-pip-version-check

# Invitations per second through Redis, two Celery workers and aiosmtpd, beside a bare SMTP
# loop, written to bench/invitations-results.md; fails unless each arrives exactly once.
# Needs PostgreSQL (DATABASE_URL, default .../coprod_bench) and Redis (REDIS_URL).
bench-invitations: install
	$(BIN)/python bench/invitations.py --count 10000 --workers 2 --concurrency 2

# A 50,000-row roster CSV checked and imported by a real Celery worker, written to
# bench/import-results.md; fails over 60 s. Needs PostgreSQL (DATABASE_URL, default
# .../coprod_bench_import) and Redis (REDIS_URL).
bench-import: install
	$(BIN)/python bench/import_bench.py --rows 50000

# Pages per second and latency at the large demo's scale against the ceiling (a bare view),
# written to bench/results.md. Needs PostgreSQL and Redis; installs wrk when missing, if root.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) var staticfiles
