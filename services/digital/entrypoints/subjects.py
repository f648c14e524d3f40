"""What the digital service answers on its subject endpoint (contracts/subjects.py): a person's part."""
from __future__ import annotations

from contracts.subjects import Part, PartRequest
from services.digital.application.config import DigitalConfig
from services.digital.application.read_person import digital_part
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    config = DigitalConfig.from_settings(settings)

    async def part(conn, query: PartRequest) -> Part:
        return Part(sections=await digital_part(conn, query.person_id, config))

    return {"part": part}
