"""Use case: what operators see of conflicting duplicates and unresolved receipts (`coopreg purchases
conflicts | unresolved`, and the gauges on /metrics)."""
from __future__ import annotations

from contracts.subjects import ReceiptConflict, ReceiptIssues, UnresolvedReceipts
from services.purchases.adapters import receipt_issues
from shared.db import Connection
from shared.observability import Gauge


async def read_receipt_issues(conn: Connection, conflicts_limit: int = 100) -> ReceiptIssues:
    total, conflicts = await receipt_issues.conflicts(conn, conflicts_limit)
    unresolved = [UnresolvedReceipts(**dict(r)) for r in await receipt_issues.unresolved(conn)]
    return ReceiptIssues(conflicts_total=total, conflicts=[ReceiptConflict(**dict(r)) for r in conflicts],
                         unresolved_total=sum(u.receipts for u in unresolved), unresolved=unresolved)


def gauges(issues: ReceiptIssues) -> list[Gauge]:
    """Conflicts flagged, and receipts held unresolved by outlet and age."""
    return [Gauge("coopreg_receipt_conflicts", issues.conflicts_total,
                  "receipt ids sent again with other content (flagged, never merged)"),
            *[Gauge("coopreg_receipts_unresolved", u.receipts, "receipts held unresolved, by outlet and age",
                    {"outlet": u.outlet_id, "age": u.age}) for u in issues.unresolved]]


async def partner_gauges(conn: Connection) -> list[Gauge]:
    """Partner purchases kept without Bonus (customer not registered with the partner), per partner."""
    return [Gauge("coopreg_partner_purchases_not_credited", r["purchases"],
                  "partner purchases stored without Bonus: the customer was not registered with the partner",
                  {"partner": r["partner_id"]}) for r in await receipt_issues.partner_not_credited(conn)]
