"""docs/kafka-history.md is true to the topic registry: every topic has its row, with the cleanup policy
and retention the broker is given, and an answer to how an erasure reaches it."""
from __future__ import annotations

import pytest

from contracts.topics import ALL, DAY_MS, Topic, marketing_segment
from shared.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

DOC = PROJECT_ROOT / "docs" / "kafka-history.md"
WAYS = ("tombstone", "republished without the person", "sealed", "expiry", "nothing to erase")


def kept(topic: Topic) -> str:
    return "for ever" if topic.retention_ms < 0 else f"{topic.retention_ms // DAY_MS} days"


def rows() -> dict[str, list[str]]:
    table = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    return {cells[0].strip("`"): cells[1:] for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in table)}


@pytest.mark.parametrize("topic", [*ALL, marketing_segment("name")], ids=lambda t: t.name)
def test_every_topic_has_its_row_with_the_configured_cleanup_retention_and_erasure(topic):
    name = "marketing.segment.<name>.v1" if topic.name.startswith("marketing.segment.") else topic.name
    cleanup, retention, personal_data, erasure = rows()[name]
    assert (cleanup, retention) == (topic.configs()["cleanup.policy"], kept(topic))
    assert personal_data and any(way in erasure for way in WAYS), name
    if topic.retention_ms < 0:  # kept for ever: only a tombstone or a new value takes the person out
        assert "tombstone" in erasure or "republished" in erasure, name


def test_the_doc_names_no_topic_the_registry_does_not_have():
    known = {t.name for t in ALL} | {"marketing.segment.<name>.v1", "<topic>.dlq"}
    assert set(rows()) == known
