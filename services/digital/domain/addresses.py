"""Delivery addresses with history: a web store sends every address the customer keeps there now; what
changed against the current ones is replaced (kept as history, its retention clock started) or added."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class AddressChanges:
    replaced: tuple[str, ...]  # address ids whose current value ends (changed or removed)
    added: tuple[str, ...]  # address ids that get a new current value (new or changed)

    @property
    def none(self) -> bool:
        return not self.replaced and not self.added


def address_changes(current: Mapping[str, dict[str, object]],
                     incoming: Mapping[str, dict[str, object]]) -> AddressChanges:
    """What turns the current addresses into the incoming ones; an unchanged address is left as it is, so a
    repeated update changes nothing and its history does not grow."""
    replaced = tuple(sorted(a for a, value in current.items() if incoming.get(a) != value))
    added = tuple(sorted(a for a, value in incoming.items() if current.get(a) != value))
    return AddressChanges(replaced, added)
