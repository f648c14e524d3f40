"""The consent rules a message can break; `code` is the dead-letter reason."""
from __future__ import annotations

from shared.rules import RuleViolation


class ConsentRuleViolation(RuleViolation):
    code = "consent_rule_violation"


class PersonErased(ConsentRuleViolation):
    """A change for a person the register has erased: nothing of them may be kept again."""

    code = "person_erased"


class UnknownSegment(ConsentRuleViolation):
    code = "unknown_segment"
