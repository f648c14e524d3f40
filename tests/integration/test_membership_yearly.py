"""The yearly runs on the real PostgreSQL: interest and return of surplus once per member and year, and the
tax authority report (interest per member, capital refunded to departed members) as files and an event."""
from __future__ import annotations

import csv
import dataclasses
import json
import stat
from datetime import date, datetime, timezone

import pytest

from contracts.events.membership import Resign
from contracts.topics import MEMBERSHIP_BENEFITS, MEMBERSHIP_TAX_REPORTS
from services.membership.application.config import MembershipConfig
from services.membership.application.tax_report import write_tax_report
from services.membership.application.yearly import pay_yearly_benefits
from services.membership.domain.cooperatives import YearlyDecision
from tests.support.membership_db import events, latest, run
from tests.support.people import join, register

COOPERATIVE = "keula"  # only this module's members join it
JOINED = datetime(2040, 1, 15, 10, 0, tzinfo=timezone.utc)
DECISION = YearlyDecision(financial_year=2040, interest_rate_bp=1000, surplus_rate_bp=250, paid_on=date(2041, 5, 20))


@pytest.fixture
def config(settings):
    config = MembershipConfig.from_settings(settings)
    keula = dataclasses.replace(config.cooperatives[COOPERATIVE], yearly_decisions=(DECISION,))
    return dataclasses.replace(config, cooperatives={**config.cooperatives, COOPERATIVE: keula})


@pytest.fixture
def pool(pools):
    return pools["membership"]


async def keula_member(pool, config, cents: int):
    customer = register()
    joined = join(customer.person_id, cooperative=COOPERATIVE, cents=cents, at=JOINED)
    await run(pool, config, customer, joined)
    return customer, joined


async def yearly_run(pool, config, purchases: dict[str, int]):
    async with pool.acquire() as conn, conn.transaction():
        return await pay_yearly_benefits(conn, config, 2040, date(2041, 5, 31), purchases)


async def test_interest_and_surplus_are_paid_once_per_member_and_year(pool, config):
    paid_up, partly = await keula_member(pool, config, 10000), await keula_member(pool, config, 2000)
    purchases = {paid_up[1].household_id: 412_345, partly[1].household_id: 100_000}
    first = await yearly_run(pool, config, purchases)
    again = await yearly_run(pool, config, purchases)
    assert first.payouts >= 3 and again.payouts == 0
    paid = {(p["kind"], p["person_id"]): p for p in await _benefits(pool, paid_up, partly)}
    # 10 % of the 100 € paid by the end of 2040; 2.5 % of 4 123.45 € half-up → 103.09 €
    assert paid[("interest", paid_up[0].person_id)]["amount_cents"] == 1000
    assert paid[("surplus_return", paid_up[0].person_id)]["amount_cents"] == 10309
    assert ("interest", partly[0].person_id) not in paid  # not paid in full by the year's end
    assert paid[("surplus_return", partly[0].person_id)]["amount_cents"] == 2500
    assert paid[("interest", paid_up[0].person_id)]["due_on"] == "2041-05-20"


async def test_the_tax_report_lists_interest_and_refunds_per_member_in_private_files(pool, config, tmp_path):
    stayer, leaver = await keula_member(pool, config, 10000), await keula_member(pool, config, 5000)
    await yearly_run(pool, config, {})
    await run(pool, config, Resign(person_id=leaver[0].person_id,
                                   resigned_at=datetime(2041, 8, 1, 9, 0, tzinfo=timezone.utc)))
    async with pool.acquire() as conn, conn.transaction():
        report = await write_tax_report(conn, config, 2041, tmp_path)
    with open(tmp_path / "tax-report-2041.csv", newline="") as file:
        rows = {r["identity_code"]: r for r in csv.DictReader(file)}
    assert rows[stayer[0].identity_code]["interest_cents"] == "1000"
    assert rows[leaver[0].identity_code]["refunded_cents"] == "5000"
    document = json.loads((tmp_path / "tax-report-2041.json").read_text())
    assert len(document["recipients"]) == len(rows) == report.interest_recipients + report.refund_recipients
    assert stat.S_IMODE((tmp_path / "tax-report-2041.csv").stat().st_mode) == 0o600
    published = await latest(pool, MEMBERSHIP_TAX_REPORTS, "2041")
    assert published["sha256"] == report.sha256 and published["refunded_cents"] >= 5000
    assert stayer[0].identity_code not in json.dumps(published)


async def _benefits(pool, *members) -> list[dict]:
    found = []
    for customer, _ in members:
        found += await events(pool, MEMBERSHIP_BENEFITS, customer.person_id)
    return found
