"""`coopreg bonus explain`: a household's month as finance staff and the customer read it."""
from __future__ import annotations

from datetime import date

import orjson
from rich.console import Console
from rich.table import Table

from services.bonus.application.explain import explain
from services.bonus.domain import load_tier_tables
from services.bonus.domain.months import HELSINKI, month_label
from shared.db import create_pool
from shared.settings import Settings


async def require_known_household(conn, household: str) -> None:
    """A LookupError for a household the bonus service has never heard of (a typo, most likely), so that
    the command exits non-zero instead of reporting an empty month; a known one without purchases is not
    an error."""
    known = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM households WHERE household_id = $1) "
                                "OR EXISTS (SELECT 1 FROM purchases WHERE household_id = $1)", household)
    if not known:
        raise LookupError(f"the bonus service knows no household {household}: no state and no purchases; "
                          "check the id")


def _euros(cents: int) -> str:
    return f"{cents / 100:,.2f} €".replace(",", " ")


async def explain_household(settings: Settings, console: Console, household: str, month: date,
                            max_receipts: int = 12) -> None:
    pool = await create_pool(settings.pg, "bonus", min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            found = await explain(conn, load_tier_tables(), household, month)
            if found.result is None:
                await require_known_household(conn, household)
    finally:
        await pool.close()
    if found.result is None:
        console.print(f"No Bonus purchases for household {household} in {month_label(month)}.")
        return
    r = found.result
    console.print(f"\n[bold]Household {household}, {month_label(month)}[/] ({found.status}); cooperative "
                  f"{found.cooperative_id}, table '{found.tier_table}'")
    console.print(f"  household purchases counting toward the tier: {_euros(r.tier_total_cents)} "
                  f"→ Bonus {r.rate_bp / 100:.1f} %"
                  + (f"; {_euros(r.cents_to_next_tier)} more would reach the next tier"
                     if r.cents_to_next_tier else "; top tier"))
    console.print(f"  Bonus {_euros(r.bonus_cents)}, Fuel Bonus {_euros(r.fuel_bonus_cents)}, "
                  f"payment-method benefit {_euros(r.payment_method_benefit_cents)}")
    if found.statement:
        s = found.statement
        console.print(f"  closed with table '{s['table_version']}'; {_euros(s['contribution_cents'])} to the open "
                      f"capital contribution; Bonus purchases at the own cooperative's outlets "
                      f"{_euros(s['own_cooperative_eligible_cents'])}")
    table = Table(title=f"receipts ({len(found.purchases)}; first {max_receipts})")
    for column in ("time", "member", "outlet", "eligible €", "fuel €", "payment-method €", "excluded"):
        table.add_column(column)
    for p in found.purchases[:max_receipts]:
        excluded = ", ".join(f"{e['reason']} {e['cents'] / 100:.2f}" for e in orjson.loads(p["excluded"]))
        table.add_row(f"{p['purchased_at'].astimezone(HELSINKI):%d.%m. %H:%M}", p["person_id"], p["outlet_id"],
                      f"{(p['bonus_cents'] + p['double_cents']) / 100:.2f}", f"{p['fuel_cents'] / 100:.2f}",
                      f"{p['payment_method_cents'] / 100:.2f}", excluded or "–")
    console.print(table)
