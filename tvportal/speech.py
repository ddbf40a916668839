"""The speech script of a TV page (``window.TVSPEECH``): every sentence the page may say, made speakable
for Mandarin (voice/speakable.py) and signed (voice/signing.py), so the TV never composes a sentence and
``/voice/tts`` speaks nothing the portal did not write.

On arrival a page says its title (where the listener is), its one-time notice, its content
(``Screen.spoken``), which page of how many, the focused item and one short sentence about the keys;
当前位置 and the full key list are said only on request (key 0 where it is free, the 帮助 voice command).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tvportal.boxes import exit_plan
from tvportal.i18n import gettext as _
from tvportal.keys import ASR, CLOCK, DB, PREFS, SETTINGS, SPEECH_SIGNER, TTS
from tvportal.storage.shared_secrets import shared_secret
from voice.signing import Signer, clean
from voice.speakable import speakable

if TYPE_CHECKING:
    from tvportal.screen import KeyHint, Screen

SHORTEST = 60  # characters: a longer text is said in sentences, so the first words start sooner
LONGEST = 150  # a clause longer than this is cut (MAX_CHARS of the engine is 400 after normalisation)
_ENDS = re.compile(r"(?<=[。！？；!?;])")
_PAUSES = re.compile(r"(?<=[，、,：])")
_HAN = re.compile(r"[\u3400-\u9fff]")


async def speech_key_ctx(app: web.Application) -> AsyncIterator[None]:
    """The signing key, read from (or made once in) the database that every instance shares."""
    app[SPEECH_SIGNER] = Signer(await app[DB].write(shared_secret, "speech"))
    yield


def pieces(text: str) -> list[str]:
    """A text cut into sentences short enough to start speaking at once (at 。；, else at ，、)."""
    text = clean(text)
    if len(text) <= SHORTEST:
        return [text] if text else []
    out: list[str] = []
    for sentence in filter(None, _ENDS.split(text)):
        parts = _PAUSES.split(sentence) if len(sentence) > LONGEST else [sentence]
        for part in parts:
            while len(part) > LONGEST:
                out.append(part[:LONGEST])
                part = part[LONGEST:]
            if out and len(out[-1]) + len(part) <= SHORTEST:
                out[-1] += part  # short clauses stay together: fewer requests, natural pauses
            elif part.strip():
                out.append(part)
    return [p.strip() for p in out if p.strip()]


class Script:
    """Sentences of one page for one device: normalised for its locale, then signed."""

    def __init__(self, request: web.Request) -> None:
        """The requesting device's locale, the city's today (years of dates), the shared signer."""
        self.locale = request[PREFS].locale
        self.today = request.app[CLOCK].today()
        self.signer: Signer = request.app[SPEECH_SIGNER]

    def one(self, text: str) -> list[str]:
        """One sentence as [spoken text, signature]."""
        # Chinese content on an English TV is read by the Mandarin voice (voice/tts.py voice_for), so it is
        # normalised as Mandarin too; the signature stays bound to the TV's locale, which the TV sends
        rules = "zh_CN" if _HAN.search(text) else self.locale
        said = clean(speakable(text, rules, self.today))
        return [said, self.signer.sign(said, self.locale)]

    def many(self, texts: Iterable[str]) -> list[list[str]]:
        """Texts as sentences, long ones cut."""
        return [self.one(p) for text in texts for p in pieces(text)]


def item_text(label: str, note: str, digit: int | None) -> str:
    """What the focused item says: its name, its note, its number key."""
    parts = [label.strip(" ◀▶")] + ([note] if note else [])
    if digit is not None:
        parts.append(_("number key %d") % digit)
    return "，".join(parts)


def where(screen: Screen) -> list[str]:
    """当前位置 kept short: without 首页 (every path starts there) and without the title (the listener heard
    it on arrival).  Said with the key list, not on arrival: the title tells where one is, and the content
    must start within two seconds at the slow rate."""
    steps = [c.label for c in screen.crumbs[1:]]
    if steps and steps[-1] == screen.title:
        steps = steps[:-1]
    return [_("You are here:") + " " + "，".join(steps)] if steps else []


def zero_is_free(screen: Screen) -> bool:
    """Key 0 gives the key list unless this page types with the digits (keypads, the search keypad) or gives
    0 to an item."""
    typing = screen.typing or any(h.action == "keypad" for h in screen.keys)
    return not typing and all(f.digit != 0 for f in screen.layout.items)


def short_keys(screen: Screen, mic: bool) -> str:
    """The one sentence about keys a page ends with."""
    if zero_is_free(screen):
        return _("Press 0 to hear what every key does.")
    if mic:
        return _("Number keys type here. Say 帮助 after the green key to hear every key.")
    return _("Number keys type here. Press OK on a key to type it, Back to leave.")


def all_keys(hints: list[KeyHint], can_exit: bool = False) -> list[str]:
    """Every key of the page and what it does here, one sentence each; then, where neither Back nor an
    EXIT key leaves from this page, how the viewer gets back to the TV's home (the operator's EPG)."""
    said = [f"{h.key}：{h.label}" for h in hints]
    if can_exit and not any(h.label == _("To the TV home") for h in hints):
        said.append(_("To go back to the TV home: the yellow key, then Back on the home screen."))
    return said


def speech_script(request: web.Request, screen: Screen, hints: list[KeyHint]) -> dict[str, Any] | None:
    """The page's speech script, or None where this portal cannot read aloud."""
    tts = request.app.get(TTS)
    if tts is None or not tts.available:
        return None
    prefs = request[PREFS]
    asr = request.app.get(ASR)
    mic = asr is not None and asr.available
    s = Script(request)
    page = [screen.title, *([screen.notice] if screen.notice else []), *screen.spoken]
    if screen.pages > 1:
        page.append(_("Page %(page)d of %(pages)d") % {"page": screen.page, "pages": screen.pages})
    data: dict[str, Any] = {
        "b": request.app[SETTINGS].base_path,
        "on": int(prefs.reading), "l": prefs.locale, "r": prefs.rate, "v": prefs.volume,
        "page": s.many(page),
        # voice.js leaves out the title's sentences when the listener has just heard that name (the item
        # chosen on the page before, or the same title on the guide's previous screen)
        "title": screen.title, "tn": len(pieces(screen.title)),
        "items": {f.id: {"t": f.label, "n": f.digit, "s": s.one(item_text(f.label, f.extra.get("note") or f.extra.get("state", ""), f.digit))}
                  for f in screen.layout.items if f.label},
        "keys": [s.one(short_keys(screen, mic))],
        "all": s.many([*where(screen), *all_keys(hints, exit_plan(request.app[SETTINGS].exit_method,
                                                                 request.app[SETTINGS].exit_url) is not None)]),
        "zero": int(zero_is_free(screen)),
        "mic": int(mic), "limit": 8,
        "said": {"on": s.one(_("Reading aloud is on")), "off": s.one(_("Reading aloud is off")),
                 "listening": _("Listening…"), "nomic": _("No microphone on this TV"),
                 "failed": _("Voice input is not working now")},
    }
    if screen.typing:  # each key typed is said back (the digit, or what 删除 / 全清 did)
        pad = screen.nav_extra.get("pad", {})
        # a PIN is never said aloud, only that a digit went in
        typed = {k: s.one(_("One digit typed") if pad.get("p") else k) for k in "0123456789"}
        typed.update(x=s.one("X"), dele=s.one(_("Deleted one")), clr=s.one(_("Cleared")))
        if pad.get("bad"):
            typed["bad"] = s.one(pad["bad"])
        if pad.get("c"):  # 确认 sent, and the check takes seconds: said at once, like the line on screen
            typed["c"] = s.one(pad["c"])
        data["typed"] = typed
    return data
