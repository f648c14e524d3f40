"""`coopreg dlq list | show | replay`."""
from __future__ import annotations

import typer
from rich.table import Table

from coopreg import dlq
from coopreg.cli.common import OUTPUT, Output, console, print_json, run_async, say, sentences
from coopreg.cli.staff_options import USER, role_option
from coopreg.staff_session import check_role, default_user, staff_session
from shared.settings import Settings

app = typer.Typer(help="Dead-letter topics: see why messages failed, one in full, replay them.", no_args_is_help=True)


@app.command("list")
def list_(topic: str = typer.Argument(..., help="the original topic, e.g. pos.purchases.v1"),
          show: int = typer.Option(20, help="how many dead letters to show"), output: Output = OUTPUT) -> None:
    """Count the dead letters of a topic by reason and show the latest."""
    with sentences("reading the DLQ"):
        letters = run_async(dlq.dead_letters(Settings(), topic))
    if output is Output.json:
        print_json({"topic": topic, "dead_letters": len(letters), "reasons": dict(dlq.reasons(letters)),
                    "latest": letters[-show:]})
        return
    table = Table(title=f"{topic}.dlq: {len(letters)} dead letters")
    for column in ("offset", "consumer", "reason", "detail"):
        table.add_column(column)
    for letter in letters[-show:]:
        table.add_row(str(letter.offset), letter.consumer, letter.reason, letter.detail)
    console.print(table)
    for reason, count in dlq.reasons(letters).most_common():
        console.print(f"  {reason}: {count}")


@app.command()
def show(topic: str = typer.Argument(..., help="the original topic, e.g. pos.purchases.v1"),
         offset: int = typer.Argument(..., min=0, help="the dead letter's offset, as `coopreg dlq list` shows it"),
         partition: int | None = typer.Option(None, min=0, help="the DLQ partition, when it has more than one"),
         open_value: bool = typer.Option(False, "--open", help="open the sealed original value (personal data "
                                                               "stays masked); needs --purpose, audited"),
         user: str | None = USER, role: str = role_option("operations"),
         purpose: str | None = typer.Option(None, "--purpose", help="why you open it, e.g. incident_handling (required "
                                                              "with --open)"),
         output: Output = OUTPUT) -> None:
    """One dead letter in full: the reason, where it came from, its original headers and, with --open, its
    original value with personal data masked — recorded first in the register's audit log under your name,
    role and purpose (whom the letter is about), through the register API."""
    with sentences("reading the dead letter"):
        if open_value and not purpose:
            raise ValueError("--open shows personal data and is audited: say why with --purpose "
                             "(e.g. --purpose incident_handling)")
        letter = run_async(_show(Settings(), topic, offset, partition, open_value, user or default_user(), role,
                                 purpose))
    if output is Output.json:
        print_json(letter)
        return
    table = Table(title=f"{topic}.dlq, partition {letter.partition}, offset {letter.offset}", show_header=False)
    for name, value in (("reason", letter.reason), ("detail", letter.detail), ("consumer", letter.consumer),
                        ("original", letter.origin), ("failed at", letter.failed_at), ("key", letter.key or "–")):
        table.add_row(name, value)
    for name, value in letter.headers:
        table.add_row(f"header {name}", value)
    console.print(table)
    if letter.value is None and not open_value:
        state = "sealed" if letter.sealed else "not sealed"
        console.print(f"value: {letter.size} bytes, {state}; --open shows it with personal data masked")
    elif isinstance(letter.value, str):
        console.print("value (not JSON, personal data masked):")
        console.print(letter.value, markup=False, highlight=False)
    else:
        console.print("value (personal data masked):")
        console.print_json(data=letter.value)


async def _show(settings: Settings, topic: str, offset: int, partition: int | None, open_value: bool, user: str,
                role: str, purpose: str | None) -> dlq.LetterInFull:
    if not open_value:
        return await dlq.dead_letter(settings, topic, offset, partition)
    check_role(role)
    async with staff_session(settings, user, role, purpose) as session:
        async def record_opening(letter_topic: str, letter_partition: int, letter_offset: int,
                                 person_ids: list[str]) -> None:
            await session.call("POST", "/dead-letters/openings", "dead letter",
                               json={"topic": letter_topic, "partition": letter_partition, "offset": letter_offset,
                                     "person_ids": person_ids})
        return await dlq.dead_letter(settings, topic, offset, partition, True, record_opening)


@app.command()
def replay(topic: str = typer.Argument(..., help="the original topic, e.g. pos.purchases.v1"),
           limit: int | None = typer.Option(None, help="replay at most this many")) -> None:
    """Send dead letters back to their original topic (after the cause is fixed)."""
    with sentences("replaying"):
        count = run_async(dlq.replay(Settings(), topic, limit))
    say(f"replayed {count} messages to {topic}")
