"""The search's needles: each identifier in every form it takes at rest, for one person or for many at once
(past a few hundred forms the text is read by windows instead of form by form: same answers)."""
from __future__ import annotations

import json

from coopreg.prove.needles import FORMS_IN_TURN, Needles


def people(count: int) -> dict[str, dict[str, str]]:
    return {f"p-{n}": {"person_id": f"c-p{n}-0", "identity_code": f"{n % 28 + 1:02d}0190-{n:03d}X",
                       "last_name": f"Äijälä{n}"} for n in range(count)}


def test_an_identifier_is_found_as_written_in_any_case_json_escaped_and_hex_encoded():
    needles = Needles.of({"identity_code": "010190-123X", "last_name": "Äijälä"})
    assert needles.found_in("…010190-123x…") == {"": {"identity_code"}}
    assert needles.found_in(json.dumps({"name": "Äijälä"})) == {"": {"last_name"}}  # \u00c4ij\u00e4l\u00e4
    assert needles.found_in("\\x" + "ÄIJÄLÄ".encode().hex()) == {"": {"last_name"}}
    assert needles.found_in(b"nothing here", None, "") == {}
    assert needles.kinds == ("identity_code", "last_name")


def test_many_people_are_told_apart_and_found_as_looking_for_each_in_turn_finds_them():
    many = people(40)
    needles = Needles.of_many(many)
    assert len(needles.forms) > FORMS_IN_TURN  # read by windows
    texts = [f'{{"person_id": "c-p{n}-0", "code": "{n % 28 + 1:02d}0190-{n:03d}x"}}' for n in range(0, 40, 7)]
    texts += ["\\x" + "ÄIJÄLÄ13".encode().hex(), "c-p1-00 is another person's id beginning like c-p1-0", "none"]
    for text in texts:
        one_by_one = {subject: kinds for subject, identifiers in many.items()
                      if (kinds := Needles.of(identifiers).found_in(text).get(""))}
        assert needles.found_in(text) == one_by_one
    assert needles.found_in(texts[1]) == {"p-7": {"person_id", "identity_code"}}
    # a substring counts, as the search always counted it: Äijälä1's name is in Äijälä13's
    assert needles.found_in(texts[-3]) == {"p-1": {"last_name"}, "p-13": {"last_name"}}
    assert needles.found_in(texts[-2]) == {"p-1": {"person_id"}}
