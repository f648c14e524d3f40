"""docs/contracts.md's topic table says what the code does: every topic of the registry is in it, and who
publishes and consumes each topic is read from the services themselves, each wired against a broker that is
never started (`coopreg.asyncapi.consumed_topics`), the register API's report consumers included."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from contracts.schemas import SEGMENT_TEMPLATE
from contracts.topics import ALL
from coopreg.asyncapi import consumed_topics, published_topics
from services.register_api.entrypoints.app import report_consumers
from services.registry import SERVICES
from shared.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.unit

CONTRACTS = PROJECT_ROOT / "docs" / "contracts.md"
API = "register API"
PARTIES = (*SERVICES, API)
ROW = re.compile(r"^\| `(?P<topic>[^`]+)` \| (?P<key>[^|]+) \| (?P<cleanup>[^|]+) \| (?P<published>[^|]+) \| "
                 r"(?P<consumed>[^|]+) \|$")


def _parties(cell: str) -> dict[str, bool]:
    """The register's own parties named in a cell, each with whether it is only planned (marked \\*).
    Parenthesised remarks are left out, and an item counts only when it is a party's bare name."""
    named = {}
    for item in re.split(r"[,;]", re.sub(r"\([^)]*\)", "", cell)):
        item = item.strip()
        planned = item.endswith("\\*")
        name = item.removesuffix("\\*").strip()
        if name in PARTIES:
            named[name] = planned
    return named


def _table() -> dict[str, dict]:
    rows = {}
    for line in CONTRACTS.read_text().splitlines():
        if match := ROW.match(line):
            rows[match["topic"]] = {"published": _parties(match["published"]),
                                    "consumed": _parties(match["consumed"])}
    return rows


def _from_code() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    published: dict[str, set[str]] = {}
    consumed: dict[str, set[str]] = {}
    for name, service in SERVICES.items():
        for topic in published_topics(service):
            published.setdefault(topic.name, set()).add(name)
        for topic in consumed_topics(service).values():
            consumed.setdefault(topic, set()).add(name)
    settings = Settings(kafka={"topic_prefix": ""})
    api = report_consumers(SimpleNamespace(settings=settings, own=None), producer=None)
    for delivery in api.deliveries:
        consumed.setdefault(delivery.topic, set()).add(API)
    return published, consumed


def test_every_registry_topic_has_a_row_and_every_row_a_topic():
    registry = {topic.name for topic in ALL} | {SEGMENT_TEMPLATE.name}
    assert set(_table()) - {"<topic>.dlq"} == registry


def test_the_consumers_in_the_table_are_the_subscriptions_in_the_code():
    _published, consumed = _from_code()
    table = _table()
    for topic, row in table.items():
        running = {party for party, planned in row["consumed"].items() if not planned}
        planned = {party for party, is_planned in row["consumed"].items() if is_planned}
        assert running == consumed.get(topic, set()), topic
        assert not planned & consumed.get(topic, set()), f"{topic}: a planned consumer runs: drop its \\*"
    assert set(consumed) <= set(table), "a topic consumed in the code is missing from the table"


def test_the_publishers_in_the_table_are_the_publishers_in_the_code():
    published, _consumed = _from_code()
    table = _table()
    for topic, parties in published.items():
        assert parties <= set(table[topic]["published"]), topic
    for topic, row in table.items():
        services = {party for party in row["published"] if party in SERVICES}
        assert services <= published.get(topic, set()), topic


def test_the_table_reader_sees_planned_and_running_parties():
    """The parsing above can tell the cases apart (so the comparisons can fail)."""
    assert _parties("bonus\\*, cards, S-Bank (`coopreg x`), register API") == {
        "bonus": True, "cards": False, "register API": False}
