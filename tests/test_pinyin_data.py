"""pypinyin's phrases loaded compactly (content/pinyin_data.py) are exactly pypinyin's own, and give the
same readings as a process that loads pypinyin the usual way."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pypinyin

from content.demo_loader import load_demo
from content.pinyin_data import Style, load_phrases, pinyin

ROOT = Path(__file__).resolve().parents[1]


def test_every_phrase_is_loaded_as_pypinyin_has_it():
    text = resources.files(pypinyin).joinpath("phrases_dict.json").read_text(encoding="utf-8")
    expected = json.loads(text)
    assert load_phrases(text) == expected
    from pypinyin.constants import PHRASES_DICT

    assert len(PHRASES_DICT) == len(expected)
    assert PHRASES_DICT["银行"] == expected["银行"]


def test_equal_readings_are_shared_and_pypinyin_never_changes_them():
    phrases = load_phrases('{"银行": [["yín"], ["háng"]], "行长": [["háng"], ["zhǎng"]]}')
    assert phrases["银行"][1] is phrases["行长"][0]
    before = [list(r) for r in phrases["银行"]]
    for style in (Style.NORMAL, Style.TONE, Style.FIRST_LETTER):
        pinyin("中国银行行长", style=style, heteronym=True)
    from pypinyin.constants import PHRASES_DICT

    assert PHRASES_DICT["银行"] == before == [["yín"], ["háng"]]


def test_readings_of_the_demo_content_match_plain_pypinyin():
    demo = load_demo("lu_an")
    texts = sorted({getattr(r, f) for kind, records in demo.items() if kind != "city" for r in records
                    for f in ("name", "short_name", "summary") if isinstance(getattr(r, f, None), str)})
    assert len(texts) > 30
    ours = [pinyin(t, style=Style.NORMAL, heteronym=True) for t in texts]
    code = ("import json, sys; from pypinyin import pinyin, Style; texts = json.load(sys.stdin); "
            "print(json.dumps([pinyin(t, style=Style.NORMAL, heteronym=True) for t in texts]))")
    plain = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True,
                           check=True, cwd=ROOT)
    assert json.loads(plain.stdout) == ours


def test_pypinyin_is_loaded_only_when_something_is_indexed():
    """Searching needs no pinyin: a process that only serves a saved index or imports content keeps none."""
    code = ("import sys, tvportal.app, tvportal.cli, content.search as s; a = 'pypinyin' in sys.modules; "
            "s.spellings('社保'); print(a, 'pypinyin' in sys.modules, s.keypad_digits('sb'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "72"]
