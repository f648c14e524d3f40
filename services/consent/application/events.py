"""The consent service's outgoing events, in the envelope, for the outbox."""
from __future__ import annotations

import uuid

from pydantic import BaseModel

from contracts.envelope import NAMESPACE, Envelope
from services.consent.application.config import SOURCE
from shared.outbox import OutgoingEvent


def event(topic: str, event_type: str, key: str, data: BaseModel | None, cause: Envelope | None,
          identity: str) -> OutgoingEvent:
    """`identity` names the effect: with the cause's id it makes the event id, so a re-run of the same
    cause produces the same ids. `data` None is a tombstone."""
    if cause is None:
        return OutgoingEvent(topic, key, Envelope(source=SOURCE, type=event_type, subject=key), data)
    event_id = str(uuid.uuid5(NAMESPACE, f"{cause.id}:{identity}"))
    return OutgoingEvent(topic, key, cause.follow(source=SOURCE, type=event_type, subject=key, id=event_id), data)
