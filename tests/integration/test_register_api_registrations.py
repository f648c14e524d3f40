"""Partner registrations, supporter groups and the household's customer group through the register API, on
the real PostgreSQL: each role may change only what its scopes allow, the change is the membership command
sealed for the person and audited, and once the membership service applies it, it shows in the `orders` and
`customer_groups` sections to the roles that see them (not to the marketing analyst)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.events.membership import MembershipCommand
from coopreg.simulate.person_history import seed_person_history
from services.membership.application.config import MembershipConfig
from tests.support.membership_db import refusal, run
from tests.support.people import register
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, staged

STAFF = ("customer_service", "membership_admin")
NOT_ALLOWED = ("card_operations", "finance", "marketing_analyst", "auditor", "data_protection_officer")


@pytest.fixture(scope="module")
async def person(settings, pools):
    return await seed_person_history(pools, settings, NOW, days=3)


client, own = client_fixture(), own_fixture()


def changes(person_id: str) -> dict[str, tuple[str, str, dict | None]]:
    """Each change route: (method, path, body)."""
    persons = f"/persons/{person_id}"
    return {
        "register_with_partner": ("POST", f"{persons}/partner-registrations", {"partner_id": "elisa"}),
        "end_partner_registration": ("POST", f"{persons}/partner-registrations/elisa/end", None),
        "join_supporter_group": ("POST", f"{persons}/supporter-groups", {"group_id": "hifk-juniorit"}),
        "leave_supporter_group": ("POST", f"{persons}/supporter-groups/hifk-juniorit/leave", None),
        "set_household_group": ("PUT", f"{persons}/household/customer-group", {"group_id": "henkilokunta"}),
    }


def send(client, route: tuple[str, str, dict | None], headers: dict):
    method, path, body = route
    return client.request(method, path, json=body, headers=headers)


SELF_SERVICE = {"register_with_partner": 202, "end_partner_registration": 202, "join_supporter_group": 202,
                "leave_supporter_group": 202, "set_household_group": 403}  # the register keeper sets the group


@pytest.mark.parametrize("operation", sorted(SELF_SERVICE))
def test_each_role_may_make_only_the_changes_its_scopes_allow(client, settings, person, operation):
    route = changes(person.person_id)[operation]
    for role in STAFF:
        response = send(client, route, bearer(settings, role))
        assert response.status_code == 202, (role, response.text)
        assert response.json()["change"]["command"] == operation
    mine = send(client, route, bearer(settings, "data_subject", person_id=person.person_id))
    assert mine.status_code == SELF_SERVICE[operation], mine.text
    someone_elses = send(client, route, bearer(settings, "data_subject", person_id="p-someone-else"))
    assert (someone_elses.status_code, someone_elses.json()["error"]) == (403, "forbidden")
    for role in NOT_ALLOWED:
        refused = send(client, route, bearer(settings, role))
        assert (refused.status_code, refused.json()["error"]) == (403, "forbidden"), role


async def _apply(client, settings, own, pools, route, headers) -> dict:
    """Make the change through the API and let the membership service apply the command it staged."""
    response = send(client, route, headers)
    assert response.status_code == 202, response.text
    change = response.json()["change"]
    command, staged_headers = await staged(own, settings, change["change_id"])
    await run(pools["membership"], MembershipConfig.from_settings(settings),
              MembershipCommand.model_validate(command).root)
    return {**change, "key": staged_headers["key"], "sealed": staged_headers["value"]}


async def test_the_changes_take_effect_and_show_to_the_roles_that_see_them(client, settings, own, pools, person):
    routes, staff = changes(person.person_id), bearer(settings, "customer_service", user="anna")
    mine = bearer(settings, "data_subject", person_id=person.person_id)
    partner = await _apply(client, settings, own, pools, routes["register_with_partner"], mine)
    assert partner["key"] == person.person_id.encode() and b"elisa" not in partner["sealed"]
    await _apply(client, settings, own, pools, routes["join_supporter_group"], staff)
    group = await _apply(client, settings, own, pools, routes["set_household_group"],
                         bearer(settings, "membership_admin"))
    assert group["household_id"] == person.household_id and group["key"] == person.person_id.encode()
    for role in ("customer_service", "membership_admin"):
        seen = client.get(f"/persons/{person.person_id}", headers=bearer(settings, role)).json()
        assert [g["group_id"] for g in seen["customer_groups"]["supporter_groups"]] == ["hifk-juniorit"], role
        assert [(g["household_id"], g["group_id"]) for g in seen["customer_groups"]["household_groups"]] == [
            (person.household_id, "henkilokunta")], role
        assert [(o["partner_id"], o["valid_to"]) for o in seen["orders"]] == [("elisa", None)], role
        assert "customer_groups" not in seen["household"], role
    own_view = client.get(f"/persons/{person.person_id}/customer_groups", headers=mine)
    assert own_view.json()["customer_groups"]["supporter_groups"][0]["group_id"] == "hifk-juniorit"
    analyst = bearer(settings, "marketing_analyst")
    assert client.get(f"/persons/{person.person_id}/customer_groups", headers=analyst).status_code == 403
    analysed = client.get(f"/persons/{person.person_id}", headers=analyst).json()
    assert not {"customer_groups", "orders"} & set(analysed) and "hifk" not in str(analysed)
    # ended: the periods stay, with their end
    await _apply(client, settings, own, pools, routes["leave_supporter_group"], staff)
    await _apply(client, settings, own, pools, routes["end_partner_registration"], mine)
    seen = client.get(f"/persons/{person.person_id}", headers=staff).json()
    assert seen["customer_groups"]["supporter_groups"][0]["valid_to"] is not None
    assert seen["orders"][0]["valid_to"] is not None
    audit = await own.fetchrow("SELECT * FROM audit.audit_log WHERE operation = 'join_supporter_group'"
                               " AND $1 = ANY(person_ids) ORDER BY seq DESC LIMIT 1", person.person_id)
    assert (audit["actor"], audit["action"], audit["fields"]) == (
        "anna", "change", ["customer_groups.supporter_groups"])


@pytest.mark.parametrize("route, body, code", [
    ("partner-registrations", {"partner_id": "Elisa Oyj"}, "invalid_partner_id"),
    ("partner-registrations/Elisa.Oyj/end", None, "invalid_partner_id"),
    ("supporter-groups", {"group_id": "x"}, "invalid_group_id"),
    ("supporter-groups", {"group_id": "ilves", "valid_from": (NOW + timedelta(days=2)).isoformat(),
                          "valid_to": (NOW + timedelta(days=1)).isoformat()}, "invalid_validity"),
    ("supporter-groups/A/leave", None, "invalid_group_id"),
    ("household/customer-group", {"group_id": "Staff!"}, "invalid_group_id"),
])
def test_bad_input_is_refused_with_the_services_reason(client, settings, person, route, body, code):
    method = "PUT" if route.startswith("household") else "POST"
    response = client.request(method, f"/persons/{person.person_id}/{route}", json=body,
                              headers=bearer(settings, "customer_service"))
    assert (response.status_code, response.json()["error"]) == (422, code), response.text


async def test_a_person_in_no_household_has_no_customer_groups(client, settings, own, pools):
    config, loner = MembershipConfig.from_settings(settings), register()
    await run(pools["membership"], config, loner)
    staff = bearer(settings, "customer_service")
    refused = send(client, changes(loner.person_id)["set_household_group"], staff)
    assert (refused.status_code, refused.json()["error"]) == (409, "not_in_household")
    accepted = send(client, changes(loner.person_id)["join_supporter_group"], staff)
    assert accepted.status_code == 202  # the membership service decides, as for any sender of the command
    command, _ = await staged(own, settings, accepted.json()["change"]["change_id"])
    assert await refusal(pools["membership"], config, MembershipCommand.model_validate(command).root) == \
        "not_in_household"
    unknown = send(client, changes("p-nobody-at-all")["register_with_partner"], staff)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
