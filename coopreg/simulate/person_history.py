"""One customer's history in every service, made through the services' own use cases: registered with
contact data, a member with a household, a card, and a given span of daily purchases booked for Bonus.
Used by the register API's tests and by `coopreg bench dsar`."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import orjson

from contracts.envelope import Envelope
from contracts.events.card_commands import CardCommand
from contracts.events.cards import AllocationPeriod, CardState, IssueCard
from contracts.events.fields import PersonName
from contracts.events.membership import (
    AddressInput,
    BenefitAccountInput,
    JoinCooperative,
    MembershipCommand,
    RegisterCustomer,
)
from contracts.events.purchases import PurchaseAccepted
from coopreg.simulate.receipts import card_number, pos_purchase
from services.bonus.application.book_purchases import book_purchases
from services.bonus.domain import load_tier_tables
from services.cards.application.commands import handle_card_commands
from services.cards.application.config import CardsConfig
from services.membership.application.commands import handle_commands
from services.membership.application.config import MembershipConfig
from services.membership.domain.identity_code import check_character_for
from services.purchases.application.apply_card_state import when_card_changes_resolve_waiting_receipts
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.record_purchases import record_purchases
from shared.delivery import Incoming
from shared.pseudonym import keyed_token
from shared.settings import Settings

COOPERATIVE = "hok-elanto"
IBAN = "FI2112345600000785"
BATCH = 500


@dataclass
class SeededPerson:
    person_id: str
    household_id: str
    membership_id: str
    identity_code: str
    card_number: str
    email: str
    phone: str
    street: str
    receipts: list[str] = field(default_factory=list)


def _incoming(data) -> Incoming:
    return Incoming.handed(data, Envelope(source="coopreg/simulate", type=type(data).__name__))


def identity_code(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    part, number = born.strftime("%d%m%y"), f"{rng.randrange(2, 900):03d}"
    return f"{part}{'-' if born.year < 2000 else 'A'}{number}{check_character_for(part, number)}"


async def _membership(pools, settings: Settings, person: SeededPerson, since: datetime) -> None:
    register = RegisterCustomer(
        person_id=person.person_id, identity_code=person.identity_code,
        name=PersonName(first_names="Maija Liisa", last_name="Meikäläinen"),
        address=AddressInput(street=person.street, postal_code="00100", city="Helsinki"),
        home_municipality="091", mobile_phone=person.phone, email=person.email, registered_at=since)
    join = JoinCooperative(person_id=person.person_id, cooperative_id=COOPERATIVE, membership_id=person.membership_id,
                           household_id=person.household_id, first_payment_id=f"pay-{uuid.uuid4().hex[:12]}",
                           first_payment_cents=10000, benefit_account=BenefitAccountInput(iban=IBAN),
                           joining_outlet="P001", joined_at=since)
    async with pools["membership"].acquire() as conn, conn.transaction():
        await handle_commands(conn, [_incoming(MembershipCommand(c)) for c in (register, join)],
                              MembershipConfig.from_settings(settings))


async def _card(pools, settings: Settings, person: SeededPerson, since: datetime) -> None:
    index_key = settings.secrets.index_key.get_secret_value()
    issue = IssueCard(card_number=person.card_number, card_type="visa_debit", person_id=person.person_id,
                      household_id=person.household_id, cooperative_id=COOPERATIVE,
                      membership_id=person.membership_id, valid_from=since)
    async with pools["cards"].acquire() as conn, conn.transaction():
        await handle_card_commands(conn, [_incoming(CardCommand(issue))], CardsConfig(index_key=index_key))
    state = CardState(card_token=keyed_token("card", person.card_number, index_key), last_four=person.card_number[-4:],
                      card_type="visa_debit", status="active",
                      history=[AllocationPeriod(person_id=person.person_id, household_id=person.household_id,
                                                cooperative_id=COOPERATIVE, valid_from=since)])
    async with pools["purchases"].acquire() as conn, conn.transaction():
        await when_card_changes_resolve_waiting_receipts(conn, [_incoming(state)])


async def _purchases(pools, settings: Settings, person: SeededPerson, times: list[datetime], rng) -> None:
    config = PurchasesConfig(index_key=settings.secrets.index_key.get_secret_value())
    tables = load_tier_tables()
    # Everyday shopping: general lines stay under the warranty threshold (`warranty_periods.json`), so a
    # seeded history holds no warranty receipts and those a test adds are the only ones.
    threshold = config.warranty.min_line_cents
    for start in range(0, len(times), BATCH):
        receipts = [pos_purchase(f"r-{person.person_id}-{start + i}", person.card_number, at,
                                 [("grocery", rng.randrange(200, 9000)), ("general", rng.randrange(100, threshold))])
                    for i, at in enumerate(times[start:start + BATCH])]
        ids = [r.receipt_id for r in receipts]
        async with pools["purchases"].acquire() as conn, conn.transaction():
            await record_purchases(conn, [_incoming(r) for r in receipts], config)
            rows = await conn.fetch("SELECT value FROM outbox WHERE topic = 'purchases.accepted.v1' AND key = $1",
                                    person.household_id.encode())
        accepted = [PurchaseAccepted.model_validate(orjson.loads(r["value"])) for r in rows]
        fresh = [a for a in accepted if a.receipt_id in set(ids)]
        async with pools["bonus"].acquire() as conn, conn.transaction():
            await book_purchases(conn, [_incoming(a) for a in fresh], tables)
        person.receipts += ids


async def seed_person_history(pools, settings: Settings, now: datetime, *, days: int = 730,
                              receipts_per_day: int = 1, seed: int | None = None) -> SeededPerson:
    """A member with `days` of purchases up to `now` (`receipts_per_day` a day)."""
    rng = random.Random(seed)
    suffix = uuid.uuid4().hex[:12]
    person = SeededPerson(person_id=f"p-{suffix}", household_id=f"h-{suffix}", membership_id=f"m-{suffix}",
                          identity_code=identity_code(rng), card_number=card_number(uuid.uuid4().int % 10**11),
                          email=f"maija.{suffix}@example.fi", phone=f"+35840{rng.randrange(10**6, 10**7)}",
                          street=f"Testikatu {uuid.uuid4().int % 10**6} A")
    since = now - timedelta(days=days + 1)
    await _membership(pools, settings, person, since)
    await _card(pools, settings, person, since)
    times = [since + timedelta(days=1 + d, hours=8 + rng.randrange(12), minutes=rng.randrange(60))
             for d in range(days) for _ in range(receipts_per_day)]
    await _purchases(pools, settings, person, [t for t in times if t < now], rng)
    return person
