"""The one base of every service's broken business rule.

A domain raises a subclass of `RuleViolation` when a message asks for something its rules forbid; the
command dispatch (shared/commands.py) turns it into the message's rejection, with `code` as the
dead-letter reason, and the subject endpoints into an answer. `code` is stable and machine-readable
(clients, dead letters, tests match on it); the message explains the rule and is built from constants
only, so it never carries the personal data being checked.

This module imports nothing on purpose: the services' pure domains import it, and it must stay as pure
as they are.
"""
from __future__ import annotations


class RuleViolation(Exception):
    """A business rule was broken. A subclass names its rule by a class-level `code`; one that stands
    for many rules passes the code when raised."""

    code: str = "rule_violation"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def detail(self) -> str:
        """What a rejection says besides its code: the message, else the code itself."""
        return str(self) or self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={str(self)!r})"
