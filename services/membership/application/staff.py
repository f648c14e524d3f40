"""Use case: staff data from the HR register Hertta (`hr.staff-updates.v1`).

Each message is the current state of one employment; a later source time wins, an older one is stale
(counted). A change of an employment already on record keeps the state it replaced in `corrections`
(source `hr`), as a correction by staff does (`application/rectification.py`). The staff-discount right
reaches the other services in the person's published state. An update for a person the register does not
know, or erased (`erased_subjects`), has no effect (counted).
"""
from __future__ import annotations

from typing import cast

from contracts.events.hr import StaffUpdate
from services.membership.adapters import persons
from services.membership.application import publish
from services.membership.application.config import MembershipConfig
from services.membership.application.erased_subjects import count_unknown
from services.membership.application.rectification import save_employment_with_history
from services.membership.domain.identity_code import parse_identity_code
from shared.commands import apply_each
from shared.db import Connection
from shared.delivery import Incoming

SOURCE = "hr"


async def apply_staff_update(conn: Connection, message: Incoming, config: MembershipConfig) -> None:
    update = cast(StaffUpdate, message.data)  # the delivery validated it against the topic's model
    code = parse_identity_code(update.identity_code, allow_temporary=True)
    person_id = await persons.by_token(conn, config.identity_token(code))
    if person_id is None:
        return await count_unknown(conn, SOURCE, code, config)
    await persons.lock(conn, person_id)
    if not await save_employment_with_history(conn, person_id, update.employer, update.employment_start,
                                              update.employment_end, update.staff_discount, SOURCE,
                                              update.source_time):
        await persons.count_ignored(conn, SOURCE, "stale:employment")
        return
    await publish.person(conn, person_id, message.envelope)


async def apply_staff_updates(conn: Connection, messages: list[Incoming], config: MembershipConfig) -> None:
    await apply_each(conn, messages, apply_staff_update, config)
