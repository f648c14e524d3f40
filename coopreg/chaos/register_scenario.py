"""The whole register's month, seeded: a population brought in through the real inputs, then a month of POS
receipts interleaved with the register's other changes, and the next month's receipts arriving while the
month closes. A pure function of the seed; `register_oracle` derives what the register must end with.

- Before the month (no faults): customers registered and joined, households formed by invitation, cards
  issued (membership and cards commands, as an integrator sends them), a marketing segment defined and e-mail
  permissions granted (consent commands).
- The month, under faults: the receipts of `scenario.build_scenario` (returns, exact and conflicting duplicates,
  malformed messages) plus household moves (leave, invitation, acceptance), dissolutions (the only member
  resigns), cards blocked and replaced, S-Bank customer updates withdrawing the e-mail permission, deaths from
  the population register; and, through the register API, permissions withdrawn by customer service and on
  the customer's My data page, and erasures requested by the data protection officer; e-mail permissions
  granted during the month (a consent command, and on the My data page); every change command sent twice
  under the same event id; copies of erased people's receipts arriving after their erasure.
- A change takes effect at a time of the month (`at`) and is sent ahead of the receipts it affects (`LEAD` of
  the publishing), as in a real register the change happens before the purchases after it. A receipt the
  change makes ambiguous (within a day of it) is left out; a receipt after a card's replacement is paid with
  the new card; after a block, a death, a dissolution or an erasure the card is not used again.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from itertools import islice

from contracts.events.card_commands import BlockCard, CardCommand, RegisterMemberNumber, ReplaceCard
from contracts.events.consent import ConsentCommand, DefineSegment, SetPermission
from contracts.events.dvv import PopulationUpdate
from contracts.events.membership import (
    AcceptInvitation,
    InviteToHousehold,
    LeaveHousehold,
    MembershipCommand,
    RegisterWithPartner,
    Resign,
)
from contracts.events.partner import PartnerPurchase
from contracts.events.pos import PosPurchase
from contracts.events.sbank import MarketingPermissions, SbankCustomerUpdate
from contracts.topics import (
    CARD_COMMANDS,
    CONSENT_COMMANDS,
    DVV_POPULATION_UPDATES,
    MEMBERSHIP_COMMANDS,
    PARTNER_PURCHASES,
    SBANK_CUSTOMER_UPDATES,
)
from coopreg.chaos.scenario import Message, event_message, malformed_traffic, receipt_message, receipt_traffic
from coopreg.simulate.month import month_of_receipts
from coopreg.simulate.population import Household, population
from coopreg.simulate.receipts import card_number
from coopreg.simulate.register import (
    Timeline,
    card_issue,
    household_forming,
    identity_code,
    joining,
    membership_id,
    registration,
)

MONTH = date(2026, 10, 1)
NEXT_MONTH = date(2026, 11, 1)
SEGMENT = "chaos-email"
LEAD = 0.25  # a change is sent this far (of the month's publishing) ahead of the first receipt it affects
MARGIN = timedelta(days=1)  # receipts this close to a change are left out: neither side of it is certain
TIMELINE = Timeline(cards_from=datetime(2026, 9, 20, 12, tzinfo=timezone.utc))
GRANTED_AT = datetime(2026, 9, 25, 12, tzinfo=timezone.utc)
START_OF_MONTH = datetime(2026, 9, 30, 21, tzinfo=timezone.utc)  # 1 October in Helsinki
PARTNERS = ("elisa", "lahitapiola")
MONTH_SECONDS = 31 * 24 * 3600


@dataclass(frozen=True)
class ApiAction:
    """Something done through the register API during the month, when the publishing reaches `position`."""

    kind: str  # withdraw_staff | withdraw_my_data | grant_my_data | erase
    person_id: str
    position: float


@dataclass
class Changes:
    """Who the month changes, and when (the truth the oracle works from)."""

    moves: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # person → (at, new household)
    dissolved: dict[str, datetime] = field(default_factory=dict)  # household → when its only member resigned
    blocked: dict[str, datetime] = field(default_factory=dict)  # card → when blocked
    replaced: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # card → (at, new card)
    dead: dict[str, datetime] = field(default_factory=dict)  # person → death
    erased: set[str] = field(default_factory=set)
    granted: set[str] = field(default_factory=set)  # e-mail permission given before the month
    withdrawn: dict[str, str] = field(default_factory=dict)  # person → the route: staff, my_data, sbank
    # e-mail permission given during the month: person → (at, the route: a consent command, or My data)
    granted_later: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def people(self, household_of: dict[str, Household], person_of_card: dict[str, str]) -> set[str]:
        """Everyone a change of the month is about (not the withdrawals: they touch no receipt)."""
        return (set(self.moves) | set(self.dead) | self.erased
                | {p for p, h in household_of.items() if h.household_id in self.dissolved}
                | {person_of_card[c] for c in (*self.blocked, *self.replaced)})


@dataclass(frozen=True)
class PartnerCustomer:
    """A person who has a member number and gave it to one partner: what they buy from that partner earns
    Bonus for their household, what they buy from the other partner is kept and earns nothing."""

    person_id: str
    household_id: str
    member_number: str
    registered_with: str


@dataclass
class RegisterScenario:
    households: list[Household]
    codes: dict[str, str]  # person → identity code
    registration: list[Message]  # customers registered, main members joined
    forming: list[Message]  # households formed, cards issued
    consents: list[Message]  # the segment, the permissions and the partner registrations
    stream: list[Message]  # the month: receipts and changes, in publishing order
    next_stream: list[Message]  # the next month's receipts, sent while the month closes
    late: list[Message]  # copies of erased people's receipts, sent after their erasures completed
    actions: list[ApiAction]
    receipts: list[PosPurchase]  # the month's valid receipts (sales and returns), in the version stored first
    next_receipts: list[PosPurchase]
    changes: Changes
    malformed: dict[bytes, str] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)
    partner_customers: list[PartnerCustomer] = field(default_factory=list)
    partner_purchases: list[PartnerPurchase] = field(default_factory=list)
    # receipts of erased people's cards never sent before, each sent after its person's erasure completed: a
    # till's backlog that reaches the register only then (dropped: neither stored nor waiting for the card)
    new_after_erasure: dict[str, Message] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return sum(1 for m in self.stream if m.kind == kind)


def _position(at: datetime) -> float:
    return min(1.0, max(0.0, (at - START_OF_MONTH).total_seconds() / MONTH_SECONDS))


def _moment(rng: random.Random, low: float, high: float) -> datetime:
    return START_OF_MONTH + timedelta(seconds=int(rng.uniform(low, high) * MONTH_SECONDS))


def _choose(rng: random.Random, pool: list, n: int, taken: set) -> list:
    chosen = [x for x in rng.sample(pool, min(len(pool), n * 3)) if x not in taken][:n]
    taken.update(chosen)
    return chosen


def plan_changes(people: list[Household], rng: random.Random, scale: int) -> tuple[Changes, dict[str, str]]:
    """Who moves, dissolves, loses a card, withdraws, dies and is erased; `scale` people each at least."""
    changes = Changes()
    members = [m for h in people for m in h.members[1:]]  # not main members: their households go on
    singles = [h for h in people if len(h.members) == 1]
    taken: set = set()
    targets = _choose(rng, singles, scale, taken)
    for member, target in zip(_choose(rng, [m.person_id for m in members], scale, taken), targets, strict=False):
        changes.moves[member] = (_moment(rng, 0.25, 0.75), target.household_id)
    for household in _choose(rng, singles, scale, taken):
        changes.dissolved[household.household_id] = _moment(rng, 0.3, 0.8)
    cards = [m.card for h in people for m in h.members if m.person_id not in taken]
    for card in _choose(rng, cards, scale, taken):
        changes.blocked[card] = _moment(rng, 0.3, 0.8)
    for n, card in enumerate(_choose(rng, cards, scale, taken)):
        changes.replaced[card] = (_moment(rng, 0.3, 0.7), card_number(10_000_000 + n))
    person_of_card = {m.card: m.person_id for h in people for m in h.members}
    taken |= {person_of_card[c] for c in (*changes.blocked, *changes.replaced)}
    for person in _choose(rng, [m.person_id for m in members], scale, taken):
        changes.dead[person] = _moment(rng, 0.3, 0.7)
    changes.erased = set(_choose(rng, [m.person_id for m in members], scale, taken))
    dissolved_people = {m.person_id for h in people if h.household_id in changes.dissolved for m in h.members}
    candidates = [m.person_id for h in people for m in h.members if m.person_id not in dissolved_people]
    changes.granted = set(rng.sample(candidates, max(6 * scale, len(candidates) // 4))) | set(changes.dead) | \
        changes.erased
    open_to_withdraw = sorted(changes.granted - set(changes.dead) - changes.erased)
    routes = ("staff", "my_data", "sbank")
    for n, person in enumerate(rng.sample(open_to_withdraw, min(len(open_to_withdraw), 3 * scale))):
        changes.withdrawn[person] = routes[n % 3]
    not_yet = sorted(set(candidates) - changes.granted - set(changes.dead) - changes.erased)
    for n, person in enumerate(rng.sample(not_yet, min(len(not_yet), 2 * scale))):
        changes.granted_later[person] = (_moment(rng, 0.1, 0.9), ("command", "my_data")[n % 2])
    return changes, person_of_card


def build_register_scenario(receipts: int, seed: int, run: str = "c") -> RegisterScenario:
    """`receipts` valid receipts in the month (1 % returns, 1 % exact duplicates, conflicting duplicates and
    0.1 % malformed messages), a tenth as many the next month, and the changes (at least `scale` of each)."""
    rng = random.Random(seed)
    people = population(max(receipts // 6, 30), run, seed=seed)
    scale = max(2, receipts // 1500)
    changes, person_of_card = plan_changes(people, rng, scale)
    codes = {m.person_id: identity_code(seed * 100_003 + n)
             for n, m in enumerate(m for h in people for m in h.members)}
    household_of = {m.person_id: h for h in people for m in h.members}
    main_of = {h.members[0].person_id: h for h in people}
    names = random.Random(f"{seed}-names")
    registration_messages = []
    for h in people:
        for m in h.members:
            registration_messages.append(event_message(MEMBERSHIP_COMMANDS, m.person_id, MembershipCommand(
                registration(m, codes[m.person_id], TIMELINE.registered_at, names)), "chaos-register", "register"))
            if m.person_id in main_of:
                registration_messages.append(event_message(MEMBERSHIP_COMMANDS, m.person_id, MembershipCommand(
                    joining(h, TIMELINE.registered_at)), "chaos-register", "join"))
    forming = [event_message(MEMBERSHIP_COMMANDS, key, command, "chaos-register", "household")
               for h in people for key, command in household_forming(h, TIMELINE.households_from)]
    forming += [event_message(CARD_COMMANDS, m.person_id, card_issue(h, m, TIMELINE.cards_from), "chaos-cards", "card")
                for h in people for m in h.members]
    consents = [event_message(CONSENT_COMMANDS, SEGMENT, ConsentCommand(DefineSegment(
        name=SEGMENT, purpose="marketing", channel="email", defined_at=GRANTED_AT)), "chaos-marketing", "segment")]
    consents += [event_message(CONSENT_COMMANDS, person, ConsentCommand(SetPermission(
        person_id=person, channel="email", granted=True, source="self_service", collection_point="oma-s-kanava",
        at=GRANTED_AT)), "chaos-consent", "grant") for person in sorted(changes.granted)]
    customers, partner_purchases = _partner_customers(people, changes.people(household_of, person_of_card), seed)
    for c in customers:
        household = household_of[c.person_id]
        forming.append(event_message(CARD_COMMANDS, c.person_id, CardCommand(RegisterMemberNumber(
            command="register_member_number", member_number=c.member_number, person_id=c.person_id,
            household_id=c.household_id, cooperative_id=household.cooperative_id,
            membership_id=membership_id(household), valid_from=TIMELINE.cards_from)), "chaos-cards", "member_number"))
    # After the households are formed (a registration is refused to a person in no household, and the
    # acceptances are keyed by the main member: sent together, a registration could overtake its acceptance).
    for c in customers:
        consents.append(event_message(MEMBERSHIP_COMMANDS, c.person_id, MembershipCommand(RegisterWithPartner(
            person_id=c.person_id, partner_id=c.registered_with, valid_from=GRANTED_AT)), "chaos-register",
            "partner_registration"))

    def fate(purchase: PosPurchase, first_half_only: bool) -> PosPurchase | None:
        """The receipt as the month's changes leave it: paid with a replacement card, or not made at all."""
        card, at = purchase.identifier.value, purchase.purchased_at
        person = person_of_card[card]
        household = household_of[person].household_id
        if person in changes.erased and (not first_half_only or _position(at) > 0.4):
            return None
        for when in (changes.dead.get(person), changes.dissolved.get(household), changes.blocked.get(card)):
            if when is not None and at >= when - MARGIN:
                return None
        if person in changes.moves and abs(at - changes.moves[person][0]) < MARGIN:
            return None
        if card in changes.replaced:
            when, new = changes.replaced[card]
            if abs(at - when) < MARGIN:
                return None
            if at > when:
                data = purchase.model_dump() | {"identifier": purchase.identifier.model_dump() | {"value": new}}
                return PosPurchase.model_validate(data)
        return purchase

    sales = [kept for s in islice(month_of_receipts(people, MONTH, run, seed=seed + 1), receipts)
             if (kept := fate(s, True)) is not None]
    sales.sort(key=lambda r: r.purchased_at)
    later = [kept for s in islice(month_of_receipts(people, NEXT_MONTH, "n", seed=seed + 2), receipts // 10)
             if (kept := fate(s, False)) is not None]
    position = {s.receipt_id: i / len(sales) for i, s in enumerate(sales)}
    changed = changes.people(household_of, person_of_card)
    # Returns and conflicting versions only of receipts of people the month leaves alone (a return's household
    # is then beyond doubt), and no copy of an erased person's receipt: one arriving after the erasure is
    # another promise (none re-added late), not this month's traffic.
    reusable = [s for s in sales if person_of_card.get(s.identifier.value) not in changed]
    placed, returns, conflicted = receipt_traffic(sales, position, reusable, receipts, rng)
    copies = [(p, m) for p, m in placed if m.kind in ("sale", "return")
              and not m.key.decode().startswith(tuple(f"{run}-{household_of[x].household_id}-"
                                                      for x in changes.erased))]
    placed += [(rng.uniform(p, 1.0), Message(m.topic, m.key, m.value, m.headers, "duplicate"))
               for p, m in rng.sample(copies, receipts // 100)]
    partner = [(_position(p.purchased_at), event_message(PARTNER_PURCHASES, p.purchase_id, p, f"chaos-{p.partner_id}",
                                                    "partner")) for p in partner_purchases]
    placed += partner + [(min(1.0, p + 0.05), replace(m, kind="partner_duplicate")) for p, m in partner[::10]]
    malformed_placed, bad = malformed_traffic(receipts, sales, rng, run)
    placed += malformed_placed
    commands = _change_messages(changes, household_of, codes, person_of_card, rng)
    # Each change sent again later under the same event id, as a producer that retried after a lost
    # acknowledgement sends it: the consumers' inbox must make the copy change nothing (a move carried out
    # twice would take the person out of their new household; a card replaced twice is refused).
    placed += commands + [(min(1.0, p + rng.uniform(0.01, 0.1)), replace(m, kind="repeat")) for p, m in commands]
    placed.sort(key=lambda item: item[0])
    actions = [ApiAction("erase", person, rng.uniform(0.55, 0.8)) for person in sorted(changes.erased)]
    actions += [ApiAction(f"withdraw_{route}", person, rng.uniform(0.1, 0.9))
                for person, route in sorted(changes.withdrawn.items()) if route != "sbank"]
    actions += [ApiAction("grant_my_data", person, _position(at))
                for person, (at, route) in sorted(changes.granted_later.items()) if route == "my_data"]
    # A copy of an erased person's receipt that arrives after the erasure (a till that went offline and
    # sends its backlog late): it must not bring the person back (`late`, sent once the erasures completed).
    erased_sales = [s for s in sales if person_of_card.get(s.identifier.value) in changes.erased]
    late = [receipt_message(s, "late") for s in rng.sample(erased_sales, min(len(erased_sales), 2 * scale))]
    new_after_erasure = {person_of_card[s.identifier.value]: receipt_message(
        s.model_copy(update={"receipt_id": f"{s.receipt_id}-backlog"}), "new_after_erasure") for s in erased_sales}
    return RegisterScenario(
        households=people, codes=codes, registration=registration_messages, forming=forming, consents=consents,
        stream=[m for _, m in placed], next_stream=[receipt_message(r, "next") for r in later], late=late,
        new_after_erasure=new_after_erasure,
        actions=sorted(actions, key=lambda a: a.position), receipts=sales + returns, next_receipts=later,
        changes=changes, malformed=bad, conflicts={s.receipt_id for s in conflicted}, partner_customers=customers,
        partner_purchases=partner_purchases)


def _partner_customers(people: list[Household], changed: set[str], seed: int
                       ) -> tuple[list[PartnerCustomer], list[PartnerPurchase]]:
    """People the month leaves alone (their household beyond doubt) with a member number and a partner
    registration from before the month; each buys twice from a partner during the month, every third of
    them once from the partner they are not registered with."""
    rng = random.Random(f"{seed}-partners")  # its own: the rest of the month is the same with or without it
    quiet = [(m.person_id, h.household_id) for h in people for m in h.members if m.person_id not in changed]
    chosen = rng.sample(quiet, min(len(quiet), max(3, len(quiet) // 20)))
    customers = [PartnerCustomer(person, household, f"{700 + seed % 100:03d}{n:09d}", PARTNERS[n % 2])
                 for n, (person, household) in enumerate(chosen)]
    purchases = []
    for n, c in enumerate(customers):
        other = PARTNERS[(PARTNERS.index(c.registered_with) + 1) % 2]
        for k, partner in enumerate((c.registered_with, c.registered_with if n % 3 else other)):
            purchases.append(PartnerPurchase(
                purchase_id=f"pp-{seed}-{n}-{k}", partner_id=partner, member_number=c.member_number,
                purchased_at=_moment(rng, 0.02, 0.98), currency="EUR", total_cents=rng.randint(500, 9000)))
    return customers, purchases


def _ahead(at: datetime, rng: random.Random) -> float:
    return max(0.0, _position(at) - LEAD - rng.uniform(0, 0.05))


def _change_messages(changes: Changes, household_of: dict[str, Household], codes: dict[str, str],
                     person_of_card: dict[str, str], rng: random.Random) -> list[tuple[float, Message]]:
    """The month's changes through the register's inputs, each keyed so its own commands stay in order."""
    placed = []
    main_of = {h.household_id: h.members[0].person_id for h in household_of.values()}
    for person, (at, target) in sorted(changes.moves.items()):
        invitation, sent = f"move-{person}", _ahead(at, rng)
        for n, command in enumerate((
                MembershipCommand(LeaveHousehold(person_id=person, actor_person_id=person, left_at=at)),
                MembershipCommand(InviteToHousehold(invitation_id=invitation, main_member_person_id=main_of[target],
                                                    invitee_person_id=person, invited_at=at)),
                MembershipCommand(AcceptInvitation(invitation_id=invitation, person_id=person,
                                                   accepted_at=at + timedelta(minutes=1))))):
            placed.append((sent + n * 1e-6, event_message(MEMBERSHIP_COMMANDS, person, command, "chaos-register",
                                                     "move")))
    for person in sorted(changes.erased):
        # A household member is erased only once out of the household (the register API refuses otherwise):
        # they leave after their last purchase, before the data protection officer's request.
        at = _moment(rng, 0.41, 0.44)
        placed.append((_ahead(at, rng), event_message(MEMBERSHIP_COMMANDS, person, MembershipCommand(LeaveHousehold(
            person_id=person, actor_person_id=person, left_at=at)), "chaos-register", "leave")))
    for household, at in sorted(changes.dissolved.items()):
        main = main_of[household]
        placed.append((_ahead(at, rng), event_message(MEMBERSHIP_COMMANDS, main, MembershipCommand(Resign(
            person_id=main, resigned_at=at)), "chaos-register", "dissolve")))
    for card, at in sorted(changes.blocked.items()):
        placed.append((_ahead(at, rng), event_message(CARD_COMMANDS, person_of_card[card], CardCommand(BlockCard(
            command="block_card", card_number=card, reason="lost", blocked_at=at)), "chaos-cards", "block")))
    for card, (at, new) in sorted(changes.replaced.items()):
        placed.append((_ahead(at, rng), event_message(CARD_COMMANDS, person_of_card[card], CardCommand(ReplaceCard(
            command="replace_card", card_number=card, new_card_number=new, replaced_at=at)), "chaos-cards",
            "replace")))
    for person, at in sorted(changes.dead.items()):
        placed.append((_ahead(at, rng), event_message(DVV_POPULATION_UPDATES, f"dvv-{person}", PopulationUpdate(
            update_id=f"dvv-{person}", identity_code=codes[person], kind="death", date_of_death=at.date(),
            effective_date=at.date(), source_time=at), "chaos-dvv", "death")))
    for person, route in sorted(changes.withdrawn.items()):
        if route == "sbank":
            at = _moment(rng, 0.1, 0.9)
            placed.append((_position(at), event_message(SBANK_CUSTOMER_UPDATES, f"sb-{person}", SbankCustomerUpdate(
                update_id=f"sb-{person}", sbank_customer_ref=f"sb-{person}", identity_code=codes[person],
                permissions=MarketingPermissions(email=False), source_time=at, origin="sbank"), "chaos-sbank",
                "withdraw")))
    for person, (at, route) in sorted(changes.granted_later.items()):
        if route == "command":
            placed.append((_position(at), event_message(CONSENT_COMMANDS, person, ConsentCommand(SetPermission(
                person_id=person, channel="email", granted=True, source="self_service",
                collection_point="oma-s-kanava", at=at)), "chaos-consent", "grant")))
    return placed
