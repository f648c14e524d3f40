"""The disclosure log on the real PostgreSQL, through the register API with the services' own endpoints (issue
28, seed §7-8): an authority request recorded by staff with the right role (refused without it, validated),
the tax report taken out by finance, both in the person's data and extract with the recipient's EU/EEA location,
erased with the person and expired by the `disclosures` retention period."""
from __future__ import annotations

from datetime import timedelta

import orjson

from contracts.disclosures import DisclosureEntry
from contracts.events.membership import Resign
from coopreg.simulate.person_history import seed_person_history
from services.consent.application.config import ConsentConfig
from services.membership.application.config import MembershipConfig
from shared import disclosure_log
from tests.support.consent import commands, defined, permission, person_state, person_states, unique
from tests.support.consent import segment as segment_definition
from tests.support.membership_db import run
from tests.support.privacy import hand_on
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture
from tests.support.retention import handed_on_retention_run

client = client_fixture()
own = own_fixture()

REQUEST = {"recipient": "police", "data": ["contact.mobile_phone", "purchases"],
           "legal_basis": "Police Act 872/2011 4:3", "reference": "5500/R/1234/24"}


def audit_of(client, settings, actor: str) -> list[dict]:
    response = client.get("/audit", params={"actor": actor}, headers=bearer(settings, "auditor", "audit-reader"))
    return [item["audit"] for item in response.json()["items"]]


