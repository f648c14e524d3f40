# The two commands of the README: `make demo` and `make test`. Both install what is missing first.
VENV := .venv
COOPREG := $(VENV)/bin/coopreg
PYTEST := $(VENV)/bin/python -m pytest

.PHONY: setup lint demo test unit integration e2e stack-up stack-down

setup:
	@./deploy/bootstrap.sh

demo: setup
	$(COOPREG) demo

# The static checks (settings in pyproject.toml), before anything starts: seconds, not minutes.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture

test: lint
	$(COOPREG) stack up
	$(PYTEST)

unit: setup
	$(PYTEST) -m unit

integration: setup
	$(COOPREG) stack up
	$(PYTEST) -m integration

e2e: setup
	$(COOPREG) stack up
	$(PYTEST) -m e2e

stack-up: setup
	$(COOPREG) stack up

stack-down:
	$(COOPREG) stack down
