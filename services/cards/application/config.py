"""What the cards use cases need besides the database: the index key, the card terms and the sweep."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.cards.domain.card_terms import DEFAULT_TERMS, CardTerms


@dataclass(frozen=True)
class CardsConfig:
    index_key: str
    terms: CardTerms = field(default=DEFAULT_TERMS)
    sweep_every_seconds: float = 60.0  # how often lapsed temporary blocks and past-validity cards are settled
    sweep_chunk: int = 500  # cards per sweep transaction
