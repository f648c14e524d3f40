"""What the web stores, the digital services and customer service send, applied: one handler per topic, each
in the delivery's transaction. Messages about a person erased here are dropped and counted (never stored
again); a repeat changes nothing and is counted as a duplicate."""
from __future__ import annotations

from typing import Awaitable, Callable

from contracts.events.digital import CustomerContact, DigitalServiceOrder, WebStoreCustomerUpdate, WebStoreOrder
from services.digital.adapters import store
from services.digital.application.config import DigitalConfig
from services.digital.domain.addresses import address_changes
from services.digital.domain.errors import DigitalRuleViolation
from services.digital.domain.orders import OrderState, apply_status
from shared.delivery import Incoming, Rejected

Apply = Callable[..., Awaitable[bool]]


async def _each(conn, messages: list[Incoming], source: str, apply: Apply) -> int:
    """Apply every message not about an erased person; how many changed nothing (duplicates, stale)."""
    gone = await store.erased(conn, sorted({m.data.person_id for m in messages}))
    ignored = 0
    for message in messages:
        if message.data.person_id in gone:
            await store.count_ignored(conn, source, "person_erased")
            continue
        try:
            ignored += not await apply(conn, message.data)
        except DigitalRuleViolation as violation:
            raise Rejected(violation.code, str(violation)) from None
    return ignored


async def _profile(conn, update: WebStoreCustomerUpdate) -> bool:
    applied = await store.profile_time(conn, update.person_id, update.store)
    if applied is not None and applied > update.source_time:
        await store.count_ignored(conn, "webstore", "stale")
        return False
    await store.save_profile(conn, update.person_id, update.store, update.segment, update.source_time)
    incoming = {a.address_id: a.model_dump(mode="json", exclude={"address_id"}) for a in update.delivery_addresses}
    changes = address_changes(await store.current_addresses(conn, update.person_id, update.store), incoming)
    await store.replace_addresses(conn, update.person_id, update.store, changes.replaced, update.source_time)
    await store.add_addresses(conn, update.person_id, update.store, {a: incoming[a] for a in changes.added},
                              update.source_time)
    return applied != update.source_time or not changes.none


async def _order(conn, sent: WebStoreOrder) -> bool:
    update = OrderState(sent.store, sent.order_id, sent.person_id, sent.status, sent.status_at, sent.placed_at,
                        sent.delivery_method, sent.total_cents, None)
    state = apply_status(await store.order(conn, sent.store, sent.order_id), update)
    return await store.save_order(conn, state, sent.status, sent.status_at)


async def _service(conn, event: DigitalServiceOrder) -> bool:
    if event.action == "ordered":
        return await store.order_service(conn, event.person_id, event.service, event.item, event.at)
    if await store.cancel_service(conn, event.person_id, event.service, event.item, event.at):
        return True
    await store.count_ignored(conn, "digital-services", "not_ordered")
    return False


async def apply_profiles(conn, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "webstore", _profile)


async def apply_orders(conn, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "webstore-orders", _order)


async def apply_service_orders(conn, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "digital-services", _service)


async def apply_contacts(conn, messages: list[Incoming], config: DigitalConfig) -> int:
    async def contact(conn, sent: CustomerContact) -> bool:
        notes = config.encrypt_notes(sent.person_id, sent.contact_id, sent.notes) if sent.notes else None
        return await store.add_contact(conn, sent.contact_id, sent.person_id, sent.channel, sent.reason, sent.handler,
                                       sent.contacted_at, notes)

    return await _each(conn, messages, "customerservice", contact)
