"""The cards service's part of erasure (called by the register API): when a person is erased, their cards,
the cards' event history and their identifiers go. Cards have no period of their own: they are kept while
the customer relationship lasts (seed §11 erases them with the relationship)."""
from __future__ import annotations

from services.cards.adapters import retention


async def erase_person(conn, person_id: str) -> dict[str, int]:
    return {"rows": await retention.of_person(conn, person_id)}
