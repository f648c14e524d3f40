"""Erased stays erased: an update from the population register, S-Bank or HR about a person the register
does not know is either about an erased person — their identity code gives a kept erasure marker — or about
a stranger. Either way it stores nothing; the first kind is counted as `erased_subject`, acknowledged and
never dead-lettered (the dead letter would keep the very data the erasure removed), and nothing of it is
logged. Only the person's own new registration (`customers.register_customer`) brings them back.
"""
from __future__ import annotations

from services.membership.adapters import persons
from services.membership.application.config import MembershipConfig
from services.membership.domain.identity_code import IdentityCode
from shared.db import Connection

ERASED_SUBJECT = "erased_subject"


async def is_erased_subject(conn: Connection, code: IdentityCode | None, config: MembershipConfig) -> bool:
    return code is not None and await persons.is_erased_subject(conn, config.erasure_marker(code))


async def count_unknown(conn: Connection, source: str, code: IdentityCode, config: MembershipConfig) -> None:
    """Count an update for nobody the register knows: an erased subject or an unknown person."""
    reason = ERASED_SUBJECT if await is_erased_subject(conn, code, config) else "unknown_person"
    await persons.count_ignored(conn, source, reason)
