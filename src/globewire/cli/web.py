"""CLI of the web feature: `globewire serve` and `globewire bench api` (the server itself: globewire.web.server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from globewire.cli.common import (
    BenchOutOption,
    DbOption,
    bench_app,
    console,
    print_table,
    settings_for,
    write_bench_json,
)
from globewire.web.server import serve


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
        serve(settings, settings.resolved_database_url, host=h, port=p)

    @bench_app.command("api")
    def bench_api(
        articles: Annotated[int, typer.Option("--articles", help="Synthetic articles to generate.")] = 100_000,
        stories: Annotated[int, typer.Option("--stories", help="Synthetic stories to generate.")] = 20_000,
        requests: Annotated[int, typer.Option("--requests", help="Requests per endpoint.")] = 400,
        concurrency: Annotated[int, typer.Option("--concurrency", help="Concurrent clients.")] = 4,
        db: Annotated[Path | None, typer.Option("--db", help="Reuse/create the synthetic DB here.")] = None,
        out: BenchOutOption = None,
    ) -> None:
        """Latency (p50/p99) of pages and API list calls under concurrent load on a synthetic store."""
        from globewire.bench.api import run_api_bench

        res = run_api_bench(articles=articles, stories=stories, requests=requests, concurrency=concurrency,
                            db_path=db)
        rows = [[name, r["p50_ms"], r["p99_ms"], r["goal_ms"], "ok" if r["p99_ms"] <= r["goal_ms"] else "MISS",
                 r["server_p50_ms"], r["server_p99_ms"], r["errors"], r["bytes"]]
                for name, r in res["endpoints"].items()]
        print_table(f"api: {res['articles']} articles, {res['stories']} stories, {res['concurrency']} clients, "
                    f"load average before {res['load_average_before']}",
                    ["endpoint", "p50 ms", "p99 ms", "goal p99", "", "server p50", "server p99", "errors", "bytes"],
                    rows)
        console.print(f"home page transfer: {res['home_bytes_total']} bytes (goal <= {res['home_bytes_goal']})")
        path = write_bench_json("api", res, out)
        console.print(f"wrote {path}")
