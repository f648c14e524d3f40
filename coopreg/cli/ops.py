"""`coopreg services …`, `coopreg run`, `coopreg demo`."""
from __future__ import annotations

import typer

from coopreg import services_ctl
from coopreg.cli.common import OUTPUT, Output, console, run_async, say, sentences, show
from coopreg.stack import Stack
from services.registry import SERVICES
from shared.runtime import main as run_one
from shared.settings import Settings

services_app = typer.Typer(help="Run the services in the background.", no_args_is_help=True)


def _known(names: list[str] | None) -> list[str] | None:
    """The services named, or a LookupError naming the ones there are (before anything is started)."""
    unknown = [name for name in names or () if name not in SERVICES]
    if unknown:
        raise LookupError(f"no service {', '.join(map(repr, unknown))}; the services are {', '.join(SERVICES)}")
    return names


@services_app.command("up")
def services_up(names: list[str] = typer.Argument(None, help="services to start (default: all)")) -> None:
    """Start the services as background processes (harmless when they already run)."""
    with sentences("starting services"):
        services_ctl.up(Settings(), say, _known(names))


@services_app.command("down")
def services_down(names: list[str] = typer.Argument(None, help="services to stop (default: all)")) -> None:
    """Stop the background services."""
    services_ctl.down(Settings(), say, _known(names))


@services_app.command("status")
def services_status(output: Output = OUTPUT) -> None:
    """Say which services run."""
    show(services_ctl.status(Settings()), output, title="the services")


def run(service: str = typer.Argument(..., help=f"one of {', '.join(SERVICES)}, or 'all'")) -> None:
    """Run one service, or all of them supervised (restarted when they exit), in the foreground."""
    if service == "all":
        services_ctl.supervise(list(SERVICES), say)
    elif service in SERVICES:
        run_one(SERVICES[service])
    else:
        raise typer.BadParameter(f"unknown service {service!r}; choose from {', '.join(SERVICES)} or 'all'")


def demo(households: int = typer.Option(3000, help="simulated owner-customer households")) -> None:
    """Start the stack and the services, simulate a month of POS traffic, close it, and summarise."""
    from coopreg.demo import run_demo

    settings = Settings()
    with sentences("the demo"):
        Stack(settings).up(say)
        services_ctl.up(settings, say)
        run_async(run_demo(settings, households, console))
    say("the services keep running: `coopreg services down` and `coopreg stack down` stop them")


def docs(serve: bool = typer.Option(False, "--serve", help="then serve docs/ on localhost until Ctrl-C"),
         port: int = typer.Option(8088, help="the port --serve listens on (0: any free port)")) -> None:
    """Write the AsyncAPI documents of every service and their browsable index to docs/asyncapi/."""
    from coopreg.asyncapi import DOCS, write_all
    from coopreg.docs_site import make_server

    for path in write_all(SERVICES):
        say(f"wrote {path}")
    if not serve:
        return
    try:
        server = make_server(DOCS.parent, port)
    except OSError as error:
        say(f"cannot listen on 127.0.0.1:{port} ({error.strerror}); choose another with --port")
        raise typer.Exit(1) from None
    typer.echo(f"serving the docs at http://127.0.0.1:{server.server_port}/asyncapi/index.html (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
