"""``--db`` takes what users type (a path, sqlite:///, postgresql://, postgres://; other schemes are
errors), and a missing optional dependency ends in one line naming the extra — checked in real
subprocesses, with the optional module made unimportable by a wrapper (``sys.modules[name] = None``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from globewire.store import DatabaseURLError, database_url
from tests.test_store_contract import pg_url  # noqa: F401 - fixture

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _run(args: list[str], cwd: Path, *, block: tuple[str, ...] = (), env: dict[str, str] | None = None):
    code = (
        "import sys\n"
        + "".join(f"sys.modules[{m!r}] = None\n" for m in block)
        + "from globewire.cli import main\n"
        + f"sys.argv = ['globewire', *{args!r}]\n"
        + "main()\n"
    )
    e = dict(os.environ, PYTHONPATH=SRC, **(env or {}))
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=e, capture_output=True, text=True, timeout=120)


def test_database_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url("a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    assert database_url("sqlite:///rel.db") == f"sqlite:///{tmp_path / 'rel.db'}"
    assert database_url(f"sqlite:///{tmp_path}/x.db") == f"sqlite:///{tmp_path}/x.db"
    assert database_url(":memory:") == "sqlite:///:memory:"
    assert database_url("postgresql://u@h:5432/d") == "postgresql://u@h:5432/d"
    assert database_url("postgres://u@h/d") == "postgres://u@h/d"
    for bad in ("mysql://h/d", "http://example.org/x.db", "sqlite://relative.db", "", "postgresql://"):
        with pytest.raises(DatabaseURLError):
            database_url(bad)


def test_unknown_scheme_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    r = _run(["stats", "--db", "mysql://localhost/news"], tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "unknown database scheme 'mysql'" in r.stderr
    assert "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_path_and_sqlite_url_are_the_same_file(tmp_path: Path) -> None:
    for form in ("news.db", f"sqlite:///{tmp_path / 'news.db'}"):
        r = _run(["stats", "--db", form, "--json"], tmp_path)
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".db") == ["news.db"]


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_url_lands_in_postgres(tmp_path: Path, pg_url: str, scheme: str) -> None:  # noqa: F811
    url = pg_url.replace("postgresql://", f"{scheme}://", 1)
    r = _run(["ingest", "--db", url, str(_page(tmp_path)), "--url", "https://example.org/a", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert list(tmp_path.glob("postgres*")) == [] and not any(tmp_path.rglob("*.db"))
    import psycopg

    schema = pg_url.split("schema=")[1]
    with psycopg.connect(pg_url.split("?")[0]) as c:
        n = c.execute(f'SELECT COUNT(*) FROM "{schema}".articles').fetchone()[0]
    assert n == 1


def _page(tmp_path: Path) -> Path:
    p = tmp_path / "page.html"
    body = " ".join(["The council met on Tuesday to discuss the new budget for the city's schools."] * 8)
    p.write_text(f"<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
                 f"<p>{body}</p></article></body></html>", encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("block", "args", "env", "extra"),
    [
        (("psycopg",), ["stats", "--db", "postgresql://127.0.0.1:5432/test"], {}, "scale"),
        (("celery",), ["scheduler", "--once", "--db", "{db}"], {}, "scale"),
        (("sentence_transformers",), ["cluster", "--rebuild", "--db", "{db}"],
         {"GLOBEWIRE_STORIES__EMBEDDER": "sentence-transformers"}, "st"),
    ],
)
def test_missing_extra_is_one_line(tmp_path: Path, block: tuple[str, ...], args: list[str],
                                   env: dict[str, str], extra: str) -> None:
    args = [a.replace("{db}", str(tmp_path / "g.db")) for a in args]
    if args[0] == "cluster":  # something to embed, else the embedder is never loaded
        r0 = _run(["ingest", "--db", str(tmp_path / "g.db"), str(_page(tmp_path)), "--url", "https://example.org/a"],
                  tmp_path)
        assert r0.returncode == 0, r0.stderr
    r = _run(args, tmp_path, block=block, env=env)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert lines[-1].startswith("globewire: ") and f"pip install 'globewire[{extra}]'" in lines[-1]
    assert len([ln for ln in lines if "pip install" in ln]) == 1
