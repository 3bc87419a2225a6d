"""The README's first two commands: the ones a new user copies. `.ci/run` must run the second exactly as
written, and neither may install into the system python (PEP 668 refuses it on Debian/Ubuntu/Homebrew)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [m.strip() for m in re.findall(r"```sh\n(.+?)\n```", text, re.S)[:2]]


def test_first_two_commands_are_one_line_each_and_come_first() -> None:
    first, second = readme_commands()
    assert "\n" not in first and "\n" not in second
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.index(first) < text.index("## ")  # at the top, before any section
    assert first.endswith("globewire run") and "pytest" in second


def test_no_command_pip_installs_into_the_system_python() -> None:
    for cmd in readme_commands():
        for part in cmd.split("&&"):
            part = part.strip()
            assert not re.match(r"^(sudo\s+)?(python3?|pip3?)\b.*\bpip\b.*\binstall\b", part), part
            assert not part.startswith(("pip ", "pip3 ")), part


def test_ci_runs_the_readme_test_command_as_written() -> None:
    _, second = readme_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert second in [line.strip() for line in ci.splitlines()]
    assert "tests/test_readiness_install.py" in ci and "-m slow" in ci  # the install tests run in CI too
