"""What every command shares: the console, sentences instead of tracebacks, running async work."""
from __future__ import annotations

import asyncio
import dataclasses
import json
from contextlib import contextmanager
from enum import Enum

import typer
from rich.console import Console
from rich.table import Table

from shared.rules import RuleViolation

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # a sentence stays on one line, whatever the width


class Output(str, Enum):
    table = "table"
    json = "json"


# Every command that prints data takes this one option: a table for people, one JSON document for scripts
# (`json.loads` of the whole stdout), so a script never scrapes a table nor a person reads a JSON dump.
OUTPUT = typer.Option(Output.table, "--output", "-o", help="table for people, json for scripts")


def plain(data):
    """Data as JSON can hold it: dataclasses and named tuples become objects, the rest as json.dumps takes it."""
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return {f.name: plain(getattr(data, f.name)) for f in dataclasses.fields(data)}
    if isinstance(data, tuple) and hasattr(data, "_asdict"):
        return {k: plain(v) for k, v in data._asdict().items()}
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(v) for v in data]
    return data


def print_json(data) -> None:
    """One JSON document on stdout, unwrapped whatever the terminal's width (rich would fold long lines)."""
    typer.echo(json.dumps(plain(data), ensure_ascii=False, default=str))


def _text(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _flat(value, prefix: str = "") -> list[tuple[str, str]]:
    """Nested data as (dotted name, text) rows: what a person reads down a two-column table."""
    if isinstance(value, dict):
        rows = [row for k, v in value.items() for row in _flat(v, f"{prefix}.{k}" if prefix else str(k))]
        return rows or [(prefix, "–")]
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return [row for i, v in enumerate(value) for row in _flat(v, f"{prefix}[{i}]")] or [(prefix, "–")]
    if isinstance(value, list):
        return [(prefix, ", ".join(map(str, value)) or "–")]
    return [(prefix, _text(value))]


def record_table(data, title: str | None = None) -> Table:
    """Any record as a table for people: one row per field, nested fields by their dotted names."""
    table = Table("field", "value", title=title)
    for name, text in _flat(plain(data)):
        table.add_row(name, text)
    return table


def rows_table(rows: list, title: str | None = None) -> Table:
    """A list of flat records as a table, one row each, the columns in their fields' order."""
    rows = plain(rows)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(_text(row.get(c)) for c in columns))
    return table


def show(data, output: Output, title: str | None = None) -> None:
    """`data` as the operator asked: one JSON document, or a table (a row per record of a list, else a row per
    field)."""
    if output is Output.json:
        print_json(data)
    elif isinstance(data, list):
        console.print(rows_table(data, title))
    else:
        console.print(record_table(data, title))


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
