"""What an authority request recorded by staff must say, checked before it is recorded: a registered
authority as the recipient, the fields or data groups disclosed named in the register's own vocabulary (a
section, or `section.field`), and a legal basis and reference of the request. Pure rules."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from contracts.disclosures import RECIPIENTS, shown
from services.register_api.domain.sections import SECTIONS

DATA_NAME = re.compile(r"^([a-z_]{1,40})(\.[a-z_]{1,40}){0,2}$")
# A request recorded afterwards may have been answered on paper some time ago; not before the log could
# still hold it, and never in the future (a clock a few minutes ahead is forgiven).
CLOCK_SKEW = timedelta(minutes=5)


class DisclosureRefused(ValueError):
    """The entry breaks a rule; `code` is stable, the message names no value."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_authority_request(recipient: str, data: list[str], disclosed_at: datetime, now: datetime,
                            oldest: datetime) -> None:
    found = RECIPIENTS.get(recipient)
    if found is None or found.kind != "authority":
        raise DisclosureRefused("unknown_recipient", "the recipient is not an authority in the recipient registry")
    for name in data:
        match = DATA_NAME.fullmatch(name)
        if match is None or match.group(1) not in SECTIONS:
            raise DisclosureRefused("unknown_data", "each disclosed item is a section of the register or "
                                                    "`section.field` (e.g. contact.email, purchases)")
    if disclosed_at > now + CLOCK_SKEW or disclosed_at < oldest:
        raise DisclosureRefused("disclosed_at_out_of_range", "the disclosure is dated in the future or before "
                                                             "the retention period of the log")


def together(*logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every keeper's entries as one log, in the order the data left, each with its recipient's location."""
    return [shown(entry) for entry in sorted((e for log in logs for e in log),
                                             key=lambda e: (_instant(e["disclosed_at"]), e["disclosure_id"]))]


def _instant(value: datetime | str) -> datetime:
    """The services answer their times as JSON text, the API's own are times."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
