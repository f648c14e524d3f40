"""What the consent service answers on its subject endpoint (contracts/subjects.py): a person's blocks and
permissions in force with their receipts, and the marketing segments they are in."""
from __future__ import annotations

from contracts.subjects import Part, PartRequest
from services.consent.application.read_person import consents_part, segments_part
from shared import disclosure_log
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    async def part(conn, query: PartRequest) -> Part:
        return Part(sections={"consents": await consents_part(conn, query.person_id),
                              "segments": await segments_part(conn, query.person_id),
                          "disclosures": await disclosure_log.of_person(conn, query.person_id)})

    return {"part": part}
