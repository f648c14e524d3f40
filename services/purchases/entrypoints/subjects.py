"""What the purchases service answers on its subject endpoint (contracts/subjects.py): a person's receipts."""
from __future__ import annotations

from contracts.subjects import (
    Part,
    PartRequest,
    ReceiptIssues,
    ReceiptIssuesRequest,
    StaffDiscount,
    StaffDiscounts,
    StaffDiscountsRequest,
)
from services.purchases.adapters import staff_discounts as discounts
from services.purchases.application.read_person import customer_receipts_part, purchases_part
from services.purchases.application.receipt_issues import read_receipt_issues
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    async def part(conn, query: PartRequest) -> Part:
        return Part(sections={"purchases": await purchases_part(conn, query.person_id),
                              **await customer_receipts_part(conn, query.person_id)})

    async def receipt_issues(conn, query: ReceiptIssuesRequest) -> ReceiptIssues:
        return await read_receipt_issues(conn, query.conflicts_limit)

    async def staff_discounts(conn, query: StaffDiscountsRequest) -> StaffDiscounts:
        total, rows = await discounts.discounts(conn, query.flagged_only, query.limit)
        return StaffDiscounts(total=total, discounts=[StaffDiscount(**dict(r)) for r in rows])

    return {"part": part, "receipt_issues": receipt_issues, "staff_discounts": staff_discounts}
