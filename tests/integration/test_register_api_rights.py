"""The data subject's rights on the real PostgreSQL: an extract with every service's part (compared with what
the services hold), the retention run over data aged past two years, and erasure proven on the tables."""
from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from contracts.events.membership import Resign
from coopreg.simulate.person_history import seed_person_history
from services.membership.application.config import MembershipConfig
from tests.support.membership_db import run
from tests.support.register_api import NOW, api_client, bearer, schema_text

DPO = "data_protection_officer"


@pytest.fixture(scope="module")
def client(settings):
    with api_client(settings) as client:
        yield client


async def test_the_extract_holds_every_services_part_of_the_person(client, settings, pools):
    person = await seed_person_history(pools, settings, NOW, days=60)
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    request = client.post(f"/persons/{person.person_id}/extract-requests", headers=mine)
    assert request.status_code == 201
    tracked = request.json()["extract_request"]
    assert tracked["status"] == "ready" and tracked["deadline"] > tracked["requested_at"]
    extract = client.get(f"/extract-requests/{tracked['request_id']}/document", headers=mine).json()
    # each part as the service holds it
    receipts = await pools["purchases"].fetch("SELECT receipt_id FROM receipts WHERE person_id = $1", person.person_id)
    bookings = await pools["bonus"].fetch("SELECT receipt_id FROM purchases WHERE person_id = $1", person.person_id)
    cards = await pools["cards"].fetch("SELECT card_token FROM cards WHERE person_id = $1", person.person_id)
    memberships = await pools["membership"].fetch("SELECT membership_id FROM memberships WHERE person_id = $1",
                                                  person.person_id)
    email = await pools["membership"].fetchval("SELECT value FROM base_data WHERE person_id = $1 AND field_group ="
                                               " 'email' AND ended_at IS NULL", person.person_id)
    assert sorted(p["receipt_id"] for p in extract["purchases"]) == sorted(r["receipt_id"] for r in receipts)
    assert len(extract["purchases"]) == len(person.receipts) > 50
    assert sorted(b["receipt_id"] for b in extract["bonus"]["bookings"]) == sorted(r["receipt_id"] for r in bookings)
    assert [c["card_token"] for c in extract["cards"]] == [r["card_token"] for r in cards]
    assert [m["membership_id"] for m in extract["memberships"]] == [r["membership_id"] for r in memberships]
    assert extract["contact"]["email"] == orjson.loads(email)
    assert extract["person"]["identity_code"] == person.identity_code
    assert extract["benefit_account"][0]["iban"].startswith("FI")
    assert extract["household"]["household_id"] == person.household_id
    html = client.get(f"/extract-requests/{tracked['request_id']}/document", params={"format": "html"}, headers=mine)
    assert html.headers["content-type"].startswith("text/html") and "Meikäläinen" in html.text
    assert person.receipts[0] in html.text
    someone_else = bearer(settings, "data_subject", person_id="p-someone-else")
    assert client.get(f"/extract-requests/{tracked['request_id']}/document", headers=someone_else).status_code == 404


async def _age_history(pools, person, years: int = 3) -> None:
    """Move the person's ended contact data and a paid month past the retention period."""
    old = NOW - timedelta(days=365 * years)
    await pools["membership"].execute(
        "INSERT INTO base_data (person_id, field_group, value, source, source_time, ended_at)"
        " VALUES ($1, 'email', '{\"address\": \"old@example.fi\"}', 'customer', $2, $2)", person.person_id, old)
    await pools["bonus"].execute(
        "INSERT INTO statements (household_id, month, cooperative_id, tier_table, rate_bp, tier_total_cents,"
        " bonus_cents, fuel_bonus_cents, payment_method_benefit_cents, payouts)"
        " VALUES ($1, date_trunc('month', $2::timestamptz)::date, 'hok-elanto', 'common', 100, 10000, 100, 0, 5, 1)",
        person.household_id, old)


