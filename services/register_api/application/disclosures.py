"""Use cases of the disclosure log the API keeps (`contracts/disclosures.py`): authority requests recorded by
staff, the tax authority report as the finance role takes it out, and the person's entries for their data
and extract. Each entry is written with its audit entry in one transaction: recorded if and only if audited."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from contracts.disclosures import LEGAL_BASES, TAX_AUTHORITY, DisclosureEntry, shown
from services.register_api.adapters import audit_log
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import Conflict, Invalid
from services.register_api.application.publish import check_known
from services.register_api.domain.access import Principal, check_scope
from services.register_api.domain.disclosures import DisclosureRefused, check_authority_request
from services.register_api.domain.retention import months_before
from shared import disclosure_log
from shared.db import Connection
from shared.subject_keys import SubjectErased

# What the tax report carries of each recipient (membership's `tax_report.py`): the identity code and customer
# number, and the interest or the refund paid.
TAX_REPORT_DATA = ("person.identity_code", "person.customer_number")


async def record_authority_request(api: RegisterApi, principal: Principal, purpose: str, person_id: str, *,
                                   recipient: str, data: list[str], legal_basis: str, reference: str,
                                   disclosed_at: datetime | None) -> dict:
    """Staff record what they disclosed to an authority on its lawful request."""
    check_scope(principal, "disclosure:record")
    now = api.clock()
    at = disclosed_at or now
    try:
        check_authority_request(recipient, data, at, now, months_before(now, api.rules.rule("disclosures").months or 0))
    except DisclosureRefused as refused:
        raise Invalid(refused.code, str(refused), public=True) from None
    await check_known(api, person_id)
    entry = DisclosureEntry(disclosure_id=f"d-{uuid.uuid4()}", person_id=person_id, kind="authority_request",
                            recipient=recipient, data=tuple(sorted(set(data))), legal_basis=legal_basis,
                            reference=reference, disclosed_at=at, recorded_by=principal.user)
    try:
        async with api.own.acquire() as conn, conn.transaction():
            await api.subject_keys.key_for(conn, person_id)  # refuses a person erased but for the member register
            await _record(conn, principal, purpose, entry)
    except SubjectErased:
        raise Conflict("person_erased", "the person's data were erased") from None
    return {"disclosure": shown({**_as_dict(entry), "data": list(entry.data)})}


async def _record(conn: Connection, principal: Principal, purpose: str, entry: DisclosureEntry) -> None:
    """The entry with its audit entry, in the caller's transaction: recorded if and only if audited."""
    await disclosure_log.record(conn, [entry])
    await audit_log.append(conn, audit_log.AuditEntry(
        principal.user, tuple(principal.roles), "change", "record_disclosure", (entry.person_id,),
        ("disclosures",), purpose))


def tax_report_entries(report: dict, by: str, at: datetime) -> list[DisclosureEntry]:
    """One entry per recipient of the report; the same report taken out again is the same disclosure."""
    reference = f"tax-report:{report['year']}:{report['sha256'][:16]}"
    entries = []
    for row in report.get("recipients", []):
        data = [*TAX_REPORT_DATA, *(["yearly_benefits.interest_cents"] if row.get("interest_cents") else []),
                *(["yearly_benefits.refunded_cents"] if row.get("refunded_cents") else [])]
        digest = hashlib.sha256(f"{reference}:{row['person_id']}".encode()).hexdigest()[:32]
        entries.append(DisclosureEntry(disclosure_id=f"t-{digest}", person_id=row["person_id"], kind="tax_report",
                                       recipient=TAX_AUTHORITY, data=tuple(data),
                                       legal_basis=LEGAL_BASES["tax_report"], reference=reference,
                                       disclosed_at=at, recorded_by=by))
    return entries


def _as_dict(entry: DisclosureEntry) -> dict:
    return {name: getattr(entry, name) for name in disclosure_log.COLUMNS}
