"""What the consent use cases are given: the key of the segment pseudonyms, the clock and the pace of the
segment maintenance."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from shared.pseudonym import keyed_token
from shared.settings import Settings

SOURCE = "coopreg/consent"
HELSINKI = ZoneInfo("Europe/Helsinki")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ConsentConfig:
    index_key: str = field(repr=False)
    clock: Callable[[], datetime] = _now
    refresh_every: timedelta = timedelta(days=1)  # age bands move on with the calendar
    population_chunk: int = 500
    maintenance_poll_seconds: float = 0.5
    parked_sweep_seconds: float = 2.0
    parked_recheck: timedelta = timedelta(hours=1)  # far longer than any transaction, even a paused one's

    @classmethod
    def from_settings(cls, settings: Settings) -> "ConsentConfig":
        return cls(settings.secrets.index_key.get_secret_value())

    def pseudonym(self, segment: str, person_id: str) -> str:
        """Per segment: the same person under two segments cannot be joined without the register's key."""
        return keyed_token(f"segment:{segment}", person_id, self.index_key)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(HELSINKI).date()
