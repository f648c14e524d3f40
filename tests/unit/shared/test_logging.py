"""Personal data never reaches a log line, whether named as a field or hidden inside free text."""
from __future__ import annotations

import io

import orjson
import pytest

from shared.logging import configure_logging, get_logger

pytestmark = pytest.mark.unit

SECRETS = {
    "identity code": "131052-308T",
    "identity code, 2023 century sign": "010594Y9032",
    "card number": "9246000000000018",
    "IBAN": "FI21 1234 5600 0007 85",
    "email": "maija.meikalainen@example.fi",
    "phone": "+358 40 123 4567",
}


def logged(**fields) -> str:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    get_logger().info("customer updated", **fields)
    return stream.getvalue()


@pytest.mark.parametrize("kind, value", SECRETS.items())
def test_personal_data_inside_free_text_is_masked(kind, value):
    line = logged(note=f"customer said {value} on the phone")
    assert value not in line and "[redacted]" in line


@pytest.mark.parametrize("field", ["first_name", "last_name", "address", "email", "card_number", "iban"])
def test_fields_named_as_personal_data_are_redacted_whatever_their_value(field):
    line = orjson.loads(logged(**{field: "Virtanen"}))
    assert line[field] == "[redacted]"


def test_operational_context_survives_redaction():
    line = orjson.loads(logged(topic="pos.purchases.v1", partition=3, offset=120045, household_id="h-42"))
    assert (line["topic"], line["partition"], line["offset"], line["household_id"]) == (
        "pos.purchases.v1", 3, 120045, "h-42")


def test_nested_structures_are_cleaned_too():
    line = logged(payload={"person": {"email": "a@b.fi", "ok": "value"}, "notes": ["call 0401234567"]})
    assert "a@b.fi" not in line and "0401234567" not in line and '"ok": "value"' in line
