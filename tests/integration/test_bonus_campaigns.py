"""Double Bonus campaigns as data on the real stack (issue 27): finance staff create, list and end them
through the register API (the command staged in its outbox with its audit entry, the list asked of the bonus
service's own endpoint), and the bonus service applies the commands and prices purchases by them."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import orjson
import pytest

from contracts.envelope import Envelope
from contracts.events.bonus_campaigns import CampaignCommand
from services.bonus.application.campaigns import CampaignConfig, when_campaign_commanded
from shared.delivery import Incoming, Rejected
from tests.integration.test_bonus_month import book, close, month_at, payouts
from tests.support.factories import accepted
from tests.support.outbox_rows import header_texts
from tests.support.register_api import bearer, client_fixture, own_fixture

client = client_fixture()
own = own_fixture()
DAY = timedelta(days=1)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def incoming(command: dict) -> Incoming:
    return Incoming.handed(CampaignCommand.model_validate(command),
                           Envelope(id=str(uuid.uuid4()), source="test", type="coopreg.CampaignCommand"))


async def apply(pool, command: dict, now: datetime | None = None) -> None:
    config = CampaignConfig(clock=lambda: now) if now else CampaignConfig()
    async with pool.acquire() as conn, conn.transaction():
        await when_campaign_commanded(conn, [incoming(command)], config)


def create(campaign_id: str, outlets: list[str], starts_at: datetime, ends_at: datetime) -> dict:
    return {"command": "create_campaign", "campaign_id": campaign_id, "cooperative_id": "hok-elanto",
            "name": "Kaleva reopening", "outlet_ids": outlets, "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat()}


def end(campaign_id: str, ends_at: datetime) -> dict:
    return {"command": "end_campaign", "campaign_id": campaign_id, "ends_at": ends_at.isoformat()}


# -- the bonus service ---------------------------------------------------------------------------------------

async def test_a_campaign_created_by_command_pays_twice_the_rate_in_its_period_only(pools):
    pool, household, outlet, campaign = pools["bonus"], new_id("h"), new_id("o"), new_id("c")
    await apply(pool, create(campaign, [outlet], month_at(2054, 6, 5), month_at(2054, 6, 20)),
                now=month_at(2054, 6, 1))
    # 700 € → 4 %: the 100 € at the outlet in the period at 8 % (8.00), the 100 € there after the period
    # ordinary with the other 500 € (24.00)
    await book(pool, accepted(new_id("r"), household, month_at(2054, 6, 10), 50000),
               accepted(new_id("r"), household, month_at(2054, 6, 10), 10000, outlet=outlet),
               accepted(new_id("r"), household, month_at(2054, 6, 25), 10000, outlet=outlet))
    assert await pool.fetchval("SELECT double_cents FROM accruals WHERE household_id = $1", household) == 10000
    await close(pool, date(2054, 6, 1))
    assert (await payouts(pool, household))["bonus"] == 3200


async def test_an_end_stops_the_doubling_from_when_it_is_applied_and_never_reaches_back(pools):
    pool, household, outlet, campaign = pools["bonus"], new_id("h"), new_id("o"), new_id("c")
    await apply(pool, create(campaign, [outlet], month_at(2054, 7, 2), month_at(2054, 7, 30)),
                now=month_at(2054, 7, 1))
    # asked to end on the 5th, applied on the 10th: the campaign ends on the 10th
    await apply(pool, end(campaign, month_at(2054, 7, 5)), now=month_at(2054, 7, 10))
    await book(pool, accepted(new_id("r"), household, month_at(2054, 7, 8), 10000, outlet=outlet),
               accepted(new_id("r"), household, month_at(2054, 7, 12), 10000, outlet=outlet))
    assert await pool.fetchval("SELECT double_cents FROM accruals WHERE household_id = $1", household) == 10000
    assert await pool.fetchval("SELECT bonus_cents FROM accruals WHERE household_id = $1", household) == 10000
    with pytest.raises(Rejected) as refused:
        await apply(pool, end(campaign, month_at(2054, 7, 12)), now=month_at(2054, 7, 11))
    assert refused.value.reason == "campaign_already_ended"


async def test_commands_that_would_misprice_are_refused_and_change_nothing(pools):
    pool, outlet = pools["bonus"], new_id("o")
    await close(pool, date(2054, 8, 1))  # a month that is closed
    cases = [
        (create(new_id("c"), [outlet], month_at(2054, 9, 5), month_at(2054, 9, 5)), month_at(2054, 9, 1),
         "campaign_ends_before_it_starts"),
        (create(new_id("c"), [outlet], month_at(2054, 9, 5), month_at(2054, 9, 20)), month_at(2054, 9, 6),
         "campaign_starts_in_the_past"),
        (create(new_id("c"), [outlet], month_at(2054, 8, 20), month_at(2054, 9, 20)), month_at(2054, 8, 1),
         "campaign_month_closed"),
        (end(new_id("c"), month_at(2054, 9, 5)), month_at(2054, 9, 1), "unknown_campaign"),
    ]
    for command, now, reason in cases:
        with pytest.raises(Rejected) as refused:
            await apply(pool, command, now)
        assert refused.value.reason == reason
    assert await pool.fetchval("SELECT count(*) FROM double_bonus_campaigns WHERE outlet_id = $1", outlet) == 0

    taken = new_id("c")
    await apply(pool, create(taken, [outlet], month_at(2054, 10, 5), month_at(2054, 10, 9)), month_at(2054, 10, 1))
    await apply(pool, create(taken, [outlet], month_at(2054, 10, 5), month_at(2054, 10, 9)), month_at(2054, 10, 2))
    with pytest.raises(Rejected) as refused:  # the same id for another campaign
        await apply(pool, create(taken, [outlet], month_at(2054, 10, 6), month_at(2054, 10, 9)), month_at(2054, 10, 2))
    assert refused.value.reason == "campaign_exists"


# -- the register API ----------------------------------------------------------------------------------------

async def staged_campaign_command(own, change_id: str) -> tuple[dict, dict]:
    """The campaign command the API staged for a change: not sealed (it is about no person)."""
    for row in await own.fetch("SELECT key, value, headers::text AS headers FROM outbox ORDER BY seq DESC LIMIT 50"):
        headers = header_texts(row["headers"])
        if headers.get("ce_id") == change_id:
            return orjson.loads(row["value"]), {**headers, "key": bytes(row["key"]).decode()}
    raise AssertionError("the change was not staged")


def audited(client, settings, actor: str) -> list[dict]:
    response = client.get("/audit", params={"actor": actor}, headers=bearer(settings, "auditor", user="audit-reader"))
    assert response.status_code == 200, response.text
    return [item["audit"] for item in response.json()["items"]]


async def test_finance_creates_lists_and_ends_a_campaign_through_the_api_audited(client, settings, pools, own):
    user, campaign, outlet = new_id("fiona"), new_id("c"), new_id("o")
    finance = {**bearer(settings, "finance", user), "X-Purpose": "bonus_campaigns"}
    starts_at = datetime.now(timezone.utc).replace(microsecond=0) + DAY
    body = {"campaign_id": campaign, "cooperative_id": "hok-elanto", "name": "Kaleva reopening",
            "outlet_ids": [outlet, "P002"], "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + 7 * DAY).isoformat()}

    created = client.post("/campaigns", json=body, headers=finance)
    assert created.status_code == 202, created.text
    change = created.json()["change"]
    assert (change["command"], change["campaign_id"], change["topic"]) == ("create_campaign", campaign,
                                                                          "bonus.campaigns.v1")
    command, headers = await staged_campaign_command(own, change["change_id"])
    assert headers["key"] == campaign and headers["ce_type"] == "coopreg.CampaignCommand"
    assert "coopreg_subject" not in headers  # about no person: not sealed
    assert sorted(command["outlet_ids"]) == sorted([outlet, "P002"])
    await apply(pools["bonus"], command)  # what the bonus service's consumer does with it

    listed = client.get("/campaigns", params={"cooperative_id": "hok-elanto", "current": "true"}, headers=finance)
    assert listed.status_code == 200, listed.text
    [shown] = [c for c in listed.json()["campaigns"] if c["campaign_id"] == campaign]
    assert (shown["status"], shown["outlet_ids"], shown["name"]) == ("planned", sorted([outlet, "P002"]),
                                                                    "Kaleva reopening")
    assert datetime.fromisoformat(shown["ends_at"]) == starts_at + 7 * DAY

    again = client.post("/campaigns", json=body, headers=finance)
    assert (again.status_code, again.json()["error"]) == (409, "campaign_exists"), again.text

    ended = client.post(f"/campaigns/{campaign}/end", headers=finance)
    assert ended.status_code == 202, ended.text
    command, _ = await staged_campaign_command(own, ended.json()["change"]["change_id"])
    await apply(pools["bonus"], command)
    [shown] = [c for c in client.get("/campaigns", headers=finance).json()["campaigns"]
               if c["campaign_id"] == campaign]
    # not started yet: called off, it ends as it starts
    assert (shown["status"], datetime.fromisoformat(shown["ends_at"])) == ("called_off", starts_at)
    assert shown["ended_early_at"] is not None
    assert campaign not in [c["campaign_id"] for c in client.get("/campaigns", params={"current": "true"},
                                                                  headers=finance).json()["campaigns"]]

    entries = [(e["action"], e["operation"], e["purpose"], e["person_ids"]) for e in audited(client, settings, user)]
    assert ("change", "create_campaign", "bonus_campaigns", []) in entries
    assert ("change", "end_campaign", "bonus_campaigns", []) in entries


async def test_campaigns_are_for_finance_and_a_bad_period_is_a_422_not_a_dead_letter(client, settings):
    starts_at = datetime.now(timezone.utc) + DAY
    body = {"campaign_id": new_id("c"), "cooperative_id": "hok-elanto", "name": "x", "outlet_ids": ["P001"],
            "starts_at": starts_at.isoformat(), "ends_at": (starts_at - timedelta(hours=1)).isoformat()}
    for role in ("customer_service", "marketing_analyst"):
        assert client.get("/campaigns", headers=bearer(settings, role)).status_code == 403
        assert client.post("/campaigns", json=body, headers=bearer(settings, role)).status_code == 403
    finance = bearer(settings, "finance")
    refused = client.post("/campaigns", json=body, headers=finance)
    assert (refused.status_code, refused.json()["error"]) == (422, "campaign_ends_before_it_starts")
    soon = {**body, "starts_at": (datetime.now(timezone.utc) + timedelta(seconds=30)).isoformat(),
            "ends_at": (starts_at + DAY).isoformat()}
    refused = client.post("/campaigns", json=soon, headers=finance)
    assert (refused.status_code, refused.json()["error"]) == (422, "campaign_starts_too_soon")
    missing = client.post(f"/campaigns/{new_id('c')}/end", headers=finance)
    assert missing.status_code == 404
