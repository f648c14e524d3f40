"""Domain exceptions of the cards service."""
from __future__ import annotations

from shared.rules import RuleViolation


class CardRuleViolation(RuleViolation):
    """A card rule was broken: one class for all of them, the rule named by the `code` it is raised with.
    The message explains the rule and never contains a card number or a customer code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code)
