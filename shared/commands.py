"""The one command dispatch of every service: each message of a batch to its use case, in order, in the
caller's transaction; a broken rule (`shared.rules.RuleViolation`) rejects the message with the rule's
code, the dead-letter reason. The delivery then rolls the batch back (nothing of a refused message is
applied) and retries the others without it.

Use cases publish by writing their events to the outbox themselves (`shared.outbox.add`), in the same
transaction: the dispatch returns nothing and publishes nothing.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import RootModel

from shared.delivery import Incoming, Rejected
from shared.rules import RuleViolation

# A use case of a command: (conn, command, the envelope that caused it, the service's config).
UseCase = Callable[[Any, Any, Any, Any], Awaitable[object]]


async def apply_each(conn, messages: list[Incoming], apply: Callable[..., Awaitable[object]], *args: Any) -> None:
    """`apply(conn, message, *args)` for each message in order; a broken rule rejects the message."""
    for message in messages:
        try:
            await apply(conn, message, *args)
        except RuleViolation as violation:
            raise Rejected(violation.code, violation.detail) from None


def command_of(message: Incoming) -> Any:
    """The command a message carries: a topic of several commands has them as a union (a RootModel); a
    command handed on directly, or decoded as its strict struct, is itself."""
    return message.data.root if isinstance(message.data, RootModel) else message.data


async def _to_use_case(conn, message: Incoming, use_cases: Mapping[type, UseCase], config: Any) -> None:
    command = command_of(message)
    await use_cases[type(command)](conn, command, message.envelope, config)


async def dispatch(conn, messages: list[Incoming], use_cases: Mapping[type, UseCase], config: Any) -> None:
    """Each command to the use case of its type, `use_case(conn, command, envelope, config)`, in order:
    one person's commands apply in the order they were sent."""
    await apply_each(conn, messages, _to_use_case, use_cases, config)
