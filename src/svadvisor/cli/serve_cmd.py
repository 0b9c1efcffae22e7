"""`svadvisor serve`: the advisor as a local web page."""

from __future__ import annotations

import socket
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from svadvisor.cli.common import (
    CasesOption,
    RulesOption,
    fail,
    library_for_assessment,
    load,
    user_errors,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@user_errors
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on (loopback by default).")
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")
    ] = DEFAULT_PORT,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser.")
    ] = False,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            metavar="FILE",
            help="A YAML file with the council's name and logo, the upload limit and the "
            "host names a reverse proxy passes on.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    cases: CasesOption = None,
) -> None:
    """Start the web app: assess a service, score a pipeline, read the guides.

    It listens on 127.0.0.1:8765 unless told otherwise, and keeps no answers: they live
    in the page. Stop it with Ctrl+C.
    """
    import uvicorn

    from svadvisor.web.app import create_app
    from svadvisor.web.secret import load_secret
    from svadvisor.web.security import is_loopback
    from svadvisor.web.settings import read_settings

    settings = read_settings(settings_file)
    pack = load(ctx, rules)
    library = library_for_assessment(ctx, cases, pack)
    app = create_app(pack, library, secret=load_secret(), settings=settings, bound_host=host)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    if not is_loopback(host):
        typer.echo(
            f"Warning: listening on {host}, not loopback: other computers on the network can "
            "reach this page. svadvisor has no sign-in of its own; put it behind the "
            "council's own sign-in (a reverse proxy) before sharing it.",
            err=True,
        )
    listening = _listen(host, port)
    typer.echo(f"svadvisor is at {url} (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", server_header=False))
    server.run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """Bind the address before saying where the page is: a port in use is one clear
    error, and the page answers as soon as the address is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, so that asyncio sets TCP_NODELAY on each connection (it looks
    # at the socket's protocol): with 0, Nagle's algorithm held every response ~40 ms
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listening.listen(128)
    return listening
