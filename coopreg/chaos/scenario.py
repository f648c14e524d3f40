"""A seeded month of POS traffic as it reaches the register, and the truth it was made from.

Cards are published on `cards.card.v1` as the cards service would (some only after every receipt that
uses them: late card data). The receipt stream mixes a month of sales with returns (negative amounts,
`return_of`), exact duplicates (the same bytes again, later), conflicting duplicates (a known receipt id
with other content, later) and malformed messages. The scenario is a pure function of the seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import NamedTuple

from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.events.pos import PosPurchase
from contracts.topics import CARD_STATE, MEMBERSHIP_HOUSEHOLDS, POS_PURCHASES, Topic
from coopreg.chaos.inputs import EXPECTED_REASON, MALFORMED_KINDS, conflicting_version, malformed, return_of
from coopreg.simulate.month import month_of_receipts
from coopreg.simulate.population import Household, card_states, household_state, population

MONTH = date(2026, 10, 1)


@dataclass(frozen=True)
class Message:
    """One record as it will be produced: topic (registry name), key, value and headers."""

    topic: str
    key: bytes  # every record of a run has one: a receipt's id, a state's subject
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    kind: str


@dataclass
class Scenario:
    households: list[Household]
    receipts: list[PosPurchase]  # every valid receipt (sales and returns), in the version stored first
    cards: list[Message]  # published before the receipts
    stream: list[Message]  # the receipt traffic in publishing order
    late_cards: list[Message]  # published after the receipts that use them
    malformed: dict[bytes, str] = field(default_factory=dict)  # key → expected DLQ reason
    conflicts: set[str] = field(default_factory=set)

    def count(self, kind: str) -> int:
        return sum(1 for m in self.stream if m.kind == kind)


def event_message(topic: Topic, key: str, data: BaseModel, source: str, kind: str) -> Message:
    """An event as its producer (`source`) sends it: the contract's JSON in the envelope's headers."""
    return Message(topic.name, key.encode(), data.model_dump_json().encode(),
                   tuple(Envelope(source=source, type=topic.event_type).headers()), kind)


def receipt_message(receipt: PosPurchase, kind: str) -> Message:
    return event_message(POS_PURCHASES, receipt.receipt_id, receipt, "chaos-pos", kind)


def card_messages(household: Household, index_key: str) -> list[Message]:
    """The household's state (membership's: its benefit account, so its payouts are sent) and its cards'."""
    state = household_state(household)
    envelope = Envelope(source="chaos-membership", type=MEMBERSHIP_HOUSEHOLDS.event_type)
    messages = [Message(MEMBERSHIP_HOUSEHOLDS.name, state.household_id.encode(), state.model_dump_json().encode(),
                        tuple(envelope.headers()), "household")]
    for card in card_states(household, index_key):
        envelope = Envelope(source="chaos-cards", type=CARD_STATE.event_type)
        messages.append(Message(CARD_STATE.name, card.card_token.encode(), card.model_dump_json().encode(),
                                tuple(envelope.headers()), "card"))
    return messages


class ReceiptTraffic(NamedTuple):
    """A month's sales with their returns and conflicting versions, each placed in the publishing window."""

    placed: list[tuple[float, Message]]  # (place in the window, 0..1; the message)
    returns: list[PosPurchase]
    conflicted: list[PosPurchase]  # sales sent again later with other content


def receipt_traffic(sales: list[PosPurchase], position: dict[str, float], candidates: list[PosPurchase],
                    receipts: int, rng: random.Random) -> ReceiptTraffic:
    """1 % of `receipts` as returns of `candidates` (just after their sale) and a few conflicting versions
    (any time after it); every sale at its own `position`."""
    n_returns, n_conflicts = receipts // 100, max(3, receipts // 20_000)
    picked = rng.sample(candidates, n_returns + n_conflicts)
    returned = picked[:n_returns]
    returns = [return_of(sale, rng) for sale in returned]
    conflicted = picked[n_returns:]
    placed = [(position[s.receipt_id], receipt_message(s, "sale")) for s in sales]
    placed += [(position[sale.receipt_id] + rng.uniform(0, 0.1), receipt_message(r, "return"))
               for sale, r in zip(returned, returns, strict=True)]
    placed += [(rng.uniform(position[s.receipt_id], 1.0), receipt_message(conflicting_version(s), "conflict"))
               for s in conflicted]
    return ReceiptTraffic(placed, returns, conflicted)


def malformed_traffic(receipts: int, sales: list[PosPurchase], rng: random.Random,
                      run: str) -> tuple[list[tuple[float, Message]], dict[bytes, str]]:
    """0.1 % malformed messages (six at least), each kind in turn, each made from a sale under a key of its
    own and placed anywhere in the traffic; with the reason the DLQ must give for each, by key."""
    placed: list[tuple[float, Message]] = []
    bad: dict[bytes, str] = {}
    for n in range(max(6, receipts // 1000)):
        kind = MALFORMED_KINDS[n % len(MALFORMED_KINDS)]
        key = f"bad-{run}-{n}".encode()
        value, headers = malformed(kind, rng.choice(sales), key.decode())
        placed.append((rng.random(), Message(POS_PURCHASES.name, key, value, tuple(headers), "malformed")))
        bad[key] = EXPECTED_REASON[kind]
    return placed, bad


def build_scenario(receipts: int, seed: int, index_key: str, run: str = "c") -> Scenario:
    """`receipts` valid receipts (1 % of them returns), plus 1 % exact duplicates, a few conflicting
    duplicates and 0.1 % malformed messages; about 3 % of the households' cards arrive late."""
    rng = random.Random(seed)
    people = population(max(receipts // 6, 10), run, seed=seed)
    n_returns = receipts // 100
    sales = sorted(islice(month_of_receipts(people, MONTH, run, seed=seed + 1), receipts - n_returns),
                   key=lambda r: r.purchased_at)
    position = {s.receipt_id: i / len(sales) for i, s in enumerate(sales)}
    placed, returns, conflicted = receipt_traffic(sales, position, sales, receipts, rng)
    placed += [(rng.uniform(p, 1.0), Message(m.topic, m.key, m.value, m.headers, "duplicate"))
               for p, m in rng.sample(placed[:len(sales) + n_returns], receipts // 100)]
    malformed_placed, bad = malformed_traffic(receipts, sales, rng, run)
    placed += malformed_placed
    placed.sort(key=lambda item: item[0])
    used = {s.identifier.value for s in sales}
    with_receipts = [h for h in people if any(m.card in used for m in h.members)]
    late = set(h.household_id for h in rng.sample(with_receipts, max(2, len(with_receipts) * 3 // 100)))
    return Scenario(
        households=people, receipts=sales + returns,
        cards=[m for h in people if h.household_id not in late for m in card_messages(h, index_key)],
        stream=[m for _, m in placed],
        late_cards=[m for h in people if h.household_id in late for m in card_messages(h, index_key)],
        malformed=bad, conflicts={s.receipt_id for s in conflicted})
