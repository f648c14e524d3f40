"""What the web stores, the digital services and customer service send, applied: one handler per topic, each
in the delivery's transaction. Messages about a person erased here are dropped and counted (never stored
again); a repeat changes nothing and is counted as a duplicate. What the customer did themselves is noted as
their activity, reported to the membership service with the delivery (`application/activity.py`)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Awaitable, Callable, Protocol, cast

from contracts.events.digital import (
    CustomerContact,
    CustomerEnteredData,
    DigitalServiceOrder,
    DigitalServiceUsage,
    SavedCart,
    WebStoreCustomerUpdate,
    WebStoreOrder,
)
from services.digital.adapters import activity as customer_activity
from services.digital.adapters import store
from services.digital.application import activity
from services.digital.application.config import DigitalConfig
from services.digital.domain.addresses import address_changes
from services.digital.domain.errors import DigitalRuleViolation
from services.digital.domain.latest import supersedes
from services.digital.domain.orders import OrderState, apply_status
from shared.db import Connection
from shared.delivery import Incoming, Rejected
from shared.subject_keys import SubjectErased

Apply = Callable[..., Awaitable[bool]]
# When a message says the customer was active themselves (None: it does not).
ActiveAt = Callable[[Any], datetime | None]


class _AboutPerson(Protocol):
    @property
    def person_id(self) -> str: ...


def _about(message: Incoming) -> _AboutPerson:
    # The delivery validated the message against its topic's model, and every model here names its person.
    return cast(_AboutPerson, message.data)


async def _each(conn: Connection, messages: list[Incoming], source: str, apply: Apply,
                active_at: ActiveAt | None = None) -> int:
    """Apply every message not about an erased person, noting the customer's activity it shows, and report the
    activity due; how many changed nothing (duplicates, stale)."""
    gone = await store.erased(conn, sorted({_about(m).person_id for m in messages}))
    ignored = 0
    causes = {}
    for message in messages:
        person_id = _about(message).person_id
        if person_id in gone:
            await store.count_ignored(conn, source, "person_erased")
            continue
        try:
            ignored += not await apply(conn, message.data)
        except DigitalRuleViolation as violation:
            raise Rejected(violation.code, str(violation)) from None
        except SubjectErased:  # nothing can be sealed for them: erased, before this service has heard of it
            await store.count_ignored(conn, source, "person_erased")
            continue
        if active_at is not None and (at := active_at(message.data)) is not None:
            await customer_activity.note(conn, person_id, at)
        causes[person_id] = message.envelope
    await activity.report(conn, causes)
    return ignored


async def _profile(conn: Connection, update: WebStoreCustomerUpdate) -> bool:
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
    if not changes.none:  # the customer's own doing; a segment is the web store's
        await customer_activity.note(conn, update.person_id, update.source_time)
    return applied != update.source_time or not changes.none


async def _order(conn: Connection, sent: WebStoreOrder) -> bool:
    update = OrderState(sent.store, sent.order_id, sent.person_id, sent.status, sent.status_at, sent.placed_at,
                        sent.delivery_method, sent.total_cents, None)
    state = apply_status(await store.order(conn, sent.store, sent.order_id), update)
    return await store.save_order(conn, state, sent.status, sent.status_at)


async def _service(conn: Connection, event: DigitalServiceOrder) -> bool:
    if event.action == "ordered":
        return await store.order_service(conn, event.person_id, event.service, event.item, event.at)
    if await store.cancel_service(conn, event.person_id, event.service, event.item, event.at):
        return True
    await store.count_ignored(conn, "digital-services", "not_ordered")
    return False


async def apply_profiles(conn: Connection, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "webstore", _profile)


async def apply_orders(conn: Connection, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "webstore-orders", _order, lambda order: order.placed_at)


async def apply_service_orders(conn: Connection, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "digital-services", _service, lambda event: event.at)


async def apply_contacts(conn: Connection, messages: list[Incoming], config: DigitalConfig) -> int:
    async def contact(conn: Connection, sent: CustomerContact) -> bool:
        notes = await config.seal_notes(conn, sent.person_id, sent.contact_id, sent.notes) if sent.notes else None
        return await store.add_contact(conn, sent.contact_id, sent.person_id, sent.channel, sent.reason, sent.handler,
                                       sent.contacted_at, notes)

    return await _each(conn, messages, "customerservice", contact)


async def _cart(conn: Connection, cart: SavedCart) -> bool:
    if not supersedes(await store.cart_time(conn, cart.person_id, cart.store), cart.saved_at):
        await store.count_ignored(conn, "webstore-carts", "stale")
        return False
    await store.save_cart(conn, cart.person_id, cart.store, [i.model_dump(mode="json") for i in cart.items],
                          cart.saved_at)
    return True


async def _usage(conn: Connection, used: DigitalServiceUsage) -> bool:
    return await store.add_usage(conn, used.event_id, used.person_id, used.service, used.company, used.company_kind,
                                 used.channel, used.identified_with, used.kind, used.at)


async def apply_saved_carts(conn: Connection, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "webstore-carts", _cart, lambda cart: cart.saved_at)


async def apply_usage(conn: Connection, messages: list[Incoming]) -> int:
    return await _each(conn, messages, "digital-usage", _usage, lambda used: used.at)


async def apply_entered_data(conn: Connection, messages: list[Incoming], config: DigitalConfig) -> int:
    async def entered(conn: Connection, sent: CustomerEnteredData) -> bool:
        if not supersedes(await store.entered_time(conn, sent.person_id, sent.service, sent.field), sent.entered_at):
            await store.count_ignored(conn, "digital-entered-data", "stale")
            return False
        sealed = (await config.seal_entered(conn, sent.person_id, sent.service, sent.field, sent.value)
                  if sent.value is not None else None)
        await store.save_entered(conn, sent.person_id, sent.service, sent.field, sent.company, sealed,
                                 sent.entered_at)
        return True

    return await _each(conn, messages, "digital-entered-data", entered, lambda sent: sent.entered_at)
