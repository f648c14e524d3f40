"""What every command shares: the console, sentences instead of tracebacks, running async work."""
from __future__ import annotations

import asyncio
from contextlib import contextmanager

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)


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
        raise typer.Exit(1)
    except (TimeoutError, RuntimeError, LookupError, ValueError) as error:
        errors.print(f"[red]{doing} failed: {error}[/]")
        raise typer.Exit(1)


def run_async(coroutine):
    return asyncio.run(coroutine)
