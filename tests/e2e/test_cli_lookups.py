"""Staff lookups, register extracts and the month to date from the command line, on the real stack: through
the register API's routes (field policy and audit log) with a staff token."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from coopreg.simulate.person_history import seed_person_history
from services.bonus.application.explain import month_to_date
from services.bonus.domain import load_tier_tables
from services.bonus.domain.months import month_label, month_of
from services.registry import SERVICES
from shared.runtime import open_pool
from tests.e2e.cli import coopreg, one_json, table_text

pytestmark = pytest.mark.usefixtures("services")
STAFF = ("--user", "cs-anna", "--role", "customer_service")


@pytest.fixture(scope="module")
async def seeded(settings):
    pools = {name: await open_pool(settings, SERVICES[name]) for name in ("membership", "cards", "purchases", "bonus")}
    try:
        person = await seed_person_history(pools, settings, datetime.now(timezone.utc), days=20)
        number = await pools["membership"].fetchval("SELECT customer_number FROM persons WHERE person_id = $1",
                                                    person.person_id)
    finally:
        for pool in pools.values():
            await pool.close()
    return person, number


async def audited(db, person_id: str) -> list[str]:
    rows = await db.fetch("SELECT operation FROM audit.audit_log WHERE actor = 'cs-anna'"
                          " AND $1 = ANY(person_ids) ORDER BY seq", person_id)
    return [r["operation"] for r in rows]


async def test_lookups_return_the_person_within_the_role_s_fields_and_are_audited(seeded, db, monkeypatch):
    person, number = seeded
    by_number = await coopreg("lookup", "person", str(number), *STAFF, "-o", "json")
    assert by_number.returncode == 0, by_number.stderr
    found = json.loads(by_number.stdout)
    assert found["person"]["person_id"] == person.person_id and found["person"]["customer_number"] == number
    assert person.identity_code not in by_number.stdout  # customer service never sees the identity code

    by_card = await coopreg("lookup", "person", "--card", person.card_number, "--sections", "contact,cards", *STAFF,
                            "--output", "json")
    assert by_card.returncode == 0, by_card.stderr
    shown = json.loads(by_card.stdout)
    assert shown["person"]["person_id"] == person.person_id and {"contact", "cards"} <= set(shown)
    assert person.card_number not in by_card.stdout

    household = await coopreg("lookup", "household", person.household_id, *STAFF, "-o", "json")
    assert household.returncode == 0, household.stderr
    members = json.loads(household.stdout)["household"]["members"]
    assert [m["person_id"] for m in members] == [person.person_id]

    consents = await coopreg("lookup", "consents", str(number), *STAFF, "-o", "json")
    assert consents.returncode == 0, consents.stderr
    assert "marketing_prohibition" in json.loads(consents.stdout)["consents"]

    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no id is folded
    assert f"person.person_id │ {person.person_id}" in table_text(
        await coopreg("lookup", "person", str(number), *STAFF))
    assert f"household.members[0].person_id │ {person.person_id}" in table_text(
        await coopreg("lookup", "household", person.household_id, *STAFF))
    assert "consents.marketing_prohibition" in table_text(await coopreg("lookup", "consents", str(number), *STAFF))

    assert {"search_persons", "get_person", "get_person_section"} <= set(await audited(db, person.person_id))


async def test_a_role_without_the_scope_and_an_unknown_household_are_sentences(seeded):
    person, _ = seeded
    refused = await coopreg("lookup", "consents", person.person_id, "--user", "aud-olli", "--role", "auditor")
    assert refused.returncode == 1
    assert "the role auditor may not do this" in " ".join(refused.stderr.split())
    unknown = await coopreg("lookup", "household", "h-nobody-at-all", *STAFF)
    assert unknown.returncode == 1 and "knows no household h-nobody-at-all" in " ".join(unknown.stderr.split())
    nobody = await coopreg("lookup", "person", "999999999999", *STAFF)
    assert nobody.returncode == 1 and "no person with that customer number" in " ".join(nobody.stderr.split())
    assert "Traceback" not in refused.stderr + unknown.stderr + nobody.stderr


async def test_dsar_request_then_status(seeded, db):
    person, _ = seeded
    requested = await coopreg("dsar", "request", person.person_id, *STAFF, "-o", "json")
    assert requested.returncode == 0, requested.stderr
    request = json.loads(requested.stdout)
    assert request["person_id"] == person.person_id and request["requested_by"] == "cs-anna"
    assert request["status"] == "ready"
    status = await coopreg("dsar", "status", request["request_id"], *STAFF, "--output", "json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == "ready"
    assert "status │ ready" in table_text(await coopreg("dsar", "status", request["request_id"], *STAFF))
    assert "request_extract" in await audited(db, person.person_id)
    missing = await coopreg("dsar", "status", "x-no-such-request", *STAFF)
    assert missing.returncode == 1 and "no such extract request" in " ".join(missing.stderr.split())


async def test_month_to_date_shows_the_bonus_service_s_figures(seeded, settings):
    person, _ = seeded
    month = month_of(datetime.now(timezone.utc) - timedelta(days=2))  # the seeded purchases reach into it
    shown = await coopreg("bonus", "month-to-date", person.household_id, "--month", month_label(month), *STAFF)
    assert shown.returncode == 0, shown.stderr
    pool = await open_pool(settings, SERVICES["bonus"])
    try:
        async with pool.acquire() as conn:
            expected = await month_to_date(conn, load_tier_tables(), person.household_id, month)
    finally:
        await pool.close()
    text = " ".join(shown.stdout.split())
    total = f"{expected.tier_total_cents / 100:,.2f} €".replace(",", " ")
    assert f"purchases counting toward the tier: {total}" in text
    assert f"Bonus {expected.rate_bp / 100:.1f} %" in text and "to the next tier" in text
    none = await coopreg("bonus", "month-to-date", person.household_id, "--month", "2031-01", *STAFF)
    assert none.returncode == 0 and "No Bonus purchases" in none.stdout
    figures = one_json(await coopreg("bonus", "month-to-date", person.household_id, "--month", month_label(month),
                                     *STAFF, "-o", "json"))
    assert figures["household_id"] == person.household_id
    assert figures["month_to_date"]["tier_total_cents"] == expected.tier_total_cents


async def test_month_to_date_is_read_through_the_register_api_and_audited(seeded, db):
    person, _ = seeded
    shown = await coopreg("bonus", "month-to-date", person.household_id, *STAFF)
    assert shown.returncode == 0, shown.stderr
    assert "household_bonus_month_to_date" in await audited(db, person.person_id)
