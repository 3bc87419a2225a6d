"""Install globewire from this checkout into its own virtual environment, with nothing but python3.

    python3 install.py                      # ~/.globewire (override: --venv DIR or $GLOBEWIRE_VENV)
    python3 install.py --venv .venv --test  # + torch (CPU) first, then the test extra, editable

Why a script and not ``pip install .``: the system python3 of current Debian/Ubuntu and Homebrew refuses
installs into itself (PEP 668, "externally-managed-environment"), and Debian's python3 lacks ``ensurepip``
unless the python3-venv package is installed, so ``python3 -m venv`` alone fails there. This script makes
the virtual environment; when ensurepip is missing it makes it without pip and bootstraps pip from its
wheel on PyPI (the wheel's sha256 is checked against PyPI's JSON API). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

MIN_PYTHON = (3, 11)
HERE = Path(__file__).resolve().parent
# torch must come first, pinned, so the CPU build is the one installed (the test extra needs it).
TORCH = "torch==2.13.0"
PYPI_PIP_JSON = "https://pypi.org/pypi/pip/json"


def _say(msg: str) -> None:
    print(f"install.py: {msg}", flush=True)


def _has_ensurepip() -> bool:
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        return False
    return True


def _venv_python(root: Path) -> Path:
    return root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _bootstrap_pip(python: Path) -> None:
    """Install pip into a venv made without it: pip's own wheel from PyPI runs as a zip app."""
    _say("this python3 has no ensurepip (Debian without python3-venv): fetching pip's wheel from PyPI")
    with urllib.request.urlopen(PYPI_PIP_JSON, timeout=60) as r:  # noqa: S310 - fixed https URL
        meta = json.load(r)
    wheel = next(u for u in meta["urls"] if u["packagetype"] == "bdist_wheel" and u["filename"].endswith("-none-any.whl"))
    with tempfile.TemporaryDirectory(prefix="gw-pip-") as tmp:
        path = Path(tmp) / wheel["filename"]
        url = urllib.parse.urljoin(PYPI_PIP_JSON, wheel["url"])  # a mirror may answer with relative URLs
        with urllib.request.urlopen(url, timeout=120) as r:  # noqa: S310
            path.write_bytes(r.read())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != wheel["digests"]["sha256"]:
            raise SystemExit(f"install.py: pip wheel checksum mismatch ({digest} != {wheel['digests']['sha256']})")
        subprocess.run([str(python), str(path / "pip"), "install", "-q", str(path)], check=True)


def make_venv(root: Path, *, force_no_ensurepip: bool = False) -> Path:
    python = _venv_python(root)
    if python.exists():
        _say(f"using the virtual environment {root}")
        return python
    with_pip = _has_ensurepip() and not force_no_ensurepip
    _say(f"creating the virtual environment {root}")
    if with_pip:
        try:
            venv.EnvBuilder(with_pip=True, upgrade_deps=False).create(root)
            return python
        except (subprocess.CalledProcessError, SystemExit, OSError) as exc:  # ensurepip there but broken
            _say(f"ensurepip failed ({exc}); making the environment without it")
            shutil.rmtree(root, ignore_errors=True)
    venv.EnvBuilder(with_pip=False, upgrade_deps=False).create(root)
    _bootstrap_pip(python)
    return python


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--venv", default=os.environ.get("GLOBEWIRE_VENV", "~/.globewire"),
                    help="virtual environment to create or reuse (default ~/.globewire, or $GLOBEWIRE_VENV)")
    ap.add_argument("--test", action="store_true", help="install torch (CPU) and the test extra, editable")
    ap.add_argument("--extras", default="", help="extras to add, comma-separated (e.g. scale,convert)")
    ap.add_argument("--no-ensurepip", action="store_true", help=argparse.SUPPRESS)  # exercises the fallback
    args = ap.parse_args(argv)
    if sys.version_info < MIN_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        _say(f"globewire needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; {sys.executable} is {found}")
        return 2
    root = Path(os.path.expanduser(args.venv)).resolve()
    python = make_venv(root, force_no_ensurepip=args.no_ensurepip)
    pip = [str(python), "-m", "pip", "install", "-q"]
    extras = [e for e in args.extras.split(",") if e.strip()]
    if args.test:
        extras.append("test")
        _say(f"installing {TORCH} first (the CPU build)")
        subprocess.run([*pip, TORCH], check=True)
    target = f"{HERE}[{','.join(extras)}]" if extras else str(HERE)
    _say(f"installing globewire from {HERE}")
    subprocess.run([*pip, *(["-e"] if args.test else []), target], check=True)
    exe = root / ("Scripts/globewire.exe" if os.name == "nt" else "bin/globewire")
    _say(f"done: {exe}")
    if shutil.which("globewire") != str(exe):
        _say(f"run it as {exe} (or add {exe.parent} to PATH)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
