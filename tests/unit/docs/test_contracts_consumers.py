"""The contracts page's topic table names the services that consume each topic, as they are wired: none
missing, none marked planned (\\*) that runs, none named that does not consume it."""
from __future__ import annotations

import re

from services.registry import SERVICES
from shared.kafka import make_broker
from shared.runtime import ServiceContext
from shared.settings import PROJECT_ROOT, Settings

PAGE = PROJECT_ROOT / "docs" / "contracts.md"


def wired_consumers() -> dict[str, set[str]]:
    settings = Settings(kafka={"topic_prefix": ""})
    consumers: dict[str, set[str]] = {}
    for name, service in SERVICES.items():
        ctx = ServiceContext(name, settings, None, None, None, make_broker(settings.kafka, f"{name}-docs"))
        service.wire(ctx)
        for delivery in ctx.deliveries:
            consumers.setdefault(delivery.topic, set()).add(name)
    return consumers


def table_consumers() -> dict[str, list[str]]:
    rows = {}
    for line in PAGE.read_text().splitlines():
        match = re.match(r"\| `([a-z0-9.<>-]+)` \|[^|]*\|[^|]*\|[^|]*\| (.*) \|$", line)
        if match:
            rows[match.group(1)] = [c.split("(")[0].strip() for c in match.group(2).split(",")]
    return rows


def test_every_services_consumer_is_in_the_table_and_none_is_marked_planned():
    table = table_consumers()
    for topic, services in wired_consumers().items():
        assert topic in table, topic
        for service in services:
            assert service in table[topic], f"{topic}: {service} consumes it"
            assert f"{service}\\*" not in table[topic], f"{topic}: {service} runs, it is not planned"


def test_no_service_is_named_as_consumer_of_a_topic_it_does_not_read():
    wired = wired_consumers()
    for topic, named in table_consumers().items():
        if topic.startswith("privacy."):
            continue  # every service's erasure and retention duties, wired by the runtime (ServiceDefinition.privacy)
        for consumer in named:
            service = consumer.rstrip("\\*")
            if service in SERVICES:
                assert service in wired.get(topic, set()), f"{topic}: {service} does not consume it"
