"""The POS fleet and the cards service of a chaos run: records produced in paced waves.

Each wave is sent and flushed under the publishing gate, which the broker faults hold while the broker
is away. A wave that fails is sent again whole; the messages of it that had arrived become extra exact
duplicates, which the register must recognise like any other (they are counted as `resent`).
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from coopreg.chaos.scenario import Message
from shared.kafka import make_producer
from shared.logging import get_logger
from shared.settings import Settings

log = get_logger(component="chaos-publisher")


@dataclass
class Publisher:
    settings: Settings
    gate: asyncio.Lock
    sent: int = 0
    resent: int = 0
    producer: AIOKafkaProducer | None = None

    async def publish(self, messages: list[Message], seconds: float = 0.0, waves_per_second: float = 1) -> None:
        """Publish `messages` in order, spread evenly over `seconds`."""
        if not messages:
            return  # e.g. no late copies: the erased people made no purchase
        waves = max(1, int(seconds * waves_per_second))
        size = -(-len(messages) // waves)
        start = time.monotonic()
        for n, first in enumerate(range(0, len(messages), size)):
            await asyncio.sleep(max(0.0, start + n / waves_per_second - time.monotonic()))
            await self._wave(messages[first:first + size])

    async def _wave(self, wave: list[Message]) -> None:
        attempt = 0
        while True:
            async with self.gate:
                try:
                    await self._send(wave)
                    self.sent += len(wave)
                    return
                except Exception as error:  # noqa: BLE001 - the broker is away: send the wave again
                    attempt += 1
                    self.resent += len(wave)
                    log.warning("wave failed, sending it again", error=type(error).__name__, attempt=attempt)
            await asyncio.sleep(min(2 ** attempt, 10))

    async def _send(self, wave: list[Message]) -> None:
        if self.producer is None:
            self.producer = make_producer(self.settings.kafka, "chaos-publisher")
            await self.producer.start()
        try:
            futures = [await self.producer.send(self.settings.kafka.topic(m.topic), value=m.value, key=m.key,
                                                headers=list(m.headers)) for m in wave]
            await asyncio.wait_for(asyncio.gather(*futures), 60)
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 10)
            except Exception:  # noqa: BLE001 - a producer that lost its broker may fail to stop cleanly
                pass
