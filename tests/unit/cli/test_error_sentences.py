"""Wrong input is answered with one sentence saying what to do, a non-zero exit and no traceback — before
anything is sent or read."""
from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from coopreg.cli import app
from coopreg.dlq import masked

THIS_MONTH = f"{date.today():%Y-%m}"


@pytest.mark.parametrize("args,sentence", [
    (["simulate", "month", "--month", "2026-13"], "write it as YYYY-MM"),
    (["simulate", "month", "--month", "October"], "write it as YYYY-MM"),
    (["simulate", "month", "--month", THIS_MONTH], "has not ended; choose an earlier month"),
    (["lookup", "person"], "give either a customer number or --card NUMBER"),
    (["lookup", "person", "123", "--card", "9246000000000001"], "give either a customer number or --card"),
    (["lookup", "person", "--card", "12ab"], "6 to 19 digits"),
    (["lookup", "person", "123", "--role", "data_subject"], "is not a staff role; choose one of customer_service"),
    (["dsar", "request", "p-1", "--role", "janitor"], "is not a staff role"),
    (["lookup", "consents", "p-1", "--role", "root"], "is not a staff role"),
])
def test_wrong_input_is_a_sentence_with_the_fix(args, sentence):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    text = " ".join(result.stderr.split())
    assert sentence in text
    assert "Traceback" not in result.output and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["simulate", "traffic", "--rate", "0"], ["simulate", "traffic", "--invalid", "2"],
                                  ["dlq", "show", "pos.purchases.v1", "-1"], ["simulate", "month"]])
def test_out_of_range_options_are_usage_errors(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_opened_dead_letter_shows_no_personal_data():
    raw = (b'{"receipt_id": "r-1", "identifier": {"kind": "card", "value": "9246000000000017"},'
           b' "name": "Maija Meikalainen", "note": "call +358401234567 or maija@example.fi"}')
    shown = masked(raw)
    assert shown["receipt_id"] == "r-1"
    assert "9246000000000017" not in str(shown) and "Maija" not in str(shown)
    assert "+358401234567" not in str(shown) and "maija@example.fi" not in str(shown)


def test_a_dead_letter_that_is_not_json_is_masked_as_text():
    shown = masked(b"{broken receipt for 131052-308T card 9246000000000017")
    assert shown.startswith("{broken receipt for ")
    assert "131052-308T" not in shown and "9246000000000017" not in shown
