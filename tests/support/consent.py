"""Driving the consent use cases on the real PostgreSQL, as the delivery pipeline does (one transaction per
call), and reading a segment topic as compaction would keep it from the outbox rows."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import orjson

from contracts.envelope import Envelope
from contracts.events.consent import ConsentCommand, DefineSegment, SetBlock, SetPermission
from contracts.events.marketing import segment_topic
from contracts.events.membership_states import PersonState
from services.consent.application.commands import handle_commands
from services.consent.application.maintenance import populate, prepare_topics
from services.consent.application.membership_events import apply_person_states
from shared.delivery import Incoming
from tests.support.factories import incoming

T0 = datetime(2030, 4, 1, 9, 0, tzinfo=timezone.utc)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def person_state(person_id: str, version: int = 1, **changes) -> PersonState:
    fields = dict(person_id=person_id, version=version, customer_kind="owner_customer", language="fi",
                  deceased=False, marketing_prohibition=False, sbank_customer=False, staff_discount=False,
                  household_id=None, cooperative_id="hok-elanto", address_protection=False,
                  home_municipality="091", birth_year=1980)
    return PersonState(**{**fields, **changes})


def permission(person_id: str, minutes: float, granted: bool = True, channel: str = "email",
               source: str = "self_service") -> ConsentCommand:
    return ConsentCommand(SetPermission(person_id=person_id, channel=channel, granted=granted, source=source,
                                        collection_point="s-mobiili", at=T0 + timedelta(minutes=minutes)))


def block(person_id: str, name: str, minutes: float, blocked: bool = True, source: str = "self_service",
          actor: str = "customer") -> ConsentCommand:
    return ConsentCommand(SetBlock(person_id=person_id, block=name, blocked=blocked, source=source, actor=actor,
                                   collection_point="oma-s-kanava", at=T0 + timedelta(minutes=minutes)))


def segment(name: str, purpose: str = "marketing", channel: str = "email", **fields) -> ConsentCommand:
    return ConsentCommand(DefineSegment(name=name, purpose=purpose, channel=channel, defined_at=T0, **fields))


async def commands(pool, config, *items) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await handle_commands(conn, [incoming(item) for item in items], config)


async def person_states(pool, config, *states: PersonState | str) -> None:
    """Person states, or a person id alone for the tombstone of their erasure."""
    async with pool.acquire() as conn, conn.transaction():
        await apply_person_states(conn, [tombstone(s) if isinstance(s, str) else incoming(s) for s in states],
                                  config)


def tombstone(person_id: str) -> Incoming:
    envelope = Envelope(source="coopreg/membership", type="coopreg.PersonState")
    return Incoming(record=SimpleNamespace(key=person_id.encode()), envelope=envelope, data=None)


async def defined(pool, config, command: ConsentCommand) -> None:
    """Define a segment and let the maintenance make it live (its topic taken as created) and evaluate all."""
    await commands(pool, config, command)

    async def topic_made(name: str) -> None:
        return None
    await prepare_topics(pool, topic_made)
    name = command.root.name
    version = await pool.fetchval("SELECT version FROM segment_definitions WHERE name = $1", name)
    await populate(pool, name, version, config)


async def segment_view(pool, name: str) -> dict[str, dict]:
    """What a consumer reading the segment's topic from the beginning sees: the latest value per key."""
    rows = await pool.fetch("SELECT key, value FROM outbox WHERE topic = $1 ORDER BY seq", segment_topic(name))
    view: dict[str, dict] = {}
    for row in rows:
        key = row["key"].decode()
        if row["value"] is None:
            view.pop(key, None)
        else:
            view[key] = orjson.loads(row["value"])
    return view


async def outbox_values(pool, topic: str, key: str) -> list[dict | None]:
    rows = await pool.fetch("SELECT value FROM outbox WHERE topic = $1 AND key = $2 ORDER BY seq", topic,
                            key.encode())
    return [orjson.loads(r["value"]) if r["value"] is not None else None for r in rows]
