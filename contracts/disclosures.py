"""The disclosure log's shared vocabulary (seed §7-8): who receives the register's personal data, and what one
entry of the log says.

A disclosure is recorded by whoever hands the data out, in its own schema, in the same transaction as the
handing out (`shared.disclosure_log`):
- the register API: authority requests on lawful request (recorded by staff), and the tax authority report
  when the finance role takes it out;
- the membership and consent services: the base-data and consent updates they publish to S-Bank
  (`register.sbank-updates.v1`);
- the consent service: each person put into a marketing segment (`marketing.segment.<name>.v1`), for the
  segment's named recipient.

The services answer their entries in their part of the person (`contracts/subjects.py`, section
`disclosures`); the API adds its own and shows them together in the extract. An entry names the person by
the register's pseudonymous person id and what was disclosed by field or data-group names, never values.

Recipients are data (`recipients.json`), each with the recorded fact of where it processes the data: the
register discloses nothing outside the EU/EEA (seed §8), so a recipient located elsewhere is refused here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

RECIPIENTS_FILE = Path(__file__).with_name("recipients.json")
EU_EEA = "EU/EEA"

DISCLOSURE_KINDS: tuple[str, ...] = ("authority_request", "tax_report", "sbank_update", "segment_delivery")

# The recipient of each kind of disclosure the register makes by itself (an authority request names its own).
TAX_AUTHORITY, SBANK, SEGMENT_RECIPIENT = "tax-administration", "s-bank", "sok-marketing"
# Why each kind of disclosure the register makes by itself is lawful, as the log records it.
LEGAL_BASES = {
    "tax_report": "seed §7; Tax Procedure Act (1558/1995) ch. 3, the payer's duty to report interest on "
                  "capital contributions and refunds [the exact section is to be confirmed]",
    "sbank_update": "seed §6-7: base-data, permission and prohibition updates to S-Bank when the customer is "
                    "also S-Bank's customer (the two-way exchange of the owner-customer agreement)",
    "segment_delivery": "seed §1-4 and §12: customer relationship and marketing within S-Group, within the "
                        "customer's permissions and blocks",
}


@dataclass(frozen=True)
class Recipient:
    recipient_id: str
    name: str
    kind: str
    country: str
    location: str


def load_recipients(path: Path = RECIPIENTS_FILE) -> dict[str, Recipient]:
    """The registry; refuses a recipient outside the EU/EEA or one named twice."""
    rows = json.loads(path.read_text())["recipients"]
    recipients = {row["recipient_id"]: Recipient(**row) for row in rows}
    if len(recipients) != len(rows):
        raise ValueError("a recipient is named twice")
    outside = sorted(r.recipient_id for r in recipients.values() if r.location != EU_EEA)
    if outside:
        raise ValueError(f"the register discloses nothing outside the EU/EEA: {', '.join(outside)}")
    return recipients


RECIPIENTS = load_recipients()


@dataclass(frozen=True)
class DisclosureEntry:
    """One disclosure of one person's data: `data` names fields or data groups (`contact.email`, `consents`),
    never their values; `reference` is the request's or the message's own id."""

    disclosure_id: str
    person_id: str
    kind: str
    recipient: str
    data: tuple[str, ...]
    legal_basis: str
    reference: str
    disclosed_at: datetime
    recorded_by: str

    def __post_init__(self) -> None:
        if self.kind not in DISCLOSURE_KINDS:
            raise ValueError(f"unknown disclosure kind {self.kind!r}")
        if self.recipient not in RECIPIENTS:
            raise ValueError(f"unknown recipient {self.recipient!r}")
        if not self.data or self.disclosed_at.tzinfo is None:
            raise ValueError("a disclosure names what was disclosed, at an aware time")


def shown(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the extract shows it: with the recipient's name and location."""
    recipient = RECIPIENTS.get(entry["recipient"])
    return {**entry, "recipient_name": recipient.name if recipient else None,
            "recipient_location": recipient.location if recipient else None}
