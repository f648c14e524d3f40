"""Use case: the yearly report to the tax authority — interest paid on contributions and capital refunded to
departed members, per member, for a calendar year — kept sealed in the membership schema, and an event with
the totals.

The report is a disclosure to an authority (seed §7), so it carries the identity code. It is never written in
clear where nothing purges it: it is sealed with the register's encryption key, opened only when the finance
role reads it through the register API (`tax_report`, audited as a read of every recipient), and deleted by
retention (`tax_reports`: the accounting rules' six years, `erase_expired`). The event carries totals and
the CSV's checksum, never personal data.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import orjson

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.membership_states import TaxReportWritten
from contracts.topics import MEMBERSHIP_TAX_REPORTS
from services.membership.adapters import report_files, yearly
from services.membership.application.config import SOURCE, MembershipConfig
from shared import outbox
from shared.db import Connection


async def write_tax_report(conn: Connection, config: MembershipConfig, year: int,
                           now: datetime | None = None) -> TaxReportWritten:
    rows = [{"person_id": r["person_id"], "identity_code": config.identity_code_of(r).value,
             "customer_number": r["customer_number"], "interest_cents": r["interest_cents"],
             "refunded_cents": r["refunded_cents"]}
            for r in await yearly.tax_report_rows(conn, year)]
    rendered = report_files.render_report(year, rows)
    document = {"csv": rendered.csv, "json": rendered.json, "recipients": rows}
    sealed = config.cipher.seal(orjson.dumps(document), report_files.seal_context(year))
    await report_files.keep(conn, year, now or datetime.now(timezone.utc), rendered, sealed)
    report = TaxReportWritten(
        year=year, file_name=rendered.file_name, sha256=rendered.sha256,
        interest_recipients=sum(1 for r in rows if r["interest_cents"]),
        interest_cents=sum(r["interest_cents"] for r in rows),
        refund_recipients=sum(1 for r in rows if r["refunded_cents"]),
        refunded_cents=sum(r["refunded_cents"] for r in rows))
    envelope = Envelope(id=str(uuid.uuid5(NAMESPACE, f"tax-report:{year}:{rendered.sha256}")), source=SOURCE,
                        type=MEMBERSHIP_TAX_REPORTS.event_type, subject=str(year))
    await outbox.add(conn, [outbox.OutgoingEvent(MEMBERSHIP_TAX_REPORTS.name, str(year), envelope, report)])
    return report


async def read_tax_report(conn: Connection, config: MembershipConfig, year: int) -> dict | None:
    """The stored report opened, for the register API (which lets only the finance role have it)."""
    row = await report_files.kept(conn, year)
    if row is None:
        return None
    document = orjson.loads(config.cipher.open(row["sealed"], report_files.seal_context(year)))
    return {"year": year, "file_name": row["file_name"], "sha256": row["sha256"], "written_at": row["written_at"],
            **document}
