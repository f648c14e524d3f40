"""What the purchases service answers on its subject endpoint (contracts/subjects.py): a person's receipts."""
from __future__ import annotations

from contracts.subjects import Part, PartRequest, ReceiptIssues, ReceiptIssuesRequest
from services.purchases.application.read_person import purchases_part
from services.purchases.application.receipt_issues import read_receipt_issues
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    async def part(conn, query: PartRequest) -> Part:
        return Part(sections={"purchases": await purchases_part(conn, query.person_id)})

    async def receipt_issues(conn, query: ReceiptIssuesRequest) -> ReceiptIssues:
        return await read_receipt_issues(conn, query.conflicts_limit)

    return {"part": part, "receipt_issues": receipt_issues}
