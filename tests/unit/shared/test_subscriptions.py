"""How `ServiceContext.subscribe` configures the Kafka consumers it hangs on the broker (no broker needed:
FastStream keeps a subscriber's consumer settings until it starts)."""
from __future__ import annotations

from faststream.kafka import KafkaBroker

from contracts.topics import CARD_STATE, POS_PURCHASES
from shared.runtime import ServiceContext
from shared.settings import DeliverySettings, Settings


def consumer_settings(delivery: DeliverySettings, topic) -> dict:
    broker = KafkaBroker("127.0.0.1:9")
    ctx = ServiceContext("purchases", Settings(delivery=delivery), pool=None, producer=None, dead_letters=None,
                         broker=broker)

    async def handler(conn, messages) -> None:
        return None

    ctx.subscribe(topic, handler)
    return broker.subscribers[-1]._connection_args


def test_consumers_heartbeat_as_configured_so_a_new_instance_joins_its_groups_quickly():
    # Kafka's default is 3 s: a second instance of a service joins its groups one after another, each
    # waiting for every other instance's next heartbeat.
    assert consumer_settings(DeliverySettings(), CARD_STATE)["heartbeat_interval_ms"] == 500
    slower = consumer_settings(DeliverySettings(heartbeat_interval_ms=1200), POS_PURCHASES)
    assert slower["heartbeat_interval_ms"] == 1200


def test_a_bulk_topic_waits_for_bigger_fetches_and_the_others_answer_at_once():
    delivery = DeliverySettings()
    bulk, quiet = consumer_settings(delivery, POS_PURCHASES), consumer_settings(delivery, CARD_STATE)
    assert (bulk["fetch_min_bytes"], bulk["fetch_max_wait_ms"]) == (delivery.fetch_min_bytes,
                                                                     delivery.fetch_max_wait_ms)
    assert (quiet["fetch_min_bytes"], quiet["fetch_max_wait_ms"]) == (1, delivery.quiet_fetch_max_wait_ms)
