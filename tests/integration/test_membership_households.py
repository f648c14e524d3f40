"""Households on the real PostgreSQL: invitation and acceptance, minors, one household at a time,
leaving and removal, resignation dissolving the household, and a transfer to another cooperative."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from contracts.events.membership import (
    AcceptInvitation,
    AddMinor,
    InviteToHousehold,
    LeaveHousehold,
    Resign,
    TransferMembership,
)
from contracts.topics import MEMBERSHIP_BENEFITS, MEMBERSHIP_HOUSEHOLDS, MEMBERSHIP_PERSONS
from services.membership.application.config import MembershipConfig
from tests.support.membership_db import latest, refusal, run
from tests.support.people import T0, join, minor_code, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")


async def household(pool, config):
    """A main member with a fresh household; returns (main member id, household id)."""
    main = register()
    joined = join(main.person_id, cents=10000)
    await run(pool, config, main, joined)
    return main.person_id, joined.household_id


async def customer(pool, config, **changes) -> str:
    person = register(**changes)
    await run(pool, config, person)
    return person.person_id


def invite(main: str, invitee: str, days: int = 1) -> InviteToHousehold:
    return InviteToHousehold(invitation_id=unique("inv"), main_member_person_id=main, invitee_person_id=invitee,
                             invited_at=T0 + timedelta(days=days))


def accept(invitation: InviteToHousehold, person: str | None = None, days: int = 2) -> AcceptInvitation:
    return AcceptInvitation(invitation_id=invitation.invitation_id, person_id=person or invitation.invitee_person_id,
                            accepted_at=T0 + timedelta(days=days))


async def members(pool, household_id: str) -> list[tuple]:
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, household_id)
    return [(m["person_id"], m["joined_by"], m["left_because"]) for m in state["members"]]


async def test_an_adult_joins_from_the_acceptance_not_the_invitation(pool, config):
    main, household_id = await household(pool, config)
    adult = await customer(pool, config)
    invitation = invite(main, adult, days=1)
    await run(pool, config, invitation, accept(invitation, days=5))
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, household_id)
    joined = [m for m in state["members"] if m["person_id"] == adult][0]
    assert datetime.fromisoformat(joined["joined_at"]) == T0 + timedelta(days=5)
    assert (joined["role"], joined["joined_by"]) == ("member", "accepted_invitation")
    person = await latest(pool, MEMBERSHIP_PERSONS, adult)
    assert (person["customer_kind"], person["household_id"]) == ("household_member", household_id)
    assert person["cooperative_id"] == "hok-elanto"


async def test_a_minor_is_added_directly_and_an_adult_cannot_be(pool, config):
    main, household_id = await household(pool, config)
    minor, adult = await customer(pool, config, code=minor_code()), await customer(pool, config)
    await run(pool, config, AddMinor(main_member_person_id=main, person_id=minor, added_at=T0))
    assert (minor, "added_by_main_member", None) in await members(pool, household_id)
    add_adult = AddMinor(main_member_person_id=main, person_id=adult, added_at=T0)
    assert await refusal(pool, config, add_adult) == "adult_must_accept_invitation"
    minor2 = await customer(pool, config, code=minor_code())
    assert await refusal(pool, config, invite(main, minor2)) == "minor_must_be_added_by_main_member"


async def test_a_person_belongs_to_one_household_at_a_time(pool, config):
    first_main, _ = await household(pool, config)
    second_main, _ = await household(pool, config)
    adult = await customer(pool, config)
    first, second = invite(first_main, adult), invite(second_main, adult)
    await run(pool, config, first, second, accept(first))
    assert await refusal(pool, config, accept(second, days=3)) == "person_already_in_household"
    assert await refusal(pool, config, join(adult)) == "person_already_in_household"


@pytest.mark.parametrize("mangle, reason", [
    (lambda inv, other: AcceptInvitation(invitation_id=unique("inv"), person_id=inv.invitee_person_id,
                                         accepted_at=T0), "unknown_invitation"),
    (lambda inv, other: accept(inv, person=other), "invitation_for_another_person"),
])
async def test_a_wrong_acceptance_is_refused(pool, config, mangle, reason):
    main, _ = await household(pool, config)
    adult, other = await customer(pool, config), await customer(pool, config)
    invitation = invite(main, adult)
    await run(pool, config, invitation)
    assert await refusal(pool, config, mangle(invitation, other)) == reason


async def test_only_a_main_member_invites(pool, config):
    stranger, adult = await customer(pool, config), await customer(pool, config)
    assert await refusal(pool, config, invite(stranger, adult)) == "not_main_member"


async def test_a_member_leaves_or_is_removed_by_the_main_member_only(pool, config):
    main, household_id = await household(pool, config)
    leaver, removed, outsider = [await customer(pool, config) for _ in range(3)]
    invitations = [invite(main, leaver), invite(main, removed)]
    await run(pool, config, *invitations, *(accept(i) for i in invitations))
    by_outsider = LeaveHousehold(person_id=removed, actor_person_id=outsider, left_at=T0 + timedelta(days=3))
    assert await refusal(pool, config, by_outsider) == "not_allowed_to_remove_member"
    main_leaves = LeaveHousehold(person_id=main, actor_person_id=main, left_at=T0 + timedelta(days=3))
    assert await refusal(pool, config, main_leaves) == "main_member_cannot_leave"
    await run(pool, config, LeaveHousehold(person_id=leaver, actor_person_id=leaver, left_at=T0 + timedelta(days=3)),
              LeaveHousehold(person_id=removed, actor_person_id=main, left_at=T0 + timedelta(days=4)))
    left = {p: because for p, _, because in await members(pool, household_id)}
    assert (left[leaver], left[removed], left[main]) == ("left", "removed", None)
    again = LeaveHousehold(person_id=leaver, actor_person_id=leaver, left_at=T0 + timedelta(days=5))
    assert await refusal(pool, config, again) == "not_in_household"


async def test_resigning_dissolves_the_household_and_refunds_the_contribution(pool, config):
    main, household_id = await household(pool, config)
    adult = await customer(pool, config)
    invitation = invite(main, adult)
    await run(pool, config, invitation, accept(invitation))
    await run(pool, config, Resign(person_id=main, resigned_at=T0 + timedelta(days=30)))
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, household_id)
    assert (state["status"], state["membership_status"]) == ("dissolved", "resigned")
    assert all(m["left_at"] is not None for m in state["members"])
    assert (await latest(pool, MEMBERSHIP_PERSONS, adult))["customer_kind"] == "other_customer"
    refund = await latest(pool, MEMBERSHIP_BENEFITS, main)
    assert (refund["kind"], refund["amount_cents"]) == ("contribution_refund", 10000)
    assert await refusal(pool, config, Resign(person_id=main, resigned_at=T0 + timedelta(days=31))) == "not_a_member"


async def test_a_transfer_mid_month_moves_the_household_and_its_whole_month(pool, config):
    main, household_id = await household(pool, config)
    before = await latest(pool, MEMBERSHIP_HOUSEHOLDS, household_id)
    at = datetime(2030, 6, 17, 10, 0, tzinfo=timezone.utc)
    await run(pool, config, TransferMembership(person_id=main, to_cooperative_id="pirkanmaan",
                                               new_membership_id=unique("m"), transferred_at=at))
    after = await latest(pool, MEMBERSHIP_HOUSEHOLDS, household_id)
    assert (after["cooperative_id"], after["status"]) == ("pirkanmaan", "active")
    assert after["cooperative_from"] == "2030-05-31T21:00:00Z"  # 1 June 2030 00:00 in Helsinki
    assert after["open_contribution_cents"] == before["open_contribution_cents"] == 0
    assert after["member_number"] != before["member_number"] and after["version"] == before["version"] + 1
    assert (await latest(pool, MEMBERSHIP_PERSONS, main))["cooperative_id"] == "pirkanmaan"
    same = TransferMembership(person_id=main, to_cooperative_id="pirkanmaan", new_membership_id=unique("m"),
                              transferred_at=at)
    assert await refusal(pool, config, same) == "same_cooperative"
