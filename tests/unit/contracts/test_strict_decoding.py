"""The strict decoder of POS receipts against their pydantic contract: what it accepts, the contract
accepts with the same values; whatever else it leaves to the contract (None)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from contracts.events.pos import PosPurchase
from contracts.events.purchases import PurchaseAccepted
from contracts.strict_decoding import Unmirrored, strict_decoder
from contracts.topics import POS_PURCHASES, PURCHASES_ACCEPTED
from coopreg.simulate.month import month_of_receipts
from coopreg.simulate.population import population
from shared.delivery import Delivery, Rejected
from shared.settings import DeliverySettings

pytestmark = pytest.mark.unit

DECODE = POS_PURCHASES.strict_decoder()  # the purchases service's reading
RECEIPT = {
    "receipt_id": "r-1", "outlet_id": "P001", "chain": "prisma", "cooperative_id": "hok-elanto",
    "channel": "store", "abroad": False, "purchased_at": "2026-10-07T09:51:32+03:00", "currency": "EUR",
    "identifier": {"kind": "card", "value": "9246000000000005", "entry": "chip"}, "total_cents": 1000,
    "lines": [{"line_no": 1, "product_id": "p-1", "product_group": "dairy", "category": "grocery",
               "quantity_milli": 1000, "unit": "pcs", "amount_cents": 600},
              {"line_no": 2, "product_id": "p-2", "product_group": "beer", "category": "alcohol",
               "quantity_milli": 2000, "unit": "pcs", "amount_cents": 400}],
    "payments": [{"method": "cash", "amount_cents": 1000}], "return_of": None,
}


def plain(value):
    """A decoded receipt as plain values, whichever reading made it."""
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, msgspec.Struct):
        return {name: plain(getattr(value, name)) for name in value.__struct_fields__}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, datetime):  # the wall time and the offset it was written with
        return (value.replace(tzinfo=None), value.utcoffset())
    return value


def agree(raw: bytes) -> bool:
    """True when the strict reading accepted `raw`; then the contract accepts it with the same values."""
    strict = DECODE(raw)
    if strict is None:
        return False
    assert plain(strict) == plain(PosPurchase.model_validate_json(raw))
    return True


def edited(path: tuple, value=None, *, drop: bool = False, document: dict = RECEIPT) -> dict:
    receipt = json.loads(json.dumps(document))
    *parents, last = path
    target = receipt
    for step in parents:
        target = target[step]
    if drop:
        del target[last]
    else:
        target[last] = value
    return receipt


def test_simulated_receipts_are_read_strictly_with_the_contracts_values():
    receipts = list(month_of_receipts(population(60, "s"), datetime(2026, 10, 1).date(), "s"))

    returns = [r.model_copy(update={"receipt_id": f"{r.receipt_id}-r", "return_of": r.receipt_id,
                                    "total_cents": -r.total_cents,
                                    "lines": [line.model_copy(update={"amount_cents": -line.amount_cents,
                                                                      "quantity_milli": -line.quantity_milli})
                                              for line in r.lines],
                                    "payments": [p.model_copy(update={"amount_cents": -p.amount_cents})
                                                 for p in r.payments]}) for r in receipts[:50]]

    assert all(agree(r.model_dump_json().encode()) for r in [*receipts, *returns])
    assert any(line.unit == "l" for r in receipts for line in r.lines)


@pytest.mark.parametrize("raw", [
    json.dumps(edited(("total_cents",), "1000")),  # a number in a string: the contract's lax reading
    json.dumps(edited(("lines", 0, "amount_cents"), 600.0)),
    json.dumps(edited(("abroad",), "false")),
    json.dumps(edited(("identifier", "value"), "9246000000000005\n")),  # `$` before a final newline
    json.dumps(edited(("purchased_at",), "2026-10-07 09:51:32+03:00")),
    json.dumps(edited(("purchased_at",), "2026-10-07T09:51:32")),  # no offset
    json.dumps(edited(("purchased_at",), "2026-10-07T09:51:60+03:00")),
    json.dumps(edited(("purchased_at",), 1791356000)),
    json.dumps(edited(("total_cents",), 999)),  # lines do not add up: the model's validator
    json.dumps(edited(("unknown",), 1)),
    json.dumps(edited(("lines",), [])),
    json.dumps(edited(("return_of",), drop=True))[:-1],  # not JSON
    json.dumps(edited(("total_cents",), 2 ** 70)),
    json.dumps(edited(("receipt_id",), "r-\ud800")),  # a lone surrogate, escaped
    b'{"receipt_id": "r-1\xff"}',
])
def test_what_the_strict_reading_refuses_the_contract_decides(raw):
    raw = raw.encode() if isinstance(raw, str) else raw

    assert DECODE(raw) is None


@pytest.mark.parametrize("path, value", [
    (("purchased_at",), "2026-10-07T06:51:32Z"),
    (("purchased_at",), "2026-10-07T09:51:32.5+03:00"),
    (("purchased_at",), "2026-10-07T23:59:59.9999999+03:00"),  # truncated to microseconds, as pydantic does
    (("purchased_at",), "2026-10-31T23:30:00-05:30"),
    (("return_of",), None),
    (("channel",), "online"),
    (("lines", 1, "unit"), "l"),
])
def test_what_both_accept_reads_the_same(path, value):
    assert agree(json.dumps(edited(path, value)).encode())


def test_a_key_given_twice_counts_as_the_contract_counts_it():
    first, last = b'"total_cents": 1, ', b'"total_cents": 1000, '
    raw = json.dumps(RECEIPT).encode().replace(b'"total_cents": 1000, ', first + last)

    assert agree(raw)
    assert DECODE(raw).total_cents == 1000


def test_the_time_is_a_datetime_with_its_offset():
    purchased_at = DECODE(json.dumps(RECEIPT).encode()).purchased_at

    assert isinstance(purchased_at, datetime)
    assert purchased_at == datetime(2026, 10, 7, 6, 51, 32, tzinfo=timezone.utc)
    assert purchased_at.utcoffset() == timedelta(hours=3)


FIELDS = [("receipt_id",), ("outlet_id",), ("chain",), ("cooperative_id",), ("channel",), ("abroad",),
          ("purchased_at",), ("currency",), ("identifier", "kind"), ("identifier", "value"),
          ("identifier", "entry"), ("total_cents",), ("lines",), ("lines", 0, "line_no"),
          ("lines", 0, "product_id"), ("lines", 0, "category"), ("lines", 0, "quantity_milli"),
          ("lines", 0, "unit"), ("lines", 0, "amount_cents"), ("payments", 0, "method"),
          ("payments", 0, "amount_cents"), ("payments",), ("return_of",)]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["2026-10-07T09:51:32+03:00", "9246000000000005", "600", "1000", "grocery", "l",
                       "2026-10-07T09:51:32.0000005Z", "24:00", "", " prisma", "PRISMA"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(path=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_any_value_in_any_field_the_strict_reading_never_accepts_more_than_the_contract(path, value):
    raw = json.dumps(edited(path, value)).encode()
    try:
        agree(raw)
    except ValidationError:
        pytest.fail(f"accepted strictly, refused by the contract: {raw!r}")


TIMES = st.builds("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{}".format,
                  st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 25),
                  st.integers(0, 60), st.integers(0, 61),
                  st.sampled_from(["", ".5", ".123456", ".1234567", ".000000001", "."]),
                  st.sampled_from(["Z", "z", "+03:00", "-05:30", "+24:00", "-00:00", "+23:59", "+03:60", "", "+0300"]))


@settings(max_examples=300, deadline=None)
@given(time=TIMES)
def test_any_time_the_strict_reading_accepts_is_the_contracts_instant_and_offset(time):
    raw = json.dumps(edited(("purchased_at",), time)).encode()
    try:
        agree(raw)
    except ValidationError:
        pytest.fail(f"accepted strictly, refused by the contract: {time}")


ACCEPTED = {
    "receipt_id": "r-1", "household_id": "h-1", "person_id": "p-1", "cooperative_id": "hok-elanto",
    "outlet_id": "P001", "outlet_cooperative_id": "hok-elanto", "chain": "prisma",
    "purchased_at": "2026-10-07T06:51:32.123456+00:00", "total_cents": 1000, "bonus_eligible_cents": 600,
    "fuel_cents": 0, "fuel_millilitres": 0, "payment_method_eligible_cents": 0,
    "excluded": [{"line_no": 2, "reason": "alcohol", "cents": 400}], "return_of": None,
}
ACCEPTED_FIELDS = [(name,) for name in ACCEPTED] + [("excluded", 0, "line_no"), ("excluded", 0, "reason")]
ACCEPTED_DECODE = PURCHASES_ACCEPTED.strict_decoder()  # the bonus service's reading


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(ACCEPTED_FIELDS), value=JSON_VALUES | TIMES)
def test_accepted_purchases_too_are_never_read_strictly_past_their_contract(path, value):
    """`purchases.accepted.v1`, which the bonus service reads, is strict-first too."""
    raw = json.dumps(edited(path, value, document=ACCEPTED)).encode()
    strict = ACCEPTED_DECODE(raw)
    if strict is not None:
        assert plain(strict) == plain(PurchaseAccepted.model_validate_json(raw)), raw


def test_an_accepted_purchase_as_postgresql_writes_it_is_read_strictly():
    for document in (ACCEPTED, {k: v for k, v in ACCEPTED.items() if k not in ("excluded", "return_of")}):
        raw = json.dumps(document).encode()
        assert plain(ACCEPTED_DECODE(raw)) == plain(PurchaseAccepted.model_validate_json(raw))
    assert ACCEPTED_DECODE(json.dumps({**ACCEPTED, "excluded": []}).encode()).excluded == []


def test_a_model_it_cannot_mirror_exactly_is_refused():
    class Shouted(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str

        @field_validator("name")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    class Aliased(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str = Field(alias="Name")

    class Lax(BaseModel):
        name: str

    class Stripping(BaseModel):
        model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
        name: str

    class Checked(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: str

        @model_validator(mode="after")
        def _named(self):
            return self

    class Outer(BaseModel):
        model_config = ConfigDict(extra="forbid")
        inner: Checked  # the decoder runs the outermost model's validators only

    assert strict_decoder(Checked)(b'{"name": "x"}').name == "x"
    for model in (Shouted, Aliased, Lax, Stripping, Outer):
        with pytest.raises(Unmirrored):
            strict_decoder(model)


def pos_delivery() -> Delivery:
    return Delivery("purchases", PosPurchase, None, None, DeliverySettings(), use_inbox=False,
                    strict=POS_PURCHASES.strict_decoder())


def consumed(data: dict | bytes) -> SimpleNamespace:
    value = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleNamespace(value=value, key=b"r-1", topic="pos.purchases.v1", partition=0, offset=1,
                           headers=[("ce_id", b"e-1")])


def test_the_pos_subscription_reads_strictly_first_and_the_contract_decides_the_rest():
    assert isinstance(pos_delivery().decode(consumed(RECEIPT)).data, msgspec.Struct)
    lax = pos_delivery().decode(consumed(edited(("total_cents",), "1000")))
    assert isinstance(lax.data, PosPurchase) and lax.data.total_cents == 1000
    for bad, reason, detail in [
        (edited(("total_cents",), 999), "schema_violation", "lines do not add up to total_cents"),
        (edited(("identifier", "value"), "92460000x0000005"), "schema_violation", "identifier.value"),
        (b'{"receipt_id": ', "not_json", "not valid JSON"),
    ]:
        with pytest.raises(Rejected) as rejected:
            pos_delivery().decode(consumed(bad))
        assert (rejected.value.reason, detail in rejected.value.detail) == (reason, True)


def test_the_bonus_lineage_keeps_a_strictly_read_purchases_exclusions_as_the_contract_dumps_them():
    from services.bonus.application.book_purchases import _excluded_json
    raw = json.dumps({**ACCEPTED, "excluded": [*ACCEPTED["excluded"], {"line_no": None, "reason": "gift_card",
                                                                       "cents": 5}]}).encode()
    model = PurchaseAccepted.model_validate_json(raw)
    assert json.loads(_excluded_json(ACCEPTED_DECODE(raw).excluded)) == [e.model_dump() for e in model.excluded]
    assert _excluded_json(ACCEPTED_DECODE(raw).excluded) == _excluded_json(model.excluded)
