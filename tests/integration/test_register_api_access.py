"""The register API on the real PostgreSQL: each role sees its fields of a real person, self-service only
one's own, every read audited, every bad request a clear 4xx without anyone's data."""
from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from coopreg.simulate.person_history import seed_person_history
from tests.support.register_api import NOW, bearer, client_fixture

ROLES = ("customer_service", "membership_admin", "card_operations", "finance", "marketing_analyst",
         "data_protection_officer")


@pytest.fixture(scope="module")
async def person(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=40)


@pytest.fixture(scope="module")
async def other(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=5)


client = client_fixture()


def sections_seen(client, settings, role: str, person) -> dict:
    response = client.get(f"/persons/{person.person_id}", headers=bearer(settings, role))
    assert response.status_code == 200, response.text
    return response.json()


def test_each_role_sees_its_sections_and_fields_of_a_real_person(client, settings, person):
    seen = {role: sections_seen(client, settings, role, person) for role in ROLES}
    assert set(seen["card_operations"]) == {"person", "household", "cards", "identifiers"}
    assert set(seen["card_operations"]["person"]) == {"person_id", "customer_number", "name"}
    assert seen["finance"]["memberships"] and "contact" not in seen["finance"]
    assert "name" not in seen["finance"]["person"]
    assert "identity_code" in seen["membership_admin"]["person"] and "purchases" not in seen["membership_admin"]
    assert "identity_code" not in seen["customer_service"]["person"]
    assert seen["customer_service"]["contact"]["email"] == {"address": person.email}
    assert all("lines" not in p for p in seen["customer_service"]["purchases"])
    assert seen["data_protection_officer"]["person"]["identity_code"] == person.identity_code
    analyst = texts_in(seen["marketing_analyst"])
    for identifier in (person.person_id, person.identity_code, person.email, person.household_id, "Maija",
                       person.receipts[0]):
        assert not any(identifier in text for text in analyst), identifier
    assert not any(text.endswith(person.card_number[-4:]) for text in analyst)


def texts_in(value) -> list[str]:
    """Every key and string of a response: where an identifier or a card's last four digits could show
    (amounts are numbers, so a total such as 11727 cents is not mistaken for a card ending 1727)."""
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (key, *texts_in(item))]
    if isinstance(value, list):
        return [text for item in value for text in texts_in(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("search", ["customer_number", "card_number", "identity_code"])
def test_staff_find_a_person_by_customer_number_card_or_identity_code(client, settings, person, search):
    customer_number = sections_seen(client, settings, "customer_service", person)["person"]["customer_number"]
    value = {"customer_number": customer_number, "card_number": person.card_number,
             "identity_code": person.identity_code}[search]
    found = client.post("/persons/search", json={search: value}, headers=bearer(settings, "customer_service"))
    assert found.status_code == 200
    assert [item["person"]["person_id"] for item in found.json()["items"]] == [person.person_id]


def test_a_search_by_an_invalid_identity_code_is_refused_without_echoing_it(client, settings, person):
    wrong_check = person.identity_code[:-1] + ("A" if person.identity_code[-1] != "A" else "B")
    refused = client.post("/persons/search", json={"identity_code": wrong_check},
                          headers=bearer(settings, "customer_service"))
    assert refused.status_code == 422 and "identity_code is not a valid" in refused.text
    assert wrong_check not in refused.text


def test_self_service_reaches_the_customers_own_data_and_nobody_elses(client, settings, person, other):
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    assert client.get(f"/persons/{person.person_id}/purchases", headers=mine).status_code == 200
    refused = client.get(f"/persons/{other.person_id}", headers=mine)
    assert refused.status_code == 403 and other.email not in refused.text and other.person_id not in refused.text
    assert client.post("/persons/search", json={"identity_code": other.identity_code}, headers=mine).status_code == 403


def test_every_read_is_audited_with_who_whom_which_fields_and_purpose(client, settings, person):
    headers = {**bearer(settings, "customer_service", user="anna.virtanen"), "X-Purpose": "rectification"}
    assert client.get(f"/persons/{person.person_id}/contact", headers=headers).status_code == 200
    entries = client.get("/audit", params={"person_id": person.person_id, "actor": "anna.virtanen"},
                         headers=bearer(settings, "auditor")).json()["items"]
    entry = entries[0]["audit"]
    assert (entry["action"], entry["operation"], entry["purpose"]) == ("read", "get_person_section", "rectification")
    assert entry["person_ids"] == [person.person_id] and "contact.email" in entry["fields"]
    assert "contact.permanent_address" in entry["fields"]
    assert not any(f.startswith("purchases") for f in entry["fields"])


def _token(settings, **claims) -> dict:
    body = {"sub": "x", "roles": ["customer_service"], "aud": settings.api.token_audience, "iat": NOW,
            "exp": NOW + timedelta(minutes=5), **claims}
    return {"Authorization": "Bearer " + jwt.encode(body, settings.api.token_key.get_secret_value(), "HS256")}


@pytest.mark.parametrize("case, status, code", [
    ("no token", 401, "missing_token"),
    ("wrong key", 401, "invalid_token"),
    ("expired", 401, "token_expired"),
    ("role without the scope", 403, "forbidden"),
    ("unknown purpose", 400, "unknown_purpose"),
    ("unknown person", 404, "not_found"),
    ("unknown section", 422, "invalid_request"),
    ("malformed person id", 422, "invalid_request"),
])
def test_bad_requests_are_clear_4xx_answers(client, settings, person, case, status, code):
    good = bearer(settings, "customer_service")
    path, headers = f"/persons/{person.person_id}/contact", good
    if case == "no token":
        headers = {}
    elif case == "wrong key":
        headers = {"Authorization": "Bearer " + jwt.encode({"sub": "x"}, "k" * 40, "HS256")}
    elif case == "expired":
        headers = _token(settings, exp=NOW - timedelta(minutes=1), iat=NOW - timedelta(minutes=9))
    elif case == "role without the scope":
        headers = bearer(settings, "finance")
    elif case == "unknown purpose":
        headers = {**good, "X-Purpose": "curiosity"}
    elif case == "unknown person":
        path = "/persons/p-nobody-at-all"
    elif case == "unknown section":
        path = f"/persons/{person.person_id}/diary"
    else:
        path = "/persons/p%20drop%20table"
    response = client.get(path, headers=headers)
    assert (response.status_code, response.json()["error"]) == (status, code), response.text
    assert "Traceback" not in response.text and person.email not in response.text


def test_malformed_and_oversized_bodies_are_refused(client, settings, person):
    headers = {**bearer(settings, "customer_service"), "Content-Type": "application/json"}
    malformed = client.post("/persons/search", content=b'{"identity_code": ', headers=headers)
    assert malformed.status_code == 422
    echoed = client.post("/persons/search", json={"identity_code": person.identity_code, "card_number": "1"},
                         headers=headers)
    assert echoed.status_code == 422 and person.identity_code not in echoed.text
    oversized = client.post("/persons/search", content=b"{" + b" " * (settings.api.max_body_bytes + 1) + b"}",
                            headers=headers)
    assert oversized.status_code == 413
