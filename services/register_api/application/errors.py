"""What a use case answers instead of a result; the HTTP entrypoint maps each to its status."""
from __future__ import annotations


class NotFound(Exception):
    """No such person, request or record (or not one this user may know about)."""


class Conflict(Exception):
    """The request cannot be carried out in the current state; `code` is stable."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class Invalid(Exception):
    """The request's content breaks a register rule (a bad phone number, say); `code` is stable. The detail is
    answered only when `public` (a fixed sentence): a rule's message may hold the value it refused."""

    def __init__(self, code: str, detail: str, public: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.public = public
