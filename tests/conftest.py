"""Test tiers by folder: unit (pure), integration (real PostgreSQL), e2e (real Kafka + PostgreSQL).

Integration and e2e tests run on the stack COOPREG_TEST_STACK names (tests/support/stack.py): `containers`
(default: this session's own Kafka and PostgreSQL in containers, removed at its end) or `processes` (the
local stack, `coopreg stack up`), in a database of their own and under a topic prefix unique to the
session, so they never touch the demo's data. Tests marked `compose` need a Docker engine and
docker-compose: they run on the container stack, or on processes where an engine answers, and are
deselected (not skipped) elsewhere.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("COOPREG_PG_DATABASE", "coopreg_test")
os.environ.setdefault("COOPREG_KAFKA_TOPIC_PREFIX", f"test-{uuid.uuid4().hex[:8]}.")
# The tests close the months they mean to close; the scheduled close has tests of its own.
os.environ.setdefault("COOPREG_BONUS_SCHEDULED_CLOSE", "false")

TIERS = ("unit", "integration", "e2e")


def _engine_available() -> bool:
    from tests.support.engine import engine_answers
    from tests.support.stack import test_stack

    # On containers the session starts the engine itself (deploy/bootstrap.sh installed it).
    return test_stack() == "containers" or (shutil.which("docker-compose") is not None and engine_answers())


def pytest_collection_modifyitems(config, items):
    for item in items:
        tier = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if tier in TIERS and not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
    needing_engine = [item for item in items if item.get_closest_marker("compose")]
    if needing_engine and not _engine_available():
        config.hook.pytest_deselected(items=needing_engine)
        items[:] = [item for item in items if not item.get_closest_marker("compose")]
        config.stash[NO_ENGINE] = len(needing_engine)


NO_ENGINE = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(NO_ENGINE, 0):
        terminalreporter.write_line(f"{config.stash[NO_ENGINE]} compose test(s) deselected: no Docker engine or "
                                    "docker-compose here (COOPREG_TEST_STACK=containers brings them up)")


def pytest_sessionfinish(session):
    from tests.support.stack import stop_stack

    stop_stack()
