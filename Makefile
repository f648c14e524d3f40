# The two commands of the README: `make demo` and `make test`. Both install what is missing first.
VENV := .venv
COOPREG := $(VENV)/bin/coopreg
PYTEST := $(VENV)/bin/python -m pytest

# The stack the integration and e2e tests run on (tests/support/stack.py, docs/operations.md):
# containers (default: the session's own Kafka and PostgreSQL, built from deploy/images, removed at its end)
# or processes (the local stack of `coopreg stack up`, where no container engine can run).
export COOPREG_TEST_STACK ?= containers
# containers: Docker Engine, debootstrap and docker-compose installed when missing (the tests start dockerd);
# processes: the local stack started.
TEST_STACK_UP = if [ "$(COOPREG_TEST_STACK)" = processes ]; then $(COOPREG) stack up; \
	else ./deploy/bootstrap.sh --engine; fi

.PHONY: setup lint demo test unit integration e2e images stack-up stack-down toxiproxy

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
	@$(TEST_STACK_UP)
	$(PYTEST)

unit: setup
	$(PYTEST) -m unit

integration: setup
	@$(TEST_STACK_UP)
	$(PYTEST) -m integration

e2e: setup
	@$(TEST_STACK_UP)
	$(PYTEST) -m e2e

# The test stack's images (deploy/images), built or reused; the Docker engine started if it is not running.
images: setup
	@./deploy/bootstrap.sh --engine
	$(VENV)/bin/python -m tests.support.engine

stack-up: setup
	$(COOPREG) stack up

stack-down:
	$(COOPREG) stack down

# The fault proxy of `coopreg chaos` (tools/bin/toxiproxy-server, built from its Go module; part of setup).
toxiproxy: setup
