"""Putting a simulated population on the register's topics, with a progress bar: card states as the cards
service publishes them (for benchmarks that need only the purchases service) and a month of POS receipts.
A population brought in as an integrator would is `coopreg.simulate.register`."""
from __future__ import annotations

from datetime import date

from rich.progress import Progress

from contracts.envelope import Envelope
from contracts.topics import CARD_STATE, POS_PURCHASES
from coopreg.client import RegisterClient
from coopreg.simulate.month import month_of_receipts
from coopreg.simulate.population import Household, card_states
from services.bonus.domain.months import month_label

SOURCE = "coopreg/simulate"


async def publish_card_states(client: RegisterClient, households: list[Household], index_key: str,
                              bar: Progress) -> int:
    """Every member's card state on `cards.card.v1`, as the cards service publishes it."""
    states = [state for household in households for state in card_states(household, index_key)]
    task = bar.add_task("publishing card states", total=len(states))
    for i, state in enumerate(states, 1):
        await client.send(CARD_STATE, state.card_token, state, Envelope(source=SOURCE, type=CARD_STATE.event_type))
        if i % 500 == 0:
            bar.update(task, completed=i)
    await client.flush()
    bar.update(task, completed=len(states))
    return len(states)


async def publish_month(client: RegisterClient, households, month: date, run: str, bar: Progress) -> int:
    """The month's receipts of every household on `pos.purchases.v1`."""
    receipts = list(month_of_receipts(households, month, run))
    task = bar.add_task(f"POS receipts {month_label(month)}", total=len(receipts))
    for i, receipt in enumerate(receipts, 1):
        await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
        if i % 1000 == 0:
            bar.update(task, completed=i)
    await client.flush()
    bar.update(task, completed=len(receipts))
    return len(receipts)
