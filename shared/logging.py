"""structlog, configured once per process, JSON lines, and never a piece of personal data.

`redact_personal_data` runs on every event dict: fields whose names denote personal data are replaced,
and values that look like identity codes, card numbers, IBANs, e-mail addresses or phone numbers are
masked wherever they appear, so a careless `log.info(..., note=text)` cannot leak them either.
"""
from __future__ import annotations

import logging
import re
import sys

import structlog

PERSONAL_FIELDS = frozenset({
    "identity_code", "hetu", "ssn", "first_name", "last_name", "name", "names", "address", "street",
    "postal_address", "email", "phone", "mobile", "card_number", "customer_code", "iban", "account",
    "benefit_account", "birth_date",
})
REDACTED = "[redacted]"
PATTERNS = (
    re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b"),            # Finnish personal identity code
    re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),  # IBAN
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),                    # e-mail
    re.compile(r"(?<![\w-])\+?\d(?:[ -]?\d){7,18}(?![\w-])"),      # card and phone numbers (8+ digits)
)


def mask_text(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _clean(value):
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: REDACTED if k.lower() in PERSONAL_FIELDS else _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean(v) for v in value)
    return value


def redact_personal_data(_logger, _method, event_dict: dict) -> dict:
    return _clean(event_dict)


def configure_logging(level: str = "INFO", fmt: str = "json", stream=None) -> None:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            redact_personal_data,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=logging.WARNING, stream=stream or sys.stderr)


def get_logger(**bound):
    return structlog.get_logger().bind(**bound)
