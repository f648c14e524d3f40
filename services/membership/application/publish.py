"""The events the membership service publishes, staged in the outbox with the change that caused them.

Household and person states are published only when they changed since the last publication, each with
a version one higher; their event ids are derived from (key, version), so a re-sent state is recognised.
An erased person's key on `membership.persons.v1` gets a tombstone (a null value, which compaction keeps
as the key's last word), so downstream projections drop the person; nothing is published for them after.
Their households on `membership.households.v1` are published again without them, or get a tombstone where
they were the main member (`households_without`).
"""
from __future__ import annotations

import base64
import uuid
from typing import Literal

from pydantic import BaseModel

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.membership_states import (
    BenefitAccountRef,
    BonusCreditReturned,
    HouseholdMember,
    HouseholdState,
    MemberBenefitPayout,
    PartnerRegistration,
    PersonState,
)
from contracts.topics import (
    MEMBERSHIP_BENEFITS,
    MEMBERSHIP_BONUS_RETURNS,
    MEMBERSHIP_HOUSEHOLDS,
    MEMBERSHIP_PERSONS,
    Topic,
)
from services.membership.adapters import households, memberships, registrations, states
from services.membership.application.config import SOURCE
from services.membership.application.ledger import load_contribution
from shared import outbox
from shared.db import Connection


def event(topic: Topic, key: str, data: BaseModel, cause: Envelope, identity: str,
          cooperative: str | None = None) -> outbox.OutgoingEvent:
    envelope = cause.follow(source=SOURCE, type=topic.event_type, subject=key, cooperative=cooperative,
                            id=str(uuid.uuid5(NAMESPACE, identity)))
    return outbox.OutgoingEvent(topic.name, key, envelope, data)


async def _publish_if_changed(conn: Connection, kind: str, key: str, topic: Topic, build, cause: Envelope,
                              cooperative: str | None) -> None:
    version, last = await states.published(conn, kind, key)
    data: BaseModel = build(version + 1)
    state = data.model_dump(mode="json", exclude={"version"})
    if state == last:
        return
    await states.mark_published(conn, kind, key, version + 1, state)
    await outbox.add(conn, [event(topic, key, data, cause, f"{kind}:{key}:{version + 1}", cooperative)])


def _member(row) -> HouseholdMember:
    return HouseholdMember(person_id=row["person_id"], role=row["role"], joined_by=row["joined_by"],
                           joined_at=row["valid_from"], left_at=row["valid_to"], left_because=row["left_because"])


async def household(conn: Connection, household_id: str, cause: Envelope) -> None:
    row = await states.household(conn, household_id)
    members = [_member(m) for m in await households.members(conn, household_id)]
    contribution = await load_contribution(conn, row["contribution_id"])
    account = await memberships.current_benefit_account(conn, row["main_person_id"])

    def build(version: int) -> HouseholdState:
        return HouseholdState(
            household_id=household_id, version=version, status=row["status"],
            main_member_person_id=row["main_person_id"], membership_id=row["membership_id"],
            cooperative_id=row["cooperative_id"], cooperative_from=row["cooperative_from"],
            member_number=row["member_number"], membership_status=row["membership_status"],
            open_contribution_cents=max(contribution.open_cents, 0), contribution_deadline=contribution.deadline,
            founded_at=row["founded_at"], dissolved_at=row["dissolved_at"], members=members,
            benefit_account=account_ref(row["main_person_id"], account))
    await _publish_if_changed(conn, "household", household_id, MEMBERSHIP_HOUSEHOLDS, build, cause,
                              row["cooperative_id"])


def account_ref(person_id: str, account) -> BenefitAccountRef | None:
    """The account as payouts name it: its IBAN sealed for the person, never in clear."""
    if account is None:
        return None
    return BenefitAccountRef(account_ref=account["account_ref"], account_type=account["account_type"],
                             last_four=account["last_four"], valid_from=account["valid_from"], sealed_for=person_id,
                             iban_sealed=base64.b64encode(account["iban_sealed"]).decode())


def _kind(row) -> Literal["owner_customer", "household_member", "other_customer"]:
    if row["own_cooperative"] is not None:
        return "owner_customer"
    return "household_member" if row["household_id"] is not None else "other_customer"


