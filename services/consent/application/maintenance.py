"""The segment maintenance, a background job of the consent service:

1. a newly defined segment gets its compacted topic first (nothing is placed in a segment before);
2. a segment whose definition changed (or is due for its daily refresh: age bands move with the
   calendar) has everyone evaluated against it, in chunks, each chunk's puts and tombstones committed
   together;
3. a retired segment's members each get a tombstone.

Everything between runs is done by the use cases as changes arrive; this job only catches up with a
definition. Each chunk locks its people, so a change arriving meanwhile is applied before or after, never
lost.
"""
from __future__ import annotations

import asyncio
from functools import partial
from typing import Awaitable, Callable

import orjson

from contracts.events.marketing import segment_topic
from services.consent.adapters import people, segments
from services.consent.application.config import ConsentConfig
from services.consent.application.definitions import from_stored
from services.consent.application.events import event
from services.consent.application.settle import SEGMENT_EVENT_TYPE, place, subject
from shared import outbox
from shared.jobs import periodically
from shared.logging import get_logger

EnsureTopic = Callable[[str], Awaitable[None]]


def _log():
    """Made when used: logging is configured after import, in the composition root."""
    return get_logger(component="segment-maintenance")


async def prepare_topics(pool, ensure_topic: EnsureTopic) -> list[str]:
    async with pool.acquire() as conn:
        names = await segments.waiting_for_topic(conn)
    for name in names:
        await ensure_topic(name)
        async with pool.acquire() as conn:
            await segments.mark_topic_ready(conn, name)
    return names


async def populate(pool, name: str, version: int, config: ConsentConfig) -> int | None:
    """Evaluate everyone against version `version` of segment `name`; return how many people, or None when
    the definition changed meanwhile (the next round starts over)."""
    started, after, evaluated = config.now(), "", 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            row = await segments.defined(conn, name)
            if row["version"] != version or row["retired_at"] is not None:
                return None
            ids = await segments.people_after(conn, after, config.population_chunk)
            if not ids:
                break
            await people.lock(conn, ids)
            definition = from_stored(orjson.loads(row["definition"]))
            for person_id in ids:
                facts, consent, _ = await subject(conn, person_id)
                await place(conn, facts, consent, [definition], None, config)
        after, evaluated = ids[-1], evaluated + len(ids)
    async with pool.acquire() as conn:
        await segments.mark_populated(conn, name, version, started)
    return evaluated


async def drain(pool, name: str, config: ConsentConfig) -> None:
    """A tombstone for every member of retired segment `name`."""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            ids = await segments.members(conn, name, config.population_chunk)
            if not ids:
                return
            await people.lock(conn, ids)
            staged = []
            for person_id in ids:
                pseudonym, _ = (await segments.published(conn, person_id))[name]
                await segments.remove_member(conn, name, person_id)
                staged.append(event(segment_topic(name), SEGMENT_EVENT_TYPE, pseudonym, None, None, "retired"))
            await outbox.add(conn, staged)


async def maintain_once(pool, ensure_topic: EnsureTopic, config: ConsentConfig) -> None:
    await prepare_topics(pool, ensure_topic)
    async with pool.acquire() as conn:
        due = await segments.due_for_population(conn, config.now() - config.refresh_every)
        retired = await segments.retired_with_members(conn)
    for row in due:
        evaluated = await populate(pool, row["name"], row["version"], config)
        _log().info("segment evaluated", segment=row["name"], version=row["version"], people=evaluated)
    for name in retired:
        await drain(pool, name, config)
        _log().info("retired segment emptied", segment=name)


async def run_segment_maintenance(pool, ensure_topic: EnsureTopic, config: ConsentConfig,
                                  stop: asyncio.Event) -> None:
    """Background job: catch up with the definitions now and every `config.maintenance_poll_seconds`."""
    await periodically(stop, config.maintenance_poll_seconds, partial(maintain_once, pool, ensure_topic, config))