def disclosures_of(client, settings, person_id: str, role: str = "data_protection_officer") -> list[dict]:
    headers = bearer(settings, role, person_id=person_id if role == "data_subject" else None)
    response = client.get(f"/persons/{person_id}/disclosures", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["disclosures"]


async def test_staff_with_the_role_record_an_authority_request_and_others_are_refused(client, settings, pools):
    person = await seed_person_history(pools, settings, NOW, days=3)
    path = f"/persons/{person.person_id}/disclosures"
    refused = client.post(path, json=REQUEST, headers=bearer(settings, "customer_service", "cs-carl"))
    assert refused.status_code == 403
    [attempt] = audit_of(client, settings, "cs-carl")
    assert (attempt["action"], attempt["operation"]) == ("refused", "record_disclosure")
    for missing in ("legal_basis", "reference"):
        body = {k: v for k, v in REQUEST.items() if k != missing}
        assert client.post(path, json=body, headers=bearer(settings, "authority_requests")).status_code == 422
    wrong = client.post(path, json={**REQUEST, "recipient": "s-bank"}, headers=bearer(settings, "authority_requests"))
    assert (wrong.status_code, wrong.json()["error"]) == (422, "unknown_recipient")
    bad_data = client.post(path, json={**REQUEST, "data": ["passwords"]},
                           headers=bearer(settings, "authority_requests"))
    assert (bad_data.status_code, bad_data.json()["error"]) == (422, "unknown_data")
    future = (NOW + timedelta(days=2)).isoformat()
    assert client.post(path, json={**REQUEST, "disclosed_at": future},
                       headers=bearer(settings, "authority_requests")).status_code == 422
    nobody = client.post("/persons/p-nobody-at-all/disclosures", json=REQUEST,
                         headers=bearer(settings, "authority_requests"))
    assert nobody.status_code == 404

    recorded = client.post(path, json=REQUEST, headers=bearer(settings, "authority_requests", "lea.legal"))
    assert recorded.status_code == 201, recorded.text
    entry = recorded.json()["disclosure"]
    assert (entry["kind"], entry["recipient"], entry["recipient_location"]) == ("authority_request", "police", "EU/EEA")
    assert entry["data"] == ["contact.mobile_phone", "purchases"] and entry["recorded_by"] == "lea.legal"
    [audited] = audit_of(client, settings, "lea.legal")
    assert (audited["action"], audited["operation"], audited["person_ids"], audited["purpose"]) == (
        "change", "record_disclosure", [person.person_id], "authority_request")
    by_dpo = client.post(path, json={**REQUEST, "recipient": "enforcement-authority",
                                     "reference": "ULO-2024-77", "data": ["bonus"]},
                         headers=bearer(settings, "data_protection_officer"))
    assert by_dpo.status_code == 201

    # in the person's own data and register extract, the oldest first, never a value of what was disclosed
    mine = disclosures_of(client, settings, person.person_id, "data_subject")
    assert [(d["recipient"], d["reference"]) for d in mine] == [("police", "5500/R/1234/24"),
                                                               ("enforcement-authority", "ULO-2024-77")]
    assert person.phone not in orjson.dumps(mine).decode()
    subject = bearer(settings, "data_subject", person_id=person.person_id)
    request = client.post(f"/persons/{person.person_id}/extract-requests", headers=subject).json()
    extract = client.get(f"/extract-requests/{request['extract_request']['request_id']}/document", headers=subject)
    assert [d["disclosure_id"] for d in extract.json()["disclosures"]] == [d["disclosure_id"] for d in mine]
    assert "disclosures" in extract.json()["extract"]["sections"]
    html = client.get(f"/extract-requests/{request['extract_request']['request_id']}/document",
                      params={"format": "html"}, headers=subject)
    assert "Police of Finland" in html.text and "EU/EEA" in html.text
    # a role that reads no disclosures is not shown them
    analyst = client.get(f"/persons/{person.person_id}", headers=bearer(settings, "marketing_analyst"))
    assert "disclosures" not in analyst.json()


async def test_disclosures_go_with_the_persons_erasure(client, settings, pools, own):
    person = await seed_person_history(pools, settings, NOW, days=3)
    assert client.post(f"/persons/{person.person_id}/disclosures", json=REQUEST,
                       headers=bearer(settings, "authority_requests")).status_code == 201
    assert await own.fetchval("SELECT count(*) FROM disclosures WHERE person_id = $1", person.person_id) == 1
    await run(pools["membership"], MembershipConfig.from_settings(settings),
              Resign(person_id=person.person_id, resigned_at=NOW))
    requested = client.post(f"/persons/{person.person_id}/erasure", headers=bearer(settings, "data_protection_officer"))
    assert requested.status_code == 202, requested.text
    await hand_on(settings, own, pools)
    report = orjson.loads(await own.fetchval("SELECT report::text FROM erasures WHERE person_id = $1",
                                             person.person_id))
    assert report["disclosures"] == 1
    assert await own.fetchval("SELECT count(*) FROM disclosures WHERE person_id = $1", person.person_id) == 0
    after = client.post(f"/persons/{person.person_id}/disclosures", json=REQUEST,
                        headers=bearer(settings, "authority_requests"))
    # the member register stays (Co-operatives Act), but nothing is recorded of an erased person any more
    assert (after.status_code, after.json()["error"]) == (409, "person_erased")


async def test_disclosures_expire_after_their_retention_period(client, settings, pools, own):
    person = await seed_person_history(pools, settings, NOW, days=3)
    old, recent = NOW - timedelta(days=365 * 5 + 40), NOW - timedelta(days=365 * 5 - 40)
    async with own.acquire() as conn:
        await disclosure_log.record(conn, [DisclosureEntry(
            disclosure_id=f"d-{name}-{person.person_id}", person_id=person.person_id, kind="authority_request",
            recipient="customs", data=("purchases",), legal_basis="Customs Act 304/2016 ch. 4",
            reference=name, disclosed_at=at, recorded_by="lea.legal")
            for name, at in (("old", old), ("recent", recent))])
    report = await handed_on_retention_run(client, settings, own, pools)
    assert report["erased"]["register_api"]["disclosures"] >= 1
    left = [d["reference"] for d in disclosures_of(client, settings, person.person_id)]
    assert left == ["recent"]


async def _sbank_and_segment(pools, settings, person) -> str:
    """The consent service shares the person with S-Bank and puts them in an e-mail segment for SOK's
    marketing; returns the segment's name."""
    config, name = ConsentConfig.from_settings(settings), unique("disclosed")
    await person_states(pools["consent"], config, person_state(
        person.person_id, household_id=person.household_id, sbank_customer_ref=unique("SB")))
    await commands(pools["consent"], config, permission(person.person_id, 0))  # self-service: goes to S-Bank
    await defined(pools["consent"], config, segment_definition(name, attributes=["municipality"]))
    return name


async def test_what_the_services_publish_to_s_bank_and_segments_is_in_the_log_and_goes_with_erasure(
        client, settings, pools, own):
    person = await seed_person_history(pools, settings, NOW, days=3)
    segment = await _sbank_and_segment(pools, settings, person)
    logged = disclosures_of(client, settings, person.person_id, "data_subject")
    by_kind = {d["kind"]: d for d in logged}
    sbank, delivered = by_kind["sbank_update"], [d for d in logged if d["kind"] == "segment_delivery"]
    assert (sbank["recipient"], sbank["recipient_location"], sbank["data"]) == (
        "s-bank", "EU/EEA", ["consents.permissions.email"])
    mine = [d for d in delivered if d["reference"] == f"marketing.segment.{segment}.v1"]
    assert len(mine) == 1 and mine[0]["recipient"] == "sok-marketing" and mine[0]["recorded_by"] == "consent"
    assert "segments.municipality" in mine[0]["data"] and "segments.purpose" not in mine[0]["data"]
    # an unregistered recipient (or one outside the EU/EEA, which the registry refuses) cannot be named
    try:
        segment_definition(unique("nowhere"), recipient="data-broker-us")
    except ValueError:
        pass
    else:
        raise AssertionError("a segment for an unregistered recipient was accepted")

    await run(pools["membership"], MembershipConfig.from_settings(settings),
              Resign(person_id=person.person_id, resigned_at=NOW))
    assert client.post(f"/persons/{person.person_id}/erasure",
                       headers=bearer(settings, "data_protection_officer")).status_code == 202
    await hand_on(settings, own, pools)
    assert await pools["consent"].fetchval("SELECT count(*) FROM disclosures WHERE person_id = $1",
                                           person.person_id) == 0
    report = orjson.loads(await own.fetchval("SELECT report::text FROM erasures WHERE person_id = $1",
                                             person.person_id))
    assert report["consent"]["disclosures"] >= 2


async def test_the_services_disclosure_entries_expire_with_the_period(client, settings, pools, own):
    person = await seed_person_history(pools, settings, NOW, days=3)
    await _sbank_and_segment(pools, settings, person)
    await pools["consent"].execute("UPDATE disclosures SET disclosed_at = $2 WHERE person_id = $1 AND kind ="
                                   " 'sbank_update'", person.person_id, NOW - timedelta(days=365 * 6))
    await handed_on_retention_run(client, settings, own, pools)
    kinds = {d["kind"] for d in disclosures_of(client, settings, person.person_id)}
    assert kinds == {"segment_delivery"}
