"""`coopreg bonus month-to-date`: a household's month so far, as the customer apps show it, rendered from the
register API's answer (`GET /households/{id}/bonus/month-to-date`)."""
from __future__ import annotations

from rich.console import Console

from coopreg.explain_view import euros


def render(console: Console, document: dict) -> None:
    """`document` is the API's `bonus` section: household, month, members and the month so far."""
    household, month, result = document["household_id"], document["month"], document.get("month_to_date")
    if result is None:
        console.print(f"No Bonus purchases for household {household} in {month} yet.")
        return
    console.print(f"[bold]Household {household}, {month} so far[/]")
    console.print(f"  purchases counting toward the tier: {euros(result['tier_total_cents'])}")
    console.print(f"  Bonus {result['rate_bp'] / 100:.1f} %: {euros(result['bonus_cents'])}"
                  f" (Fuel Bonus {euros(result['fuel_bonus_cents'])}, payment-method benefit "
                  f"{euros(result['payment_method_benefit_cents'])})")
    if result["cents_to_next_tier"]:
        console.print(f"  to the next tier: {euros(result['cents_to_next_tier'])} more "
                      f"(at {euros(result['next_threshold_cents'])})")
    else:
        console.print("  to the next tier: none, this is the top tier")
