"""The operator's toolbox on the real stack: `coopreg kafka topics | groups | dlq` through Kafka's admin
API, and the CLI's answers to a mistyped topic, an unknown household and services that are down: one
sentence, a non-zero exit, at once."""
from __future__ import annotations

import json
import time

import pytest

from contracts.envelope import Envelope
from contracts.topics import CARD_STATE, POS_PURCHASES
from coopreg.client import read_topic
from shared.dead_letters import dlq_topic
from tests.e2e.cli import coopreg, one_json, table_text
from tests.support.people import unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


def _sentence(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


async def test_kafka_topics_shows_partitions_cleanup_and_retention_like_kcat(settings, monkeypatch):
    result = await coopreg("kafka", "topics", "--output", "json")
    assert result.returncode == 0, result.stderr
    topics = {t["name"]: t for t in json.loads(result.stdout)}
    pos, cards = topics[POS_PURCHASES.name], topics[CARD_STATE.name]
    assert pos["partitions"] == settings.kafka.partitions and pos["cleanup"] == "delete"
    assert pos["retention_ms"] == POS_PURCHASES.retention_ms
    assert cards["cleanup"] == "compact" and cards["retention_ms"] is None
    assert topics[dlq_topic(POS_PURCHASES.name)]["partitions"] == 1
    assert not any(name.startswith(settings.kafka.topic_prefix) for name in topics)  # shown without the prefix
    monkeypatch.setenv("COLUMNS", "200")  # a terminal wide enough for the names
    table = await coopreg("kafka", "topics")
    assert POS_PURCHASES.name in table.stdout and "for ever" in table.stdout


async def test_kafka_groups_and_dlq_show_lag_per_partition_and_dead_letters_by_reason(client):
    key = unique("bad")
    await client.send_raw(POS_PURCHASES, b"{not json", key.encode(),
                          Envelope(source="test/kafka-cli", type=POS_PURCHASES.event_type).headers())
    await client.flush()

    async def dead_lettered():
        records = await read_topic(client.settings, dlq_topic(POS_PURCHASES.name), timeout=5)
        return [r for r in records if r.key == key.encode()]
    await eventually(dead_lettered, timeout=60)

    result = await coopreg("kafka", "dlq", "-o", "json")
    assert result.returncode == 0, result.stderr
    queues = {q["topic"]: q for q in json.loads(result.stdout)}
    assert queues[POS_PURCHASES.name]["dead_letters"] >= 1
    assert queues[POS_PURCHASES.name]["reasons"]["not_json"] >= 1
    assert set(queues) >= {CARD_STATE.name, POS_PURCHASES.name}  # every DLQ, the empty ones too

    listed = one_json(await coopreg("dlq", "list", POS_PURCHASES.name, "-o", "json"))
    assert listed["dead_letters"] >= 1 and listed["reasons"]["not_json"] >= 1
    latest = listed["latest"][-1]
    shown = one_json(await coopreg("dlq", "show", POS_PURCHASES.name, str(latest["offset"]), "--output", "json"))
    assert (shown["offset"], shown["reason"]) == (latest["offset"], latest["reason"]) and shown["value"] is None
    assert "not_json" in table_text(await coopreg("dlq", "list", POS_PURCHASES.name))
    assert "reason" in table_text(await coopreg("dlq", "show", POS_PURCHASES.name, str(latest["offset"])))

    result = await coopreg("kafka", "groups", "-o", "json")
    assert result.returncode == 0, result.stderr
    groups = {g["group"]: g for g in json.loads(result.stdout)}
    purchases = groups["purchases"]
    partitions = [p for p in purchases["partitions"] if p["topic"] == POS_PURCHASES.name]
    assert len(partitions) == client.settings.kafka.partitions
    assert purchases["members"] >= 1 and all(p["member"] for p in partitions)
    assert all(p["lag"] == p["end"] - (p["committed"] or 0) >= 0 for p in partitions)
    assert sum(p["end"] for p in partitions) >= 1


async def test_dlq_list_of_a_topic_that_does_not_exist_is_answered_at_once():
    began = time.monotonic()
    result = await coopreg("dlq", "list", "no.such.topic")
    assert result.returncode == 1
    assert "there is no topic no.such.topic" in _sentence(result)
    assert time.monotonic() - began < 30  # it was 41 s of reading before an aiokafka error


async def test_an_unknown_household_exits_non_zero():
    result = await coopreg("bonus", "explain", unique("h-nobody"), "2025-01")
    assert result.returncode == 1
    assert "no such household" in _sentence(result)


async def test_simulate_traffic_with_the_services_down_says_so_before_it_waits(settings, monkeypatch):
    # A prefix no service consumes: the running services are not "up" for it.
    monkeypatch.setenv("COOPREG_KAFKA_TOPIC_PREFIX", f"{settings.kafka.topic_prefix}idle.")
    began = time.monotonic()
    result = await coopreg("simulate", "traffic", "--seconds", "1", "--households", "2")
    assert result.returncode == 1
    line = _sentence(result)
    assert "the purchases service is not consuming" in line and "coopreg services up" in line
    assert time.monotonic() - began < 60  # not the 120 s wait for cards that nobody reads
