"""Settings precedence (defaults < TOML < env < flags) and `globewire config`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from globewire.cli import app
from globewire.settings import describe, load_settings

runner = CliRunner()


def test_defaults_toml_env_and_flags(tmp_path, monkeypatch):
    assert load_settings().fetch.min_host_delay == 1.0
    cfg = tmp_path / "globewire.toml"
    cfg.write_text('crawl_interval_minutes = 5\n[fetch]\nmin_host_delay = 2.5\nmax_redirects = 3\n')
    monkeypatch.setenv("GLOBEWIRE_CONFIG", str(cfg))
    s = load_settings()
    assert (s.fetch.min_host_delay, s.fetch.max_redirects, s.crawl_interval_minutes) == (2.5, 3, 5)
    monkeypatch.setenv("GLOBEWIRE_FETCH__MIN_HOST_DELAY", "4")
    monkeypatch.setenv("GLOBEWIRE_CRAWL_INTERVAL_MINUTES", "7")
    s = load_settings()
    assert (s.fetch.min_host_delay, s.fetch.max_redirects, s.crawl_interval_minutes) == (4.0, 3, 7)
    assert load_settings(crawl_interval_minutes=9).crawl_interval_minutes == 9


def test_every_setting_has_help_and_an_env_var():
    rows = describe()
    assert len(rows) > 20
    for name, env, text in rows:
        assert env.startswith("GLOBEWIRE_") and text, name


def test_config_command_prints_effective_settings(tmp_path):
    db = tmp_path / "x.db"
    res = runner.invoke(app, ["config", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["resolved_database_url"] == f"sqlite:///{db.resolve()}"
    assert data["fetch"]["min_host_delay"] == 1.0
    res = runner.invoke(app, ["config", "--help-settings", "--json"])
    assert any(r["env"] == "GLOBEWIRE_FETCH__MIN_HOST_DELAY" for r in json.loads(res.stdout))
    res = runner.invoke(app, ["config"])
    assert res.exit_code == 0 and "[fetch]" in res.stdout


def test_db_check_and_stats_on_a_fresh_db(tmp_path):
    db = tmp_path / "fresh.db"
    assert runner.invoke(app, ["db", "migrate", "--db", str(db)]).exit_code == 0
    res = runner.invoke(app, ["db", "check", "--db", str(db)])
    assert res.exit_code == 0 and "ok" in res.stdout
    res = runner.invoke(app, ["stats", "--db", str(db), "--json"])
    assert json.loads(res.stdout)["articles"] == 0
