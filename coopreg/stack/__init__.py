"""The local development stack: a real Apache Kafka broker and a real PostgreSQL server as processes."""
from __future__ import annotations

from typing import NamedTuple

from coopreg.stack.kafka import KafkaBroker
from coopreg.stack.postgres import PostgresServer
from shared.settings import Settings


class PartStatus(NamedTuple):
    part: str
    running: bool
    address: str


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.kafka = KafkaBroker(settings)
        self.postgres = PostgresServer(settings)

    def up(self, say=print) -> None:
        """Start what is not running; running parts are left alone, so `up` twice is harmless."""
        self.postgres.start(say)
        self.kafka.start(say)

    def down(self, say=print) -> None:
        self.kafka.stop(say)
        self.postgres.stop(say)

    def status(self) -> list[PartStatus]:
        return [PartStatus("kafka", *self.kafka.status()), PartStatus("postgres", *self.postgres.status())]
