"""`globewire serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from globewire.cli.common import DbOption, console, settings_for


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        db: DbOption = None,
        host: Annotated[str | None, typer.Option("--host", help="Address to bind (default: web.host).")] = None,
        port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default: web.port).")] = None,
    ) -> None:
        """Serve the web site, the JSON API and the feeds."""
        settings = settings_for(db)
        h = host or settings.web.host
        p = port or settings.web.port
        console.print(f"globewire serving on http://{h}:{p}/")
        from globewire.web.serve import serve

        serve(settings, settings.resolved_database_url, host=h, port=p)

