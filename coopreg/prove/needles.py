"""What the search looks for: each identifier of one or more people in the forms it can take at rest — as
written, in any case, JSON-escaped (non-ASCII as \\uXXXX) and hex-encoded (a bytea column cast to text).

Many people are searched for in one pass (the chaos run's erased, sixty and more at a time). Looking for each
form in turn costs a text one scan per form; past a few hundred forms it is cheaper to read the text once,
window by window, and look up each window among the forms' openings (their first `width` bytes), so that
only a form whose opening occurs is looked for whole. The tables of a 100,000-receipt chaos run: one person's
≈ 40 forms in turn 8 CPU-s, by windows 41; 66 people's 2,600 forms by windows 47 CPU-s, in turn ≈ 550."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Up to this many forms, each is looked for in turn; past it, the text is read by windows.
FORMS_IN_TURN = 256


@dataclass(frozen=True)
class Form:
    subject: str
    kind: str
    text: bytes  # lower-case


@dataclass(frozen=True)
class Needles:
    forms: tuple[Form, ...]
    by_opening: dict[bytes, tuple[Form, ...]]
    width: int  # the shortest form's length: every form opens with a window of this many bytes
    kinds: tuple[str, ...]

    @staticmethod
    def of(identifiers: dict[str, str], subject: str = "") -> "Needles":
        return Needles.of_many({subject: identifiers})

    @staticmethod
    def of_many(identifiers_by_subject: dict[str, dict[str, str]]) -> "Needles":
        forms = [Form(subject, kind, form) for subject, identifiers in identifiers_by_subject.items()
                 for kind, value in identifiers.items() if value for form in _forms(value)]
        width = min((len(form.text) for form in forms), default=1)
        by_opening: dict[bytes, list[Form]] = defaultdict(list)
        for form in forms:
            by_opening[form.text[:width]].append(form)
        kinds = sorted({form.kind for form in forms})
        return Needles(tuple(forms), {opening: tuple(found) for opening, found in by_opening.items()}, width,
                       tuple(kinds))

    def found_in(self, *data: bytes | str | None) -> dict[str, set[str]]:
        """For each person whose identifiers occur in `data` (case-insensitively), the kinds that do."""
        found: dict[str, set[str]] = {}
        for piece in data:
            if not piece:
                continue
            text = (piece.encode("utf-8", "replace") if isinstance(piece, str) else bytes(piece)).lower()
            for form in self._candidates(text):
                if form.text in text:
                    found.setdefault(form.subject, set()).add(form.kind)
        return found

    def _candidates(self, text: bytes) -> Iterable[Form]:
        if len(self.forms) <= FORMS_IN_TURN:
            return self.forms
        width = self.width
        openings = self.by_opening.keys() & {text[i:i + width] for i in range(len(text) - width + 1)}
        return (form for opening in openings for form in self.by_opening[opening])


def _forms(value: str) -> set[bytes]:
    exact = {value, value.lower(), value.upper(), json.dumps(value)[1:-1]}
    raw = {form.lower().encode("utf-8") for form in exact}
    # hex of the bytes as they were written: the case variants matter there
    hexed = {form.encode("utf-8").hex().encode() for form in exact}
    return raw | hexed
