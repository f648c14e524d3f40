"""Reading what a service staged in its outbox (no relay runs in the integration tests)."""
from __future__ import annotations

from shared.outbox import header_pairs


def header_texts(stored: str) -> dict[str, str]:
    """An outbox row's headers as the relay would send them, by name, as text."""
    return {name: value.decode() for name, value in header_pairs(stored)}
