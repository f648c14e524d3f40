"""The consent commands (`consent.commands.v1`): each to its use case, in order, in the caller's transaction.
A broken rule refuses the message with its code (the dead-letter reason) and rolls the batch back."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.consent import DefineSegment, RetireSegment, SetBlock, SetChoice, SetPermission
from services.consent.adapters import people
from services.consent.application.change_consent import Provenance, change_consent
from services.consent.application.config import ConsentConfig
from services.consent.application.define_segment import define_segment, retire_segment
from services.consent.domain.consent import Statement, block_item, choice_item, permission_item
from shared.commands import UseCase, dispatch
from shared.db import Connection
from shared.delivery import Incoming


async def set_block(conn: Connection, command: SetBlock, cause: Envelope, config: ConsentConfig) -> None:
    statement = Statement(block_item(command.block), command.blocked, command.at)
    await change_consent(conn, command.person_id, [statement],
                         Provenance(command.source, command.collection_point, command.actor), cause, config)


async def set_permission(conn: Connection, command: SetPermission, cause: Envelope, config: ConsentConfig) -> None:
    statement = Statement(permission_item(command.channel), command.granted, command.at)
    await change_consent(conn, command.person_id, [statement],
                         Provenance(command.source, command.collection_point, command.actor), cause, config)


async def set_choice(conn: Connection, command: SetChoice, cause: Envelope, config: ConsentConfig) -> None:
    statement = Statement(choice_item(command.choice), command.chosen, command.at)
    await change_consent(conn, command.person_id, [statement],
                         Provenance(command.source, command.collection_point, command.actor), cause, config)


USE_CASES: dict[type, UseCase] = {SetBlock: set_block, SetPermission: set_permission, SetChoice: set_choice,
                                  DefineSegment: define_segment, RetireSegment: retire_segment}


async def handle_commands(conn: Connection, messages: list[Incoming], config: ConsentConfig) -> None:
    # the batch's people locked up front, in one order: no deadlock with the other consumers' batches
    changes = [m.data for m in messages if isinstance(m.data, (SetBlock, SetPermission, SetChoice))]
    await people.lock(conn, [change.person_id for change in changes])
    await dispatch(conn, messages, USE_CASES, config)
