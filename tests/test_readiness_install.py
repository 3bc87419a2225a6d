"""A new user's first minutes, for real: the README's first command's install part, exactly as written,
with Debian's ``/usr/bin/python3`` in an empty HOME (PEP 668 forbids installing into that python); then,
from what it installed (the default dependencies only — no torch, no transformers), translation models
from a loopback model hub and an article translated and shown on its page.

Slow (a fresh virtualenv, ~30 s from the local wheel caches): ``.ci/run`` runs this file in its own step.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e_helpers import free_port
from tests.ingest_pages import PAGES, page_html
from tests.model_hub import ModelHub
from tests.test_readme_commands import readme_commands
from tests.test_translate_hub import PUBLISHED, published_model  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")
INSTALL_SECONDS = 900


def install_part(command: str) -> tuple[str, str]:
    """(install part, path of the installed globewire) of ``<install> && <venv>/bin/globewire run``."""
    head, sep, tail = command.rpartition(" && ")
    assert sep and tail.endswith("globewire run"), f"the first command does not end by running globewire: {command}"
    return head, tail[: -len(" run")]


def _clean_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("PIP_")}
    env["HOME"] = str(home)
    env.update(extra or {})
    return env


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not DEBIAN_PYTHON.is_file():
        pytest.skip("no Debian /usr/bin/python3 on this machine")
    root = tmp_path_factory.mktemp("first-run")
    home, checkout, shim = root / "home", root / "globewire", root / "bin"
    home.mkdir()
    shim.mkdir()
    (shim / "python3").symlink_to(DEBIAN_PYTHON)  # `python3` in the command is the system one
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    for f in files:  # a checkout of the working tree, as a user would have cloned it
        src = REPO / f
        if src.is_file():
            (checkout / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, checkout / f)
    command = readme_commands()[0]
    install, exe = install_part(command)
    env = _clean_env(home, {"PATH": f"{shim}:/usr/bin:/bin"})
    r = subprocess.run(["bash", "-c", install], cwd=checkout, env=env, capture_output=True, text=True,
                       timeout=INSTALL_SECONDS)
    assert r.returncode == 0, f"`{install}` failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    globewire = Path(exe.replace("~", str(home), 1))
    assert globewire.is_file(), f"{install} did not install {globewire}"
    return {"home": home, "globewire": globewire, "root": root}


def test_readme_first_command_installs_with_debian_python(installed: dict[str, Path]) -> None:
    r = subprocess.run([str(installed["globewire"]), "--help"], env=_clean_env(installed["home"]),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "crawl" in r.stdout and "models" in r.stdout, r.stderr
    # It is a virtualenv of Debian's python, not the system site-packages.
    python = installed["globewire"].parent / "python"
    out = subprocess.run([str(python), "-c", "import sys; print(sys.base_prefix, sys.prefix)"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "/usr" and out[1] != "/usr"


def test_only_default_dependencies_are_installed(installed: dict[str, Path]) -> None:
    python = installed["globewire"].parent / "python"
    probe = ("import importlib.util as u; "
             "print([m for m in ('torch', 'transformers', 'psycopg', 'celery') if u.find_spec(m)]); "
             "print(bool(u.find_spec('huggingface_hub')), bool(u.find_spec('ctranslate2')))")
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "True True"


def test_install_without_ensurepip_bootstraps_pip(tmp_path: Path, installed: dict[str, Path]) -> None:
    """Debian's python3 without the python3-venv package: the venv is made without pip, pip comes from PyPI."""
    checkout = installed["root"] / "globewire"
    r = subprocess.run([str(DEBIAN_PYTHON), "install.py", "--venv", str(tmp_path / "venv"), "--no-ensurepip"],
                       cwd=checkout, env=_clean_env(tmp_path), capture_output=True, text=True, timeout=INSTALL_SECONDS)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "no ensurepip" in r.stdout
    h = subprocess.run([str(tmp_path / "venv" / "bin" / "globewire"), "--help"], capture_output=True, text=True)
    assert h.returncode == 0


def _run(installed: dict[str, Path], env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed["globewire"]), *args], env=env, capture_output=True, text=True, timeout=300)


def _user_errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("globewire: ")]


@pytest.fixture
def user_env(tmp_path: Path, installed: dict[str, Path]) -> Iterator[dict[str, str]]:
    env = _clean_env(installed["home"], {
        "GLOBEWIRE_DATA_DIR": str(tmp_path / "data"),
        "GLOBEWIRE_CONFIG": str(tmp_path / "globewire.toml"),
        "GLOBEWIRE_WORKERS": "1",
        "GLOBEWIRE_TRANSLATE__BEAM_SIZE": "1",
        "HF_HOME": str(tmp_path / "hf-home"),
    })
    yield env


def test_models_pull_offline_and_not_found_are_one_line(installed: dict[str, Path], user_env: dict[str, str]) -> None:
    env = dict(user_env, HF_ENDPOINT=f"http://127.0.0.1:{free_port()}")
    r = _run(installed, env, "models", "pull", "de")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    [line] = _user_errors(r.stderr)
    assert "the model hub is unreachable" in line
    with ModelHub() as hub:  # reachable, but has neither the conversion nor the original
        env = dict(user_env, HF_ENDPOINT=hub.url, GLOBEWIRE_TRANSLATE__FALLBACK_MODEL="")
        r = _run(installed, env, "models", "pull", "de")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    [line] = _user_errors(r.stderr)
    assert "Helsinki-NLP/opus-mt-de-en is not on the hub" in line


def test_translation_after_a_plain_install(tmp_path: Path, installed: dict[str, Path], user_env: dict[str, str],
                                           published_model: Path) -> None:  # noqa: F811
    lang, url, title, paras = PAGES["de-bahn.html"]
    page = tmp_path / "bahn.html"
    page.write_text(page_html(lang, url, title, paras), encoding="utf-8")
    db = tmp_path / "news.db"
    offline = dict(user_env, HF_ENDPOINT=f"http://127.0.0.1:{free_port()}")
    r = _run(installed, offline, "ingest", str(page), "--db", str(db))
    assert r.returncode == 0, r.stderr
    with ModelHub() as hub:
        repo = hub.add(PUBLISHED, published_model)
        env = dict(user_env, HF_ENDPOINT=hub.url)
        r = _run(installed, env, "models", "pull", "de")
        assert r.returncode == 0, r.stderr
        assert ("GET", f"/{PUBLISHED}/resolve/{repo.sha}/model.bin") in hub.requests
    assert "Helsinki-NLP/opus-mt-de-en" in r.stdout
    r = _run(installed, env, "translate", "--db", str(db), "--redo", "--json")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as c:
        [(article_id,)] = c.execute("SELECT id FROM articles").fetchall()
        [(status, title_en)] = c.execute("SELECT status, title_en FROM translations WHERE article_id = ?",
                                         (article_id,)).fetchall()
    assert status == "done" and title_en
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([str(installed["globewire"]), "serve", "--db", str(db), "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page_resp = httpx.get(f"http://127.0.0.1:{port}/article/{article_id}", timeout=5)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
    assert page_resp.status_code == 200
    import html

    assert html.escape(title_en, quote=False) in page_resp.text or title_en in page_resp.text
