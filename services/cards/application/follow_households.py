"""Reaction: when the membership service publishes a household, its members' cards follow it — from the
time a member joined (accepted the invitation), and out of it from the time they left or it dissolved.

States of different households arrive in no guaranteed order (leaving one, joining another), so a
change older than a card's last change is stale and skipped rather than applied backwards in time.
"""
from __future__ import annotations

from typing import cast

from contracts.events.membership_states import HouseholdMember, HouseholdState
from services.cards.adapters import cards
from services.cards.application.publish import save_and_publish
from services.cards.domain.household_change import HouseholdChange, move_cards
from shared.db import Connection
from shared.delivery import Incoming


def change_for(state: HouseholdState, member: HouseholdMember) -> HouseholdChange:
    if member.left_at is None:
        return HouseholdChange(household_id=state.household_id, at=member.joined_at,
                               cooperative_id=state.cooperative_id, membership_id=state.membership_id)
    return HouseholdChange(household_id=None, at=member.left_at, cooperative_id=None, membership_id=None)


async def when_household_changes_cards_follow(conn: Connection, messages: list[Incoming]) -> None:
    states = [cast(HouseholdState, m.data) for m in messages if m.data is not None]
    await cards.lock_people(conn, list({member.person_id for state in states for member in state.members}))
    for message in messages:
        if message.data is None:
            continue  # a tombstone: its main member was erased, and with them their cards; no one else moves
        state = cast(HouseholdState, message.data)  # the delivery validated it against the topic's model
        for member in state.members:
            change = change_for(state, member)
            current = [card for card in await cards.of_person(conn, member.person_id)
                       if card.last_changed_at is None or card.last_changed_at <= change.at]
            await save_and_publish(conn, move_cards(current, change), message.envelope)
