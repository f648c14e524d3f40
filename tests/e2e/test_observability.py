"""A service's health, readiness and metrics endpoint, scraped while it consumes."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from datetime import datetime, timezone

import orjson
import pytest

from contracts.topics import CARD_STATE, POS_PURCHASES, PURCHASES_ACCEPTED
from coopreg.client import RegisterClient
from coopreg.simulate.population import Household, Member, card_states
from coopreg.simulate.receipts import card_number, pos_purchase
from shared.kafka import delete_prefixed_topics
from shared.settings import PROJECT_ROOT
from tests.support.stack import ServiceProcess, eventually, fresh_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def get(port: int, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    raw = (await reader.read()).decode()
    writer.close()
    head, _, body = raw.partition("\r\n\r\n")
    return int(head.split()[1]), body


def metric(body: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in body.splitlines():
        if line.startswith(name + "{") and wanted in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


PREFIX = f"observed-{uuid.uuid4().hex[:6]}."


@pytest.fixture(scope="module")
async def observed(settings):
    """A purchases instance on topics and a database of its own, so that it alone consumes what the test
    sends and relays what it stores (a purchases service of the session would share its outbox)."""
    port = free_port()
    database = f"{settings.pg.database}_observed"
    await fresh_database(settings.model_copy(update={"pg": settings.pg.model_copy(update={"database": database})}))
    process = ServiceProcess("purchases", PROJECT_ROOT / "artifacts" / "logs",
                             env={"COOPREG_METRICS_PORT": str(port), "COOPREG_INSTANCE": "observed",
                                  "COOPREG_KAFKA_TOPIC_PREFIX": PREFIX, "COOPREG_PG_DATABASE": database})
    process.log = process.log.with_name(f"purchases-observed-{port}.log")
    process.start()
    process.wait_ready()
    yield port
    process.stop()
    await delete_prefixed_topics(settings.kafka.model_copy(update={"topic_prefix": PREFIX}))


async def test_health_and_readiness_answer(observed):
    assert await get(observed, "/health") == (200, "ok\n")
    assert await get(observed, "/ready") == (200, "ready\n")
    assert (await get(observed, "/nowhere"))[0] == 404


@pytest.fixture(scope="module")
async def observed_client(settings, observed):
    async with RegisterClient(settings.model_copy(update={"kafka": settings.kafka.model_copy(
            update={"topic_prefix": PREFIX})})) as client:
        yield client


async def test_metrics_move_as_receipts_are_consumed_and_dead_lettered(observed, observed_client):
    client = observed_client
    _, before = await get(observed, "/metrics")
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", card_number(uuid.uuid4().int % 10**9),
                           datetime(2031, 7, 1, tzinfo=timezone.utc), [("grocery", 100)])
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.send_raw(POS_PURCHASES, b"not json")
    await client.flush()

    async def moved():
        _, body = await get(observed, "/metrics")
        return body if metric(body, "coopreg_dead_letters_total") > metric(before, "coopreg_dead_letters_total") \
            and metric(body, "coopreg_messages_consumed_total", consumer="purchases") > 0 else None
    body = await eventually(moved, timeout=30)
    assert "coopreg_outbox_backlog" in body and "coopreg_consumer_lag" in body



def histogram(body: str, name: str, **labels) -> dict:
    """One histogram series: its cumulative buckets by `le`, sum and count."""
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    series = {"buckets": {}, "sum": None, "count": None}
    for line in body.splitlines():
        if not line.startswith(name + "_") or not all(w in line for w in wanted):
            continue
        head, value = line.rsplit(" ", 1)
        if head.startswith(name + "_bucket{"):
            series["buckets"][head.split('le="')[1].split('"')[0]] = float(value)
        elif head.startswith(name + "_sum{"):
            series["sum"] = float(value)
        elif head.startswith(name + "_count{"):
            series["count"] = float(value)
    return series


def assert_well_formed(series: dict) -> None:
    counts = list(series["buckets"].values())
    assert counts and list(series["buckets"])[-1] == "+Inf", series
    assert counts == sorted(counts), f"buckets must be cumulative: {series}"
    assert counts[-1] == series["count"], series


async def test_latency_histograms_move_as_receipts_resolve_and_are_published(settings, observed, observed_client):
    """A receipt for a known card is consumed, resolved and published: the batch latency and event age
    histograms of both consumers and the outbox relay lag move, and the accepted purchase is counted on
    its topic."""
    client = observed_client
    household = Household(f"h-obs-{uuid.uuid4().hex[:8]}", "hok-elanto",
                          (Member(f"p-obs-{uuid.uuid4().hex[:8]}", card_number(uuid.uuid4().int % 10**9),
                                  "cash_card"),), 0)
    (card,) = card_states(household, settings.secrets.index_key.get_secret_value())
    _, before = await get(observed, "/metrics")
    await client.send(CARD_STATE, card.card_token, card)
    await client.flush()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", household.members[0].card,
                           datetime(2031, 7, 2, tzinfo=timezone.utc), [("grocery", 2500)])
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    pos, cards = PREFIX + POS_PURCHASES.name, PREFIX + CARD_STATE.name

    async def published():
        _, body = await get(observed, "/metrics")
        return body if metric(body, "coopreg_events_published_total", topic=PURCHASES_ACCEPTED.name) > \
            metric(before, "coopreg_events_published_total", topic=PURCHASES_ACCEPTED.name) else None
    body = await eventually(published, timeout=30)

    for consumer, topic in (("purchases", pos), ("purchases-cards", cards)):
        batches = histogram(body, "coopreg_batch_processing_seconds", consumer=consumer, topic=topic)
        ages = histogram(body, "coopreg_event_age_seconds", consumer=consumer, topic=topic)
        for series in (batches, ages):
            assert_well_formed(series)
            assert series["count"] >= 1 and series["sum"] > 0, (topic, series)
        assert (histogram(before, "coopreg_event_age_seconds", consumer=consumer, topic=topic)["count"] or 0) \
            < ages["count"], topic
    # the events were a few seconds old at most when applied: the ages land in the low buckets
    ages = histogram(body, "coopreg_event_age_seconds", consumer="purchases", topic=pos)
    assert ages["buckets"]["30.0"] == ages["count"], ages
    lag = histogram(body, "coopreg_outbox_relay_lag_seconds", service="purchases")
    assert_well_formed(lag)
    assert lag["count"] > histogram(before, "coopreg_outbox_relay_lag_seconds", service="purchases")["count"] \
        and lag["buckets"]["30.0"] == lag["count"], lag


async def test_duplicates_conflicts_and_unresolved_receipts_are_visible_to_operators(settings, observed,
                                                                                     observed_client):
    """An exact duplicate and a conflicting one are counted as ignored duplicates; the conflict is logged with
    its receipt id, counted on /metrics and listed by `coopreg purchases conflicts`; the receipt of an
    unknown card is held and counted per outlet and age by `coopreg purchases unresolved`."""
    client, outlet = observed_client, f"OPS{uuid.uuid4().hex[:5].upper()}"
    _, before = await get(observed, "/metrics")
    at = datetime.now(timezone.utc)
    card = card_number(uuid.uuid4().int % 10**9)
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", card, at, [("grocery", 1250)], outlet=outlet)
    conflicting = pos_purchase(receipt.receipt_id, card, at, [("grocery", 999)], outlet=outlet)
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)  # the POS sent it again
    await client.send(POS_PURCHASES, receipt.receipt_id, conflicting)  # same id, other content
    await client.flush()

    def duplicates(body: str) -> float:
        return metric(body, "coopreg_duplicates_ignored_total", consumer="purchases")

    async def counted():
        _, body = await get(observed, "/metrics")
        return body if duplicates(body) - duplicates(before) >= 2 else None
    body = await eventually(counted, timeout=30)
    assert duplicates(body) - duplicates(before) == 2
    assert metric(body, "coopreg_receipt_conflicts") - metric(before, "coopreg_receipt_conflicts") == 1
    assert metric(body, "coopreg_receipts_unresolved", outlet=outlet, age="under_1_day") == 1
    log = (PROJECT_ROOT / "artifacts" / "logs" / f"purchases-observed-{observed}.log").read_text()
    flagged = [line for line in log.splitlines() if "conflicting duplicate receipt flagged" in line]
    assert any(receipt.receipt_id in line for line in flagged), flagged

    env = {**os.environ, "COOPREG_API_SERVICE_URLS": orjson.dumps({"purchases": f"http://127.0.0.1:{observed}"}).decode()}
    listed = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", "from coopreg.cli import main; main()",
                                                      "purchases", "conflicts", "--output", "json"],
                                     capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    conflicts = orjson.loads(listed.stdout)
    mine = [c for c in conflicts["conflicts"] if c["receipt_id"] == receipt.receipt_id]
    assert [c["outlet_id"] for c in mine] == [outlet] and conflicts["conflicts_total"] >= 1
    held = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", "from coopreg.cli import main; main()",
                                                    "purchases", "unresolved", "--output", "json"],
                                   capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=120)
    assert held.returncode == 0, held.stderr
    rows = [u for u in orjson.loads(held.stdout)["unresolved"] if u["outlet_id"] == outlet]
    assert [(u["age"], u["receipts"], u["expired"]) for u in rows] == [("under_1_day", 1, 0)]


async def test_prometheus_scrapes_the_running_service_and_a_query_returns_its_value(observed, tmp_path):
    """Debian's Prometheus, on loopback, with the project's alert rules, scrapes the purchases service:
    the target is up, a query returns the service's readiness and its lag per partition, the rules load."""
    import json
    import shutil
    import subprocess
    import urllib.parse
    import urllib.request

    import yaml

    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: run `make setup` (deploy/bootstrap.sh installs Debian's package)"
    shutil.copy(PROJECT_ROOT / "deploy" / "prometheus" / "rules.yml", tmp_path / "rules.yml")
    config = yaml.safe_load((PROJECT_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["scrape_configs"] = [{"job_name": "coopreg-services", "static_configs": [
        {"targets": [f"127.0.0.1:{observed}"], "labels": {"service": "purchases"}}]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    server = subprocess.Popen([binary, f"--config.file={tmp_path / 'prometheus.yml'}",
                               f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=open(tmp_path / "prometheus.log", "wb"))

    def fetch(path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.read().decode()

    async def query(promql: str) -> list:
        try:
            body = await asyncio.to_thread(fetch, f"/api/v1/query?query={urllib.parse.quote(promql)}")
        except OSError:  # not listening yet
            return []
        return json.loads(body)["data"]["result"]

    try:
        up = await eventually(lambda: query('up{job="coopreg-services"} == 1'), timeout=60)
        assert up[0]["metric"]["instance"] == f"127.0.0.1:{observed}"
        ready = await eventually(lambda: query('coopreg_ready{service="purchases"}'), timeout=30)
        assert ready[0]["value"][1] == "1"
        lag = await eventually(lambda: query('coopreg_consumer_lag{consumer="purchases",topic=~".*pos.purchases.v1"}'),
                               timeout=30)
        assert {series["metric"]["partition"] for series in lag} >= {"0"}
        rss = await query("process_resident_memory_bytes")
        assert float(rss[0]["value"][1]) > 1_000_000
        rules = await asyncio.to_thread(fetch, "/api/v1/rules")
        assert "CoopregConsumerLagHigh" in rules and "CoopregBonusMonthUnpaidPastDeadline" in rules
    finally:
        server.terminate()
        server.wait(30)
