"""Use case: what operators see of conflicting duplicates and unresolved receipts (`coopreg purchases
conflicts | unresolved`, and the gauges on /metrics)."""
from __future__ import annotations

from contracts.subjects import ReceiptConflict, ReceiptIssues, UnresolvedReceipts
from services.purchases.adapters import receipt_issues


async def read_receipt_issues(conn, conflicts_limit: int = 100) -> ReceiptIssues:
    total, conflicts = await receipt_issues.conflicts(conn, conflicts_limit)
    unresolved = [UnresolvedReceipts(**dict(r)) for r in await receipt_issues.unresolved(conn)]
    return ReceiptIssues(conflicts_total=total, conflicts=[ReceiptConflict(**dict(r)) for r in conflicts],
                         unresolved_total=sum(u.receipts for u in unresolved), unresolved=unresolved)


def metric_lines(issues: ReceiptIssues, service: str) -> list[str]:
    """Prometheus gauges: conflicts flagged, and receipts held unresolved by outlet and age."""
    lines = ["# TYPE coopreg_receipt_conflicts gauge",
             f'coopreg_receipt_conflicts{{service="{service}"}} {issues.conflicts_total}',
             "# TYPE coopreg_receipts_unresolved gauge"]
    lines += [f'coopreg_receipts_unresolved{{service="{service}",outlet="{u.outlet_id}",age="{u.age}"}} {u.receipts}'
              for u in issues.unresolved]
    return lines
