"""The cards service: card operations and household changes in, the compacted card state (with allocation
history) out; a scheduled sweep closes lapsed temporary blocks and expires cards past their validity."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts.topics import CARD_COMMANDS, CARD_STATE, MEMBERSHIP_HOUSEHOLDS
from services.cards.application import retention
from services.cards.application.commands import handle_card_commands
from services.cards.application.config import CardsConfig
from services.cards.application.follow_households import when_household_changes_cards_follow
from services.cards.application.sweep import run_card_sweeper
from services.cards.entrypoints.subjects import answers
from shared.privacy_duties import PrivacyDuties
from shared.runtime import ServiceContext, ServiceDefinition, main
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"


def wire(ctx: ServiceContext) -> None:
    config = CardsConfig(index_key=ctx.settings.secrets.index_key.get_secret_value())
    ctx.subscribe(CARD_COMMANDS, partial(handle_card_commands, config=config), max_records=500)
    ctx.subscribe(MEMBERSHIP_HOUSEHOLDS, when_household_changes_cards_follow, consumer="cards-households",
                  max_records=200, tombstones=True)
    ctx.jobs.append(partial(run_card_sweeper, ctx.pool, config))


def privacy(settings: Settings) -> PrivacyDuties:
    return PrivacyDuties("cards", retention.erase_person)


SERVICE = ServiceDefinition("cards", MIGRATIONS, wire, answers=answers, privacy=privacy, publishes=(CARD_STATE,),
                            description=__doc__)

if __name__ == "__main__":
    main(SERVICE)
