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
from contracts.events.digital import (
    CartItem,
    CustomerContact,
    CustomerEnteredData,
    DeliveryAddress,
    DigitalServiceOrder,
    DigitalServiceUsage,
    SavedCart,
    WebStoreCustomerUpdate,
    WebStoreOrder,
)
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
from contracts.events.sbank import MarketingPermissions, SbankCustomerUpdate
from contracts.topics import (
    BONUS_COMMANDS,
    CARD_COMMANDS,
    CONSENT_COMMANDS,
    CUSTOMERSERVICE_CONTACTS,
    DIGITAL_ENTERED_DATA,
    DIGITAL_SERVICE_ORDERS,
    DIGITAL_SERVICE_USAGE,
    MEMBERSHIP_COMMANDS,
    POS_PURCHASES,
    SBANK_CUSTOMER_UPDATES,
    WEBSTORE_CUSTOMER_UPDATES,
    WEBSTORE_ORDERS,
    WEBSTORE_SAVED_CARTS,
)
from coopreg.client import RegisterClient, read_topic
from coopreg.prove.subject import Subject, new_subject
from coopreg.simulate.receipts import pos_purchase
from coopreg.staff_session import StaffSession
from services.bonus.adapters import reads as bonus_reads
from services.consent.adapters import reads as consent_reads
from services.membership.adapters import reads as membership_reads
from services.purchases.adapters import reads as purchases_reads
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


async def _equals(read, expected) -> bool:
    """Whether a service's read gives what is waited for (a count reached, a status)."""
    return await read == expected


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
    await until(lambda: _equals(membership_reads.persons_registered(db, [subject.person_id, other.person_id]), 2),
                "both registered")
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
    await until(lambda: _equals(membership_reads.current_household_members(db, subject.household_id), 2),
                "the household of two")

    say(f"a card, {RECEIPTS} receipts in {timeline.label} and the month closed")
    await send(client, CARD_COMMANDS, subject.person_id, CardCommand(IssueCard(
        card_number=subject.card_number, card_type="visa_debit", person_id=subject.person_id,
        household_id=subject.household_id, cooperative_id=COOPERATIVE, membership_id=subject.membership_id,
        valid_from=since + timedelta(hours=1))))
    await until(lambda: purchases_reads.card_allocations_of(db, subject.person_id), "the card known to purchases")
    receipts = [pos_purchase(f"r-{uuid.uuid4().hex}", subject.card_number,
                             timeline.month + timedelta(days=2 + 3 * n, hours=9),
                             [("grocery", 4000 + 100 * n), ("general", 1500)]) for n in range(RECEIPTS)]
    for receipt in receipts:
        await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await until(lambda: _equals(bonus_reads.purchases_booked_for(db, subject.person_id), RECEIPTS),
                "the receipts booked for Bonus")
    await send(client, BONUS_COMMANDS, timeline.label, CloseBonusMonth(month=timeline.label))
    await until(lambda: _equals(bonus_reads.month_status(db, timeline.month.date()), "closed"),
                f"{timeline.label} closed", timeout=180)

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
        permissions=MarketingPermissions(email=True), source_time=datetime.now(timezone.utc)))
    await until(lambda: consent_reads.segment_places_of(db, segment, subject.person_id), "the person in the segment",
                timeout=120)

    say("their digital relationship from the web stores, the digital services and customer service")
    await digital_history(client, db, subject)

    say("a rule-breaking command carrying their identity code, dead-lettered")
    await dead_letter_about(client, subject)
    await until(lambda: _dead_lettered(client, MEMBERSHIP_COMMANDS.name), "the dead letter")
    return other


# The digital service's tables that hold a person's rows, each filled by one of its inbound topics below.
DIGITAL_TABLES = ("web_store_profiles", "delivery_addresses", "web_orders", "saved_carts", "digital_services",
                  "digital_usage", "entered_data", "contact_log")


