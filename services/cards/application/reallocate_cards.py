"""Use case: a person changed household at acceptance time; all their cards and their member number
follow from then on, never retroactively. A change for one card that breaks a rule rejects it for all."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.card_commands import ReallocateCards
from services.cards.adapters import cards
from services.cards.application.config import CardsConfig
from services.cards.application.publish import save_and_publish
from services.cards.domain.household_change import HouseholdChange, move_cards
from shared.db import Connection


async def reallocate_cards(conn: Connection, command: ReallocateCards, cause: Envelope,
                           config: CardsConfig) -> None:
    change = HouseholdChange(household_id=command.household_id, at=command.accepted_at,
                             cooperative_id=command.cooperative_id, membership_id=command.membership_id)
    moved = move_cards(await cards.of_person(conn, command.person_id), change)
    await save_and_publish(conn, moved, cause)
