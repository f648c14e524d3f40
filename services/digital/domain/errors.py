"""Domain exceptions of the digital service."""


class DigitalRuleViolation(Exception):
    """A rule of the digital relationship was broken. `code` is stable, for clients and the dead-letter queue;
    the message never contains personal data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
