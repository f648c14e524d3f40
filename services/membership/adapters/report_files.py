"""The tax authority report: rendered as CSV and JSON, and kept sealed in the membership schema (never as a
file in clear here; the finance role downloads it through the register API)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.db import Connection

COLUMNS = ("identity_code", "customer_number", "interest_cents", "refunded_cents")


@dataclass(frozen=True)
class RenderedReport:
    file_name: str
    csv: str
    json: str
    sha256: str  # of the CSV


def render_report(year: int, rows: list[dict]) -> RenderedReport:
    """`tax-report-<year>.csv` and its JSON twin; `rows` have the COLUMNS (and may have more, left out)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    recipients = [{column: row[column] for column in COLUMNS} for row in rows]
    text = buffer.getvalue()
    return RenderedReport(f"tax-report-{year}.csv", text,
                          json.dumps({"year": year, "currency": "EUR", "recipients": recipients}, indent=2) + "\n",
                          hashlib.sha256(text.encode()).hexdigest())


def seal_context(year: int) -> str:
    return f"tax_reports:{year}"


async def keep(conn: Connection, year: int, written_at: datetime, report: RenderedReport,
               sealed: bytes) -> None:
    await conn.execute(
        "INSERT INTO tax_reports (year, written_at, file_name, sha256, sealed) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (year) DO UPDATE SET written_at = excluded.written_at, file_name = excluded.file_name,"
        " sha256 = excluded.sha256, sealed = excluded.sealed", year, written_at, report.file_name, report.sha256,
        sealed)


async def kept(conn: Connection, year: int) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM tax_reports WHERE year = $1", year)
