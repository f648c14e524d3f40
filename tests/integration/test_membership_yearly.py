"""The yearly runs on the real PostgreSQL: interest and return of surplus once per member and year (the
surplus from the households' published Bonus statements), and the tax authority report (interest per member,
capital refunded to departed members) kept sealed, served to the finance role only through the register API
(audited), purged by retention, and an event."""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from datetime import date, datetime, timezone

import pytest

from contracts.events.bonus import BonusStatement
from contracts.events.membership import Resign
from contracts.topics import MEMBERSHIP_BENEFITS, MEMBERSHIP_TAX_REPORTS
from services.membership.application.config import MembershipConfig
from services.membership.application.retention import erase_expired
from services.membership.application.statements import keep_bonus_statements
from services.membership.application.tax_report import write_tax_report
from services.membership.application.yearly import pay_yearly_benefits
from services.membership.domain.cooperatives import YearlyDecision
from services.register_api.domain.months import add_months
from services.register_api.domain.retention import load_retention_rules
from shared.delivery import Rejected
from tests.support.membership_db import events, handle, latest, run
from tests.support.people import join, register, unique
from tests.support.register_api import api_client, bearer
from tests.support.service_fixtures import pool_of

COOPERATIVE = "keula"  # only this module's members join it
JOINED = datetime(2040, 1, 15, 10, 0, tzinfo=timezone.utc)
DECISION = YearlyDecision(financial_year=2040, interest_rate_bp=1000, surplus_rate_bp=250, paid_on=date(2041, 5, 20))


@pytest.fixture
def config(settings):
    config = MembershipConfig.from_settings(settings)
    keula = dataclasses.replace(config.cooperatives[COOPERATIVE], yearly_decisions=(DECISION,))
    return dataclasses.replace(config, cooperatives={**config.cooperatives, COOPERATIVE: keula})


pool = pool_of("membership")


async def keula_member(pool, config, cents: int):
    customer = register()
    joined = join(customer.person_id, cooperative=COOPERATIVE, cents=cents, at=JOINED)
    await run(pool, config, customer, joined)
    return customer, joined


def statement(household_id: str, month: str, cents: int, cooperative: str = COOPERATIVE,
              statement_id: str | None = None) -> BonusStatement:
    """A household's closed month as the bonus service publishes it (only what the surplus reads matters)."""
    return BonusStatement(
        statement_id=statement_id or unique("st"), household_id=household_id, month=month,
        cooperative_id=cooperative, table_version="common-2020", rate_bp=300, tier_total_cents=cents,
        bonus_eligible_cents=cents, own_cooperative_eligible_cents=cents, fuel_cents=0, fuel_millilitres=0,
        payment_method_eligible_cents=0, bonus_cents=cents * 3 // 100, fuel_bonus_cents=0,
        payment_method_benefit_cents=0, receipts=3, members=[])


async def publish_statements(pool, config, *statements: BonusStatement) -> None:
    await handle(pool, keep_bonus_statements, *statements, config=config)


async def yearly_run(pool, config, again: bool = False):
    return await pay_yearly_benefits(pool, config, 2040, date(2041, 5, 31), chunk_size=2, again=again)


async def test_interest_and_surplus_are_paid_once_per_member_and_year(pool, config):
    paid_up, partly = await keula_member(pool, config, 10000), await keula_member(pool, config, 2000)
    household, other = paid_up[1].household_id, partly[1].household_id
    march = statement(household, "2040-03", 400_000)
    await publish_statements(pool, config, march, march, statement(household, "2040-11", 12_345),
                             statement(household, "2041-01", 99_999),  # the next year
                             statement(other, "2040-12", 40_000))
    # a corrected statement of the same month replaces the one kept
    await publish_statements(pool, config, statement(other, "2040-12", 100_000))
    first = await yearly_run(pool, config)
    again = await yearly_run(pool, config)
    assert first.payouts >= 3 and again.payouts == 0 and again.already_done == [COOPERATIVE]
    paid = {(p["kind"], p["person_id"]): p for p in await _benefits(pool, paid_up, partly)}
    # 10 % of the 100 € paid by the end of 2040; 2.5 % of 4 123.45 € half-up → 103.09 €
    assert paid[("interest", paid_up[0].person_id)]["amount_cents"] == 1000
    assert paid[("surplus_return", paid_up[0].person_id)]["amount_cents"] == 10309
    assert ("interest", partly[0].person_id) not in paid  # not paid in full by the year's end
    assert paid[("surplus_return", partly[0].person_id)]["amount_cents"] == 2500
    assert paid[("interest", paid_up[0].person_id)]["due_on"] == "2041-05-20"


