"""Deliberately broken builds of the register, for the chaos run to prove its oracle catches them.

Python imports `sitecustomize` at start-up from the first directory on its path that has one; a service
process started with this directory on PYTHONPATH and COOPREG_BROKEN_BUILD set (a comma-separated list)
runs with the named parts broken. Nothing of this is in the production code: the services are patched
from outside, as a bad release would change them.

- `inbox`: the inbox records every event id but hands every message on as new (`Delivery._claim`), so a
  command repeated under the same event id is carried out again.
- `segment_withdrawals`: the consent service's segment update ignores a withdrawn permission: a living,
  unerased person once put into a segment is never taken out of it.
"""
from __future__ import annotations

import os

BROKEN = {part.strip() for part in os.environ.get("COOPREG_BROKEN_BUILD", "").split(",") if part.strip()}
KNOWN = {"inbox", "segment_withdrawals"}


def _break_the_inbox() -> None:
    from shared import delivery

    claim = delivery.Delivery._claim

    async def every_message_fresh(self, conn, batch):
        await claim(self, conn, batch)  # the rows are written as before; what they say is ignored
        return list(batch)

    delivery.Delivery._claim = every_message_fresh


def _break_segment_withdrawals() -> None:
    import contextvars

    from services.consent.application import settle

    alive = contextvars.ContextVar("alive_and_unerased", default=False)
    place, segment_change = settle.place, settle.segment_change

    async def place_ignoring_withdrawals(conn, facts, consent, definitions, cause, config):
        token = alive.set(not facts.erased and not consent.deceased)
        try:
            return await place(conn, facts, consent, definitions, cause, config)
        finally:
            alive.reset(token)

    def no_removal_of_the_living(sent, wanted):
        if wanted is None and sent is not None and alive.get():
            return None  # the withdrawal is not acted on: the person stays in the segment
        return segment_change(sent, wanted)

    settle.place = place_ignoring_withdrawals
    settle.segment_change = no_removal_of_the_living


if BROKEN - KNOWN:
    raise SystemExit(f"COOPREG_BROKEN_BUILD: unknown part(s) {sorted(BROKEN - KNOWN)}; known: {sorted(KNOWN)}")
if "inbox" in BROKEN:
    _break_the_inbox()
if "segment_withdrawals" in BROKEN:
    _break_segment_withdrawals()
