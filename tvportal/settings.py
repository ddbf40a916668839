"""Settings: each declared once with its name, type, default and help.

Sources, weakest first: the defaults below, a TOML file (``--config`` or ``TVPORTAL_CONFIG``),
environment variables ``TVPORTAL_<NAME>``, command-line flags.  docs/settings.md documents
every setting; tests/test_settings.py fails when one is missing there.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tvportal.clock import zone

ENV_PREFIX = "TVPORTAL_"


@dataclass(frozen=True)
class Setting:
    """Declaration of one setting."""

    name: str
    type: type
    default: Any
    help: str


DECLARED: tuple[Setting, ...] = (
    Setting("host", str, "127.0.0.1", "Address the portal listens on."),
    Setting("port", int, 8080, "TCP port the portal listens on."),
    Setting("data_dir", str, "./tvportal-data",
            "Folder for the SQLite database and generated files; created on first start."),
    Setting("database", str, "",
            "Path of the SQLite database; empty means tvportal.sqlite3 inside data_dir (unused with database_url)."),
    Setting("database_url", str, "",
            "Database of everything the portal keeps: postgresql://user:password@host/name puts it on PostgreSQL; "
            "empty means the SQLite file of the setting database."),
    Setting("database_pool_size", int, 5,
            "Database connections (and worker threads running database calls) per portal process."),
    Setting("flow_state_hours", int, 24,
            "Hours an unfinished TV flow (half-typed ID digits, answers) is kept for its device."),
    Setting("demo_city", str, "lu_an",
            "Bundled demo content loaded into an empty database on first start (folder under content/demo/)."),
    Setting("central_url", str, "",
            "Base URL of the province's central platform; empty means the embedded platform inside the portal."),
    Setting("central_app_id", str, "tvportal",
            "App id the portal signs central-platform requests with (HMAC-SHA256)."),
    Setting("central_secret", str, "", "Shared secret for signing central-platform requests; keep it out of git."),
    Setting("central_timeout_ms", int, 3000, "Time limit of one central-platform call, in milliseconds."),
    Setting("central_retries", int, 2, "Extra tries of a failed idempotent central-platform call (reads, keyed writes)."),
    Setting("central_outbox_interval", int, 5,
            "Seconds between attempts to deliver writes waiting in the outbox to the central platform."),
    Setting("exit_url", str, "",
            "Where Back on the home page leads: the IPTV operator's portal. Empty means Back on home does nothing."),
    Setting("default_locale", str, "zh_CN", "Language of a device that has not chosen one (zh_CN or en)."),
    Setting("content_check_ms", int, 250,
            "How often (milliseconds) an instance checks the database for content published by another instance."),
    Setting("timezone", str, "Asia/Shanghai",
            "The city's time zone: every \"today\" on the TV, in bookings and in the page cache is its date."),
    Setting("key_profile", str, "auto",
            "Remote-control key profile: auto (from the browser's User-Agent) or one of "
            "default, browser, hbbtv, huawei_zte, ipanel, tizen, webos, android."),
    Setting("cookie_secure", bool, False,
            "Mark cookies Secure; turn on when the portal is served over HTTPS."),
    Setting("log_level", str, "INFO", "Python logging level (DEBUG, INFO, WARNING, ERROR)."),
    Setting("session_secret", str, "",
            "Key of the editor's encrypted session cookies (44-character url-safe base64, as made by "
            "cryptography's Fernet.generate_key); empty means a key generated once into data_dir/editor-session.key."),
    Setting("editor_idle_minutes", int, 120, "Minutes without activity after which an editor is signed out."),
    Setting("access_log", bool, False, "Write one log line per request (off by default: set-top boxes poll a lot)."),
    Setting("tts_enabled", bool, True,
            "Read pages aloud (espeak-ng in a worker process); off, or espeak-ng missing, hides reading."),
    Setting("tts_warmup", bool, True,
            "After each publish, synthesise the sentences of the changed guides' screens in the background, at "
            "low priority (a TV waiting for a sentence always goes first), so the first listener never waits."),
    Setting("tts_warmup_guides", int, 200,
            "Most guides warmed up per publish, the most popular first (all guides count as changed at start)."),
    Setting("tts_queue_size", int, 32,
            "New (not yet cached) sentences waiting for the speech worker, all TVs together; more get a 503."),
    Setting("tts_device_pending", int, 3,
            "New sentences one TV (client address) may have waiting or being synthesised; more get a 429."),
    Setting("tts_device_per_minute", int, 60,
            "New sentences synthesised for one TV per minute (a burst of as many); cached ones are always served."),
    Setting("tts_open_per_minute", int, 6,
            "New sentences a minute, per client address, of text the portal did not write (a phone, a script, a "
            "test of the speech); the portal's own signed sentences do not count. 0 reads only the portal's text."),
    Setting("voice_model_path", str, "",
            "Folder of the vosk speech-recognition model; empty means voice-model inside data_dir."),
    Setting("trusted_proxies", tuple, (),
            "Addresses or networks of reverse proxies whose X-Forwarded-For/Proto/Host headers are believed."),
    Setting("base_path", str, "", "Path prefix the portal is served under, e.g. /tv; empty means the site root."),
    Setting("public_url", str, "",
            "Address phones use to reach the portal (QR codes), e.g. https://tv.example.cn/tv; empty means "
            "the address the request came to."),
    Setting("editor_enabled", bool, True, "Serve the content editor under /editor; off on TV-only instances."),
    Setting("tv_idle_minutes", int, 15,
            "Minutes without a key press after which a person signed in on a TV is signed out."),
    Setting("tv_remember_days", int, 90,
            "Days a person remembered on a TV (with a TV PIN) is kept without being used."),
    Setting("sms_per_id_hour", int, 3, "SMS codes one ID number may be sent per hour."),
    Setting("sms_per_tv_hour", int, 5, "SMS codes one TV may ask for per hour."),
    Setting("sms_resend_seconds", int, 60, "Seconds before 重新获取 may ask for another SMS code."),
)

_BY_NAME = {s.name: s for s in DECLARED}


class SettingsError(ValueError):
    """A setting has an unknown name or a value of the wrong type."""


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one portal process."""

    host: str
    port: int
    data_dir: str
    database: str
    database_url: str
    database_pool_size: int
    flow_state_hours: int
    demo_city: str
    central_url: str
    central_app_id: str
    central_secret: str
    central_timeout_ms: int
    central_retries: int
    central_outbox_interval: int
    exit_url: str
    default_locale: str
    content_check_ms: int
    timezone: str
    key_profile: str
    cookie_secure: bool
    log_level: str
    session_secret: str
    editor_idle_minutes: int
    access_log: bool
    tts_enabled: bool
    tts_warmup: bool
    tts_warmup_guides: int
    tts_queue_size: int
    tts_device_pending: int
    tts_device_per_minute: int
    tts_open_per_minute: int
    voice_model_path: str
    trusted_proxies: tuple[str, ...]
    base_path: str
    public_url: str
    editor_enabled: bool
    tv_idle_minutes: int
    tv_remember_days: int
    sms_per_id_hour: int
    sms_per_tv_hour: int
    sms_resend_seconds: int

    @property
    def database_path(self) -> Path:
        """Where the SQLite database lives."""
        return Path(self.database) if self.database else Path(self.data_dir) / "tvportal.sqlite3"

    @property
    def db_url(self) -> str:
        """The URL the storage layer connects to: database_url, or the SQLite file."""
        return self.database_url or f"sqlite:///{self.database_path}"

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed (validated like any other source)."""
        return dataclasses.replace(self, **{k: _coerce(_BY_NAME[k], v) for k, v in changes.items()})


def _coerce(setting: Setting, value: Any) -> Any:
    """Convert a raw value (from env, TOML or CLI) to the setting's type, then check its form."""
    value = _coerce_type(setting, value)
    check = _CHECKS.get(setting.name)
    return check(value) if check else value


