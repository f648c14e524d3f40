"""The month-to-date events a booking stages without a model or an envelope each are the contract's."""
from __future__ import annotations

import uuid
from datetime import date, datetime

import orjson

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.bonus import MonthToDate
from contracts.topics import BONUS_MONTH_TO_DATE
from services.bonus.application.month_to_date import SOURCE, month_to_date_rows, totals_of
from services.bonus.domain import compute_month
from services.bonus.domain.months import month_label
from services.bonus.domain.tiers import load_tier_tables
from shared.outbox import OutgoingEvent, header_pairs

TABLES = load_tier_tables()


def accrual(household: str, bonus_cents: int, **more) -> dict:
    return {"household_id": household, "month": date(2026, 10, 1), "cooperative_id": "hok-elanto",
            "bonus_cents": bonus_cents, "double_cents": 0, "fuel_cents": 0, "fuel_millilitres": 0,
            "payment_method_cents": 0, "receipts": 3, **more}


ROWS = [accrual("h-1", 18000), accrual("h-ä", 120_000, double_cents=5000, fuel_cents=4000, fuel_millilitres=20_000,
                                       payment_method_cents=30000, receipts=41),
        accrual("h-0", -500, receipts=1), accrual("h-top", 10_000_000, cooperative_id="pok")]


def month_to_date_event(row: dict) -> OutgoingEvent:
    """The event as a model and an envelope would make it: what the staged rows must be."""
    result = compute_month(TABLES.table_for(row["cooperative_id"], row["month"]), totals_of(row))
    household, month = row["household_id"], month_label(row["month"])
    data = MonthToDate(
        household_id=household, month=month, cooperative_id=row["cooperative_id"],
        tier_total_cents=result.tier_total_cents, rate_bp=result.rate_bp, bonus_cents=result.bonus_cents,
        fuel_bonus_cents=result.fuel_bonus_cents, payment_method_benefit_cents=result.payment_method_benefit_cents,
        next_threshold_cents=result.next_threshold_cents, cents_to_next_tier=result.cents_to_next_tier,
        receipts=row["receipts"])
    envelope = Envelope(id=str(uuid.uuid5(NAMESPACE, f"mtd:{household}:{month}:{row['receipts']}")),
                        source=SOURCE, type=BONUS_MONTH_TO_DATE.event_type, subject=household,
                        cooperative=row["cooperative_id"])
    return OutgoingEvent(BONUS_MONTH_TO_DATE.name, household, envelope, data)


def test_the_staged_rows_are_the_events_made_with_the_model_and_the_envelope():
    staged = month_to_date_rows(ROWS, TABLES)
    assert len(staged) == len(ROWS)
    for row, (topic, key, value, headers) in zip(ROWS, staged, strict=True):
        event = month_to_date_event(row)
        expected_topic, expected_key, expected_value, expected_headers = event.row()
        assert (topic, key, value) == (expected_topic, expected_key, expected_value)
        assert MonthToDate.model_validate_json(value) == event.data  # the contract's, field for field
        made = dict(header_pairs(headers))
        assert {name: v for name, v in header_pairs(expected_headers) if name != "ce_time"} == \
            {name: v for name, v in made.items() if name != "ce_time"}
        assert datetime.fromisoformat(made["ce_time"].decode()).tzinfo is not None


def test_a_staged_event_keeps_its_id_for_the_same_state_and_changes_it_with_the_count():
    (_, _, _, first), (_, _, _, again) = month_to_date_rows([ROWS[0]], TABLES) + month_to_date_rows([ROWS[0]], TABLES)
    (_, _, _, next_one), = month_to_date_rows([{**ROWS[0], "receipts": 4}], TABLES)

    def id_of(headers: str) -> bytes:
        return dict(header_pairs(headers))["ce_id"]
    assert id_of(first) == id_of(again) != id_of(next_one)
    envelope = Envelope.from_headers(header_pairs(first), BONUS_MONTH_TO_DATE.name, b"")
    assert (envelope.subject, envelope.cooperative, envelope.type) == ("h-1", "hok-elanto",
                                                                       BONUS_MONTH_TO_DATE.event_type)
    assert orjson.loads(month_to_date_rows([ROWS[0]], TABLES)[0][2])["cents_to_next_tier"] == 2000
