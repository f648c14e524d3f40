"""What the purchases service answers on its subject endpoint (contracts/subjects.py): a person's receipts."""
from __future__ import annotations

from shared.settings import Settings
from contracts.subjects import Part, PartRequest
from services.purchases.application.read_person import purchases_part


def answers(settings: Settings) -> dict:
    async def part(conn, query: PartRequest) -> Part:
        return Part(sections={"purchases": await purchases_part(conn, query.person_id)})

    return {"part": part}
