"""`coopreg bonus explain`: a household's month as finance staff and the customer read it, rendered from the
register API's answer (`GET /households/{id}/bonus/{month}`); nothing here reads a service's tables.

The receipts listed are exactly those behind the month's totals. A purchase or return booked after the month
began closing is an adjustment: it is listed apart, with the close that paid it (at the month's recorded
rate) or as pending for the next close."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

HELSINKI = ZoneInfo("Europe/Helsinki")


def euros(cents: int) -> str:
    return f"{cents / 100:,.2f} €".replace(",", " ")


def _time(text: str) -> str:
    return f"{datetime.fromisoformat(text).astimezone(HELSINKI):%d.%m. %H:%M}"


def _month(text: str | None) -> str:
    return text[:7] if text else "–"


def _amounts(row: dict) -> tuple[str, str, str]:
    return (f"{(row['bonus_cents'] + row['double_cents']) / 100:.2f}", f"{row['fuel_cents'] / 100:.2f}",
            f"{row['payment_method_cents'] / 100:.2f}")


def _paid(row: dict) -> str:
    return (f"{euros(row['bonus_cents'])} Bonus, {euros(row['fuel_bonus_cents'])} Fuel Bonus, "
            f"{euros(row['payment_method_benefit_cents'])} payment-method benefit at {row['rate_bp'] / 100:.1f} %")


def render(console: Console, document: dict, max_receipts: int = 1000) -> None:
    """`document` is the API's `bonus` section: household, month, members and the explanation."""
    household, month, found = document["household_id"], document["month"], document.get("explained")
    if not found:
        console.print(f"No Bonus purchases for household {household} in {month}.")
        return
    console.print(f"\n[bold]Household {household}, {month}[/] ({found['status']}); cooperative "
                  f"{found['cooperative_id'] or '–'}, table '{found['tier_table'] or '–'}'")
    r = found["totals"]
    if r:
        console.print(f"  household purchases counting toward the tier: {euros(r['tier_total_cents'])} "
                      f"→ Bonus {r['rate_bp'] / 100:.1f} %"
                      + (f"; {euros(r['cents_to_next_tier'])} more would reach the next tier"
                         if r["cents_to_next_tier"] else "; top tier"))
        console.print(f"  Bonus {euros(r['bonus_cents'])}, Fuel Bonus {euros(r['fuel_bonus_cents'])}, "
                      f"payment-method benefit {euros(r['payment_method_benefit_cents'])}")
    else:
        console.print("  no purchases were booked before the month began closing")
    if s := found["statement"]:
        console.print(f"  closed with table '{s['table_version']}'; {euros(s['contribution_cents'])} to the open "
                      f"capital contribution; Bonus purchases at the own cooperative's outlets "
                      f"{euros(s['own_cooperative_eligible_cents'])}")
    receipts = found["receipts"]
    if receipts:
        table = Table(title=f"receipts behind the totals ({len(receipts)}; first {max_receipts})")
        for column in ("time", "member", "outlet", "eligible €", "fuel €", "payment-method €", "excluded"):
            table.add_column(column)
        for p in receipts[:max_receipts]:
            excluded = ", ".join(f"{e['reason']} {e['cents'] / 100:.2f}" for e in p["excluded"])
            table.add_row(_time(p["purchased_at"]), p["person_id"], p["outlet_id"], *_amounts(p), excluded or "–")
        console.print(table)
    _render_adjustments(console, found)


def _render_adjustments(console: Console, found: dict) -> None:
    adjustments = found["adjustments"]
    if adjustments["receipts"]:
        table = Table(title=f"adjustments: booked after the month began closing ({len(adjustments['receipts'])})")
        for column in ("time", "member", "outlet", "kind", "eligible €", "fuel €", "payment-method €", "paid"):
            table.add_column(column)
        for a in adjustments["receipts"]:
            kind = f"return of {a['return_of']}" if a["return_of"] else "late purchase"
            paid = f"with the close of {_month(a['paid_in_month'])}" if a["paid_in_month"] else "pending"
            table.add_row(_time(a["purchased_at"]), a["person_id"], a["outlet_id"], kind, *_amounts(a), paid)
        console.print(table)
    for paid in adjustments["paid"]:
        console.print(f"  adjustment paid with the close of {_month(paid['paid_in_month'])}: {_paid(paid)}")
    if pending := adjustments["pending"]:
        console.print(f"  adjustment pending, paid with the next close: {euros(pending['bonus_cents'])} Bonus, "
                      f"{euros(pending['fuel_bonus_cents'])} Fuel Bonus, "
                      f"{euros(pending['payment_method_benefit_cents'])} payment-method benefit at "
                      f"{pending['rate_bp'] / 100:.1f} % (the month's recorded rate)")
    for earlier in found["adjustments_of_earlier_months_paid"]:
        console.print(f"  paid with this month's close, an adjustment of {_month(earlier['month'])}: {_paid(earlier)}")
