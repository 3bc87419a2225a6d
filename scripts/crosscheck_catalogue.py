"""Cross-check the shipped catalogue against maintained public feed lists and record the result.

    python scripts/crosscheck_catalogue.py REFERENCES_DIR [--write]

For every feed of every shipped outlet it records ``verified`` (reference | cms | unverified) and
its ``evidence`` in the outlet's line (see ``globewire/sources/verify.py``). Where a reference
knows an outlet's feeds, feeds it does not confirm are guesses: they are replaced by the
reference's own (confirmed feeds kept; otherwise up to ``MAX_REFERENCE_RSS`` reference RSS
feeds, else one news sitemap, else one sitemap). Without ``--write`` it only prints what it would
change. Outlets the lists have for countries with fewer than five outlets are printed as
candidates; they are added by hand, with their languages and ownership checked.

A maintenance tool for contributors: globewire never reads the reference lists at run time.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

from globewire.sources.catalogue import _load_shipped, shipped_data_dir
from globewire.sources.userfile import toml_value
from globewire.sources.verify import (
    classify,
    crosscheck,
    load_references,
    reference_feeds_for,
    shared_hosts_of,
    url_key,
)

MAX_REFERENCE_RSS = 2


def feed_table(url: str, *, kind: str = "rss", section: str = "", verified: str, evidence: str) -> dict[str, Any]:
    t: dict[str, Any] = {"url": url}
    if kind != "rss":
        t["kind"] = kind
    if section and section != "sitemap":
        t["section"] = section
    t["verified"] = verified
    if evidence:
        t["evidence"] = evidence
    return t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("references", type=Path)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()

    refs = load_references(args.references)
    data_dir = Path(shipped_data_dir())
    outlets, _ = _load_shipped(str(data_dir))
    by_id = {o.id: o for o in outlets}
    shared = shared_hosts_of(outlets)
    used = {url_key(f.url): o.id for o in outlets for f in o.feeds}
    replaced = 0
    for path in sorted(data_dir.glob("*.toml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out: list[str] = []
        changed = False
        for line in lines:
            stripped = line.strip()
            if not stripped.startswith("{ id ="):
                out.append(line)
                continue
            body = stripped[: stripped.rindex("}") + 1]
            raw = tomllib.loads("o = " + body)["o"]
            outlet = by_id[raw["id"]]
            known = reference_feeds_for(outlet, refs, shared_hosts=shared)
            tables: list[dict[str, Any]] = []
            for f in outlet.feeds:
                status, evidence = classify(f.url, refs)
                if known and status != "reference":
                    print(f"{outlet.id}: drop guessed {f.url} (a reference knows this outlet's feeds)")
                    replaced += 1
                    used.pop(url_key(f.url), None)
                    continue
                tables.append(feed_table(f.url, kind=f.kind, section=f.section, verified=status, evidence=evidence))
            if known and not tables:
                rss = [r for r in known if r.kind == "rss" and url_key(r.url) not in used][:MAX_REFERENCE_RSS]
                pick = rss or [r for r in known if url_key(r.url) not in used][:1]
                for r in pick:
                    kind = "rss" if r.kind == "rss" else "sitemap"
                    tables.append(feed_table(r.url, kind=kind, verified="reference", evidence=r.source))
                    used[url_key(r.url)] = outlet.id
                    print(f"{outlet.id}: add {r.url} ({r.kind}, from {r.source})")
            if not tables:
                raise SystemExit(f"{outlet.id}: would be left without a feed")
            raw.pop("sitemap", None)
            raw["feeds"] = tables
            indent = line[: len(line) - len(line.lstrip())]
            new = f"{indent}{toml_value(raw)},\n"
            if new != line:
                changed = True
            out.append(new)
        if changed and args.write:
            path.write_text("".join(out), encoding="utf-8")
    outlets, _ = _load_shipped(str(data_dir))
    check = crosscheck(outlets, refs)
    print(f"replaced {replaced} guessed feeds; contradicted now: {len(check.contradicted)}")
    for p in check.missing:
        print(f"candidate for {p.country}: {p.name} {p.homepage or ''} {[f.url for f in p.feeds]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
