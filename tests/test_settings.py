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


def test_docs_table_is_made_from_the_declarations():
    """docs/settings.md's table is exactly what ``python -m tvportal.settings_doc`` makes."""
    from tvportal.settings_doc import with_table

    text = DOC.read_text(encoding="utf-8")
    assert with_table(text) == text, "run python -m tvportal.settings_doc"


@pytest.mark.parametrize("name,value,allowed", [
    ("key_profile", "samsung", "huawei_zte"), ("log_level", "verbose", "WARNING"), ("port", "-5", "1 到 65535"),
    ("port", "70000", "1 到 65535"), ("default_locale", "fr", "zh_CN"), ("tts_queue_size", "0", "1 或更大"),
    ("central_url", "ftp://x", "https://"),
])
def test_bad_choice_or_range_stops_serve_with_one_line(tmp_path, name, value, allowed):
    """``tvportal serve`` exits 2 with one line in Chinese naming the setting, its value and what is allowed."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root), **{f"TVPORTAL_{name.upper()}": value})
    result = subprocess.run([sys.executable, "-m", "tvportal", "serve", "--data-dir", str(tmp_path / "d")],
                            capture_output=True, text=True, env=env, timeout=60, cwd=root)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and value in lines[0] and allowed in lines[0], result.stderr
    assert "设置" in lines[0] and "有误" in lines[0], result.stderr


def test_postgres_scheme_is_taken_as_postgresql():
    """libpq also accepts postgres://; the portal does too, as postgresql://."""
    url = load_settings(environ={"TVPORTAL_DATABASE_URL": "postgres://tv:pw@db.example.cn:5432/tvportal"}).database_url
    assert url == "postgresql://tv:pw@db.example.cn:5432/tvportal"


def test_bad_database_url_stops_serve_in_chinese_without_the_password(tmp_path):
    """One line in Chinese naming database_url and the value, its password blanked; exit 2, no traceback."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root), TVPORTAL_DATABASE_URL="mysql://tv:sEcReT99@db.example.cn/tvportal")
    result = subprocess.run([sys.executable, "-m", "tvportal", "serve", "--data-dir", str(tmp_path / "d")],
                            capture_output=True, text=True, env=env, timeout=60, cwd=root)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "设置 database_url 有误" in lines[0] and "mysql://tv:***@db.example.cn/tvportal" in lines[0], lines
    assert "sEcReT99" not in result.stderr and "postgresql://" in lines[0]


def test_choices_take_their_canonical_spelling():
    """``info`` is INFO; a key profile is matched whatever its case."""
    s = load_settings({"log_level": "info", "key_profile": "Huawei_ZTE"}, environ={})
    assert (s.log_level, s.key_profile) == ("INFO", "huawei_zte")


async def test_healthz_is_503_when_pages_fail(client, monkeypatch):
    """A portal whose home page fails is not healthy, whatever the database says; the parts say why."""
    from tvportal.views import home

    async def broken(request):
        raise KeyError("samsung")

    monkeypatch.setattr(home, "home", broken)
    resp = await client.get("/healthz")
    data = await resp.json()
    assert resp.status == 503 and data["status"] == "failing" and "pages" in data["degraded"]
    assert data["parts"]["database"]["ok"] and set(data["parts"]) >= {"speech", "voice_input", "platform", "disk"}


def test_a_central_platform_needs_its_secret():
    """A central_url without central_secret would have every call refused: it stops start-up with one line."""
    from tvportal.settings import SettingsError

    with pytest.raises(SettingsError, match="central_secret"):
        load_settings({"central_url": "http://10.0.0.5/"}, environ={})
    assert load_settings({"central_url": "https://gov.example/", "central_secret": "s" * 32}, environ={}).central_url
