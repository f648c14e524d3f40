"""The cards service: card operations in, the compacted card state (with allocation history) out."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import CARD_COMMANDS, CARD_STATE
from services.cards.application.issue_card import issue_cards
from shared.runtime import ServiceContext, ServiceDefinition, main

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    ctx.subscribe(CARD_COMMANDS, partial(issue_cards, index_key=ctx.settings.secrets.index_key.get_secret_value()),
                  max_records=500)


SERVICE = ServiceDefinition("cards", MIGRATIONS, wire, publishes=(CARD_STATE,), description=__doc__)

if __name__ == "__main__":
    main(SERVICE)
