"""Domain exceptions of the cards service."""


class CardRuleViolation(Exception):
    """A card rule was broken.

    `code` is stable and meant for clients and logs; the message explains the rule and never
    contains a card number or a customer code.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __repr__(self) -> str:
        return f"CardRuleViolation(code={self.code!r}, message={str(self)!r})"
