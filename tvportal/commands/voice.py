"""``tvportal voice install-model ZIP_OR_URL [--sha256 HEX]``: verify and unpack a vosk model.

The model lands in the folder the portal reads (setting ``voice_model_path``, by default
``voice-model`` inside ``data_dir``); the previous model stays in place until the new one is
complete, so a failed install never leaves the portal without its model.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from tvportal.settings import load_settings
from voice.asr import model_problem

MAX_UNPACKED = 2 * 1024 ** 3  # refuse archives that would unpack to more than 2 GB


class InstallError(RuntimeError):
    """The model could not be installed; the message says why."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``voice`` subcommand."""
    voice = sub.add_parser("voice", help="speech: install the speech-recognition model")
    actions = voice.add_subparsers(dest="voice_command", required=True)
    install = actions.add_parser("install-model", help="verify and unpack a vosk model zip (file or URL)")
    install.add_argument("source", help="path or http(s) URL of the model zip, e.g. vosk-model-small-cn-0.22.zip")
    install.add_argument("--sha256", help="expected SHA-256 of the zip (hex); the install stops on a mismatch")
    install.add_argument("--data-dir", help="data folder of the portal (default from settings)")
    install.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    install.set_defaults(func=run)


def fetch(source: str, folder: Path) -> Path:
    """A local path to the zip: the file itself, or a download into ``folder``."""
    if source.startswith(("http://", "https://")):
        target = folder / "model.zip"
        with urllib.request.urlopen(source, timeout=60) as resp, open(target, "wb") as out:
            shutil.copyfileobj(resp, out, 1 << 20)
        return target
    path = Path(source)
    if not path.is_file():
        raise InstallError(f"no such file: {source}")
    return path


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unpack(archive: Path, folder: Path) -> Path:
    """Unpack safely (no absolute paths, no ``..``, bounded size); the model folder inside."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise InstallError("the archive unpacks to more than 2 GB")
            for m in members:
                name = Path(m.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise InstallError(f"unsafe path in the archive: {m.filename}")
            zf.extractall(folder)
    except zipfile.BadZipFile as exc:
        raise InstallError(f"not a zip archive: {exc}") from None
    candidates = [p.parent.parent for p in folder.rglob("final.mdl") if p.parent.name == "am"]
    for candidate in candidates:
        if not model_problem(candidate):
            return candidate
    raise InstallError("the archive holds no complete vosk model (am/final.mdl, conf/model.conf and a graph)")


def install(source: str, target: Path, sha256: str | None) -> Path:
    """Verify, unpack and move a model into ``target``, replacing the old one only when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".model-") as tmp:
        work = Path(tmp)
        archive = fetch(source, work)
        if sha256:
            actual = sha256_of(archive)
            if actual.lower() != sha256.strip().lower():
                raise InstallError(f"checksum mismatch: expected {sha256.strip().lower()}, got {actual}")
        model = unpack(archive, work / "unpacked")
        old = target.with_name(target.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        shutil.move(str(model), str(target))
        if old.exists():
            shutil.rmtree(old)
    return target


def run(args: argparse.Namespace) -> int:
    """Install the model; print where it went, or why it could not be installed."""
    settings = load_settings({"data_dir": args.data_dir}, config_file=args.config)
    target = Path(settings.voice_model_path or Path(settings.data_dir) / "voice-model")
    try:
        path = install(args.source, target, args.sha256)
    except (InstallError, OSError) as exc:
        print(f"tvportal voice install-model: {exc}", file=sys.stderr)
        return 1
    if not args.sha256:
        print("warning: no --sha256 given, the archive was not verified", file=sys.stderr)
    print(f"model installed in {path}; restart the portal to use it")
    return 0
