"""Every setting of the portal, declared once: name, type, default, allowed values and the help text.

tvportal/settings.py reads and checks them; docs/settings.md's table is made from them
(``python -m tvportal.settings_doc``; tests/test_settings.py fails when the two differ).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remote_nav.key_profiles import profile_names


@dataclass(frozen=True)
class Setting:
    """Declaration of one setting; ``help`` is Markdown (it is the docs' text)."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] = ()  # the only values allowed (text settings)
    minimum: int | None = None  # whole-number settings: the allowed range
    maximum: int | None = None


DECLARED: tuple[Setting, ...] = (
    Setting("host", str, "127.0.0.1",
            "Address the portal listens on. Use `0.0.0.0` to serve set-top boxes on the network."),
    Setting("port", int, 8080,
            "TCP port the portal listens on.", minimum=1, maximum=65535),
    Setting("data_dir", str, "./tvportal-data",
            "Folder for the SQLite database and generated files; created on first start."),
    Setting("database", str, "",
            "Path of the SQLite database; empty means `tvportal.sqlite3` inside `data_dir`. Not used when "
            "`database_url` is set."),
    Setting("database_url", str, "",
            "Where everything the portal keeps lives (content, editor, flow state, embedded platform, "
            "outbox): `postgresql://user:password@host:5432/tvportal` for PostgreSQL (`postgres://` is taken "
            "as the same; use "
            "`TVPORTAL_DATABASE_URL` to keep the password out of files); empty means the SQLite file above. "
            "See docs/storage.md."),
    Setting("database_pool_size", int, 5,
            "Database connections, and worker threads running database calls, per portal process. With "
            "PostgreSQL, instances × (2 × this) must stay below the server's `max_connections`.",
            minimum=1),
    Setting("flow_state_hours", int, 24,
            "Hours an unfinished TV flow (half-typed ID digits, answers to a form) is kept in the database "
            "for its device; older ones are removed.", minimum=1),
    Setting("demo_city", str, "lu_an",
            "Bundled demo content loaded into an empty database on first start (a folder under "
            "`content/demo/`)."),
    Setting("central_url", str, "",
            "Base URL of the province's central platform; empty means the embedded platform inside the "
            "portal."),
    Setting("central_app_id", str, "tvportal",
            "App id the portal signs central-platform requests with (HMAC-SHA256)."),
    Setting("central_secret", str, "",
            "Shared secret for signing central-platform requests; keep it out of git (use "
            "`TVPORTAL_CENTRAL_SECRET`). `tvportal central-sim` needs it too."),
    Setting("central_timeout_ms", int, 3000,
            "Time limit of one central-platform call, in milliseconds.", minimum=1),
    Setting("central_retries", int, 2,
            "Extra tries of a failed idempotent central-platform call (reads, and writes that carry an "
            "idempotency key), with jittered back-off.", minimum=0),
    Setting("central_outbox_interval", int, 5,
            "Seconds between attempts to deliver writes waiting in the outbox to the central platform.", minimum=1),
    Setting("exit_url", str, "",
            "Where Back on the home page leads: the IPTV operator's portal. Empty means Back on home does "
            "nothing."),
    Setting("default_locale", str, "zh_CN",
            "Language of a device that has not chosen one: `zh_CN` or `en`.", choices=("zh_CN", "en")),
    Setting("content_check_ms", int, 250,
            "How often, in milliseconds, an instance asks the database for the newest content version (one "
            "indexed read of one row); content published on another instance is shown within this interval "
            "plus the time to read the changes (250 ms keeps a publish within 1 s of reaching every TV at "
            "10,000 guides).", minimum=50, maximum=60000),
    Setting("timezone", str, "Asia/Shanghai",
            "The city's time zone (an IANA name). Every \"today\" the portal uses is the date there: the date "
            "on TV pages, bookable days, the page cache's date. The server's own clock may be on UTC."),
    Setting("key_profile", str, "auto",
            "Remote-control key profile: `auto` picks one from the browser's User-Agent; or one of `default`,"
            " `browser`, `hbbtv`, `huawei_zte`, `ipanel`, `tizen`, `webos`, `android` (see "
            "docs/remote-navigation.md).", choices=("auto", *profile_names())),
    Setting("cookie_secure", bool, False,
            "Mark cookies `Secure`; turn on when the portal is served over HTTPS."),
    Setting("log_level", str, "INFO",
            "Python logging level (`DEBUG`, `INFO`, `WARNING`, `ERROR`).",
            choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    Setting("session_secret", str, "",
            "Key of the editor's encrypted session cookies: 44 characters of url-safe base64 (`python -c "
            "\"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"`). Empty means a"
            " key generated on first start into `editor-session.key` in `data_dir` (permissions 0600). Set it"
            " when several portal processes serve the editor."),
    Setting("editor_idle_minutes", int, 120,
            "Minutes without activity after which an editor is signed out of /editor (docs/editor.md).", minimum=1),
    Setting("access_log", bool, False,
            "Write one log line per request (off by default: set-top boxes make many requests)."),
    Setting("tts_enabled", bool, True,
            "Read pages aloud: libespeak-ng in a worker process (docs/voice.md). Off, or espeak-ng missing, "
            "reports reading as unavailable on the TV's settings page."),
    Setting("tts_warmup", bool, True,
            "After each publish, synthesise the sentences of the changed guides' screens (read from the "
            "portal's own pages) in the background at low priority, so the first listener does not wait; a TV"
            " asking for a sentence always goes first (docs/voice.md)."),
    Setting("tts_warmup_guides", int, 200,
            "Most guides warmed up per publish, the most popular first; at start every guide counts as "
            "changed.", minimum=0),
    Setting("tts_queue_size", int, 32,
            "New (not yet cached) sentences waiting for the speech worker, all TVs together; more are "
            "answered 503 with Retry-After.", minimum=1),
    Setting("tts_device_pending", int, 3,
            "New sentences one TV (client address) may have waiting or being synthesised; more are answered "
            "429 with Retry-After.", minimum=1),
    Setting("tts_device_per_minute", int, 60,
            "New sentences synthesised for one TV per minute (as a burst at most); cached sentences are "
            "always served.", minimum=1),
    Setting("tts_open_per_minute", int, 6,
            "New sentences a minute, per client address, of text the portal did not write (a phone, a script, a "
            "test of the speech); the portal's own signed sentences do not count. 0 reads only the portal's text.",
            minimum=0),
    Setting("voice_model_path", str, "",
            "Folder of the vosk Chinese model for voice commands; empty means `voice-model` inside `data_dir`"
            " (where `tvportal voice install-model` puts it). No model: voice input is reported unavailable."),
    Setting("trusted_proxies", tuple, (),
            "Addresses or networks (`127.0.0.1`, `10.0.0.0/8`, `::1`) of reverse proxies in front of the "
            "portal. A request from one of them is taken to come from the client named in `X-Forwarded-For` "
            "(the right-most address that is not itself a trusted proxy), with the scheme of "
            "`X-Forwarded-Proto` and the host of `X-Forwarded-Host`; from anyone else these headers are "
            "ignored. Every per-client limit (the editor's sign-in lock) and the audit log use that address. "
            "In TOML a list (`[\"127.0.0.1\", \"10.0.0.0/8\"]`), in the environment separated by commas. A "
            "malformed entry stops the start with a message naming it."),
    Setting("base_path", str, "",
            "Path prefix the portal is served under, e.g. `/tv` for `https://example.cn/tv/`: every link, "
            "form, redirect, asset, the remote runtime's and voice's addresses and the cookies' path carry "
            "it, and the portal answers under it (`/` redirects there). Empty means the site root. See "
            "docs/deployment.md."),
    Setting("public_url", str, "",
            "The address phones use to reach the portal, base path included, e.g. `https://tv.example.cn/tv`:"
            " the sign-in QR code points there. Empty means the address the TV's request came to (through "
            "`trusted_proxies`), which a phone on the mobile network often cannot reach: set it in any real "
            "deployment."),
    Setting("editor_enabled", bool, True,
            "Serve the content editor under `/editor`. Turn it off on TV instances and run one editor "
            "instance on its own port, reachable only from the office network (docs/deployment.md). Off, "
            "`/editor` answers 404."),
    Setting("tv_idle_minutes", int, 15,
            "Minutes without a key press after which a person signed in on a TV is signed out. A sign-in also"
            " ends when the browser closes (its cookie has no expiry) and at 退出登录.", minimum=1),
    Setting("tv_remember_days", int, 90,
            "Days a person remembered on a TV (家庭成员, with a 4-digit TV PIN) is kept without being used; then "
            "the TV forgets them.", minimum=1),
    Setting("sms_per_id_hour", int, 3,
            "SMS codes one ID number may be sent per hour (counted over the last hour; asking again does not "
            "reset the count).", minimum=1),
    Setting("sms_per_tv_hour", int, 5,
            "SMS codes one TV may ask for per hour, whatever the ID numbers.", minimum=1),
    Setting("sms_resend_seconds", int, 60,
            "Seconds the 重新获取 key counts down before another SMS code may be asked for.", minimum=0),
    # operator kit: identity, statistics, branding
    Setting("operator_secret", str, "",
            "Secret the operator's EPG signs launch URLs with (HMAC-SHA256, docs/operator.md); keep it out of "
            "git (use `TVPORTAL_OPERATOR_SECRET`). Empty means launch URLs are not accepted and every box is "
            "known by a random device id the portal issues itself."),
    Setting("launch_max_age_seconds", int, 300,
            "Seconds a signed launch URL stays valid after its `ts`; each one opens the portal once "
            "(a second use is not taken as the account).", minimum=10, maximum=86400),
    Setting("stats_salt", str, "",
            "Salt mixed into the hashed account in the statistics (no account is stored in clear); keep it "
            "secret and stable (`TVPORTAL_STATS_SALT`). Empty means no household counts are kept."),
    Setting("stats_retention_days", int, 400,
            "Days of daily statistics kept; older days are removed.", minimum=1),
    Setting("stats_flush_seconds", int, 10,
            "Seconds between writes of the statistics counted in memory (counting never waits for the "
            "database).", minimum=1, maximum=3600),
    Setting("metrics_allow", tuple, ("127.0.0.1", "::1"),
            "Addresses or networks that may read `/metrics` (Prometheus); others get 404. A list like "
            "`trusted_proxies`."),
    Setting("brand_title", str, "",
            "Title of the home page; empty means 「<city>政务服务」 from the content."),
    Setting("brand_logo", str, "",
            "A PNG, JPEG or SVG file shown at the top left of the home page (at most 200 KB); empty means none."),
    Setting("brand_text_colour", str, "",
            "Text colour of the pages, `#rrggbb`; empty keeps the built-in one. Refused at start unless its "
            "contrast with `brand_background_colour` is at least 7:1 (WCAG)."),
    Setting("brand_background_colour", str, "",
            "Background colour of the pages, `#rrggbb`; empty keeps the built-in one."),
    Setting("brand_focus_colour", str, "",
            "Colour of the focused item's frame and fill, `#rrggbb`; empty keeps the built-in one. The text on "
            "it must keep 7:1 too."),
    Setting("home_tiles", tuple, (),
            "Which home tiles show and in what order, by id: `guides booking apply lookup policies halls voice "
            "me`; empty means all eight. The voice tile is left out when no speech model is installed."),
    Setting("template_dir", str, "",
            "A folder of templates that override the bundled ones of the same name (epg_templates/); empty "
            "means none."),
    # operator kit: screens and exit
    Setting("screen_size", str, "auto",
            "The screen the TV pages are laid out for when the box does not say: `sd` (640×530, the SD boxes "
            "Huawei/ZTE EPGs declare with `<meta name=\"page-view-size\" content=\"640*530\">`), `hd` "
            "(1280×720), `fhd` (1920×1080, the HD layout at 1.5×), or `auto` (`hd`). A box says with the launch "
            "parameter `?size=sd|hd|fhd` (remembered in the cookie `tvsize`) or through its key profile's screen "
            "(key_profiles.json `screen`, e.g. `huawei_zte_sd`); those come first. See docs/operator-boxes.md.",
            choices=("auto", "sd", "hd", "fhd")),
    Setting("exit_method", str, "",
            "How the portal hands the viewer back to the operator's EPG, used by Back on home and by the EXIT "
            "key on every page: an `http(s)://` address to open; `utility` (Huawei/ZTE `Utility.setValueByName"
            "('exitIptvApp')`); `function:NAME` (calls the EPG's global function NAME); `hbbtv` (HbbTV "
            "`destroyApplication()`). Empty: `exit_url` if set, else Back on home does nothing and EXIT goes "
            "home."),
    Setting("frame_ancestors", tuple, ("'self'",),
            "Origins allowed to show the portal inside a frame (CSP `frame-ancestors`), e.g. the EPG's "
            "`http://epg.example.cn:8080`; `'self'` is the portal itself, `'none'` allows no frame."),
    # editor workflow: review, scheduled publishing, expiry (docs/editor.md)
    Setting("review_required", bool, True,
            "A publisher may publish an edited guide, policy or hall only after a reviewer (审核员) approved that "
            "very draft. Off: publishers publish any saved draft, as before the workflow existed."),
    Setting("review_by_other", bool, True,
            "Nobody reviews their own change: the person who submitted a draft (or last saved it) cannot approve "
            "or return it. Turn off only for a one-person office."),
    Setting("review_stale_months", int, 12,
            "Published guides whose 审核日期 is older than this many months (or empty) are listed at "
            "/editor/stale for a fresh review.", minimum=1, maximum=120),
    Setting("scheduler_seconds", int, 20,
            "Seconds between two checks for scheduled publications (定时发布) and guides whose 计划取消日期 has "
            "come; each check also catches up what was due while the portal was stopped.", minimum=1, maximum=3600),
    # editor import check (docs/editor.md)
    Setting("editor_import_hours", int, 24,
            "Hours an uploaded import file waits for 确认导入 after its check; after that it must be uploaded and "
            "checked again (the content may have changed meanwhile).", minimum=1, maximum=168),
    # 远程帮办: a family member's phone helps the TV (docs/family-help.md)
    Setting("copilot_code_minutes", int, 5,
            "Minutes the QR code and the 6-digit code of 请家人帮忙 stay valid; each can be used once.",
            minimum=1, maximum=60),
    Setting("copilot_idle_minutes", int, 10,
            "Minutes without anything done on the TV or the helping phone after which family help ends.",
            minimum=1, maximum=240),
    Setting("copilot_code_tries", int, 10,
            "Wrong 6-digit codes one address may type in 10 minutes; then its phone is told to wait (the codes "
            "cannot be guessed by trying).", minimum=1),
    Setting("copilot_poll_seconds", int, 2,
            "Seconds between the TV's questions for what the helper did while a help session is open (at most "
            "2: the TV follows the phone within that); no questions at all when no help is open.",
            minimum=1, maximum=2),
    # the box's own account read by the page (Authentication.CTCGetConfig) and checked by the operator
    Setting("box_token_url", str, "",
            "The operator's token check (docs/operator.md section 2): on boxes whose key profile has "
            "`Authentication.CTCGetConfig` (Huawei/ZTE), home sends the box's UserID, UserToken and STBID to the "
            "portal once per power-on, and the portal POSTs them to this `http(s)://` address; only a `200` "
            "answer `{\"valid\": true}` makes the box known by its account, as a signed launch does. Empty: "
            "the page never reads the account."),
    Setting("box_token_timeout_seconds", int, 3,
            "Seconds the portal waits for the operator's token check; no answer in time leaves the box unknown "
            "(the page is never held up: the check runs after it has loaded).", minimum=1, maximum=30),
    Setting("box_token_cache_seconds", int, 120,
            "Seconds an answer of the token check is kept for the same UserID, STBID and UserToken (only a "
            "hash of the token), so a reload or a cookie wipe does not ask again; 0 asks every time. A token "
            "the operator revokes may still be taken for this long.", minimum=0, maximum=3600),
    Setting("box_token_per_minute", int, 10,
            "Token checks one client address may ask for a minute (boxes ask once per power-on); more are "
            "answered 429 without asking the operator.", minimum=1),
)
