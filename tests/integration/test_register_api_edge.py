"""The register API's edge on the real PostgreSQL (issue 26): every read and refused attempt audited, actor
names checked, token lifetimes and logout, role combinations, rate limits, the headers on personal data, the
docs served locally, answers that do not tell whether a person exists, and input the services would reject
refused up front. Each test is a reproduction of a weakness the issue found."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from contracts.envelope import Envelope
from contracts.events.membership import InviteToHousehold, MembershipCommand
from coopreg.simulate.person_history import seed_person_history
from services.membership.application.commands import handle_commands
from services.membership.application.config import MembershipConfig
from shared.delivery import Incoming
from shared.settings import PROJECT_ROOT, Settings
from tests.support.register_api import NOW, api_client, bearer, client_fixture, own_fixture


@pytest.fixture(scope="module")
async def person(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=3)


@pytest.fixture(scope="module")
async def other(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=2)


client, own = client_fixture(), own_fixture()


def audit_of(client, settings, actor: str) -> list[dict]:
    response = client.get("/audit", params={"actor": actor}, headers=bearer(settings, "auditor", user="audit-reader"))
    assert response.status_code == 200, response.text
    return [item["audit"] for item in response.json()["items"]]


def _token(settings, **claims) -> dict:
    now = datetime.now(timezone.utc)  # not the module's NOW: a long session would see the token expired
    body = {"sub": "anna", "roles": ["customer_service"], "aud": settings.api.token_audience, "iat": now,
            "exp": now + timedelta(minutes=5), **claims}
    return {"Authorization": "Bearer " + jwt.encode(body, settings.api.token_key.get_secret_value(), "HS256")}


@contextmanager
def limited_client(settings: Settings, **limits):
    """Another app on the same database, with the API settings changed (rate limits, say)."""
    changed = settings.model_copy(update={"api": settings.api.model_copy(update=limits)})
    with api_client(changed) as limited:
        yield limited


# -- every read audited -----------------------------------------------------------------------------------

def test_a_refused_attempt_is_audited_with_who_tried_what_on_whom(client, settings, person, other):
    assert client.get(f"/persons/{person.person_id}/contact",
                      headers=bearer(settings, "finance", user="finn.forbidden")).status_code == 403
    mine = bearer(settings, "data_subject", user="customer:curious", person_id=person.person_id)
    assert client.get(f"/persons/{other.person_id}", headers=mine).status_code == 403
    [staff] = audit_of(client, settings, "finn.forbidden")
    assert (staff["action"], staff["operation"], staff["person_ids"]) == (
        "refused", "get_person_section", [person.person_id])
    [customer] = audit_of(client, settings, "customer:curious")
    assert (customer["action"], customer["person_ids"]) == ("refused", [other.person_id])


def test_a_search_that_finds_nobody_is_audited(client, settings):
    found = client.post("/persons/search", json={"customer_number": 10**12 - 7},
                        headers=bearer(settings, "customer_service", user="sam.searcher"))
    assert found.status_code == 200 and found.json()["items"] == []
    [entry] = audit_of(client, settings, "sam.searcher")
    assert (entry["action"], entry["operation"], entry["person_ids"]) == ("read", "search_persons", [])


def test_reads_of_the_audit_log_and_of_the_retention_runs_are_audited(client, settings, person):
    watcher = bearer(settings, "auditor", user="walter.watcher")
    assert client.get("/audit", params={"person_id": person.person_id}, headers=watcher).status_code == 200
    dpo = bearer(settings, "data_protection_officer", user="dora.dpo")
    assert client.get("/retention/runs", headers=dpo).status_code == 200
    [audit_read] = audit_of(client, settings, "walter.watcher")
    assert (audit_read["action"], audit_read["operation"], audit_read["person_ids"]) == (
        "read", "audit_log", [person.person_id])
    [runs_read] = audit_of(client, settings, "dora.dpo")
    assert (runs_read["action"], runs_read["operation"]) == ("read", "retention_runs")


@pytest.mark.parametrize("sub", ["a" * 20_000, "anna\nforged line", "anna\u202egnp.exe", "nul\x00byte", " anna", ""])
async def test_a_sub_that_is_not_a_plain_name_is_a_401_and_never_stored(client, settings, person, own, sub):
    response = client.get(f"/persons/{person.person_id}/contact", headers=_token(settings, sub=sub))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
    assert await own.fetchval("SELECT count(*) FROM audit.audit_log WHERE actor = $1", sub.replace("\x00", "")) == 0


# -- tokens -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("roles, person_ttl, status", [
    (["customer_service"], timedelta(days=365 * 50), 401),   # a 50-year staff token
    (["customer_service"], timedelta(hours=9), 401),
    (["customer_service"], timedelta(hours=8), 200),
    (["data_subject"], timedelta(days=3650), 401),           # a 10-year My data link
    (["data_subject"], timedelta(minutes=61), 401),
    (["data_subject"], timedelta(minutes=60), 200),
])
def test_a_token_living_longer_than_allowed_is_refused(client, settings, person, roles, person_ttl, status):
    now = datetime.now(timezone.utc) - timedelta(seconds=1)
    claims = {"roles": roles, "iat": now, "exp": now + person_ttl}
    if roles == ["data_subject"]:
        claims["person_id"] = person.person_id
    response = client.get(f"/persons/{person.person_id}/contact", headers=_token(settings, **claims))
    assert response.status_code == status, response.text


async def test_logout_revokes_the_token_until_it_expires(client, settings, person, own):
    token = bearer(settings, "customer_service", user="lotta.logout")
    path = f"/persons/{person.person_id}/contact"
    assert client.get(path, headers=token).status_code == 200
    assert client.post("/logout", headers=token).status_code == 204
    refused = client.get(path, headers=token)
    assert (refused.status_code, refused.json()["error"]) == (401, "token_revoked")
    assert client.post("/logout", headers=token).status_code == 401
    assert client.get(path, headers=bearer(settings, "customer_service", user="lotta.logout")).status_code == 200
    expiry = await own.fetchval("SELECT expires_at FROM revoked_tokens ORDER BY revoked_at DESC LIMIT 1")  # this one
    now = datetime.now(timezone.utc)
    assert now < expiry <= now + timedelta(minutes=11)  # the token's own expiry, not a day's


def test_a_token_holding_a_customers_role_and_a_staff_role_is_refused(client, settings, person):
    both = _token(settings, roles=["data_subject", "auditor"], person_id=person.person_id)
    response = client.get("/audit", headers=both)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
    assert "items" not in response.text


def _start_api(**env) -> subprocess.CompletedProcess:
    """The API's service entrypoint as a process; it must refuse before listening (it would block otherwise)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COOPREG_") or k.startswith("COOPREG_PG_")}
    return subprocess.run([sys.executable, "-m", "services.register_api.entrypoints.service"], cwd=PROJECT_ROOT,
                          env={**clean, "COOPREG_API_PORT": "1", **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("keys", [
    {},  # every key the published development one
    {"COOPREG_SECRET_INDEX_KEY": "k" * 40, "COOPREG_SECRET_ENCRYPTION_KEY": "e" * 40},  # the token key still is
    {"COOPREG_SECRET_INDEX_KEY": "CHANGE-ME-index-key", "COOPREG_SECRET_ENCRYPTION_KEY": "e" * 40,
     "COOPREG_API_TOKEN_KEY": "t" * 40},  # the Kubernetes Secret's placeholder
])
def test_the_api_refuses_to_start_with_development_keys_in_production(keys):
    started = _start_api(COOPREG_ENV="production", **keys)
    assert started.returncode != 0
    assert "development or placeholder key" in started.stderr
    assert all(value not in started.stderr for value in keys.values())


def test_production_with_keys_of_its_own_passes_the_key_check(settings):
    production = Settings(env="production", secrets={"index_key": "k" * 40, "encryption_key": "e" * 40},
                          api={"token_key": "t" * 40})
    production.check_api_keys()
    idp_only = Settings(env="production", secrets={"index_key": "k" * 40, "encryption_key": "e" * 40},
                        api={"local_tokens": False})
    idp_only.check_api_keys()  # the token key signs nothing where the register's own tokens are off


# -- the edge -----------------------------------------------------------------------------------------------

def test_one_user_over_the_limit_is_answered_429_and_others_are_not(settings, person):
    with limited_client(settings, rate_limit_per_principal=5, rate_limit_per_address=0) as limited:
        flood = bearer(settings, "customer_service", user="fast.fingers")
        answers = [limited.post("/persons/search", json={"customer_number": 10**12 - 3}, headers=flood)
                   for _ in range(8)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
        assert answers[-1].json()["error"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) >= 1
        calm = bearer(settings, "customer_service", user="calm.colleague")
        assert limited.get(f"/persons/{person.person_id}/contact", headers=calm).status_code == 200


def test_one_address_over_the_limit_is_answered_429_whatever_its_tokens(settings):
    with limited_client(settings, rate_limit_per_principal=0, rate_limit_per_address=10) as limited:
        bad = {"Authorization": "Bearer not.a.token"}
        answers = [limited.get("/audit", headers=bad).status_code for _ in range(15)]
        assert answers == [401] * 10 + [429] * 5
        assert limited.get("/health").status_code == 429


def test_personal_data_answers_are_never_cached_and_run_nothing(client, settings, person):
    answer = client.get(f"/persons/{person.person_id}/contact", headers=bearer(settings, "customer_service"))
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    request_id = client.post(f"/persons/{person.person_id}/extract-requests", headers=mine).json()[
        "extract_request"]["request_id"]
    html = client.get(f"/extract-requests/{request_id}/document", params={"format": "html"}, headers=mine)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    policy = html.headers["Content-Security-Policy"]
    assert html.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in policy and "style-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert "script" not in policy


def test_the_docs_load_nothing_from_elsewhere(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "default-src 'none'" in policy
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        loaded = client.get(f"/docs/assets/{asset}")
        assert loaded.status_code == 200 and len(loaded.content) > 100_000
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN
    assert client.get("/openapi.json").status_code == 200


async def test_inviting_an_unknown_person_answers_as_inviting_a_known_one(client, settings, person, other, own):
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    path = f"/persons/{person.person_id}/household/invitations"
    known = client.post(path, json={"invitee_person_id": other.person_id}, headers=mine)
    unknown = client.post(path, json={"invitee_person_id": "p-nobody-by-this-id"}, headers=mine)
    assert known.status_code == unknown.status_code == 202
    shape = {key: type(value) for key, value in known.json()["change"].items()}
    assert shape == {key: type(value) for key, value in unknown.json()["change"].items()}
    assert {k: v for k, v in known.json()["change"].items() if k not in ("change_id", "invitation_id")} == {
        k: v for k, v in unknown.json()["change"].items() if k not in ("change_id", "invitation_id")}
    staged = await own.fetchval("SELECT count(*) FROM outbox WHERE position($1 in headers::text) > 0",
                                unknown.json()["change"]["change_id"])
    assert staged == 0  # sent nowhere
    assert await own.fetchval("SELECT action FROM audit.audit_log WHERE operation = 'invite_to_household'"
                              " ORDER BY seq DESC LIMIT 1") == "refused"


@pytest.mark.parametrize("body", [
    {"email": "maija\x00@example.fi"},
    {"email": "maija@example.fi\n"},
    {"address": {"street": "Testikatu 1\u202e", "postal_code": "00100", "city": "Helsinki"}},
])
async def test_text_the_services_would_reject_is_a_422_before_anything_is_sent(client, settings, person, own, body):
    before = await own.fetchval("SELECT count(*) FROM outbox")
    response = client.patch(f"/persons/{person.person_id}/contact", json=body,
                            headers=bearer(settings, "data_subject", person_id=person.person_id))
    assert (response.status_code, response.json()["error"]) == (422, "invalid_request")
    assert "maija" not in response.text and "Testikatu" not in response.text
    assert await own.fetchval("SELECT count(*) FROM outbox") == before


async def test_accepting_someone_elses_invitation_is_refused_up_front(client, settings, pools, person, other):
    invitation = InviteToHousehold(invitation_id=f"inv-edge-{person.person_id}", main_member_person_id=person.person_id,
                                   invitee_person_id=other.person_id, invited_at=NOW)
    async with pools["membership"].acquire() as conn, conn.transaction():
        await handle_commands(conn, [Incoming.handed(MembershipCommand(invitation),
                                                     Envelope(source="tests", type="InviteToHousehold"))],
                              MembershipConfig.from_settings(settings))
    path = f"/persons/{{}}/household/invitations/{invitation.invitation_id}/accept"
    thief = client.post(path.format(person.person_id), headers=bearer(settings, "customer_service"))
    assert (thief.status_code, thief.json()["error"]) == (409, "unknown_invitation")  # as an unknown one
    invitee = client.post(path.format(other.person_id),
                          headers=bearer(settings, "data_subject", person_id=other.person_id))
    assert invitee.status_code == 202, invitee.text