async def test_the_retention_run_erases_what_is_past_two_years_and_only_that(client, settings, pools):
    person = await seed_person_history(pools, settings, NOW, days=800)
    await _age_history(pools, person)
    cutoff = NOW - timedelta(days=731)
    report = client.post("/retention/runs", headers=bearer(settings, DPO)).json()["retention"]
    assert report["erased"]["purchases"]["purchases"] >= 60 and report["erased"]["bonus"]["purchases"] >= 60
    assert report["erased"]["bonus"]["paid_bonus"] >= 1 and report["erased"]["membership"]["ended_contact_data"] >= 1
    assert report["kept"] == ["membership_records", "contribution_records"]
    left = await pools["purchases"].fetch("SELECT purchased_at FROM receipts WHERE person_id = $1", person.person_id)
    assert left and min(r["purchased_at"] for r in left) >= cutoff - timedelta(days=1)
    assert not await pools["bonus"].fetchval("SELECT count(*) FROM purchases WHERE person_id = $1 AND purchased_at"
                                             " < $2", person.person_id, cutoff - timedelta(days=1))
    assert "old@example.fi" not in await schema_text(pools["membership"], "membership")
    assert await pools["membership"].fetchval("SELECT count(*) FROM base_data WHERE person_id = $1 AND field_group ="
                                              " 'email'", person.person_id) == 1
    again = client.post("/retention/runs", headers=bearer(settings, DPO)).json()["retention"]
    assert again["erased"]["purchases"]["purchases"] == 0 and again["persons_erased"] == 0
    runs = client.get("/retention/runs", headers=bearer(settings, DPO)).json()["items"]
    assert runs[0]["retention"]["run_id"] == again["run_id"]


async def _everywhere(pools) -> str:
    return " ".join([await schema_text(pools[name], name, in_flight=False)
                     for name in ("membership", "cards", "purchases", "bonus")])


async def test_an_erased_person_cannot_be_read_back_from_the_tables(client, settings, pools):
    person = await seed_person_history(pools, settings, NOW, days=20)
    config = MembershipConfig.from_settings(settings)
    extract = client.post(f"/persons/{person.person_id}/extract-requests", headers=bearer(settings, DPO)).json()
    refused = client.post(f"/persons/{person.person_id}/erasure", headers=bearer(settings, DPO))
    assert (refused.status_code, refused.json()["error"]) == (409, "relationship_active")
    await run(pools["membership"], config, Resign(person_id=person.person_id, resigned_at=NOW))
    erased = client.post(f"/persons/{person.person_id}/erasure", headers=bearer(settings, DPO))
    assert erased.status_code == 200, erased.text
    assert erased.json()["erasure"]["report"]["key_destroyed"] is True
    left = await _everywhere(pools)
    for trace in (person.email, person.phone, person.street, person.receipts[0],
                  person.household_id + " ", person.identity_code):
        assert trace not in left
    for schema, table in (("cards", "cards"), ("purchases", "receipts"), ("bonus", "purchases"),
                          ("membership", "base_data")):
        rows = await pools[schema].fetch(f"SELECT * FROM {table} WHERE person_id = $1", person.person_id)
        assert [r.get("field_group") for r in rows] == ([] if table != "base_data" else ["name"]), table
    # the member register stays, as the Co-operatives Act requires; the earlier extract is unreadable
    assert await pools["membership"].fetchval("SELECT count(*) FROM memberships WHERE person_id = $1",
                                              person.person_id) == 1
    document = client.get(f"/extract-requests/{extract['extract_request']['request_id']}/document",
                          headers=bearer(settings, DPO))
    assert (document.status_code, document.json()["error"]) == (409, "person_erased")
    view = client.get(f"/persons/{person.person_id}", headers=bearer(settings, DPO)).json()
    assert view["contact"]["email"] is None and view["cards"] == [] and view["purchases"] == []
    change = client.patch(f"/persons/{person.person_id}/contact", json={"language": "sv"},
                          headers=bearer(settings, "customer_service"))
    assert (change.status_code, change.json()["error"]) == (409, "person_erased")


async def test_the_retention_run_erases_a_person_whose_relationship_ended_over_two_years_ago(client, settings, pools):
    person = await seed_person_history(pools, settings, NOW - timedelta(days=1000), days=30)
    await run(pools["membership"], MembershipConfig.from_settings(settings),
              Resign(person_id=person.person_id, resigned_at=NOW - timedelta(days=900)))
    client.post("/retention/runs", headers=bearer(settings, DPO))
    assert await pools["membership"].fetchval("SELECT erased_at IS NOT NULL FROM persons WHERE person_id = $1",
                                              person.person_id)
    assert not await pools["cards"].fetchval("SELECT count(*) FROM cards WHERE person_id = $1", person.person_id)
    assert person.email not in await schema_text(pools["membership"], "membership")
