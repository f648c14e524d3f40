"""`coopreg prove erasure`: the proof that an erased person is gone and stays gone; `--output json` for the
result as one JSON document."""
from __future__ import annotations

import typer

from coopreg.cli.common import OUTPUT, Output, console, print_json, record_table, run_async, say, sentences

app = typer.Typer(help="Proofs on the local real stack.", no_args_is_help=True)


@app.command()
def erasure(name: str = typer.Option("prove", help="the run's place: database coopreg_<name>, topics <name>-…"),
            strict: bool = typer.Option(False, help="count personal data in clear on delete topics, which expire "
                                                    "by their retention, as found too"),
            output: Output = OUTPUT) -> None:
    """Build one person with a history in every service, erase them through the register API, search every
    table, topic, log file and dead letter for them, replay a DVV and an S-Bank update about them; exit 0 only
    when nothing was found and nothing came back."""
    from coopreg.prove.run import prove_erasure

    with sentences("the erasure proof"):
        result = run_async(prove_erasure(name, say, strict))
    for item in result["found"]:
        say(f"found: {item['place']} {item['where']}: {', '.join(item['kinds'])} ({item['count']})")
    for item in result["resurrections"]:
        say(f"came back: {item['place']} {item['where']}: {', '.join(item['kinds'])}")
    say(f"erased in {result['erasure_seconds']} s; searched {result['tables_searched']} tables, "
        f"{result['topics_searched']} topics, {result['dead_letter_topics_searched']} dead-letter topics, "
        f"{result['logs_searched']} logs")
    if output is Output.json:
        print_json(result)
    else:
        console.print(record_table({k: v for k, v in result.items() if k not in ("found", "resurrections")},
                                   title="coopreg prove erasure"))
    raise typer.Exit(0 if not result["found"] and result["resurrected"] == 0 else 1)
