"""The scheduled retention job: every service erases what has passed its period (periods are data, in
`domain/retention_periods.json`), and every person whose customer relationship ended before the
`customer_relationship` cut-off is erased everywhere. Idempotent: a second run at the same time erases
nothing more. The report (rows erased by service and data group, persons erased) is kept and returned."""
from __future__ import annotations

import uuid

from services.bonus.application import retention as bonus
from services.consent.application import retention as consent
from services.membership.application import retention as membership
from services.purchases.application import retention as purchases
from services.register_api.adapters import audit_log, records
from services.register_api.application.context import RegisterApi
from services.register_api.application.erasure import erase_everywhere
from services.register_api.application.errors import Conflict

EXPIRED = {"membership": membership.erase_expired, "purchases": purchases.erase_expired,
           "bonus": bonus.erase_expired, "consent": consent.erase_expired}
PERSONS_PER_BATCH = 200


async def _erase_ended_relationships(api: RegisterApi, cutoffs: dict, requested_by: str) -> tuple[int, list[str]]:
    erased, skipped = 0, []
    while True:
        async with api.pools["membership"].acquire() as conn:
            due = [p for p in await membership.relationship_ended(conn, cutoffs, PERSONS_PER_BATCH) if p not in skipped]
        if not due:
            return erased, skipped
        for person_id in due:
            try:
                await erase_everywhere(api, person_id, requested_by, "retention")
                erased += 1
            except Conflict:
                skipped.append(person_id)


async def run_retention(api: RegisterApi, requested_by: str) -> dict:
    now = api.clock()
    cutoffs = api.rules.cutoffs(now)
    run_id = f"r-{uuid.uuid4()}"
    async with api.own.acquire() as conn:
        await records.start_run(conn, run_id, now, requested_by, {g: c.isoformat() for g, c in cutoffs.items()})
    erased: dict = {}
    for service, erase_expired in EXPIRED.items():
        async with api.pools[service].acquire() as conn, conn.transaction():
            erased[service] = await erase_expired(conn, cutoffs)
    persons, skipped = await _erase_ended_relationships(api, cutoffs, requested_by)
    report = {"run_id": run_id, "at": now.isoformat(), "erased": erased, "persons_erased": persons,
              "persons_skipped": len(skipped), "kept": [r.data_group for r in api.rules.rules if r.kept]}
    async with api.own.acquire() as conn, conn.transaction():
        await records.finish_run(conn, run_id, api.clock(), report)
        await audit_log.append(conn, audit_log.AuditEntry(requested_by, ("retention",), "retention",
                                                          "run_retention", (), tuple(sorted(cutoffs)), "retention"))
    return report
