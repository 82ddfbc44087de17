# teambalance: `make run` serves the demo, `make test` runs every test.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 3

.PHONY: run test lint superuser bench screenshots clean

# A virtualenv with the right Python, created once.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "teambalance needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# A secret key made on this machine and kept there (var/ is not in git).
var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

# Plain HTTP on 127.0.0.1 (HTTPS=false); put it behind TLS for anything public.
MANAGE = SECRET_KEY="$$(cat var/secret_key)" HTTPS="$${HTTPS:-false}" $(BIN)/python manage.py

run: $(VENV)/.runtime var/secret_key
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_demo --if-empty
	@echo
	@if [ -f var/demo-api-key ]; then echo "Demo API key (admin scope, demo guild only): $$(cat var/demo-api-key)"; fi
	@echo "Create an admin user for /admin/:  make superuser"
	@echo "Serving on http://127.0.0.1:$(PORT)  (API docs: /api/docs/)"
	@echo
	SECRET_KEY="$$(cat var/secret_key)" HTTPS="$${HTTPS:-false}" \
		$(BIN)/gunicorn teambalance.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile -

superuser: $(VENV)/.runtime var/secret_key
	$(MANAGE) createsuperuser

test: $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.dev
	$(BIN)/python bench/balance.py
	$(BIN)/python bench/replay.py

# Screenshots of the demo for the README: a throwaway database, a real server, Chromium.
SHOTS_DB = DATABASE_URL=sqlite:///$(CURDIR)/var/screenshots.sqlite3
screenshots: $(VENV)/.dev var/secret_key
	rm -f var/screenshots.sqlite3*
	$(SHOTS_DB) $(MANAGE) migrate --noinput --verbosity 0
	$(SHOTS_DB) $(MANAGE) collectstatic --noinput --verbosity 0
	$(SHOTS_DB) $(MANAGE) load_demo --no-key
	$(SHOTS_DB) SECRET_KEY="$$(cat var/secret_key)" HTTPS=false \
		$(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) var
