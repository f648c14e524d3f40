"""Use case: the yearly report to the tax authority — interest paid on contributions and capital refunded to
departed members, per member, for a calendar year — as CSV and JSON files and an event with the totals.

The files are a disclosure to an authority (seed §7), so they carry the identity code, decrypted only here;
the event carries totals and the file's checksum, never personal data.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.membership_states import TaxReportWritten
from contracts.topics import MEMBERSHIP_TAX_REPORTS
from services.membership.adapters import yearly
from services.membership.adapters.report_files import write_report
from services.membership.application.config import SOURCE, MembershipConfig
from shared import outbox


async def write_tax_report(conn, config: MembershipConfig, year: int, directory: Path) -> TaxReportWritten:
    rows = [{"identity_code": config.identity_code_of(r).value, "customer_number": r["customer_number"],
             "interest_cents": r["interest_cents"], "refunded_cents": r["refunded_cents"]}
            for r in await yearly.tax_report_rows(conn, year)]
    path, sha256 = write_report(Path(directory), year, rows)
    report = TaxReportWritten(
        year=year, file_name=path.name, sha256=sha256,
        interest_recipients=sum(1 for r in rows if r["interest_cents"]),
        interest_cents=sum(r["interest_cents"] for r in rows),
        refund_recipients=sum(1 for r in rows if r["refunded_cents"]),
        refunded_cents=sum(r["refunded_cents"] for r in rows))
    envelope = Envelope(id=str(uuid.uuid5(NAMESPACE, f"tax-report:{year}:{sha256}")), source=SOURCE,
                        type=MEMBERSHIP_TAX_REPORTS.event_type, subject=str(year))
    await outbox.add(conn, [outbox.OutgoingEvent(MEMBERSHIP_TAX_REPORTS.name, str(year), envelope, report)])
    return report
