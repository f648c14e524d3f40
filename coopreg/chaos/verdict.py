"""The oracle against what the register ended with: the figures of the report and whether they pass."""
from __future__ import annotations

from coopreg.chaos.observe import Observed
from coopreg.chaos.oracle import Expected
from coopreg.chaos.scenario import Scenario
from services.bonus.domain import MonthTotals

CENT_FIELDS = ("bonus_cents", "double_cents", "fuel_cents", "payment_method_cents")


def ledger_diff_cents(expected: Expected, observed: Observed) -> int:
    zero = MonthTotals()
    return sum(abs(getattr(expected.totals.get(key, zero), name) - getattr(observed.totals.get(key, zero), name))
               for key in expected.totals.keys() | observed.totals.keys() for name in CENT_FIELDS)


def payouts_diff_cents(expected: Expected, observed: Observed) -> int:
    total = 0
    for household in expected.payouts.keys() | observed.payouts.keys():
        want, got = expected.payouts.get(household, {}), observed.payouts.get(household, {})
        total += sum(abs(want.get(kind, 0) - got.get(kind, 0)) for kind in want.keys() | got.keys())
    return total


def double_counted(expected: Expected, observed: Observed) -> int:
    """Receipts counted more often than the oracle counts them, or booked to another household."""
    excess = sum(max(0, count - expected.receipts.get(key, 0)) for key, count in observed.receipts.items())
    misbooked = sum(1 for rid, household in observed.booked.items() if expected.households.get(rid) != household)
    return excess + misbooked


def dead_lettered_with_reason(expected: Expected, observed: Observed) -> tuple[int, int]:
    """(malformed messages in the DLQ with their reason, dead letters that should not be there)."""
    right = sum(1 for key, reason in expected.malformed.items() if observed.dead_letters.get(key)
                and all(r == reason and detail for r, detail, _ in observed.dead_letters[key]))
    wrong = sum(1 for key in observed.dead_letters if key not in expected.malformed)
    return right, wrong + observed.other_dead_letters


def verdict(scenario: Scenario, expected: Expected, observed: Observed, faults: dict[str, int]) -> dict:
    """The report's figures, in the order of the JSON line, then the details and `ok`."""
    dlq, dlq_unexpected = dead_lettered_with_reason(expected, observed)
    duplicates = [m.key.decode() for m in scenario.stream if m.kind == "duplicate"]
    figures = {
        "produced": len(scenario.stream),
        "stored": len(observed.stored),
        "duplicates_ignored": sum(1 for rid in duplicates if rid in observed.stored),
        "conflicts_flagged": len(observed.conflicts & expected.conflicts),
        "lost": len(expected.households.keys() - observed.booked.keys()),
        "double_counted": double_counted(expected, observed),
        "dlq": dlq,
        "ledger_diff_cents": ledger_diff_cents(expected, observed),
        "payouts_diff_cents": payouts_diff_cents(expected, observed),
        "faults_injected": faults,  # by kind
    }
    details = {
        "faults_total": sum(faults.values()),
        "malformed": len(expected.malformed), "dlq_unexpected": dlq_unexpected,
        "dlq_copies": sum(len(copies) for copies in observed.dead_letters.values()),
        "conflicts_unexpected": len(observed.conflicts - expected.conflicts),
        "stored_unknown": len(observed.stored.keys() - expected.households.keys()),
        "month": observed.month_status, "statements": observed.statements,
        "households_expected": len(expected.totals), "payouts_expected": len(expected.payouts),
        "payouts_paid": len(observed.payouts), "payout_messages": observed.payout_messages,
        "payouts_contradicting": observed.payouts_contradicting,
    }
    ok = (figures["lost"] == figures["double_counted"] == figures["ledger_diff_cents"]
          == figures["payouts_diff_cents"] == 0 and dlq == len(expected.malformed) and dlq_unexpected == 0
          and figures["conflicts_flagged"] == len(expected.conflicts) and details["conflicts_unexpected"] == 0
          and details["stored_unknown"] == 0 and observed.month_status == "closed"
          and observed.statements == len(expected.totals) and observed.payouts_contradicting == 0)
    return figures | details | {"ok": ok}
