"""Every command of the `coopreg` tree says what it does, and `--help` works for each."""
from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from coopreg.cli import app

ROOT = typer.main.get_command(app)


def _walk(command, path: tuple[str, ...] = ()):
    yield path, command
    if getattr(command, "commands", None):  # a group (typer carries its own copy of click)
        for name, sub in command.commands.items():
            yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(ROOT))


@pytest.mark.parametrize("path,command", COMMANDS, ids=[" ".join(p) or "coopreg" for p, _ in COMMANDS])
def test_every_command_has_help_text(path, command):
    assert (command.help or "").strip(), f"`coopreg {' '.join(path)}` has no help text"
    for parameter in command.params:
        if parameter.param_type_name == "option" and parameter.name != "help" and not parameter.hidden:
            assert (parameter.help or "").strip() or parameter.name in {"install_completion", "show_completion"}, \
                f"`coopreg {' '.join(path)}` option {parameter.opts} has no help text"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) or "coopreg" for p, _ in COMMANDS])
def test_help_runs(path):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_the_issue_s_commands_are_in_the_tree():
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"simulate traffic", "simulate month", "bonus month-to-date", "dlq show", "lookup person",
            "lookup household", "lookup consents", "dsar request", "dsar status", "demo"} <= paths
