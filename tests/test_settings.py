"""Settings: every one documented, every source honoured, bad values refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tvportal.settings import DECLARED, SettingsError, load_settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def test_every_setting_is_documented():
    """docs/settings.md has a row for each declared setting (fails when one is added without docs)."""
    text = DOC.read_text(encoding="utf-8")
    missing = [s.name for s in DECLARED if f"| `{s.name}` |" not in text]
    assert missing == []


def test_defaults_give_the_embedded_portal():
    """With nothing configured the portal uses SQLite in ./tvportal-data and no central platform."""
    s = load_settings(environ={})
    assert (s.host, s.port, s.central_url) == ("127.0.0.1", 8080, "")
    assert s.database_path == Path("tvportal-data") / "tvportal.sqlite3"


def test_sources_in_order(tmp_path):
    """TOML < environment < explicit overrides."""
    cfg = tmp_path / "t.toml"
    cfg.write_text('[tvportal]\nport = 9001\nexit_url = "http://op/home"\nhost = "0.0.0.0"\n')
    s = load_settings({"host": "10.0.0.1"}, config_file=cfg, environ={"TVPORTAL_PORT": "9002"})
    assert (s.port, s.exit_url, s.host) == (9002, "http://op/home", "10.0.0.1")


@pytest.mark.parametrize("env", [{"TVPORTAL_PORT": "eighty"}, {"TVPORTAL_COOKIE_SECURE": "maybe"},
                                 {"TVPORTAL_DEFAULT_LOCALE": "fr"}])
def test_bad_values_are_refused(env):
    """A wrong type names the setting instead of failing later."""
    with pytest.raises(SettingsError):
        load_settings(environ=env)


def test_unknown_toml_key_is_refused(tmp_path):
    """A typo in the TOML file is an error, not silently ignored."""
    cfg = tmp_path / "t.toml"
    cfg.write_text("prot = 1\n")
    with pytest.raises(SettingsError, match="prot"):
        load_settings(config_file=cfg, environ={})
