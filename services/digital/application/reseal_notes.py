"""A one-off step the service runs at start (migration 004): contact-log notes written under the register-wide key
are opened and sealed again under the person's own key, so that an erasure — destroying that key — leaves them
unreadable in every copy, as it does the data customers enter. SQL cannot do it: the keys are the application's.

Chunked (a transaction per chunk, the rows locked and one locked by another instance left to it) and idempotent:
a moved row has no register-wide notes left, so a restart, or a second instance, carries on with what remains and
a run with nothing left ends at once. Notes of a person whose key was destroyed (erased, their rows not deleted
here yet) are dropped: they could only ever be read with the key that must not read them. Notes that do not
open are left where they are and counted in the log (never their content); the step ends when nothing else is
left, and tries them again at the next start."""
from __future__ import annotations

import asyncio

import asyncpg

from services.digital.adapters import store
from services.digital.application.config import DigitalConfig
from shared.crypto import DecryptionFailed
from shared.db import Connection
from shared.logging import get_logger
from shared.subject_keys import SubjectErased

CHUNK = 500
log = get_logger(use_case="reseal_notes")


async def reseal_legacy_notes(pool: asyncpg.Pool, config: DigitalConfig, stop: asyncio.Event,
                              chunk: int = CHUNK) -> dict[str, int]:
    """Move every contact's notes under the person's key; how many were moved, dropped and left unreadable."""
    counts = {"moved": 0, "dropped_erased": 0, "unreadable": 0}
    after = ""
    while not stop.is_set():
        async with pool.acquire() as conn, conn.transaction():
            rows = await store.legacy_notes(conn, after, chunk)
            for row in rows:
                counts[await _move(conn, config, row)] += 1
        if not rows:
            break
        after = rows[-1]["contact_id"]
    if any(counts.values()):
        log.info("contact-log notes moved under the persons' own keys", **counts)
    return counts


async def _move(conn: Connection, config: DigitalConfig, row: asyncpg.Record) -> str:
    person_id, contact_id = row["person_id"], row["contact_id"]
    try:
        notes = config.open_legacy_notes(person_id, contact_id, row["notes_encrypted"])
    except DecryptionFailed:
        return "unreadable"
    try:
        sealed = await config.seal_notes(conn, person_id, contact_id, notes)
    except SubjectErased:
        await store.move_notes(conn, contact_id, None)
        return "dropped_erased"
    await store.move_notes(conn, contact_id, sealed)
    return "moved"


async def run_once_at_start(pool: asyncpg.Pool, config: DigitalConfig, stop: asyncio.Event) -> None:
    """The service's job: the step, then nothing (a job that returns is not started again)."""
    await reseal_legacy_notes(pool, config, stop)
