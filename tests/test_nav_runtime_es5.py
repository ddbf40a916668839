"""The remote runtime parses as ES5 (old set-top-box WebKit) with a real ES5.1 parser."""

from __future__ import annotations

from pathlib import Path

import pyjsparser
import pytest

from remote_nav import runtime_js

SOURCE = Path(__file__).resolve().parent.parent / "remote_nav" / "static" / "nav.js"


VOICE = Path(__file__).resolve().parent.parent / "voice" / "static" / "voice.js"


@pytest.mark.parametrize("name,text", [("source", SOURCE.read_text(encoding="utf-8")), ("minified", runtime_js()),
                                       ("voice", VOICE.read_text(encoding="utf-8"))])
def test_runtime_is_es5(name, text):
    """The runtime (source and the minified file served to boxes) and the speech script parse as ES5.1."""
    assert pyjsparser.parse(text)["type"] == "Program"


def test_parser_rejects_es6():
    """The check can fail: ES6 syntax is refused by the parser (let/const it lets through are caught by
    the tokenizer check in test_nav_runtime_size.py)."""
    for snippet in ("var f = (a) => a;", "var s = `x`;", "class A {}", "for (var x of y) {}", "var {a} = b;"):
        with pytest.raises(pyjsparser.JsSyntaxError):
            pyjsparser.parse(snippet)
