"""Use cases: a person's S-code (login user name) and customer code (4 digits for S-Etukortti terminals).

Neither is stored or logged in clear: the S-code as a keyed token (enough to find the person at login and
to keep user names unique), the customer code as a salted scrypt hash. They change no card, so nothing is
published."""
from __future__ import annotations

import asyncio

from contracts.envelope import Envelope
from contracts.events.card_commands import SetCustomerCode, SetSCode
from services.cards.adapters import cards, identifiers
from services.cards.application.config import CardsConfig
from services.cards.domain.customer_code import hash_customer_code
from services.cards.domain.errors import CardRuleViolation
from services.cards.domain.s_code import s_code_key
from shared.db import Connection
from shared.pseudonym import keyed_token

S_CODE_NAMESPACE = "s_code"


async def check_person_known(conn: Connection, person_id: str) -> None:
    if not await cards.person_is_known(conn, person_id):
        raise CardRuleViolation("unknown_person", "the person has no card or member number")


async def set_customer_code(conn: Connection, command: SetCustomerCode, cause: Envelope,
                            config: CardsConfig) -> None:
    await check_person_known(conn, command.person_id)
    # scrypt is slow on purpose: off the event loop, so the consumer's other work goes on meanwhile
    code_hash = await asyncio.to_thread(hash_customer_code, command.customer_code)
    await identifiers.save_customer_code(conn, command.person_id, code_hash, command.set_at)


async def set_s_code(conn: Connection, command: SetSCode, cause: Envelope, config: CardsConfig) -> None:
    await check_person_known(conn, command.person_id)
    token = keyed_token(S_CODE_NAMESPACE, s_code_key(command.s_code), config.index_key)
    if await identifiers.person_with_s_code(conn, token) not in (None, command.person_id):
        raise CardRuleViolation("s_code_taken", "another person has this S-code")
    await identifiers.save_s_code(conn, command.person_id, token, command.set_at)
