"""Query: which person, household and cooperative an identifier belonged to at a time, and whether it was
usable then — from the identifier's own history, so later changes never rewrite the answer."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from services.cards.adapters import cards
from services.cards.domain.allocation import AllocationPeriod, periods_from_events, resolve
from shared.db import Connection
from shared.pseudonym import identifier_namespace, keyed_token


async def identifier_at(conn: Connection, kind: Literal["card", "digital_token", "member_number"], value: str,
                        at: datetime, index_key: str) -> AllocationPeriod | None:
    """The period covering `at`; None for an unknown identifier or a time before it was issued."""
    history = await cards.history(conn, keyed_token(identifier_namespace(kind), value, index_key))
    return resolve(periods_from_events(history), at) if history else None
