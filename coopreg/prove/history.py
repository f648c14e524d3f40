"""The person's history, made through the register's real inputs only: commands and external updates on the
topics (as POS systems, S-Bank, card operations and finance send them) and changes through the register API (as
customer service makes them). The proof waits on each step with reads of its own database, never writes to it.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import orjson

from contracts.events.bonus import CloseBonusMonth
from contracts.events.card_commands import CardCommand
from contracts.events.cards import IssueCard
from contracts.events.consent import ConsentCommand, DefineSegment, SegmentCriteria
from contracts.events.fields import PersonName, PostalAddress
from contracts.events.membership import (
    AcceptInvitation,
    AddressInput,
    BenefitAccountInput,
    InviteToHousehold,
    JoinCooperative,
    MembershipCommand,
    RegisterCustomer,
)
from contracts.events.sbank import SbankCustomerUpdate
from contracts.topics import (
    BONUS_COMMANDS,
    CARD_COMMANDS,
    CONSENT_COMMANDS,
    MEMBERSHIP_COMMANDS,
    POS_PURCHASES,
    SBANK_CUSTOMER_UPDATES,
)
from coopreg.client import RegisterClient, read_topic
from coopreg.prove.subject import Subject, new_subject
from coopreg.simulate.receipts import pos_purchase
from coopreg.staff_session import StaffSession
from shared.dead_letters import dlq_topic

COOPERATIVE = "hok-elanto"
RECEIPTS = 6


class NotSettled(TimeoutError):
    """A step of the history did not take effect in time: a service is not running or refused it."""


async def until(check, what: str, timeout: float = 120, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := await check():
            return value
        await asyncio.sleep(interval)
    raise NotSettled(f"{what}: not within {timeout} s; see the services' logs")


@dataclass(frozen=True)
class Timeline:
    """The closed month the receipts fall in (the calendar month before this one) and when the person joined."""

    month: datetime
    since: datetime

    @staticmethod
    def now(now: datetime) -> "Timeline":
        first = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
        month = (first - timedelta(days=1)).replace(day=1)
        return Timeline(month=month, since=month - timedelta(days=3))

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


def register(person: Subject, at: datetime, **extra) -> RegisterCustomer:
    return RegisterCustomer(
        person_id=person.person_id, identity_code=person.identity_code,
        name=PersonName(first_names=person.first_names, last_name=person.last_name),
        address=AddressInput(street=person.street, postal_code="00100", city="Helsinki"), home_municipality="091",
        mobile_phone=person.phone, email=person.email, registered_at=at, **extra)


async def send(client: RegisterClient, topic, key: str, *events) -> None:
    for event in events:
        await client.send(topic, key, event)
    await client.flush()


async def build_history(client: RegisterClient, staff: StaffSession, db, subject: Subject, timeline: Timeline,
                        segment: str, say) -> Subject:
    """Everything the register may hold about `subject`; returns the household's other member."""
    since = timeline.since
    other = new_subject()
    say(f"a marketing segment {segment}, then {subject.person_id} registered with an S-Bank link, joined, "
        f"and {other.person_id} in their household")
    await send(client, CONSENT_COMMANDS, segment, ConsentCommand(DefineSegment(
        name=segment, purpose="marketing", channel="email", criteria=SegmentCriteria(languages=["fi"]),
        attributes=["age_band"], defined_at=since)))
    await send(client, MEMBERSHIP_COMMANDS, subject.person_id, MembershipCommand(register(
        subject, since, sbank_customer_ref=subject.sbank_ref)))
    await send(client, MEMBERSHIP_COMMANDS, other.person_id, MembershipCommand(register(other, since)))
    await until(lambda: db.fetchval("SELECT count(*) = 2 FROM membership.persons WHERE person_id = ANY($1)",
                                    [subject.person_id, other.person_id]), "both registered")
    invitation = f"inv-{uuid.uuid4().hex[:12]}"
    await send(client, MEMBERSHIP_COMMANDS, subject.person_id, *(MembershipCommand(c) for c in (
        JoinCooperative(person_id=subject.person_id, cooperative_id=COOPERATIVE, membership_id=subject.membership_id,
                        household_id=subject.household_id, first_payment_id=f"pay-{uuid.uuid4().hex[:12]}",
                        first_payment_cents=10000, benefit_account=BenefitAccountInput(iban=subject.iban),
                        joining_outlet="P001", joined_at=since + timedelta(minutes=5)),
        InviteToHousehold(invitation_id=invitation, main_member_person_id=subject.person_id,
                          invitee_person_id=other.person_id, invited_at=since + timedelta(minutes=10)),
        AcceptInvitation(invitation_id=invitation, person_id=other.person_id,
                         accepted_at=since + timedelta(minutes=20)))))
    await until(lambda: db.fetchval("SELECT count(*) = 2 FROM membership.household_members WHERE household_id = $1"
                                    " AND valid_to IS NULL", subject.household_id), "the household of two")

    say(f"a card, {RECEIPTS} receipts in {timeline.label} and the month closed")
    await send(client, CARD_COMMANDS, subject.person_id, CardCommand(IssueCard(
        card_number=subject.card_number, card_type="visa_debit", person_id=subject.person_id,
        household_id=subject.household_id, cooperative_id=COOPERATIVE, membership_id=subject.membership_id,
        valid_from=since + timedelta(hours=1))))
    await until(lambda: db.fetchval("SELECT count(*) FROM purchases.card_allocations WHERE person_id = $1",
                                    subject.person_id), "the card known to purchases")
    receipts = [pos_purchase(f"r-{uuid.uuid4().hex}", subject.card_number,
                             timeline.month + timedelta(days=2 + 3 * n, hours=9),
                             [("grocery", 4000 + 100 * n), ("general", 1500)]) for n in range(RECEIPTS)]
    for receipt in receipts:
        await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await until(lambda: db.fetchval("SELECT count(*) = $2 FROM bonus.purchases WHERE person_id = $1",
                                    subject.person_id, RECEIPTS), "the receipts booked for Bonus")
    await send(client, BONUS_COMMANDS, timeline.label, CloseBonusMonth(month=timeline.label))
    await until(lambda: db.fetchval("SELECT status = 'closed' FROM bonus.months WHERE month = $1",
                                    timeline.month.date()), f"{timeline.label} closed", timeout=180)

    say("contact data rectified and an e-mail permission granted through the register API; an S-Bank update")
    await staff.call("PATCH", f"/persons/{subject.person_id}/contact", "person",
                     json={"other_phone": subject.other_phone})
    await staff.call("PUT", f"/persons/{subject.person_id}/permissions", "person",
                     json={"channel": "email", "granted": True})
    await staff.call("PUT", f"/persons/{subject.person_id}/blocks", "person",
                     json={"block": "telemarketing", "blocked": True})
    await send(client, SBANK_CUSTOMER_UPDATES, subject.sbank_ref, SbankCustomerUpdate(
        update_id=f"sb-{uuid.uuid4().hex[:12]}", sbank_customer_ref=subject.sbank_ref, origin="sbank",
        identity_code=subject.identity_code, name=PersonName(first_names=subject.first_names,
                                                              last_name=subject.last_name),
        address=PostalAddress(street=subject.street, postal_code="00100", city="Helsinki"),
        permissions={"email": True}, source_time=datetime.now(timezone.utc)))
    await until(lambda: db.fetchval("SELECT count(*) FROM consent.segment_members WHERE segment = $1"
                                    " AND person_id = $2", segment, subject.person_id), "the person in the segment",
                timeout=120)

    say("a rule-breaking command carrying their identity code, dead-lettered")
    await dead_letter_about(client, subject)
    await until(lambda: _dead_lettered(client, MEMBERSHIP_COMMANDS.name), "the dead letter")
    return other


async def dead_letter_about(client: RegisterClient, subject: Subject) -> None:
    """A registration with a field the contract does not have: refused as a schema violation, its value (the
    identity code, name and contact data) kept in the dead letter, sealed under the person's key."""
    value = orjson.loads(register(subject, datetime.now(timezone.utc)).model_dump_json())
    value["favourite_colour"] = "green"
    await client.send_raw(MEMBERSHIP_COMMANDS, orjson.dumps(value), key=subject.person_id.encode())
    await client.flush()


async def _dead_lettered(client: RegisterClient, topic: str) -> bool:
    return bool(await read_topic(client.settings, dlq_topic(topic), timeout=3))
