"""`coopreg bonus month-to-date`: a household's month so far, as the customer apps show it — through the
bonus service's own month-to-date query."""
from __future__ import annotations

from datetime import date

from rich.console import Console

from coopreg.explain_view import require_known_household
from services.bonus.application.explain import month_to_date
from services.bonus.domain import MonthBonus, load_tier_tables
from services.bonus.domain.months import month_label
from shared.db import create_pool
from shared.settings import Settings


def euros(cents: int) -> str:
    return f"{cents / 100:,.2f} €".replace(",", " ")


async def household_month_to_date(settings: Settings, household: str, month: date) -> MonthBonus | None:
    pool = await create_pool(settings.pg, "bonus", min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            if await conn.fetchval("SELECT to_regclass('accruals')") is None:
                raise LookupError("the bonus service has not made its tables yet; start it with `coopreg services up`")
            found = await month_to_date(conn, load_tier_tables(), household, month)
            if found is None:
                await require_known_household(conn, household)
            return found
    finally:
        await pool.close()


def render(console: Console, household: str, month: date, result: MonthBonus | None) -> None:
    if result is None:
        console.print(f"No Bonus purchases for household {household} in {month_label(month)} yet.")
        return
    console.print(f"[bold]Household {household}, {month_label(month)} so far[/]")
    console.print(f"  purchases counting toward the tier: {euros(result.tier_total_cents)}")
    console.print(f"  Bonus {result.rate_bp / 100:.1f} %: {euros(result.bonus_cents)}"
                  f" (Fuel Bonus {euros(result.fuel_bonus_cents)}, payment-method benefit "
                  f"{euros(result.payment_method_benefit_cents)})")
    if result.cents_to_next_tier:
        console.print(f"  to the next tier: {euros(result.cents_to_next_tier)} more "
                      f"(at {euros(result.next_threshold_cents)})")
    else:
        console.print("  to the next tier: none, this is the top tier")
