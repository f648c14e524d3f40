"""`coopreg segments list | define | inspect | retire`: marketing segments kept as data. Definitions go to the
consent service as commands (`consent.commands.v1`); the service creates the segment's compacted topic and
places the people whose consent allows the purpose on the channel."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from contracts.events.consent import ConsentCommand, DefineSegment, RetireSegment
from contracts.topics import CONSENT_COMMANDS
from coopreg.cli.common import OUTPUT, Output, console, print_json, run_async, say, sentences, show
from coopreg.client import RegisterClient
from services.consent.application import segment_report
from services.consent.entrypoints.service import SERVICE
from shared.runtime import open_pool
from shared.settings import Settings

app = typer.Typer(help="Marketing segments: list, define, inspect, retire.", no_args_is_help=True)


async def _send(settings: Settings, key: str, command) -> None:
    async with RegisterClient(settings) as client:
        await client.send(CONSENT_COMMANDS, key, ConsentCommand(command))
        await client.flush()


async def _read(settings: Settings, query):
    pool = await open_pool(settings, SERVICE)
    try:
        async with pool.acquire() as conn:
            return await query(conn)
    finally:
        await pool.close()


@app.command("list")
def list_segments(output: Output = OUTPUT) -> None:
    """Every segment with its purpose, channel, status and number of members."""
    with sentences("listing the segments"):
        rows = run_async(_read(Settings(), segment_report.overview))
    if output is Output.json:
        print_json(rows)
        return
    table = Table("segment", "purpose", "channel", "version", "status", "members")
    for row in rows:
        table.add_row(row["name"], row["purpose"], row["channel"], str(row["version"]), row["status"],
                      str(row["members"]))
    console.print(table)


@app.command()
def define(
    name: str = typer.Argument(..., help="2-40 of a-z, 0-9 and '-'; the topic is marketing.segment.<name>.v1"),
    purpose: Optional[str] = typer.Option(None, help="marketing, survey, member_mail, customer_relationship, "
                                          "warranty_receipt or personalised_service"),
    channel: Optional[str] = typer.Option(None, help="email, sms, post, phone or digital_ads"),
    description: Optional[str] = typer.Option(None, help="what the segment is for, in words"),
    cooperative: list[str] = typer.Option([], help="repeat for several; none: any"),
    municipality: list[str] = typer.Option([], help="Statistics Finland code, e.g. 091"),
    age_band: list[str] = typer.Option([], help="15-17, 18-24, ... 75+"),
    language: list[str] = typer.Option([], help="fi, sv or en; repeat for several; none: any"),
    customer_kind: list[str] = typer.Option([], help="owner_customer, household_member, other_customer"),
    min_tier_bp: Optional[int] = typer.Option(None, help="the household's Bonus % at least (basis points)"),
    max_tier_bp: Optional[int] = typer.Option(None, help="the household's Bonus % at most (basis points)"),
    main_members_only: bool = typer.Option(False, help="one person per household"),
    attribute: list[str] = typer.Option([], help="municipality, age_band, bonus_tier_bp: what the purpose needs"),
    uses_product_data: bool = typer.Option(False, help="built from product-level purchase data"),
    from_file: Optional[Path] = typer.Option(None, help="a JSON definition instead of the options"),
) -> None:
    """Define a segment, or change its definition (its members are recomputed)."""
    with sentences("defining the segment"):
        if from_file is not None:
            data = {**json.loads(from_file.read_text(encoding="utf-8")), "name": name}
        else:
            criteria = {"cooperatives": cooperative, "municipalities": municipality, "age_bands": age_band,
                        "languages": language, "customer_kinds": customer_kind, "min_bonus_tier_bp": min_tier_bp,
                        "max_bonus_tier_bp": max_tier_bp, "main_members_only": main_members_only}
            data = {"name": name, "purpose": purpose, "channel": channel, "description": description,
                    "criteria": criteria, "attributes": attribute, "uses_product_data": uses_product_data}
        command = DefineSegment.model_validate({**data, "defined_at": datetime.now(timezone.utc)})
        run_async(_send(Settings(), name, command))
    say(f"segment {name!r} sent to the consent service; members appear on marketing.segment.{name}.v1")


@app.command()
def inspect(name: str, output: Output = OUTPUT) -> None:
    """A segment's definition, status and number of members (never who they are)."""
    with sentences("inspecting the segment"):
        found = run_async(_read(Settings(), lambda conn: segment_report.detail(conn, name)))
        if found is None:
            raise LookupError(f"no segment {name!r}; `coopreg segments list` shows them")
    show(found, output, title=f"segment {name}")


@app.command()
def retire(name: str) -> None:
    """Empty a segment: every member gets a tombstone; the definition is kept."""
    with sentences("retiring the segment"):
        run_async(_send(Settings(), name, RetireSegment(name=name, retired_at=datetime.now(timezone.utc))))
    say(f"retirement of {name!r} sent; its topic empties within seconds")
