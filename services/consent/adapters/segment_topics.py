"""Each segment's compacted topic is created before anything is published on it: the broker does not
create topics on first use, and a topic made that way would not be compacted."""
from __future__ import annotations

from contracts.topics import marketing_segment
from shared.kafka import ensure_topics
from shared.settings import KafkaSettings


class SegmentTopics:
    def __init__(self, kafka: KafkaSettings) -> None:
        self.kafka = kafka

    async def ensure(self, name: str) -> None:
        await ensure_topics(self.kafka, (marketing_segment(name),))
