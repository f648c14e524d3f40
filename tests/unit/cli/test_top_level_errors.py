"""Every failure of every command is one sentence and a non-zero exit: the root command's handler
(coopreg/cli/errors.py) catches what a command lets escape. Cases that need no running stack."""
from __future__ import annotations

import socket

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from coopreg.cli import app
from coopreg.cli.errors import SentenceGroup
from services.registry import SERVICES

pytestmark = pytest.mark.unit


def _one_sentence(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_version_prints_the_installed_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "coopreg 0.1.0"


@pytest.mark.parametrize("verb", ["up", "down"])
def test_an_unknown_service_is_one_sentence_naming_the_services(verb):
    result = CliRunner().invoke(app, ["services", verb, "cards", "nosuchservice"])
    assert result.exit_code == 1
    line = _one_sentence(result)
    assert "no service 'nosuchservice'" in line
    assert all(name in line for name in SERVICES)


def test_api_serve_with_the_stack_down_is_one_sentence(monkeypatch):
    pg, kafka = _closed_port(), _closed_port()
    monkeypatch.setenv("COOPREG_PG_PORT", str(pg))
    monkeypatch.setenv("COOPREG_KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{kafka}")
    result = CliRunner().invoke(app, ["api", "serve"])
    assert result.exit_code == 1
    line = _one_sentence(result)
    assert f"PostgreSQL at 127.0.0.1:{pg} and Kafka at 127.0.0.1:{kafka} do not answer" in line
    assert "coopreg stack up" in line


def _failing_app(error: Exception) -> typer.Typer:
    failing = typer.Typer(cls=SentenceGroup)

    @failing.command()
    def boom() -> None:
        raise error

    @failing.command()
    def other() -> None:
        pass

    return failing


class Month(BaseModel):
    month: int


def _validation_error() -> Exception:
    try:
        Month(month="thirteen")
    except Exception as error:  # noqa: BLE001 - the pydantic error itself is the case
        return error
    raise AssertionError("pydantic accepted a bad month")


@pytest.mark.parametrize("error,expected", [
    (RuntimeError("the bonus service refused\nwith details on a second line"), "the bonus service refused"),
    (ConnectionRefusedError(111, "Connection refused"), "cannot reach Kafka or PostgreSQL"),
    (ZeroDivisionError("division by zero"), "unexpected ZeroDivisionError: division by zero (COOPREG_DEBUG=1 shows"),
    (_validation_error(), "invalid input: month: Input should be a valid integer"),
])
def test_whatever_a_command_raises_is_one_sentence_and_exit_1(error, expected):
    result = CliRunner().invoke(_failing_app(error), ["boom"])
    assert result.exit_code == 1
    assert expected in _one_sentence(result)
    assert "second line" not in result.stderr


def test_debug_lets_the_traceback_through(monkeypatch):
    monkeypatch.setenv("COOPREG_DEBUG", "1")
    result = CliRunner().invoke(_failing_app(KeyError("h-1")), ["boom"])
    assert isinstance(result.exception, KeyError)


def test_usage_errors_stay_clicks():
    result = CliRunner().invoke(app, ["services", "up", "--no-such-option"])
    assert result.exit_code == 2
