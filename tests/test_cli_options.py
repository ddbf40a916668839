"""``tvportal`` takes --data-dir and --config before or after the subcommand, for every subcommand."""

from __future__ import annotations

import io

import pytest

from tvportal import cli
from tvportal.settings import load_settings

PASSWORD = "a-long-test-password"


def run(monkeypatch, argv: list[str]) -> int:
    """Run the command with the password on standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return cli.main(argv)


def accounts(data_dir) -> dict[str, str]:
    """name -> role of the accounts in a data dir."""
    from tvportal.database import open_database
    from tvportal.editor import users

    db = open_database(load_settings({"data_dir": str(data_dir)}, environ={}))
    try:
        return {u.name: u.role for u in db.read_sync(users.list_users)}
    finally:
        db.close()


def test_user_add_with_options_after_and_before(monkeypatch, tmp_path, capsys):
    """The form in docs/editor.md and the old one both work, and --role reviewer exists."""
    data = tmp_path / "d"
    assert run(monkeypatch, ["user", "add", "shen", "--role", "reviewer", "--password-stdin", "--data-dir",
                             str(data)]) == 0
    assert run(monkeypatch, ["--data-dir", str(data), "user", "add", "fa", "--role", "publisher",
                             "--password-stdin"]) == 0
    assert run(monkeypatch, ["user", "--data-dir", str(data), "add", "bian", "--role", "editor",
                             "--password-stdin"]) == 0
    assert accounts(data) == {"shen": "reviewer", "fa": "publisher", "bian": "editor"}
    assert run(monkeypatch, ["user", "role", "bian", "reviewer", "--data-dir", str(data)]) == 0
    assert accounts(data)["bian"] == "reviewer"
    assert not (tmp_path / "tvportal-data").exists()
    assert "added shen (reviewer)" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["serve"], ["db", "upgrade"], ["db", "current"], ["content", "export", "out"], ["stats", "export"],
    ["user", "list"], ["voice", "install-model", "model.zip"], ["central-sim"],
])
def test_every_subcommand_takes_the_shared_options_anywhere(argv):
    """--data-dir and --config parse the same before the subcommand and after its last word."""
    parser = cli.build_parser()
    after = parser.parse_args([*argv, "--data-dir", "/srv/d", "--config", "/etc/p.toml"])
    before = parser.parse_args(["--data-dir", "/srv/d", "--config", "/etc/p.toml", *argv])
    assert (after.data_dir, after.config) == (before.data_dir, before.config) == ("/srv/d", "/etc/p.toml")


def test_a_wrong_role_is_refused(monkeypatch, tmp_path, capsys):
    """An unknown role is refused by the parser with the allowed ones named."""
    with pytest.raises(SystemExit):
        run(monkeypatch, ["user", "add", "x", "--role", "boss", "--data-dir", str(tmp_path)])
    assert "reviewer" in capsys.readouterr().err
