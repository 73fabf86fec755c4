# Duban: `make run` to try it, `make test` to test it. Only python3.11 and make are needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint bench soak load demo migrate clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py rundev

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The edit loop: everything but the tests that start processes or a browser.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

# ruff (lint and format), migrations in step with the models, mypy (the Django side against .ci/mypy-baseline.txt;
# the parser, gazette/, fully typed under --strict).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python .ci/mypy_baseline.py
	$(BIN)/python -m mypy --strict gazette

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# A simulated month of reminders on the seeds with injected faults, through the real send path to
# an SMTP sink; prints e-mails expected / received / duplicated / lost / outside sending hours.
# PostgreSQL (a throwaway test_<name> database); about 25 minutes on 2 cores, so not in `make bench`.
SOAK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/duban_soak
soak: $(STAMP)
	DATABASE_URL=$(SOAK_DATABASE_URL) $(BIN)/python bench/soak_reminders.py

# 50 users against gunicorn for 60 s, on a fresh database of its own (by hand, not CI):
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban make load LOAD_ARGS="--duration 60"
load: $(STAMP)
	$(BIN)/python bench/load_test.py $(LOAD_ARGS)

clean:
	rm -rf var/broker var/test-duban.sqlite3 .pytest_cache
