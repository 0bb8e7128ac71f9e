# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
LANGS  := fr uk ar fa

.PHONY: run test test-fast serve migrate demo i18n compile-messages bench clean help

help:
	@echo "make run    create .venv, install, migrate the SQLite database, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install the dev extras and run the whole test suite"
	@echo "make i18n   extract messages, update every catalog, compile"

# The stamp files make re-runs fast: pip runs again only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

compile-messages: | $(BIN)/python
	@for lang in $(LANGS); do \
	  $(BIN)/pybabel -q compile -d locales -l $$lang -i locales/$$lang/LC_MESSAGES/messages.po \
	    || exit 1; \
	done

run: $(VENV)/.installed compile-messages
	$(BIN)/consult migrate
	$(BIN)/consult demo
	$(BIN)/consult serve --host $(HOST) --port $(PORT)

AXE := .cache/npm/node_modules/axe-core/axe.min.js

# axe-core (accessibility checks in the browser tests) comes from the npm registry; without npm those checks skip.
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix .cache/npm --no-save --no-audit --no-fund --silent axe-core@4 ; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

test: $(VENV)/.installed-dev compile-messages $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

i18n: | $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _ -k gettext -k ngettext:1,2 -k pgettext:1c,2 \
	  --no-location --sort-output --omit-header --project=consult -o locales/messages.pot .
	@for lang in $(LANGS); do \
	  if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -w 120 -i locales/messages.pot -d locales -l $$lang; \
	  else \
	    $(BIN)/pybabel -q init -i locales/messages.pot -d locales -l $$lang; \
	  fi; \
	done
	$(MAKE) compile-messages

# Every measuring script in bench/ (figures in the README); http_speed.py needs Debian's wrk.
bench: | $(VENV)/.installed-dev
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/bench_analysis.py
	$(BIN)/python bench/http_speed.py
	$(BIN)/python bench/request_cpu.py
	$(BIN)/python bench/load_respondents.py

clean:
	rm -rf $(VENV) var .pytest_cache
