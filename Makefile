# The two commands: `make run` serves the shop, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench migrate migrations demo worker bot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/python -m core migrate
	$(BIN)/python -m core demo-data --if-empty
	$(BIN)/python -m web

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

migrate: $(VENV)/.installed
	$(BIN)/python -m core migrate

# After a model change: write the next migration into core/migrations (commit it).
migrations: $(VENV)/.installed
	mkdir -p var
	$(BIN)/tortoise -c core.db.TORTOISE_ORM makemigrations

worker: $(VENV)/.installed
	$(BIN)/python -m core worker

bot: $(VENV)/.installed
	$(BIN)/python -m bot

clean:
	rm -rf $(VENV) var/*.sqlite3*
