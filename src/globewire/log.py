"""Structured logging (structlog): key=value on a console, one JSON object per line with log_format=json."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(level: str = "INFO", fmt: str = "console") -> None:
    lvl = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(level=lvl, stream=sys.stderr, format="%(message)s")
    # Third-party HTTP clients log every request at INFO (e.g. each model file downloaded from the hub).
    for chatty in ("httpx", "httpcore", "httpx2"):
        logging.getLogger(chatty).setLevel(max(lvl, logging.WARNING))
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(lvl),
        # Look stderr up at every call: a captured stream (pytest, daemonised runs) may be replaced later.
        logger_factory=lambda *args: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )


def ensure_configured() -> None:
    """Library use without the CLI: log to stderr (never stdout, which belongs to command output)."""
    if not structlog.is_configured():
        configure()


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    ensure_configured()
    return structlog.get_logger(name)
