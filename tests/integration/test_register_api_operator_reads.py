"""Reads that used to escape the audit, through the register API with the services' own endpoints on the real
PostgreSQL (issue 26): a household's Bonus month explained and so far (asked of the bonus service, its persons
of membership), and the opening of a sealed dead letter. Each answers only the roles that need it and is in
the audit log with whose data it showed. And `bonus explain` after a return of a closed month (issue 27): the
return and its adjustment are shown apart from the month's receipts and totals."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from coopreg.simulate.person_history import seed_person_history
from services.bonus.adapters import closing
from services.bonus.application.book_purchases import book_purchases
from services.bonus.application.close_month import CloseConfig, close_month
from services.bonus.application.explain import month_to_date
from services.bonus.domain import load_tier_tables
from tests.support.factories import accepted, incoming
from tests.support.register_api import NOW, bearer, client_fixture

TABLES = load_tier_tables()
MARCH, APRIL = date(2053, 3, 1), date(2053, 4, 1)  # months of this module's household only

client = client_fixture()


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def book(pool, *purchases) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await book_purchases(conn, [incoming(p) for p in purchases], TABLES)


async def close(pool, month: date) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await closing.request_close(conn, month)
    assert await close_month(pool, month, CloseConfig(TABLES)) is not None


@pytest.fixture(scope="module")
async def person(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=3)


@pytest.fixture(scope="module")
async def other(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=3)


def audit_of(client, settings, actor: str) -> list[dict]:
    response = client.get("/audit", params={"actor": actor}, headers=bearer(settings, "auditor", user="audit-reader"))
    assert response.status_code == 200, response.text
    return [item["audit"] for item in response.json()["items"]]


def explained(client, settings, household: str, month: date, user: str = "fiona.finance") -> dict:
    response = client.get(f"/households/{household}/bonus/{month:%Y-%m}", headers=bearer(settings, "finance", user))
    assert response.status_code == 200, response.text
    return response.json()["bonus"]


# -- a household's Bonus month ------------------------------------------------------------------------------

async def test_a_return_of_a_closed_month_is_an_adjustment_shown_apart_and_then_paid(client, settings, pools, person):
    bonus, household, member = pools["bonus"], person.household_id, person.person_id
    original, returned = new_id("r"), new_id("r")
    await book(bonus, accepted(original, household, datetime(2053, 3, 10, 12, tzinfo=timezone.utc), 90000,
                               person=member))
    await close(bonus, MARCH)  # 900 € → 5 % → 45.00 €
    await book(bonus, accepted(returned, household, datetime(2053, 4, 3, 12, tzinfo=timezone.utc), -20000,
                               person=member, return_of=original))

    march = explained(client, settings, household, MARCH)["explained"]
    assert [r["receipt_id"] for r in march["receipts"]] == [original]  # the return is not among them
    assert (march["totals"]["tier_total_cents"], march["totals"]["bonus_cents"]) == (90000, 4500)
    [adjustment] = march["adjustments"]["receipts"]
    assert (adjustment["receipt_id"], adjustment["return_of"], adjustment["paid_in_month"]) == (
        returned, original, None)
    # at the March rate (5 %), not the 3.5 % that 700 € would have earned
    assert march["adjustments"]["pending"]["bonus_cents"] == -1000
    assert march["adjustments"]["pending"]["rate_bp"] == 500 and march["adjustments"]["paid"] == []

    await close(bonus, APRIL)
    march = explained(client, settings, household, MARCH)["explained"]
    assert march["adjustments"]["pending"] is None
    assert march["adjustments"]["receipts"][0]["paid_in_month"] == "2053-04-01"
    [paid] = march["adjustments"]["paid"]
    assert (paid["paid_in_month"], paid["bonus_cents"], paid["rate_bp"]) == ("2053-04-01", -1000, 500)
    april = explained(client, settings, household, APRIL)["explained"]
    assert april["receipts"] == [] and april["totals"] is None  # the return belongs to March, not April
    [earlier] = april["adjustments_of_earlier_months_paid"]
    assert (earlier["month"], earlier["bonus_cents"]) == ("2053-03-01", -1000)


async def test_the_month_to_date_is_the_bonus_service_s_and_defaults_to_this_month(client, settings, pools, person):
    await book(pools["bonus"], accepted(new_id("r"), person.household_id,
                                        datetime(2053, 6, 5, 12, tzinfo=timezone.utc), 31000, person=person.person_id))
    response = client.get(f"/households/{person.household_id}/bonus/month-to-date", params={"month": "2053-06"},
                          headers=bearer(settings, "customer_service", "cecilia.service"))
    assert response.status_code == 200, response.text
    shown = response.json()["bonus"]
    async with pools["bonus"].acquire() as conn:
        expected = await month_to_date(conn, TABLES, person.household_id, date(2053, 6, 1))
    assert shown["month_to_date"]["tier_total_cents"] == expected.tier_total_cents == 31000
    assert shown["month_to_date"]["rate_bp"] == expected.rate_bp
    assert shown["month_to_date"]["cents_to_next_tier"] == expected.cents_to_next_tier
    now = client.get(f"/households/{person.household_id}/bonus/month-to-date",
                     headers=bearer(settings, "finance", "fiona.finance"))
    assert now.status_code == 200
    assert now.json()["bonus"]["month"] == f"{datetime.now(ZoneInfo('Europe/Helsinki')):%Y-%m}"


def test_a_household_s_month_is_audited_as_a_read_of_its_persons(client, settings, person):
    explained(client, settings, person.household_id, date(2053, 7, 1), user="audrey.household")
    [entry] = audit_of(client, settings, "audrey.household")
    assert (entry["action"], entry["operation"], entry["purpose"]) == (
        "read", "household_bonus_month", "benefit_payments")
    assert entry["person_ids"] == [person.person_id]  # a member, though the month holds no purchase
    assert "bonus.members" in entry["fields"]


def test_only_the_roles_that_need_it_read_a_household_s_bonus_and_a_customer_only_their_own(
        client, settings, person, other):
    path = f"/households/{person.household_id}/bonus/2053-03"
    for role in ("marketing_analyst", "card_operations", "membership_admin", "auditor", "operations"):
        assert client.get(path, headers=bearer(settings, role, f"{role}.nosy")).status_code == 403, role
    [refused] = audit_of(client, settings, "marketing_analyst.nosy")
    assert (refused["action"], refused["operation"]) == ("refused", "household_bonus_month")
    mine = bearer(settings, "data_subject", "customer:own", person_id=person.person_id)
    assert client.get(path, headers=mine).status_code == 200
    theirs = bearer(settings, "data_subject", "customer:curious", person_id=other.person_id)
    assert client.get(path, headers=theirs).status_code == 403
    unknown = client.get("/households/h-nobody-knows/bonus/2053-03", headers=bearer(settings, "finance"))
    assert unknown.status_code == 404
    assert client.get(f"/households/{person.household_id}/bonus/2053-13",
                      headers=bearer(settings, "finance")).status_code == 422


# -- opening a dead letter -----------------------------------------------------------------------------------

def test_opening_a_dead_letter_is_recorded_for_operations_only_with_whom_and_why(client, settings, person):
    opening = {"topic": "pos.purchases.v1", "partition": 0, "offset": 41, "person_ids": [person.person_id]}
    headers = {**bearer(settings, "operations", "olli.operations"), "X-Purpose": "incident_handling"}
    recorded = client.post("/dead-letters/openings", json=opening, headers=headers)
    assert recorded.status_code == 200, recorded.text
    [entry] = audit_of(client, settings, "olli.operations")
    assert (entry["action"], entry["operation"], entry["person_ids"], entry["purpose"]) == (
        "read", "open_dead_letter", [person.person_id], "incident_handling")
    assert client.post("/dead-letters/openings", json=opening,
                       headers=bearer(settings, "customer_service", "cs.nosy")).status_code == 403
    assert client.post("/dead-letters/openings", json={**opening, "person_ids": ["bad id\n"]},
                       headers=headers).status_code == 422
    wrong_purpose = {**headers, "X-Purpose": "marketing_analysis"}
    assert client.post("/dead-letters/openings", json=opening, headers=wrong_purpose).status_code == 400
