"""Reaction: keep the households the membership service publishes, for the close to read locally."""
from __future__ import annotations

from typing import cast

from contracts.events.membership_states import HouseholdState
from services.bonus.adapters import households
from services.bonus.adapters.households import KeptHousehold
from shared.db import Connection
from shared.delivery import Incoming


async def when_household_changes_keep_it(conn: Connection, messages: list[Incoming]) -> None:
    # A tombstone (the household's main member was erased) changes nothing the close reads: the household
    # row names no one, and its closed months go by their own retention. The others are as the delivery
    # validated them against the topic's model.
    states = [cast(HouseholdState, m.data) for m in messages if m.data is not None]
    await households.keep_latest(conn, [
        KeptHousehold(s.household_id, s.version, s.status, s.cooperative_id, s.cooperative_from,
                      s.open_contribution_cents, s.benefit_account.model_dump_json() if s.benefit_account else None)
        for s in states])
