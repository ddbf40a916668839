"""Settings: read from their sources and checked against their declarations (tvportal/settings_declared.py).

Sources, weakest first: the declared defaults, a TOML file (``--config`` or ``TVPORTAL_CONFIG``),
environment variables ``TVPORTAL_<NAME>``, command-line flags.  A value of the wrong type, outside its
range or not among its choices is refused at start with one line naming the setting, the value and what
is allowed (SettingsError; ``tvportal`` exits with code 2).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tvportal import branding
from tvportal import boxes as _boxes
from tvportal.clock import zone
from tvportal.i18n import gettext as _
from tvportal.settings_declared import DECLARED, Setting

ENV_PREFIX = "TVPORTAL_"


_BY_NAME = {s.name: s for s in DECLARED}
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")  # user:password@ in a database address


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
    operator_secret: str
    launch_max_age_seconds: int
    stats_salt: str
    stats_retention_days: int
    stats_flush_seconds: int
    metrics_allow: tuple[str, ...]
    brand_title: str
    brand_logo: str
    brand_text_colour: str
    brand_background_colour: str
    brand_focus_colour: str
    home_tiles: tuple[str, ...]
    template_dir: str
    # operator kit: screens and exit
    screen_size: str
    exit_method: str
    frame_ancestors: tuple[str, ...]
    # editor workflow
    review_required: bool
    review_by_other: bool
    review_stale_months: int
    scheduler_seconds: int
    # editor import check
    editor_import_hours: int
    # 远程帮办
    copilot_code_minutes: int
    copilot_idle_minutes: int
    copilot_code_tries: int
    copilot_poll_seconds: int
    # the box's own account, checked by the operator
    box_token_url: str
    box_token_timeout_seconds: int
    box_token_cache_seconds: int
    box_token_per_minute: int

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
    """Convert a raw value (from env, TOML or CLI) to the setting's type, then check its range and form."""
    value = _allowed(setting, _coerce_type(setting, value))
    check = _CHECKS.get(setting.name)
    return check(value) if check else value


def _allowed(setting: Setting, value: Any) -> Any:
    """The value if the declaration allows it (a choice in its canonical spelling); SettingsError if not."""
    if setting.choices:
        for choice in setting.choices:
            if str(value).strip().lower() == choice.lower():
                return choice
        raise SettingsError(_("Setting {name}: {value!r} is not allowed; use one of {choices}").format(
            name=setting.name, value=value, choices=", ".join(setting.choices)))
    low, high = setting.minimum, setting.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        allowed = (_("{low} to {high}") if high is not None else _("{low} or more")).format(low=low, high=high)
        raise SettingsError(_("Setting {name}: {value} is out of range; use {allowed}").format(
            name=setting.name, value=value, allowed=allowed))
    return value


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
        raise SettingsError(_("Setting {name}: expected true or false, got {value!r}").format(
            name=setting.name, value=value))
    if setting.type is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(_("Setting {name}: expected a whole number, got {value!r}").format(
                name=setting.name, value=value)) from None
    return str(value)


def _networks(name: str):
    """The check of a list of addresses: each an IP address or network (a typo would silently allow nobody)."""

    def check(value: tuple[str, ...]) -> tuple[str, ...]:
        """Refuse the first entry that is not an address or network."""
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise SettingsError(_("Setting {name}: {item!r} is not an IP address or network (write e.g. "
                                      "127.0.0.1 or 10.0.0.0/8)").format(name=name, item=item)) from None
        return value

    return check


def _check_base_path(value: str) -> str:
    """``/tv`` or ``/tv/`` become ``/tv``; ``/`` is the root (empty)."""
    value = value.strip().rstrip("/")
    if value and (not value.startswith("/") or any(c in value for c in "?#%\\ ") or "//" in value):
        raise SettingsError(_("Setting base_path: expected a path such as /tv, got {value!r}").format(value=value))
    return value


def _check_box_token_url(value: str) -> str:
    """Empty (off) or an absolute http(s) address: a typo must stop the start, not refuse every box."""
    value = value.strip()
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment):
        raise SettingsError(f"setting box_token_url: expected an address such as "
                            f"http://auth.example.cn/portal/check, got {value!r}")
    return value


def _check_public_url(value: str) -> str:
    """An absolute http(s) URL without query; kept without a trailing slash."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment):
        raise SettingsError(_("Setting public_url: expected an address such as https://tv.example.cn/tv, got "
                              "{value!r}").format(value=value))
    return value


def _check_database_url(value: str) -> str:
    """postgresql://… or sqlite:///…; postgres://… (libpq's other spelling) is taken as postgresql://…."""
    value = value.strip()
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://"):]
    if value and not value.startswith(("postgresql://", "sqlite:///")):
        shown = _PASSWORD.sub(r"\1***@", value)  # the start-up log is read by more people than the config
        raise SettingsError(_("Setting database_url: {value!r} is not a database address; expected "
                              "postgresql://... (or sqlite:///path), or empty").format(value=shown))
    return value


_CHECKS = {"trusted_proxies": _networks("trusted_proxies"), "metrics_allow": _networks("metrics_allow"),
           "base_path": _check_base_path, "public_url": _check_public_url, "box_token_url": _check_box_token_url}


def _operator_check(check):
    """A tvportal.boxes check whose refusal stops the start like any other bad setting."""
    def run(value: Any) -> Any:
        try:
            return check(value)
        except _boxes.BadSetting as exc:
            raise SettingsError(str(exc)) from None
    return run


_CHECKS.update(exit_method=_operator_check(_boxes.check_exit_method),
               frame_ancestors=_operator_check(_boxes.check_frame_ancestors))


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
            raise SettingsError(_("{file}: not valid TOML ({reason})").format(file=config_file, reason=exc)) from None
        except OSError as exc:
            raise SettingsError(_("{file}: cannot be read ({reason})").format(file=config_file,
                                                                           reason=exc.strerror)) from None
        table = table.get("tvportal", table)
        for key, raw in table.items():
            if key not in _BY_NAME:
                raise SettingsError(_("{file}: there is no setting {key!r}").format(file=config_file, key=key))
            values[key] = _coerce(_BY_NAME[key], raw)
    for setting in DECLARED:
        raw = environ.get(ENV_PREFIX + setting.name.upper())
        if raw is not None:
            values[setting.name] = _coerce(setting, raw)
    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        if key not in _BY_NAME:
            raise SettingsError(_("There is no setting {key!r}").format(key=key))
        values[key] = _coerce(_BY_NAME[key], raw)
    values["database_url"] = _check_database_url(values["database_url"])
    central = values["central_url"]
    if central and not (central.startswith(("http://", "https://")) and central.split("://", 1)[1].strip("/")):
        raise SettingsError(_("Setting central_url: {value!r} is not a web address; expected http://host... or "
                              "https://host..., or empty for the embedded platform").format(value=central))
    if central and not values["central_secret"]:
        # every call would be refused (401) and queued writes would wait for ever
        raise SettingsError(_("Setting central_secret: empty, but central_url is {value!r}; set the secret the "
                              "central platform gave this portal (TVPORTAL_CENTRAL_SECRET)").format(value=central))
    try:
        zone(values["timezone"])
    except ValueError:
        raise SettingsError(_("Setting timezone: there is no time zone {value!r} (expected a name like "
                              "Asia/Shanghai)").format(value=values["timezone"])) from None
    try:
        branding.check(values)
    except branding.BrandingError as exc:
        raise SettingsError(str(exc)) from None
    return Settings(**values)
