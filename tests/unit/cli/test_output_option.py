"""`--output table|json` on every command that prints data: a table for people, one JSON document for scripts.
A new command either takes the shared option or says here why it prints no data."""
from __future__ import annotations

import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from coopreg.cli import app
from coopreg.cli.common import Output, plain, record_table, rows_table
from tests.unit.cli.test_help import COMMANDS

# What these print is a sentence on stderr, a served page or a secret to copy, not data to format.
PRINTS_NO_DATA = {
    "stack up", "stack down", "services up", "services down", "bonus close", "dlq replay", "segments define",
    "segments retire", "api serve", "api token", "api my-data", "run", "demo",
    "docs",
}


def _leaves():
    return [(" ".join(path), command) for path, command in COMMANDS if not getattr(command, "commands", None)]


@pytest.mark.parametrize("name,command", _leaves(), ids=[name for name, _ in _leaves()])
def test_every_command_that_prints_data_takes_output_table_or_json(name, command):
    if name in PRINTS_NO_DATA:
        return
    [option] = [p for p in command.params if p.name == "output"] or [None]
    assert option is not None, f"`coopreg {name}` prints data but has no --output table|json"
    assert option.opts == ["--output", "-o"] and option.default == Output.table
    assert list(option.type.choices) == ["table", "json"]


def test_the_exemptions_name_real_commands():
    assert PRINTS_NO_DATA <= {name for name, _ in _leaves()}


def test_status_commands_print_one_json_document_or_a_table(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPREG_STACK_DIR", str(tmp_path))  # nothing runs there: every part stopped
    runner = CliRunner()
    parts = json.loads(runner.invoke(app, ["stack", "status", "-o", "json"]).stdout)
    assert [(p["part"], p["running"]) for p in parts] == [("kafka", False), ("postgres", False)]
    services = json.loads(runner.invoke(app, ["services", "status", "--output", "json"]).stdout)
    assert {"service": "purchases", "running": False} in services
    table = runner.invoke(app, ["services", "status"])
    assert table.exit_code == 0 and "purchases" in table.stdout and "no" in table.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(table.stdout)


def test_records_become_plain_json_and_tables_flatten_nesting():
    from coopreg.stack import PartStatus

    nested = {"person": {"person_id": "p-1", "cards": [{"last4": "1234"}]}, "tags": ["a", "b"], "none": None}
    assert json.loads(json.dumps(plain([PartStatus("kafka", True, "x:1")]))) == [
        {"part": "kafka", "running": True, "address": "x:1"}]
    console = Console(width=120)
    with console.capture() as captured:
        console.print(record_table(nested))
        console.print(rows_table([{"a": 1, "b": True}, {"a": 2, "c": None}]))
    text = captured.get()
    for expected in ("person.person_id", "p-1", "person.cards[0].last4", "1234", "a, b", "–", "yes"):
        assert expected in text
