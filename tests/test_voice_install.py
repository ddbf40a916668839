"""``tvportal voice install-model``: a local zip with a right and a wrong checksum, bad archives."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.voice_audio import TINY_MODEL
from tvportal.cli import main
from voice.asr import Recognizer, model_problem


@pytest.fixture(scope="module")
def model_zip(tmp_path_factory):
    """The tiny model packed like the official zips: one top folder holding am/, conf/, graph/."""
    folder = tmp_path_factory.mktemp("zip")
    shutil.copytree(TINY_MODEL, folder / "vosk-model-tiny")
    archive = shutil.make_archive(str(folder / "model"), "zip", folder, "vosk-model-tiny")
    return archive, hashlib.sha256(Path(archive).read_bytes()).hexdigest()


async def test_install_with_right_checksum(model_zip, tmp_path, capsys):
    """The verified model lands in data_dir/voice-model and the portal's recognizer loads it."""
    archive, digest = model_zip
    assert main(["voice", "install-model", archive, "--sha256", digest.upper(), "--data-dir", str(tmp_path)]) == 0
    assert model_problem(tmp_path / "voice-model") == ""
    assert "voice-model" in capsys.readouterr().out
    recognizer = Recognizer(tmp_path / "voice-model")
    await recognizer.load()
    await recognizer.prepare(["首页"])
    assert recognizer.available and recognizer.find_word("首页") >= 0
    await recognizer.close()


def test_wrong_checksum_keeps_old_model(model_zip, tmp_path, capsys):
    """A mismatch stops the install with a message; an installed model stays untouched."""
    archive, digest = model_zip
    assert main(["voice", "install-model", archive, "--sha256", digest, "--data-dir", str(tmp_path)]) == 0
    marker = tmp_path / "voice-model" / "README.txt"
    before = marker.read_bytes()
    assert main(["voice", "install-model", archive, "--sha256", "0" * 64, "--data-dir", str(tmp_path)]) == 1
    assert "checksum mismatch" in capsys.readouterr().err
    assert marker.read_bytes() == before and model_problem(tmp_path / "voice-model") == ""


@pytest.mark.parametrize("kind", ["not-zip", "no-model", "unsafe", "missing"])
def test_bad_archives(tmp_path, kind, capsys):
    """Not a zip, a zip without a model, a path escaping the folder, a missing file: refused, exit 1."""
    archive = tmp_path / "bad.zip"
    if kind == "not-zip":
        archive.write_bytes(b"hello")
    elif kind == "no-model":
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("m/am/readme.txt", "x")
    elif kind == "unsafe":
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("../evil.txt", "x")
    assert main(["voice", "install-model", str(archive), "--data-dir", str(tmp_path / "d")]) == 1
    assert capsys.readouterr().err.strip()
    assert not (tmp_path / "d" / "voice-model").exists() and not (tmp_path / "evil.txt").exists()
