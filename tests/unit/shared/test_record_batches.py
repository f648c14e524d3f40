"""The outbox relay's record batches put each key in the partition the producer's `send` would."""
from __future__ import annotations

import random

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as kafka_murmur2

from shared.record_batches import murmur2, partition_for

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("partitions", [[0], [0, 1, 2], [0, 1, 2, 3], list(range(12))])
def test_a_key_lands_where_the_default_partitioner_puts_it(partitions):
    rng = random.Random(len(partitions))
    keys = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))) for _ in range(3000)]
    keys += [f"h{i}".encode() for i in range(3000)] + ["talous-ä".encode()]
    assert [partition_for(key, partitions) for key in keys] == \
        [DefaultPartitioner()(key, partitions, partitions) for key in keys]


def test_a_message_without_a_key_goes_to_one_of_the_partitions():
    assert {partition_for(None, [0, 1, 2]) for _ in range(200)} <= {0, 1, 2}


def test_murmur2_is_kafkas():
    rng = random.Random(7)
    keys = [bytes(rng.randrange(256) for _ in range(length)) for length in range(0, 64) for _ in range(50)]
    assert [murmur2(key) for key in keys] == [kafka_murmur2(key) for key in keys]