async def digital_history(client: RegisterClient, db, subject: Subject) -> None:
    """One of each digital data group, sent on the digital service's inbound topics as their sources send them;
    the delivery address, the entered value and the contact's notes carry the person's own identifiers."""
    person, at, tag = subject.person_id, datetime.now(timezone.utc) - timedelta(hours=1), uuid.uuid4().hex[:12]
    order = f"SK-{tag}"
    sent = [
        (WEBSTORE_CUSTOMER_UPDATES, person, WebStoreCustomerUpdate(
            update_id=f"u-{tag}", person_id=person, store="s-kaupat", segment="family-weekly", source_time=at,
            delivery_addresses=[DeliveryAddress(
                address_id="home", recipient=f"{subject.first_names} {subject.last_name}",
                address=PostalAddress(street=subject.street, postal_code="00100", city="Helsinki"))])),
        (WEBSTORE_ORDERS, order, WebStoreOrder(order_id=order, store="s-kaupat", person_id=person, status="delivered",
                                               status_at=at, placed_at=at - timedelta(hours=4),
                                               delivery_method="home_delivery", currency="EUR", total_cents=8790)),
        (WEBSTORE_SAVED_CARTS, person, SavedCart(
            update_id=f"c-{tag}", person_id=person, store="s-kaupat", currency="EUR", saved_at=at,
            items=[CartItem(product_id="6408430000210", name="Kaurahiutaleet 1 kg", quantity=2,
                            unit_price_cents=189)])),
        (DIGITAL_SERVICE_ORDERS, person, DigitalServiceOrder(event_id=f"s-{tag}", person_id=person,
                                                             service="newsletter", item="prisma-weekly",
                                                             action="ordered", at=at)),
        (DIGITAL_SERVICE_USAGE, person, DigitalServiceUsage(event_id=f"use-{tag}", person_id=person,
                                                            service="s-kaupat", company="sok",
                                                            company_kind="s_group", channel="web",
                                                            identified_with="card", kind="login", at=at)),
        (DIGITAL_ENTERED_DATA, person, CustomerEnteredData(entry_id=f"e-{tag}", person_id=person, service="s-kaupat",
                                                           company="sok", field="picker_note", entered_at=at,
                                                           value=f"Call {subject.phone} at the door")),
        (CUSTOMERSERVICE_CONTACTS, person, CustomerContact(contact_id=f"cs-{tag}", person_id=person, channel="phone",
                                                           reason="order_question", handler="cs-prove",
                                                           contacted_at=at,
                                                           notes=f"{subject.last_name} asked about {order}")),
    ]
    for topic, key, event in sent:
        await client.send(topic, key, event)
    await client.flush()
    for table in DIGITAL_TABLES:
        await until(lambda table=table: db.fetchval(f"SELECT count(*) FROM digital.{table} WHERE person_id = $1",
                                                    person), f"the digital service's {table}")


async def digital_left(db, subject: Subject) -> dict[str, int]:
    """The person's rows still in the digital service's tables (none after the erasure)."""
    counts = {table: await db.fetchval(f"SELECT count(*) FROM digital.{table} WHERE person_id = $1",
                                       subject.person_id) for table in DIGITAL_TABLES}
    return {table: count for table, count in counts.items() if count}


async def dead_letter_about(client: RegisterClient, subject: Subject) -> None:
    """A registration with a field the contract does not have: refused as a schema violation, its value (the
    identity code, name and contact data) kept in the dead letter, sealed under the person's key."""
    value = orjson.loads(register(subject, datetime.now(timezone.utc)).model_dump_json())
    value["favourite_colour"] = "green"
    await client.send_raw(MEMBERSHIP_COMMANDS, orjson.dumps(value), key=subject.person_id.encode())
    await client.flush()


async def _dead_lettered(client: RegisterClient, topic: str) -> bool:
    return bool(await read_topic(client.settings, dlq_topic(topic), timeout=3))
