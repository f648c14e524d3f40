"""structlog, configured once per process, JSON lines, and never a piece of personal data.

`redact_personal_data` runs on every event dict: fields whose names denote personal data are replaced,
and values that look like identity codes, card numbers, IBANs, e-mail addresses or phone numbers are
masked wherever they appear, so a careless `log.info(..., note=text)` cannot leak them either.

It runs on every logger of the process, whenever it was made:
- structlog loggers: `get_logger` hands out a lazy proxy that takes the configuration at each call, and
  the masking chain is installed when this module is imported, so a module-level logger made before
  `configure_logging` masks too (a logger bound early keeps the one processor list, updated in place);
- the standard library's loggers, uvicorn's among them: `configure_logging` puts one handler on the root
  logger whose formatter runs the same chain, and sends uvicorn's and FastStream's own loggers there;
- Python's warnings and an exception that ends the process go through it too.

JSON is the only format unless a console one is asked for (COOPREG_LOG_FORMAT=console): one process never
writes both, so a log shipper can parse every line.
"""
from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

PERSONAL_FIELDS = frozenset({
    "identity_code", "hetu", "ssn", "first_name", "last_name", "name", "names", "address", "street",
    "postal_address", "email", "phone", "mobile", "card_number", "customer_code", "iban", "account",
    "benefit_account", "birth_date",
})
REDACTED = "[redacted]"
PATTERNS = (
    # Finnish personal identity code, in any case: lower-case codes are accepted at registration and search.
    re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b", re.IGNORECASE),
    re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),  # IBAN
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),                    # e-mail
    re.compile(r"(?<![\w-])\+?\d(?:[ -]?\d){7,18}(?![\w-])"),      # card and phone numbers (8+ digits)
)
# Loggers that libraries give handlers of their own: uvicorn's (left alone with `log_config=None`) and
# FastStream's (made at its import, coloured text on stderr). They are sent to the root's masking handler
# here: a handler of their own would bypass the masking and write another format.
FOREIGN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "faststream")
FORMATS = ("json", "console")


def mask_text(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redacted(value):
    """`value` with personal-data fields redacted and identifiers masked at any depth, as a log line has it: also
    for a value an operator is shown outside the logs (a dead letter's)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in PERSONAL_FIELDS else redacted(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redacted(v) for v in value)
    return value


def redact_personal_data(_logger: object, _method: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    # structlog's ProcessorFormatter keeps the standard library's record under `_record`: not logged, kept.
    record = event_dict.pop("_record", None)
    cleaned = redacted(dict(event_dict))
    if record is not None:
        cleaned["_record"] = record
    return cleaned


# One list object for the life of the process: a logger bound before `configure_logging` holds this very
# list, so reconfiguring (in place) reaches it too.
_PROCESSORS: list = []


class _MaskingHandler(logging.StreamHandler):
    """The root logger's handler: the standard library's records through the same masking chain."""


def _renderer(fmt: str):
    return structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)


def _configure_structlog(level: str, fmt: str, stream) -> None:
    _PROCESSORS[:] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.format_exc_info,
        redact_personal_data,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _renderer(fmt),
    ]
    structlog.configure(
        processors=_PROCESSORS,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


def _configure_standard_library(fmt: str, stream) -> None:
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, redact_personal_data,
                    structlog.processors.TimeStamper(fmt="iso", utc=True), _renderer(fmt)])
    handler = _MaskingHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _MaskingHandler) or type(h) is logging.StreamHandler]:
        root.removeHandler(old)  # ours from an earlier call, or an unmasked one (basicConfig's)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in FOREIGN_LOGGERS:
        logger = logging.getLogger(name)
        for own in list(logger.handlers):
            logger.removeHandler(own)
        logger.propagate = True
    logging.captureWarnings(True)  # a DeprecationWarning is a log line like any other, not free text


def _log_uncaught(kind, error, traceback) -> None:
    """An exception that ends the process, logged as one line in the process's format (not a bare traceback)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    get_logger().critical("process ended by an uncaught exception", exc_info=(kind, error, traceback))


class _Stderr:
    """Whatever `sys.stderr` is when a line is written, not when logging was configured: a runner that swaps
    it for a while (a test's capture, a CLI test runner) closes the one it swapped in afterwards."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", fmt: str = "json", stream=None) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r}: choose json or console")
    stream = stream or _Stderr()
    _configure_structlog(level, fmt, stream)
    _configure_standard_library(fmt, stream)
    sys.excepthook = _log_uncaught


def get_logger(**bound):
    """A logger that takes the process's configuration at each call (so one made at import time, before
    `configure_logging`, masks and writes where the process logs)."""
    return structlog.get_logger(**bound)


_configure_structlog("INFO", "json", _Stderr())