async def test_the_tax_report_is_kept_sealed_served_to_finance_only_audited_and_purged(pool, config, settings):
    stayer, leaver = await keula_member(pool, config, 10000), await keula_member(pool, config, 5000)
    await yearly_run(pool, config, again=True)
    await run(pool, config, Resign(person_id=leaver[0].person_id,
                                   resigned_at=datetime(2041, 8, 1, 9, 0, tzinfo=timezone.utc)))
    written_at = datetime.now(timezone.utc)
    async with pool.acquire() as conn, conn.transaction():
        report = await write_tax_report(conn, config, 2041, written_at)
    kept = await pool.fetchrow("SELECT sealed, sha256 FROM tax_reports WHERE year = 2041")
    assert kept["sha256"] == report.sha256
    assert stayer[0].identity_code.encode() not in bytes(kept["sealed"])  # never in clear at rest

    with api_client(settings) as client:
        for role in ("customer_service", "membership_admin", "data_protection_officer", "auditor"):
            assert client.get("/tax-reports/2041", headers=bearer(settings, role)).status_code == 403, role
        headers = {**bearer(settings, "finance", "fiona.tax"), "X-Purpose": "tax_reporting"}
        served = client.get("/tax-reports/2041", headers=headers)
        assert served.status_code == 200, served.text
        found = served.json()["tax_report"]
        audited = client.get("/audit", params={"actor": "fiona.tax"},
                             headers=bearer(settings, "auditor", "audit-reader")).json()["items"]
        # taking the report out is the disclosure to the tax authority, once however often it is taken out
        assert client.get("/tax-reports/2041", headers=headers).status_code == 200
        logged = {member[0].person_id: client.get(f"/persons/{member[0].person_id}/disclosures",
                                                  headers=bearer(settings, "data_protection_officer")).json()
                  for member in (stayer, leaver)}
    rows = {r["identity_code"]: r for r in csv.DictReader(io.StringIO(found["csv"]))}
    assert rows[stayer[0].identity_code]["interest_cents"] == "1000"
    assert rows[leaver[0].identity_code]["refunded_cents"] == "5000"
    assert hashlib.sha256(found["csv"].encode()).hexdigest() == report.sha256
    assert len(json.loads(found["json"])["recipients"]) == len(rows) == (report.interest_recipients
                                                                        + report.refund_recipients)
    for member, paid in ((stayer, "yearly_benefits.interest_cents"), (leaver, "yearly_benefits.refunded_cents")):
        [disclosed] = logged[member[0].person_id]["disclosures"]
        assert (disclosed["kind"], disclosed["recipient"], disclosed["recorded_by"]) == (
            "tax_report", "tax-administration", "fiona.tax")
        assert paid in disclosed["data"] and "person.identity_code" in disclosed["data"]
        assert disclosed["reference"] == f"tax-report:2041:{report.sha256[:16]}"
    [entry] = [item["audit"] for item in audited]
    assert (entry["action"], entry["operation"], entry["purpose"]) == ("read", "tax_report", "tax_reporting")
    assert {stayer[0].person_id, leaver[0].person_id} <= set(entry["person_ids"])
    published = await latest(pool, MEMBERSHIP_TAX_REPORTS, "2041")
    assert published["sha256"] == report.sha256 and published["refunded_cents"] >= 5000
    assert stayer[0].identity_code not in json.dumps(published)

    # retention: the register's period for tax reports, carried out by the service's own erase_expired
    cutoff = load_retention_rules().cutoffs(written_at)["tax_reports"]
    async with pool.acquire() as conn, conn.transaction():
        assert (await erase_expired(conn, {"tax_reports": cutoff}))["tax_reports"] == 0  # within its period
        later = load_retention_rules().cutoffs(add_months(written_at, 73))["tax_reports"]
        assert (await erase_expired(conn, {"tax_reports": later}))["tax_reports"] >= 1
    assert await pool.fetchval("SELECT count(*) FROM tax_reports WHERE year = 2041") == 0
    with api_client(settings) as client:
        assert client.get("/tax-reports/2041", headers=bearer(settings, "finance")).status_code == 404


async def _benefits(pool, *members) -> list[dict]:
    found = []
    for customer, _ in members:
        found += await events(pool, MEMBERSHIP_BENEFITS, customer.person_id)
    return found


async def test_months_in_another_cooperative_before_a_transfer_do_not_count_for_the_surplus(pool, config):
    customer, joined = await keula_member(pool, config, 10000)
    await publish_statements(pool, config, statement(joined.household_id, "2040-02", 500_000, cooperative="pko"),
                             statement(joined.household_id, "2040-09", 200_000))
    await yearly_run(pool, config, again=True)
    paid = {p["kind"]: p for p in await _benefits(pool, (customer, joined))}
    assert paid["surplus_return"]["amount_cents"] == 5000  # 2.5 % of 2 000 €, not of 7 000 €


async def test_a_statement_for_a_household_the_register_lacks_is_refused(pool, config):
    with pytest.raises(Rejected) as refused:
        await publish_statements(pool, config, statement(unique("h"), "2040-05", 1000))
    assert refused.value.reason == "unknown_household"


async def test_statements_are_kept_one_per_household_and_month(pool, config):
    _, joined = await keula_member(pool, config, 2000)
    first = statement(joined.household_id, "2040-06", 1000, statement_id="st-june")
    await publish_statements(pool, config, first, first, statement(joined.household_id, "2040-07", 2000))
    await publish_statements(pool, config, statement(joined.household_id, "2040-06", 1500, statement_id="st-june-2"))
    rows = await pool.fetch("SELECT month, statement_id, own_cooperative_eligible_cents FROM bonus_statements"
                            " WHERE household_id = $1 ORDER BY month", joined.household_id)
    assert [(r["month"], r["statement_id"], r["own_cooperative_eligible_cents"]) for r in rows] == [
        (date(2040, 6, 1), "st-june-2", 1500), (date(2040, 7, 1), rows[1]["statement_id"], 2000)]
