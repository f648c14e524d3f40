"""The one place where a failure becomes what an operator reads: one sentence and a non-zero exit, never a
traceback. Every command runs inside `SentenceGroup.invoke`, so a command needs no handling of its own;
`common.sentences` stays for the commands that name what they were doing.

COOPREG_DEBUG=1 lets the traceback through, for the developer chasing a bug.
"""
from __future__ import annotations

import asyncio
import os

import typer

# Typer carries its own copy of click: its exceptions, not the `click` package's, are what commands raise.
from typer._click import Context
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

STACK_HINT = "Is the stack running? `coopreg stack status` says, `coopreg stack up` starts it."


def sentence(error: BaseException) -> str:
    """What went wrong, in one line, with what to do about it where that is known."""
    from aiokafka.errors import KafkaConnectionError, KafkaError
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in error.errors())
        return f"invalid input: {problems}"
    if isinstance(error, KafkaConnectionError):
        return f"cannot reach Kafka ({_first_line(error)}). {STACK_HINT}"
    if isinstance(error, (ConnectionError, OSError)) and not isinstance(error, FileNotFoundError):
        return f"cannot reach Kafka or PostgreSQL ({_first_line(error) or type(error).__name__}). {STACK_HINT}"
    if isinstance(error, (TimeoutError, asyncio.TimeoutError)):
        return _first_line(error) or f"no answer in time. {STACK_HINT}"
    if isinstance(error, KafkaError):
        return f"Kafka refused: {_first_line(error) or type(error).__name__}"
    if isinstance(error, (LookupError, ValueError, RuntimeError, FileNotFoundError)):
        return _first_line(error) or type(error).__name__
    # Anything else is a bug of ours: still one line, naming what it was so that it can be reported.
    return f"unexpected {type(error).__name__}: {_first_line(error)} (COOPREG_DEBUG=1 shows the traceback)"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


class SentenceGroup(TyperGroup):
    """The root command: click's own errors (usage, --help, Ctrl-C) as click handles them; everything else
    that escapes a command as one sentence and exit status 1."""

    def invoke(self, ctx: Context):
        try:
            return super().invoke(ctx)
        except (click_exceptions.Exit, click_exceptions.ClickException, click_exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise typer.Abort() from None
        except Exception as error:  # this is the boundary that turns errors into sentences
            if os.environ.get("COOPREG_DEBUG"):
                raise
            from rich.markup import escape

            from coopreg.cli.common import errors

            errors.print(f"[red]coopreg: {escape(sentence(error))}[/]", highlight=False)
            raise typer.Exit(1) from None
