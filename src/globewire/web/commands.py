"""CLI of the web feature: `globewire serve` and `globewire bench api`; ``serve()`` for `globewire run`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from globewire.cli_common import (
    BenchOutOption,
    DbOption,
    bench_app,
    console,
    print_table,
    settings_for,
    write_bench_json,
)
from globewire.log import get_logger

log = get_logger(__name__)

STARTUP_WAIT_SECONDS = 10.0  # how long serve_in_thread waits for the socket to be bound


def build_server(settings: Any, store_url: str, *, host: str, port: int) -> Any:
    """An uvicorn Server for the app over the store at ``store_url`` (not started)."""
    import uvicorn

    from globewire.store import open_store
    from globewire.web.app import create_app

    store = open_store(store_url)
    app = create_app(store, settings, serving=True)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False,
        server_header=False, lifespan="on",
    )
    return uvicorn.Server(config)


def serve(settings: Any, store_url: str, *, host: str, port: int, **hooks: Any) -> None:
    """Serve the site until interrupted. Blocking; `globewire run` calls it in a thread next to the crawler
    (uvicorn then skips its signal handlers, which only the main thread may install). ``hooks`` are made
    available to the routes (e.g. ``recrawl=callable(outlet_id | None)``)."""
    import threading

    server = build_server(settings, store_url, host=host, port=port)
    server.config.app.state.ctx.hooks.update(hooks)
    log.info("serve", host=host, port=port, url=f"http://{host}:{port}/")
    if threading.current_thread() is not threading.main_thread():
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    server.run()


def serve_in_thread(settings: Any, store_url: str, *, host: str, port: int, **hooks: Any) -> Any:
    """Start the site in a daemon thread; returns the uvicorn Server (set ``should_exit = True`` to stop).
    Waits until the socket is bound (or the server failed) so the caller can print a working URL."""
    import threading
    import time

    server = build_server(settings, store_url, host=host, port=port)
    server.config.app.state.ctx.hooks.update(hooks)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, name="globewire-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        log.error("serve_failed", host=host, port=port)
    return server


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
