"""`coopreg demo` on the real stack: its households come in through the register's inputs, so the month's
close finds every one of them and the run leaves no dead letter anywhere."""
from __future__ import annotations

from datetime import date

import pytest
from rich.console import Console

from contracts.events.membership_states import HouseholdState
from contracts.topics import BONUS_STATEMENTS, MEMBERSHIP_HOUSEHOLDS
from coopreg.client import read_topic
from coopreg.demo import run_demo

pytestmark = pytest.mark.usefixtures("services")


async def test_the_demo_registers_its_households_and_ends_with_every_dlq_empty(settings):
    console = Console(record=True, width=200)
    today = date.today()
    run = await run_demo(settings, 15, console, month=date(today.year - 2, today.month, 1))  # no other test's
    text = console.export_text()
    assert "dead letters of this run: 0 on the" in text and "every one empty" in text
    households = {r.key.decode(): HouseholdState.model_validate_json(r.value)
                  for r in await read_topic(settings, MEMBERSHIP_HOUSEHOLDS) if r.key.decode().startswith(run)}
    assert len(households) == 15  # every household in the customer register, with its members
    assert sum(len(h.members) for h in households.values()) > 15
    statements = [r for r in await read_topic(settings, BONUS_STATEMENTS) if r.key.decode().startswith(run)]
    assert {r.key.decode() for r in statements} == set(households)
