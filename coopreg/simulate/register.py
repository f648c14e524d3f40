"""A simulated population brought into the register through its real inputs, as an integrator would:
customers, memberships and households on `membership.commands.v1`, cards on `cards.commands.v1`.

Three steps, each waited for until the register has applied it (`settle.Settling`): every person
registered and every household's main member joined; the other members invited and accepted (household
commands are keyed by the main member, so an invitation and its acceptance stay in order); every member's
card issued. Identity codes are handed out in sequence from a point that moves on with the clock (at
`CODES_PER_SECOND`), so runs one after another never reuse a code; the sequence wraps after about a month.
Should a code belong to someone the register already has (a customer of a run that long ago, or of a run
going on at the same time), the registration is refused as `person_already_registered`, and that person is
registered again with the next free codes.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rich.progress import Progress

from contracts.events.cards import IssueCard
from contracts.events.fields import PersonName
from contracts.events.membership import (
    AcceptInvitation,
    AddressInput,
    BenefitAccountInput,
    InviteToHousehold,
    JoinCooperative,
    MembershipCommand,
    RegisterCustomer,
)
from contracts.topics import CARD_COMMANDS, MEMBERSHIP_COMMANDS
from coopreg.client import RegisterClient
from coopreg.simulate.population import Household, Member
from coopreg.simulate.settle import DeadLetterWatch, Settling
from shared.dead_letters import dlq_topic

CONTRIBUTION_CENTS = 10000  # the cooperatives' capital contribution (cooperatives.json), paid in full
IBAN = "FI2112345600000785"  # a valid Finnish IBAN: the benefit account of every simulated main member
CENTURY_SIGNS = "-YXWVU"  # the 1900s; since 2023 the sign is part of the code
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
FIRST_NAMES = ("Maija", "Matti", "Liisa", "Juha", "Aino", "Mikko", "Helmi", "Antti")
LAST_NAMES = ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Koskinen", "Järvinen")
REFUSED_AS_TAKEN = "person_already_registered"
RETRIES = 5


FIRST_BIRTH_DAY = date(1940, 1, 1)
BIRTH_DAYS = (date(2000, 1, 1) - FIRST_BIRTH_DAY).days  # adults born 1940-1999: the signs of the 1900s
NUMBERS = 898  # the individual numbers of permanent codes, 002-899
CODES = len(CENTURY_SIGNS) * BIRTH_DAYS * NUMBERS  # about 118 million
CODES_PER_SECOND = 50  # faster than the register takes customers in, so a later run starts past an earlier


def identity_code(k: int) -> str:
    """The `k`th valid identity code of the sequence (modulo its length): DDMMYY, the century sign, the
    individual number and the check character."""
    k %= CODES
    number, k = 2 + k % NUMBERS, k // NUMBERS
    born, sign = FIRST_BIRTH_DAY + timedelta(days=k % BIRTH_DAYS), CENTURY_SIGNS[k // BIRTH_DAYS]
    part, digits = born.strftime("%d%m%y"), f"{number:03d}"
    return f"{part}{sign}{digits}{CHECK_CHARACTERS[int(part + digits) % 31]}"


def first_code(now: float) -> int:
    """Where a run starting at `now` (seconds since the epoch) begins the sequence."""
    return int(now) * CODES_PER_SECOND


@dataclass(frozen=True)
class Registered:
    """What a population's registration left: its cards, and the people registered again because the
    first code they were given belonged to someone already (their refusals are on the DLQ)."""

    cards: int
    codes_taken: frozenset[str]


@dataclass(frozen=True)
class Timeline:
    """When the population's facts happened: registered and joined, then households formed, then cards
    issued; all before the simulated month, so its every purchase finds them in force."""

    cards_from: datetime

    @property
    def registered_at(self) -> datetime:
        return self.cards_from - timedelta(days=2)

    @property
    def households_from(self) -> datetime:
        return self.cards_from - timedelta(days=1)


def membership_id(household: Household) -> str:
    return f"m-{household.household_id}"


def registration(member: Member, code: str, at: datetime, rng: random.Random) -> RegisterCustomer:
    return RegisterCustomer(
        person_id=member.person_id, identity_code=code,
        name=PersonName(first_names=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES)),
        address=AddressInput(street=f"Simulaatiokatu {rng.randrange(1, 200)}", postal_code="00100", city="Helsinki"),
        home_municipality="091", registered_at=at)


def joining(household: Household, at: datetime) -> JoinCooperative:
    main = household.members[0]
    return JoinCooperative(
        person_id=main.person_id, cooperative_id=household.cooperative_id, membership_id=membership_id(household),
        household_id=household.household_id, first_payment_id=f"pay-{household.household_id}",
        first_payment_cents=CONTRIBUTION_CENTS, benefit_account=BenefitAccountInput(iban=IBAN), joined_at=at)


def household_forming(household: Household, at: datetime) -> list[tuple[str, MembershipCommand]]:
    """Each further member invited by the main member and accepting, keyed by the main member."""
    main = household.members[0]
    commands = []
    for n, member in enumerate(household.members[1:], 1):
        invitation = f"inv-{household.household_id}-{n}"
        commands += [(main.person_id, MembershipCommand(InviteToHousehold(
                          invitation_id=invitation, main_member_person_id=main.person_id,
                          invitee_person_id=member.person_id, invited_at=at))),
                     (main.person_id, MembershipCommand(AcceptInvitation(
                          invitation_id=invitation, person_id=member.person_id,
                          accepted_at=at + timedelta(minutes=n))))]
    return commands


def card_issue(household: Household, member: Member, at: datetime) -> IssueCard:
    return IssueCard(card_number=member.card, card_type=member.card_type, person_id=member.person_id,
                     household_id=household.household_id, cooperative_id=household.cooperative_id,
                     membership_id=membership_id(household), valid_from=at)


async def _send(client: RegisterClient, bar: Progress, description: str, messages: list) -> None:
    task = bar.add_task(description, total=len(messages))
    for i, (topic, key, data) in enumerate(messages, 1):
        await client.send(topic, key, data)
        if i % 1000 == 0:
            bar.update(task, completed=i)
    await client.flush()
    bar.update(task, completed=len(messages))


async def register_population(client: RegisterClient, households: list[Household], timeline: Timeline,
                              run: str, bar: Progress, watch: DeadLetterWatch, now: float) -> Registered:
    """Every household's people, membership, household and cards in the register."""
    rng, code = random.Random(f"{run}-names"), first_code(now)
    main_of = {h.members[0].person_id: h for h in households}
    members = {m.person_id: m for h in households for m in h.members}
    to_register, taken, letters_before = list(members), set(), len(await watch.added())
    async with Settling(client.settings) as settling:
        for attempt in range(RETRIES):
            messages = []
            for person_id in to_register:
                messages.append((MEMBERSHIP_COMMANDS, person_id, MembershipCommand(
                    registration(members[person_id], identity_code(code), timeline.registered_at, rng))))
                code += 1
                if person_id in main_of:
                    messages.append((MEMBERSHIP_COMMANDS, person_id,
                                     MembershipCommand(joining(main_of[person_id], timeline.registered_at))))
            await _send(client, bar, "customers and members" if not attempt else "again, codes taken", messages)
            await settling.wait(bar, "registered by membership")
            letters = await watch.added()
            to_register, letters_before = _taken(letters[letters_before:]), len(letters)
            taken |= set(to_register)
            if not to_register:
                break
        else:
            raise RuntimeError(f"{len(to_register)} customers could not be registered: their identity codes "
                               f"were taken {RETRIES} times")
        forming = [(MEMBERSHIP_COMMANDS, key, command) for h in households
                   for key, command in household_forming(h, timeline.households_from)]
        await _send(client, bar, "households formed", forming)
        cards = [(CARD_COMMANDS, m.person_id, card_issue(h, m, timeline.cards_from))
                 for h in households for m in h.members]
        await _send(client, bar, "cards issued", cards)
        await settling.wait(bar, "households and cards applied")
    return Registered(len(cards), frozenset(taken))


def _taken(letters) -> list[str]:
    """The people whose registration these dead letters refused because the code was someone else's (a
    main member's joining, refused after it as `unknown_person`, is sent again with the registration). A
    dead letter of another reason is left for the run's final count."""
    return sorted({letter.key for letter in letters
                   if letter.topic == dlq_topic(MEMBERSHIP_COMMANDS.name) and letter.reason == REFUSED_AS_TAKEN})
