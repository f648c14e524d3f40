"""What the cards service answers on its subject endpoint (contracts/subjects.py): whose card or member number
this is, and a person's cards and identifiers."""
from __future__ import annotations

from contracts.subjects import FindPerson, FoundPerson, Part, PartRequest
from services.cards.application.read_person import cards_part, find_by_card_number
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    index_key = settings.secrets.index_key.get_secret_value()

    async def find(conn, query: FindPerson) -> FoundPerson:
        if query.card_number is None:
            return FoundPerson(person_id=None)
        return FoundPerson(person_id=await find_by_card_number(conn, query.card_number, index_key))

    async def part(conn, query: PartRequest) -> Part:
        return Part(sections=await cards_part(conn, query.person_id))

    return {"find": find, "part": part}
