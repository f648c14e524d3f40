"""Test tiers by folder: unit (pure), integration (real PostgreSQL), e2e (real Kafka + PostgreSQL).

Tests run against the local stack (`coopreg stack up`, which `make test` runs first) in a database of
their own and under a topic prefix unique to the session, so they never touch the demo's data.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("COOPREG_PG_DATABASE", "coopreg_test")
os.environ.setdefault("COOPREG_KAFKA_TOPIC_PREFIX", f"test-{uuid.uuid4().hex[:8]}.")
# The tests close the months they mean to close; the scheduled close has tests of its own.
os.environ.setdefault("COOPREG_BONUS_SCHEDULED_CLOSE", "false")

TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items):
    for item in items:
        tier = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if tier in TIERS and not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))
