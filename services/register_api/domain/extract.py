"""The register extract (right of access): what it covers, and when it is due.

The controller answers an access request within one month of receiving it (GDPR art. 12(3)); the
deadline is tracked with the request. Every service contributes its part of the extract.
"""
from __future__ import annotations

from datetime import datetime

from services.register_api.domain.months import add_months

DEADLINE_MONTHS = 1


def deadline_for(requested_at: datetime) -> datetime:
    return add_months(requested_at, DEADLINE_MONTHS)


def is_overdue(status: str, deadline: datetime, now: datetime) -> bool:
    return status != "ready" and now > deadline
