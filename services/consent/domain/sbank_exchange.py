"""The consent part of the two-way exchange with S-Bank (seed §6: permissions and prohibitions are updated
in the register when the customer changes them with S-Bank, and the other way round).

- S-Bank keeps the e-mail and SMS permissions and four blocks: all marketing, direct mail, telemarketing
  and surveys. The register's other blocks stay home.
- `NoEcho`: only a change the customer made with the register (self-service or customer service) goes to
  S-Bank. A change that came from S-Bank is never sent back; one from the population register or the
  register's customer data reaches S-Bank through the membership service, which sends its own.
- An update from S-Bank is a set of statements as of its `source_time`: the latest statement per item wins
  (`consent.latest_statement_wins`), so an older update arriving late changes nothing, and a repeat is a
  no-op.
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.consent.domain.consent import Statement, block_item, permission_item

SBANK_BLOCKS = ("all_marketing", "direct_mail", "telemarketing", "surveys")
SBANK_CHANNELS = ("email", "sms")
SENT_TO_SBANK_FROM = frozenset({"self_service", "customer_service"})
SBANK_ITEMS = {**{block_item(b): ("prohibitions", b) for b in SBANK_BLOCKS},
               **{permission_item(c): ("permissions", c) for c in SBANK_CHANNELS}}


def statements_from_sbank(permissions: Mapping[str, bool | None], prohibitions: Mapping[str, bool | None],
                          at: datetime) -> list[Statement]:
    """The consent statements in an S-Bank update (a null member is unchanged)."""
    return ([Statement(permission_item(c), given, at) for c in SBANK_CHANNELS
             if (given := permissions.get(c)) is not None]
            + [Statement(block_item(b), given, at) for b in SBANK_BLOCKS
               if (given := prohibitions.get(b)) is not None])


def goes_to_sbank(source: str, item: str) -> bool:
    """`NoEcho`: S-Bank keeps the item, and the change was made with the register itself."""
    return source in SENT_TO_SBANK_FROM and item in SBANK_ITEMS


def sbank_parts(statements: list[Statement]) -> dict[str, dict[str, bool]]:
    """The statements as S-Bank's `permissions` and `prohibitions` members (empty ones left out)."""
    parts: dict[str, dict[str, bool]] = {}
    for statement in statements:
        part, name = SBANK_ITEMS[statement.item]
        parts.setdefault(part, {})[name] = statement.value
    return parts