def _coerce_type(setting: Setting, value: Any) -> Any:
    """Convert a raw value to the setting's type."""
    if setting.type is tuple:
        # TOML gives a list; an environment variable or flag gives "10.0.0.1, 10.1.0.0/16"
        items = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        return tuple(str(item).strip() for item in items if str(item).strip())
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"setting {setting.name}: expected true or false, got {value!r}")
    if setting.type is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"setting {setting.name}: expected a whole number, got {value!r}") from None
    return str(value)


def _check_networks(value: tuple[str, ...]) -> tuple[str, ...]:
    """Every trusted proxy must be an IP address or network (a typo would silently trust nobody)."""
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(f"setting trusted_proxies: {item!r} is not an IP address or network "
                                "(write e.g. 127.0.0.1 or 10.0.0.0/8)") from None
    return value


def _check_base_path(value: str) -> str:
    """``/tv`` or ``/tv/`` become ``/tv``; ``/`` is the root (empty)."""
    value = value.strip().rstrip("/")
    if value and (not value.startswith("/") or any(c in value for c in "?#%\\ ") or "//" in value):
        raise SettingsError(f"setting base_path: expected a path such as /tv, got {value!r}")
    return value


def _check_public_url(value: str) -> str:
    """An absolute http(s) URL without query; kept without a trailing slash."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment):
        raise SettingsError(f"setting public_url: expected an address such as https://tv.example.cn/tv, got {value!r}")
    return value


_CHECKS = {"trusted_proxies": _check_networks, "base_path": _check_base_path, "public_url": _check_public_url}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from defaults, TOML file, environment and explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in DECLARED}
    config_file = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        try:
            with open(config_file, "rb") as fh:
                table = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_file}: {exc}") from None
        except OSError as exc:
            raise SettingsError(f"{config_file}: {exc.strerror}") from None
        table = table.get("tvportal", table)
        for key, raw in table.items():
            if key not in _BY_NAME:
                raise SettingsError(f"{config_file}: unknown setting {key!r}")
            values[key] = _coerce(_BY_NAME[key], raw)
    for setting in DECLARED:
        raw = environ.get(ENV_PREFIX + setting.name.upper())
        if raw is not None:
            values[setting.name] = _coerce(setting, raw)
    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        if key not in _BY_NAME:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = _coerce(_BY_NAME[key], raw)
    if values["database_url"] and not values["database_url"].startswith(("postgresql://", "sqlite:///")):
        raise SettingsError("setting database_url: expected postgresql://... (or sqlite:///path), or empty")
    if not 50 <= values["content_check_ms"] <= 60000:
        raise SettingsError("setting content_check_ms: expected 50 to 60000 (milliseconds)")
    if min(values[k] for k in ("tts_queue_size", "tts_device_pending", "tts_device_per_minute")) < 1 \
            or min(values["tts_warmup_guides"], values["tts_open_per_minute"]) < 0:
        raise SettingsError("settings tts_queue_size, tts_device_pending and tts_device_per_minute: expected 1 or "
                            "more; tts_warmup_guides and tts_open_per_minute: 0 or more")
    if values["database_pool_size"] < 1 or values["flow_state_hours"] < 1:
        raise SettingsError("settings database_pool_size and flow_state_hours: expected 1 or more")
    if values["default_locale"] not in ("zh_CN", "en"):
        raise SettingsError("setting default_locale: expected zh_CN or en")
    values["log_level"] = str(values["log_level"]).upper()
    if values["log_level"] not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise SettingsError(f"setting log_level: expected DEBUG, INFO, WARNING or ERROR, got {values['log_level']!r}")
    try:
        zone(values["timezone"])
    except ValueError as exc:
        raise SettingsError(f"setting timezone: {exc}") from None
    return Settings(**values)
