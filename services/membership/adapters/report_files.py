"""The tax authority report as files: CSV and JSON, readable by their owner only (they hold identity codes)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

COLUMNS = ("identity_code", "customer_number", "interest_cents", "refunded_cents")


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
        file.write(text)


def write_report(directory: Path, year: int, rows: list[dict]) -> tuple[Path, str]:
    """Write `tax-report-<year>.csv` and `.json`; return the CSV's path and its SHA-256."""
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_path = directory / f"tax-report-{year}.csv"
    _write_private(csv_path, buffer.getvalue())
    _write_private(directory / f"tax-report-{year}.json",
                   json.dumps({"year": year, "currency": "EUR", "recipients": rows}, indent=2) + "\n")
    return csv_path, hashlib.sha256(buffer.getvalue().encode()).hexdigest()
