"""Use case: the opening of a sealed dead letter, recorded before its value is shown.

A dead letter's value is sealed (`shared.dead_letters`) because rejected messages carry card numbers and
identity codes. The operator's tool opens it with the register's keys and shows it masked; what must not
escape is *that* someone opened it, about whom and why. So the tool asks here first, as a named user in a
role that may open dead letters and for a stated purpose, and shows nothing unless this answers."""
from __future__ import annotations

from services.register_api.domain.access import Principal, check_scope


def opening(principal: Principal, topic: str, partition: int, offset: int, person_ids: list[str]) -> dict:
    check_scope(principal, "dead_letter:open")
    return {"dead_letter": {"topic": topic, "partition": partition, "offset": offset,
                            "persons": [{"person_id": p} for p in sorted(set(person_ids))]}}