async def person(conn: Connection, person_id: str, cause: Envelope) -> None:
    row = await states.person(conn, person_id)
    if row is None or row["erased_at"] is not None:
        return  # erased: the tombstone is the key's last word
    deceased = row["deceased_on"] is not None
    partners = [PartnerRegistration(partner_id=r["partner_id"], valid_from=r["valid_from"], valid_to=r["valid_to"])
                for r in await registrations.partner_periods_of(conn, person_id)]

    def build(version: int) -> PersonState:
        return PersonState(
            person_id=person_id, version=version, customer_kind=_kind(row), language=row["language"],
            deceased=deceased, marketing_prohibition=row["marketing_prohibition"] or deceased,
            sbank_customer=row["sbank_customer_ref"] is not None, staff_discount=row["staff_discount"],
            household_id=row["household_id"], cooperative_id=row["household_cooperative"] or row["own_cooperative"],
            partner_registrations=partners, **_for_consent(row))
    await _publish_if_changed(conn, "person", person_id, MEMBERSHIP_PERSONS, build, cause, None)


# Staff set the prohibition only at the customer's word: to the other services it is the customer's own.
PROHIBITION_SOURCES = {"customer": "customer", "staff": "customer", "sbank": "sbank", "dvv": "population_register"}


def _for_consent(row) -> dict:
    """What the consent service needs: a protected person's municipality never leaves."""
    protected = row["non_disclosure"]
    return dict(address_protection=protected, home_municipality=None if protected else row["home_municipality"],
                birth_year=row["birth_date"].year, sbank_customer_ref=row["sbank_customer_ref"],
                marketing_prohibition_source=PROHIBITION_SOURCES.get(row["marketing_prohibition_source"]))


async def person_erased(conn: Connection, person_id: str) -> None:
    """The tombstone of the person's state, staged in the erasure's transaction; its id is the erasure's,
    so a repeated erasure sends the same event."""
    await outbox.add(conn, [outbox.OutgoingEvent(MEMBERSHIP_PERSONS.name, person_id, erasure_of(person_id), None)])


def erasure_of(person_id: str) -> Envelope:
    """The envelope of a person's erasure, which the tombstones and republications it causes follow."""
    return Envelope(source=SOURCE, type=MEMBERSHIP_PERSONS.event_type, subject=person_id,
                    id=str(uuid.uuid5(NAMESPACE, f"person:{person_id}:erased")))


async def households_without(conn: Connection, person_id: str, household_ids: list[str]) -> dict[str, int]:
    """After an erasure removed the person's member rows: each household they were in is published again
    without them; one they are still the main member of (dissolved, since an erasure waits for the
    relationship to end), or that has no member left, gets a tombstone instead, as its state cannot be told
    without them. Either way the compacted topic's latest value no longer names the person."""
    cause = erasure_of(person_id)
    report = {"households_republished": 0, "households_tombstoned": 0}
    for household_id in household_ids:
        row = await states.household(conn, household_id)
        # a household whose main member was erased (named by nobody) cannot be told either: a tombstone
        if row["main_person_id"] not in (None, person_id) and \
                await households.members(conn, household_id):
            await household(conn, household_id, cause)
            report["households_republished"] += 1
            continue
        await states.forget_published(conn, "household", household_id)
        envelope = Envelope(source=SOURCE, type=MEMBERSHIP_HOUSEHOLDS.event_type, subject=household_id,
                            id=str(uuid.uuid5(NAMESPACE, f"household:{household_id}:erased:{person_id}")),
                            correlationid=cause.id)
        await outbox.add(conn, [outbox.OutgoingEvent(MEMBERSHIP_HOUSEHOLDS.name, household_id, envelope, None)])
        report["households_tombstoned"] += 1
    return report


async def persons(conn: Connection, person_ids, cause: Envelope) -> None:
    for person_id in dict.fromkeys(person_ids):
        await person(conn, person_id, cause)


async def benefit_payout(conn: Connection, payout: MemberBenefitPayout, cause: Envelope) -> None:
    """Published with the member's benefit account in force (IBAN sealed for them)."""
    if payout.benefit_account is None:
        account = await memberships.current_benefit_account(conn, payout.person_id)
        payout = payout.model_copy(update={"benefit_account": account_ref(payout.person_id, account)})
    await outbox.add(conn, [event(MEMBERSHIP_BENEFITS, payout.person_id, payout, cause,
                                  f"benefit:{payout.payout_id}", payout.cooperative_id)])


async def bonus_returned(conn: Connection, returned: BonusCreditReturned, cause: Envelope) -> None:
    """Withheld Bonus the contribution could not take, for the bonus service to pay in cash; the event's id
    follows from the payout's, so a repeat is the same event."""
    await outbox.add(conn, [event(MEMBERSHIP_BONUS_RETURNS, returned.household_id, returned, cause,
                                  returned.return_id)])
