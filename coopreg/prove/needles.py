"""What the search looks for: each identifier of the person in the forms it can take at rest — as written, in
any case, JSON-escaped (non-ASCII as \\uXXXX) and hex-encoded (a bytea column cast to text)."""
from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Needles:
    by_kind: dict[str, tuple[bytes, ...]]

    @staticmethod
    def of(identifiers: dict[str, str]) -> "Needles":
        by_kind = {}
        for kind, value in identifiers.items():
            if not value:
                continue
            exact = {value, value.lower(), value.upper(), json.dumps(value)[1:-1]}
            raw = {form.lower().encode("utf-8") for form in exact}
            # hex of the bytes as they were written: the case variants matter there
            hexed = {form.encode("utf-8").hex().encode() for form in exact}
            by_kind[kind] = tuple(sorted(raw | hexed))
        return Needles(by_kind)

    def kinds_in(self, data: bytes | str | None) -> set[str]:
        """The kinds of identifier that occur in `data` (case-insensitively)."""
        if not data:
            return set()
        text = (data.encode("utf-8", "replace") if isinstance(data, str) else bytes(data)).lower()
        return {kind for kind, forms in self.by_kind.items() if any(form in text for form in forms)}
