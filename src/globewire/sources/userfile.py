"""Edit the user catalogue file in place, one line per change, keeping the user's comments.

The file is re-validated before it is written; an edit that would make it invalid raises
:class:`~globewire.sources.catalogue.CatalogueError` and leaves the file untouched.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from globewire.sources.catalogue import CatalogueError, parse_catalogue_text

TEMPLATE = """\
# globewire user catalogue: same format as the shipped files (one outlet per line).
# Outlets here add to the shipped catalogue; an outlet with a shipped outlet's id replaces it;
# ids listed in `disabled` are not crawled. Each outlet names its own `country`.
disabled = []
outlets = [
]
"""

# Key order of a written outlet line (the order the shipped files use).
KEY_ORDER = ("id", "name", "country", "homepage", "languages", "ownership", "ownership_source", "wire", "enabled",
             "feeds", "sitemap", "rules")


def toml_value(v: Any) -> str:
    """A TOML inline value. JSON string escapes are valid TOML basic-string escapes."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def outlet_line(outlet: dict[str, Any]) -> str:
    ordered = {k: outlet[k] for k in KEY_ORDER if k in outlet}
    ordered.update({k: v for k, v in outlet.items() if k not in ordered})
    return toml_value(ordered)


def read_or_template(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else TEMPLATE


def _write_validated(path: Path, text: str) -> None:
    parse_catalogue_text(text, path, user_file=True)  # raises CatalogueError with file:line
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def append_outlets(path: Path, outlets: Iterable[dict[str, Any]]) -> int:
    """Append outlets (dicts in the file format) to the user file; returns how many."""
    outlets = list(outlets)
    new = [outlet_line(o) for o in outlets]
    if not new:
        return 0
    text = read_or_template(path)
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if re.match(r"^\s*outlets\s*=\s*\[", ln)), None)
    if start is not None:
        close: int | None = None
        first = lines[start].split("#", 1)[0]
        inner = first.split("[", 1)[1].strip()
        if inner.endswith("]"):
            # `outlets = []` or a one-line array: reopen it over several lines.
            inner = inner[:-1].strip().rstrip(",")
            lines[start : start + 1] = [first.split("[", 1)[0] + "["] + ([f"  {inner},"] if inner else []) + ["]"]
            close = start + (2 if inner else 1)
        else:
            # Outlet entries start with "{" and comments with "#": the array ends on a line starting "]".
            close = next((i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("]")), None)
        if close is None:
            raise CatalogueError(path, start + 1, "cannot find the end of the `outlets = [` array")
        prev = close - 1
        while prev > start and not lines[prev].strip().startswith("{"):
            prev -= 1
        if prev > start:
            # The last entry needs a trailing comma before ours (a comment may follow the "}").
            m = re.match(r"^(.*\})(\s*,?)(\s*#.*)?$", lines[prev])
            if m and "," not in m.group(2):
                lines[prev] = m.group(1) + "," + (m.group(3) or "")
        lines[close:close] = [f"  {line}," for line in new]
    elif re.search(r"(?m)^\s*\[\[outlets\]\]", text):
        for o in outlets:
            lines.append("")
            lines.append("[[outlets]]")
            lines.extend(f"{_key(k)} = {toml_value(v)}" for k, v in o.items())
    else:
        lines.append("outlets = [")
        lines.extend(f"  {line}," for line in new)
        lines.append("]")
    _write_validated(path, "\n".join(lines) + "\n")
    return len(new)


def disable_outlet(path: Path, outlet_id: str) -> bool:
    """Add ``outlet_id`` to ``disabled``; False when it was already there."""
    text = read_or_template(path)
    try:
        current = list(tomllib.loads(text).get("disabled", []))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(path, None, f"invalid TOML: {exc}") from None
    if outlet_id in current:
        return False
    current.append(outlet_id)
    new_line = f"disabled = {toml_value(current)}"
    lines = text.splitlines()
    idx = next((i for i, ln in enumerate(lines) if re.match(r"^\s*disabled\s*=", ln)), None)
    if idx is not None:
        m = re.match(r"^\s*disabled\s*=\s*\[.*\](\s*#.*)?$", lines[idx])
        if not m:
            raise CatalogueError(path, idx + 1, "`disabled` must be written on one line to be edited")
        lines[idx] = new_line + (m.group(1) or "")
    else:
        # Top-level keys must come before any [table]; put it before the first table or outlets.
        first = next(
            (i for i, ln in enumerate(lines) if re.match(r"^\s*(\[|outlets\s*=)", ln)),
            len(lines),
        )
        lines.insert(first, new_line)
    _write_validated(path, "\n".join(lines) + "\n")
    return True
