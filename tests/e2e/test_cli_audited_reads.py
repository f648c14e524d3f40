"""Operator reads from the command line that used to escape the audit (issue 26), with the services running as
processes: `bonus explain` (and a return of a closed month shown where it belongs, issue 27) and `membership
tax-report --out` go through the register API under a named user and are in the audit log."""
from __future__ import annotations

import stat
import uuid
from datetime import date, datetime, timezone

import pytest

from coopreg.simulate.person_history import seed_person_history
from services.bonus.adapters import closing
from services.bonus.application.book_purchases import book_purchases
from services.bonus.application.close_month import CloseConfig, close_month
from services.bonus.domain import load_tier_tables
from services.registry import SERVICES
from shared.runtime import open_pool
from tests.e2e.cli import coopreg, one_json
from tests.support.factories import accepted, incoming
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
TABLES = load_tier_tables()
MONTH = date(2044, 5, 1)  # this module's household only


def said(result) -> str:
    return " ".join((result.stdout + result.stderr).split())


async def audited(db, actor: str) -> list:
    return await db.fetch("SELECT operation, person_ids, purpose FROM audit.audit_log WHERE actor = $1 ORDER BY seq",
                          actor)


@pytest.fixture(scope="module")
async def returned(settings):
    """A member's household whose May purchase was returned after May closed: (person, original, return)."""
    pools = {name: await open_pool(settings, SERVICES[name]) for name in ("membership", "cards", "purchases", "bonus")}
    try:
        person = await seed_person_history(pools, settings, datetime.now(timezone.utc), days=2)
        original, returned = f"r-{uuid.uuid4().hex[:10]}", f"r-{uuid.uuid4().hex[:10]}"
        bonus = pools["bonus"]
        async with bonus.acquire() as conn, conn.transaction():
            await book_purchases(conn, [incoming(accepted(original, person.household_id,
                                                          datetime(2044, 5, 9, 12, tzinfo=timezone.utc), 90000,
                                                          person=person.person_id))], TABLES)
        async with bonus.acquire() as conn, conn.transaction():
            await closing.request_close(conn, MONTH)
        await close_month(bonus, MONTH, CloseConfig(TABLES))  # or the running service's closer does
        # The return is booked once May is closed (booked while May is still closing, it would be paid with
        # May's own close); the running service's closer may be the one closing it, after other months.
        await eventually(lambda: bonus.fetchval("SELECT status = 'closed' FROM months WHERE month = $1", MONTH),
                         timeout=180)
        async with bonus.acquire() as conn, conn.transaction():
            await book_purchases(conn, [incoming(accepted(returned, person.household_id,
                                                          datetime(2044, 6, 2, 12, tzinfo=timezone.utc), -20000,
                                                          person=person.person_id, return_of=original))], TABLES)
    finally:
        for pool in pools.values():
            await pool.close()
    return person, original, returned


async def test_bonus_explain_shows_a_return_of_a_closed_month_apart_and_is_audited(returned, db):
    person, original, _ = returned
    shown = await coopreg("bonus", "explain", person.household_id, "2044-05", "--user", "fiona-fin")
    assert shown.returncode == 0, shown.stderr
    text = said(shown)
    assert "Household" in text and "(closed)" in text
    assert "receipts behind the totals (1;" in text  # the original only, not the return
    assert "Bonus 45.00 €" in text  # the totals as closed: 900 € at 5 %
    assert "adjustments: booked after the month began closing (1)" in text and "pending" in text
    assert "adjustment pending, paid with the next close: -10.00 € Bonus" in text  # at the recorded 5 %
    [entry] = await audited(db, "fiona-fin")
    assert (entry["operation"], list(entry["person_ids"]), entry["purpose"]) == (
        "household_bonus_month", [person.person_id], "benefit_payments")
    document = one_json(await coopreg("bonus", "explain", person.household_id, "2044-05", "--user", "fiona-json",
                                      "--output", "json"))
    assert (document["household_id"], document["month"], document["found"]) == (person.household_id, "2044-05", True)
    assert document["explained"] is not None


async def test_bonus_reads_refused_to_a_role_without_the_scope_and_unknown_households_are_sentences(returned):
    person, _, _ = returned
    refused = await coopreg("bonus", "explain", person.household_id, "2044-05", "--user", "mark", "--role",
                            "marketing_analyst")
    assert refused.returncode == 1 and "the role marketing_analyst may not do this" in said(refused)
    unknown = await coopreg("bonus", "month-to-date", "h-nobody-at-all", "--month", "2044-05")
    assert unknown.returncode == 1 and "knows no such household" in said(unknown)
    empty = await coopreg("bonus", "month-to-date", person.household_id, "--month", "2044-07")
    assert empty.returncode == 0 and "No Bonus purchases" in empty.stdout
    assert "Traceback" not in refused.stderr + unknown.stderr + empty.stderr


async def test_the_tax_report_is_downloaded_by_finance_only_and_audited(db, tmp_path):
    refused = await coopreg("membership", "tax-report", "2039", "--out", str(tmp_path / "cs"), "--user", "cecil",
                            "--role", "customer_service")
    assert refused.returncode == 1 and "the role customer_service may not do this" in said(refused)
    assert not (tmp_path / "cs" / "tax-report-2039.csv").exists()
    written = await coopreg("membership", "tax-report", "2039", "--out", str(tmp_path), "--user", "fiona-tax")
    assert written.returncode == 0, written.stderr
    csv_file = tmp_path / "tax-report-2039.csv"
    assert csv_file.read_text().startswith("identity_code,customer_number,interest_cents,refunded_cents")
    assert stat.S_IMODE(csv_file.stat().st_mode) == 0o600
    [entry] = await audited(db, "fiona-tax")
    assert (entry["operation"], entry["purpose"]) == ("tax_report", "tax_reporting")
    kept = await db.fetchval("SELECT count(*) FROM membership.tax_reports WHERE year = 2039")
    assert kept == 1  # the register's own copy, sealed
