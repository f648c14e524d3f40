"""Erasure of one person across every service: on request (the data protection officer), or by the
retention job when the customer relationship ended more than the retention period ago.

Each service erases its own part through its own function, in its own transaction: cards, purchases,
bonus and consent first, membership last (it marks the person erased, so an interrupted erasure is simply
repeated). Consent's erasure publishes the tombstones of the person's consent state and of every segment
they were in, and keeps what they had prohibited as a suppression under keyed tokens. Then the person's key
is destroyed, which makes every event sealed for them unreadable, and the erasure is recorded. The member
register the Co-operatives Act and the tax rules require stays in membership.
"""
from __future__ import annotations

from services.bonus.application import retention as bonus
from services.cards.application import retention as cards
from services.consent.application import erase_person as consent
from services.membership.application import retention as membership
from services.membership.application.read_person import exists
from services.purchases.application import retention as purchases
from services.register_api.adapters import audit_log, extract_requests, records
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import Conflict, NotFound
from services.register_api.domain.access import Principal, check_scope

OTHER_SERVICES = {"cards": cards.erase_person, "purchases": purchases.erase_person, "bonus": bonus.erase_person}


async def erase_everywhere(api: RegisterApi, person_id: str, requested_by: str, reason: str) -> dict:
    """Erase the person in every service and destroy their key; the report by service."""
    async with api.pools["membership"].acquire() as conn:
        if await membership.relationship_active_now(conn, person_id):
            raise Conflict("relationship_active", "a member or household member cannot be erased; end it first")
    report: dict = {}
    for name, erase in OTHER_SERVICES.items():
        async with api.pools[name].acquire() as conn, conn.transaction():
            report[name] = await erase(conn, person_id)
    async with api.pools["consent"].acquire() as conn, conn.transaction():
        report["consent"] = await consent.erase_person(conn, person_id, api.consent)
    async with api.pools["membership"].acquire() as conn, conn.transaction():
        report["membership"] = await membership.erase_person(conn, person_id)
    async with api.own.acquire() as conn, conn.transaction():
        report["key_destroyed"] = await api.subject_keys.erase(conn, person_id)
        report["extract_documents"] = await extract_requests.forget_documents_of(conn, person_id)
        await records.record_erasure(conn, person_id, api.clock(), requested_by, reason, report)
    return report


async def erase_person(api: RegisterApi, principal: Principal, purpose: str, person_id: str) -> dict:
    """The right to erasure, carried out by the data protection officer."""
    check_scope(principal, "erasure:run")
    async with api.pools["membership"].acquire() as conn:
        known = await exists(conn, person_id)
    if not known:
        raise NotFound("no such person")
    report = await erase_everywhere(api, person_id, principal.user, "request")
    async with api.own.acquire() as conn:
        await audit_log.append(conn, audit_log.AuditEntry(principal.user, tuple(principal.roles), "erasure",
                                                          "erase_person", (person_id,), ("*",), purpose))
    return {"erasure": {"person_id": person_id, "report": report}}
