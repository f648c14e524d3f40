"""Current-state data (a saved cart, a value the customer entered) sent whole at each change, late or twice:
the latest by its own time wins."""
from __future__ import annotations

from datetime import datetime

from services.digital.domain.orders import check_aware


def supersedes(applied: datetime | None, incoming: datetime) -> bool:
    """Whether a state recorded at `incoming` replaces the one recorded at `applied`: a later one does; the same
    moment again is a repeat and an earlier one arrived late, so neither changes anything."""
    check_aware(incoming)
    return applied is None or incoming > applied
