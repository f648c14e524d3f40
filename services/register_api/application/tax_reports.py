"""Use case: the tax authority report of a year, for the finance role only. The membership service keeps it
encrypted and answers it opened; this read is audited as one of every recipient in it, and taking it out is
the disclosure to the tax authority (seed §7): each recipient gets an entry in the disclosure log, in the same
transaction (the same report taken out again is the same disclosure)."""
from __future__ import annotations

from contracts.subjects import TaxReportQuery
from services.register_api.application.context import RegisterApi
from services.register_api.application.disclosures import tax_report_entries
from services.register_api.application.errors import NotFound
from services.register_api.domain.access import Principal, check_scope
from shared import disclosure_log


async def tax_report(api: RegisterApi, principal: Principal, year: int) -> dict:
    check_scope(principal, "tax_report:read")
    found = await api.services.ask("membership", "tax_report", TaxReportQuery(year=year))
    if found.report is None:
        raise NotFound(f"no tax report was written for {year}; write it with `coopreg membership tax-report {year}`")
    async with api.own.acquire() as conn, conn.transaction():
        await disclosure_log.record(conn, tax_report_entries(found.report, principal.user, api.clock()))
    return {"tax_report": found.report}
