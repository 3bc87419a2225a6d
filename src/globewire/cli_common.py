"""Options and helpers shared by every CLI command (each feature's commands.py uses these)."""

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
    Optional[Path],
    typer.Option("--db", help="SQLite database file (default: <data_dir>/globewire.db, or GLOBEWIRE_DATABASE_URL)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
BenchOutOption = Annotated[
    Optional[Path], typer.Option("--out", help="Where to write the JSON results (default: bench-results/<name>.json).")
]


def settings_for(db: Path | None = None, **overrides: Any) -> Settings:
    """Effective settings with CLI flags applied (``--db`` wins over GLOBEWIRE_DATABASE_URL)."""
    if db is not None:
        overrides["database_url"] = f"sqlite:///{db.expanduser().resolve()}"
    return load_settings(**overrides)


def open_store(settings: Settings):  # -> Store (imported lazily: keeps `globewire --help` fast)
    from globewire.store import open_store as _open

    return _open(settings.resolved_database_url)


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
