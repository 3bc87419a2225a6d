"""Serving the site: ``serve()`` (`globewire serve`) and ``serve_in_thread()`` (`globewire run`, next to the
crawler)."""

from __future__ import annotations

from typing import Any

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
