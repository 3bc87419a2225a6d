"""The shape of the code, measured from the source (docs/architecture.md).

* Imports run one way: a unit imports only units of its own or a lower layer. The arrows that
  still run upward are listed in ``KNOWN_BACK_ARROWS`` with the reason; a new one fails, and so
  does a listed one that has gone (take it off the list: the map stays true).
* Nothing but the CLI imports the CLI, and only the CLI imports the benchmarks (they stay outside the
  runtime import graph).
* No import cycle between modules beyond ``KNOWN_CYCLES`` (same ratchet).
* SQL lives in ``store/`` only: ``KNOWN_SQL_OUTSIDE_STORE`` is empty, and a statement anywhere else fails
  (the list stays as the ratchet's mechanism, should a file ever have to be listed with a reason).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "globewire"

# Lowest first. A unit is a top-level module or package of globewire (``cli`` is the package of every command).
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("base", frozenset({"globewire", "log", "records", "urls", "plugins", "textnorm", "validate", "headline",
                        "naming", "config"})),
    ("infrastructure", frozenset({"fetch", "store", "language", "settings", "workers"})),
    ("stages", frozenset({"feeds", "extract", "dedup", "sources", "clustering", "stories", "translate"})),
    ("orchestration", frozenset({"pipeline", "crawl", "ingest", "progress"})),
    ("fleet", frozenset({"scale"})),
    ("surfaces", frozenset({"web", "cli", "bench"})),
)

# Upward arrows that exist today, each with why; shrink this list, never grow it (none left: keep it that way).
KNOWN_BACK_ARROWS: dict[tuple[str, str], str] = {}

KNOWN_CYCLES: dict[frozenset[str], str] = {}  # none left: keep it that way

SQL = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX))", re.I)

KNOWN_SQL_OUTSIDE_STORE: dict[str, int] = {}


def _modname(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules(src: Path = SRC) -> dict[str, Path]:
    return {_modname(p, src): p for p in (src / "globewire").rglob("*.py")}


def _resolve(name: str, mods: dict[str, Path]) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """Module -> globewire modules it imports (any import, lazy ones included; TYPE_CHECKING ones too)."""
    mods = _modules(src)
    edges: dict[str, set[str]] = defaultdict(set)
    for mod, path in mods.items():
        pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")
                    if node.level > 1:
                        base = base[: -(node.level - 1)]
                    head = ".".join(base) + (f".{node.module}" if node.module else "")
                else:
                    head = node.module or ""
                names = [head] + [f"{head}.{a.name}" for a in node.names]
            for name in names:
                if name.startswith("globewire"):
                    target = _resolve(name, mods)
                    if target and target != mod:
                        edges[mod].add(target)
    return edges


def unit_of(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "globewire"


def layer_of(unit: str) -> int:
    for i, (_, units) in enumerate(LAYERS):
        if unit in units:
            return i
    raise AssertionError(f"unit {unit!r} has no layer: add it to LAYERS here and to docs/architecture.md")


def back_arrows(root: Path = SRC) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for src, targets in import_graph(root).items():
        for dst in targets:
            a, b = unit_of(src), unit_of(dst)
            if a != b and layer_of(a) < layer_of(b):
                out[(a, b)].append(f"{src} -> {dst}")
    return out


def cycles(root: Path = SRC) -> list[frozenset[str]]:
    edges = import_graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[frozenset[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(frozenset(comp))

    for v in list(_modules(root)):
        if v not in index:
            strong(v)
    return found


def sql_outside_store(root: Path = SRC) -> dict[str, int]:
    out: dict[str, int] = {}
    pkg = root / "globewire"
    for path in pkg.rglob("*.py"):
        rel = path.relative_to(pkg).as_posix()
        if rel.startswith("store/"):
            continue
        n = 0
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstring = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                # an f-string is read with each placeholder as a word: f"SELECT {COLS} FROM t" is SQL
                text = "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "x"
                               for v in node.values)
                n += bool(SQL.search(text))
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstring
                  and SQL.search(node.value)):
                n += 1
        if n:
            out[rel] = n
    return out


def test_every_unit_has_a_layer() -> None:
    for mod in _modules():
        layer_of(unit_of(mod))


def test_imports_run_one_way() -> None:
    found = back_arrows()
    new = {k: v for k, v in found.items() if k not in KNOWN_BACK_ARROWS}
    assert not new, f"imports running up the layers (docs/architecture.md): {dict(new)}"
    gone = sorted(set(KNOWN_BACK_ARROWS) - set(found))
    assert not gone, f"these back-arrows are gone: take them off KNOWN_BACK_ARROWS and the doc: {gone}"


def imports_of_cli_or_bench(root: Path = SRC) -> list[str]:
    """Imports of ``cli`` from outside it, and of ``bench`` from outside ``cli`` and ``bench``."""
    allowed = {"cli": ("cli",), "bench": ("cli", "bench")}
    return sorted(f"{src} -> {dst}" for src, targets in import_graph(root).items() for dst in targets
                  if unit_of(dst) in allowed and unit_of(src) not in allowed[unit_of(dst)])


def test_features_never_import_cli_or_bench() -> None:
    bad = imports_of_cli_or_bench()
    assert not bad, f"only the cli may import the benchmarks, and nothing but the cli imports the cli: {bad}"


def test_no_new_import_cycles() -> None:
    found = set(cycles())
    new = [sorted(c) for c in found if c not in KNOWN_CYCLES]
    assert not new, f"new import cycles: {new}"
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert not gone, f"these cycles are gone: take them off KNOWN_CYCLES and the doc: {gone}"


def test_sql_stays_in_store() -> None:
    found = sql_outside_store()
    grown = {f: n for f, n in found.items() if n > KNOWN_SQL_OUTSIDE_STORE.get(f, 0)}
    assert not grown, f"SQL outside store/ (move it behind a store method): {grown}"
    shrunk = {f: (KNOWN_SQL_OUTSIDE_STORE[f], found.get(f, 0)) for f in KNOWN_SQL_OUTSIDE_STORE
              if found.get(f, 0) < KNOWN_SQL_OUTSIDE_STORE[f]}
    assert not shrunk, f"less SQL outside store/ than listed: lower KNOWN_SQL_OUTSIDE_STORE: {shrunk}"


def test_the_checks_see_planted_violations(tmp_path: Path) -> None:
    """On a small tree with an upward import, a cycle, SQL outside store/ and imports of the cli and the
    benchmarks from outside, every check fires."""
    pkg = tmp_path / "globewire"
    for sub in ("web", "store", "bench", "cli"):
        (pkg / sub).mkdir(parents=True)
    files = {
        "__init__.py": "",
        "records.py": "from globewire.web import app\n",  # base -> surfaces
        "web/__init__.py": "",
        "web/app.py": "from globewire.web.routes import x\nQ = 'SELECT id FROM articles'\n",
        "web/routes.py": "from .app import Q\nx = 1\nC = 'id'\nR = f\"SELECT {C} FROM t WHERE {C} = 1\"\n",  # a cycle; SQL in an f-string
        "store/__init__.py": "Q = 'DELETE FROM articles'\n",
        "web/serve.py": "from globewire.bench import x\n",  # a feature importing the benchmarks
        "bench/__init__.py": "from globewire.cli.common import y\nx = 1\n",  # the benchmarks importing the cli
        "cli/__init__.py": "from globewire.bench import x\n",  # allowed
        "cli/common.py": "y = 1\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")
    assert set(back_arrows(tmp_path)) == {("records", "web")}
    assert cycles(tmp_path) == [frozenset({"globewire.web.app", "globewire.web.routes"})]
    assert sql_outside_store(tmp_path) == {"web/app.py": 1, "web/routes.py": 1}
    assert imports_of_cli_or_bench(tmp_path) == ["globewire.bench -> globewire.cli.common",
                                                 "globewire.web.serve -> globewire.bench"]


def unit_graph() -> dict[str, dict[str, int]]:
    """Unit -> unit -> number of module imports behind that arrow."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for src, targets in import_graph().items():
        for dst in targets:
            a, b = unit_of(src), unit_of(dst)
            if a != b:
                out[a][b] += 1
    return out


def mermaid() -> str:
    """The unit import map as a Mermaid flowchart, layers as subgraphs, back-arrows dashed. Arrows into the
    base layer (records, log, urls, plugins: everyone may use them) are left out to keep it readable."""
    lines = ["flowchart BT"]
    graph = unit_graph()
    used = set(graph) | {b for targets in graph.values() for b in targets}
    for name, units in LAYERS:
        members = sorted(u for u in units if u in used)
        if members:
            lines.append(f"  subgraph {name}")
            lines.extend(f"    {u}" for u in members)
            lines.append("  end")
    for a in sorted(graph):
        for b in sorted(graph[a]):
            if layer_of(b) == 0:
                continue
            arrow = "-.->" if layer_of(a) < layer_of(b) else "-->"
            lines.append(f"  {a} {arrow} {b}")
    return "\n".join(lines)


def test_the_map_in_the_doc_is_current() -> None:
    doc = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = doc.split("```mermaid\n", 1)[1].split("```", 1)[0].strip()
    assert block == mermaid(), "regenerate the map: python -m tests.test_architecture > /tmp/map.txt"


if __name__ == "__main__":
    print(mermaid())
