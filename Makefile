# The two commands of the quick start: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)

.PHONY: run test setup lint format messages screenshots clean

$(STAMP): pyproject.toml package.json package-lock.json $(PO_FILES) scripts/bootstrap
	VENV=$(VENV) scripts/bootstrap

setup: $(STAMP)

## Serve the platform with demo data at http://127.0.0.1:$(PORT) (`make run PORT=8080`)
PORT ?= 8000
run: $(STAMP)
	$(PY) -m consult.infra.run --port $(PORT)

## Run the whole test suite, one worker per core (real Redis; browser tests when Chromium is present)
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

## Screenshots of the main pages for every role, language and width, in var/screenshots/
screenshots: $(STAMP)
	CONSULT_SCREENSHOTS=var/screenshots $(PY) -m pytest tests/e2e/test_pages_audit.py -p no:cacheprovider -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## Refresh the translation catalogues from the source (needs GNU gettext)
messages: $(STAMP)
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py makemessages --locale zh_Hans --domain djangojs --ignore '.venv/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache
