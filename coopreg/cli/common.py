"""What every command shares: the console, sentences instead of tracebacks, running async work."""
from __future__ import annotations

import asyncio
from contextlib import contextmanager

import typer
from rich.console import Console

from shared.rules import RuleViolation

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # a sentence stays on one line, whatever the width


def say(text: str) -> None:
    errors.print(f"[cyan]coopreg[/]: {text}")


@contextmanager
def sentences(doing: str):
    """Turn a failure into one readable line with the fix, and a non-zero exit."""
    try:
        yield
    except (ConnectionError, OSError) as error:
        errors.print(f"[red]{doing} failed: cannot reach Kafka or PostgreSQL ({error}). "
                     "Is the stack running? Try `coopreg stack up`.[/]")
        raise typer.Exit(1) from None  # the sentence above is the whole story
    except (TimeoutError, RuntimeError, LookupError, ValueError, RuleViolation) as error:
        errors.print(f"[red]{doing} failed: {error}[/]")
        raise typer.Exit(1) from None


def run_async(coroutine):
    return asyncio.run(coroutine)


async def _answers(host: str, port: int, timeout: float) -> bool:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


def require_stack(settings, timeout: float = 3.0) -> None:
    """PostgreSQL and Kafka accept connections, or one ConnectionError naming which does not: checked before
    a long-running command starts, so that it fails in one sentence, not in a server's startup traceback."""
    kafka_host, kafka_port = settings.kafka.bootstrap_servers.split(",")[0].rsplit(":", 1)
    down = [f"{what} at {host}:{port}" for what, host, port in (
        ("PostgreSQL", settings.pg.host, settings.pg.port), ("Kafka", kafka_host, int(kafka_port)))
        if not run_async(_answers(host, int(port), timeout))]
    if down:
        raise ConnectionError(f"{' and '.join(down)} do{'es' if len(down) == 1 else ''} not answer")
