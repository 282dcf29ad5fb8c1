# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PYBABEL := $(VENV)/bin/pybabel
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install static run test test-fast translations extract compile bench clean

install: $(VENV)/.installed compile static

# Brotli and gzip copies of the static files, served by WhiteNoise (build output, not committed).
static: $(VENV)/.installed
	$(PY) -c "from participation.assets import main; main()"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogues are build output, not committed.
compile: $(VENV)/.installed
	$(PYBABEL) compile -d translations --statistics

extract: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__' -o translations/messages.pot --no-location --sort-output --omit-header .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

translations: extract compile

run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data
	$(FLASK) search reindex
	$(FLASK) run --host $(HOST) --port $(PORT)

# The test OpenID Provider (oidc-provider from npm, pinned by tests/oidc/package-lock.json).
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json

$(OIDC_PROVIDER): tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error

test: install
	.ci/system-packages
	$(MAKE) --no-print-directory $(OIDC_PROVIDER)
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-fast: install $(OIDC_PROVIDER)
	$(PY) -m pytest -q -m "not browser" $(PYTEST_ARGS)

bench: install
	npm ci --prefix bench/lighthouse --no-audit --no-fund --loglevel=error
	$(PY) -m bench $(BENCH_ARGS)
	$(PY) -m bench.letters

clean:
	rm -rf $(VENV) instance/*.sqlite translations/*/LC_MESSAGES/*.mo
