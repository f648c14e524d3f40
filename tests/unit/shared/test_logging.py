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


def test_lower_case_identity_codes_are_masked_too():
    line = logged(note="search by 131052-308t and 010594y9032")
    assert "308t" not in line and "y9032" not in line


# Run as a fresh process: a module-level logger is made there before logging is configured, as the services'
# modules make theirs at import time; then the standard library's and uvicorn's loggers write too.
EVERY_LOGGER = """
import logging, sys, warnings
import faststream.kafka  # FastStream's own logger, coloured text on stderr, made at import as in a service
from shared.logging import get_logger
early = get_logger(component="made-at-import")
early_bound = get_logger().bind(component="bound-at-import")
from shared.logging import configure_logging
configure_logging("INFO", "json")
import uvicorn.config  # uvicorn's own loggers, as the API's server uses them
text = sys.argv[1]
early.warning("structlog, module level: " + text)
early_bound.warning("structlog, bound early: " + text)
logging.getLogger("aiokafka.consumer").warning("standard library: %s", text)
logging.getLogger("uvicorn.error").error("uvicorn: " + text)
logging.getLogger("uvicorn.access").warning('%s - "GET /x HTTP/1.1" %d', text, 200)
logging.getLogger("faststream").warning("faststream: " + text)
warnings.warn("a warning: " + text)
try:
    raise ValueError(text)
except ValueError:
    logging.getLogger("asyncio").exception("an exception's text")
"""


@pytest.mark.parametrize("kind, value", {**SECRETS, "identity code, lower case": "131052-308t"}.items())
def test_every_logger_of_a_process_masks_personal_data(kind, value):
    import subprocess
    import sys
    from pathlib import Path

    run = subprocess.run([sys.executable, "-c", EVERY_LOGGER, f"customer {value} called"],
                         cwd=Path(__file__).resolve().parents[3], capture_output=True, text=True, timeout=60)
    lines = [orjson.loads(line) for line in run.stderr.splitlines() if line.strip()]  # each line JSON: no mix
    assert run.returncode == 0 and len(lines) == 8, run.stderr
    assert value not in run.stderr
    assert all("[redacted]" in orjson.dumps(line).decode() for line in lines)
    assert {line.get("logger") for line in lines} >= {"aiokafka.consumer", "uvicorn.error", "uvicorn.access",
                                                      "asyncio", "faststream", "py.warnings"}


def test_logging_set_up_while_stderr_was_swapped_writes_to_the_stderr_of_the_moment(capsys, monkeypatch):
    """A CLI command run by a test runner sets logging up while the runner has swapped stderr, and the
    runner closes its stream afterwards: a later log line must reach the real stderr, not fail."""
    swapped = io.StringIO()
    monkeypatch.setattr("sys.stderr", swapped)
    configure_logging("INFO", "json")
    monkeypatch.undo()
    swapped.close()
    get_logger().warning("service did not answer", service="membership")
    assert orjson.loads(capsys.readouterr().err)["service"] == "membership"
