"""The operator's branding (issue 12 item 6) on the real app: title, logo, colours (refused under 7:1 with one
Chinese line at start), home tiles and their order (the voice tile only with a speech model), and a
template_dir whose templates override the bundled ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from lxml import html

from tests.voice_audio import TINY_MODEL
from tvportal.app import create_app
from tvportal.branding import contrast
from tvportal.settings import SettingsError, load_settings

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001" "0d0a2db40000000049454e44ae426082")


def brand(tmp_path, **values):
    """Settings of a portal with its own data dir and these branding settings."""
    return load_settings({"data_dir": str(tmp_path / "data"), **values}, environ={})


def test_contrast_is_the_wcag_formula():
    """Known pairs: black on white 21:1, white on white 1:1, #767676 on white 4.54:1."""
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert contrast("#ffffff", "#ffffff") == 1.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


@pytest.mark.parametrize("values, words", [
    ({"brand_text_colour": "#777777", "brand_background_colour": "#ffffff"}, "对比度只有 4.5:1，至少要 7:1"),
    ({"brand_background_colour": "#3a6ea5"}, "至少要 7:1"),  # the built-in white text on it
    ({"brand_focus_colour": "#333333"}, "焦点颜色"),
    ({"brand_text_colour": "red"}, "不是颜色"),
    ({"home_tiles": ["guides", "weather"]}, "home_tiles"),
    ({"template_dir": "/no/such/folder"}, "不是文件夹"),
    ({"brand_logo": "/etc/hostname"}, "brand_logo"),
])
def test_unusable_branding_is_refused_at_start(tmp_path, values, words):
    """Each one stops the start with one line in Chinese naming what is wrong."""
    with pytest.raises(SettingsError) as caught:
        brand(tmp_path, **values)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_serve_refuses_low_contrast_in_one_line(tmp_path):
    """``tvportal serve`` with a grey on white brand exits 2 with one Chinese line, no traceback."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.environ.get("PYTHONPATH", os.getcwd()),
           "TVPORTAL_BRAND_TEXT_COLOUR": "#888888", "TVPORTAL_BRAND_BACKGROUND_COLOUR": "#ffffff"}
    done = subprocess.run([sys.executable, "-m", "tvportal", "serve", "--data-dir", str(tmp_path / "d"), "--port",
                           "18401"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "至少要 7:1" in done.stderr
    assert "Traceback" not in done.stderr


async def test_title_logo_colours_and_tiles(aiohttp_client, tmp_path):
    """The operator's title, logo and colours on home; the tiles it chose, in its order, numbered from 1."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    settings = brand(tmp_path, brand_title="安徽电信 · 政务服务", brand_logo=str(logo),
                     brand_text_colour="#ffffff", brand_background_colour="#102030", brand_focus_colour="#ffd200",
                     home_tiles=["me", "booking", "guides"])
    client = await aiohttp_client(create_app(settings))
    page = await (await client.get("/")).text()
    doc = html.fromstring(page)
    assert doc.find(".//h1").text == "安徽电信 · 政务服务"
    assert [t.find_class("t")[0].text for t in doc.find_class("tile")] == ["我的", "预约办理", "办事指南"]
    assert [t.find_class("num")[0].text for t in doc.find_class("tile")] == ["1", "2", "3"]
    assert '"start":"t-me"' in page
    css_href = doc.xpath("//link[contains(@href, 'brand.css')]/@href")[0]
    css = await (await client.get(css_href)).text()
    assert "background:#102030" in css and "color:#ffffff" in css and ".f:focus" in css and "#ffd200" in css
    logo_src = doc.xpath("//img[@class='logo']/@src")[0]
    resp = await client.get(logo_src)
    assert resp.status == 200 and resp.headers["Content-Type"] == "image/png" and await resp.read() == PNG
    plain = await aiohttp_client(create_app(brand(tmp_path / "plain")))
    plain_page = await (await plain.get("/")).text()
    assert "brand.css" not in plain_page and 'class="logo"' not in plain_page


async def test_voice_tile_only_with_a_speech_model(aiohttp_client, tmp_path):
    """Without a model the 语音助手 tile gives way to 帮助 (never "语音命令不可用"); with a working one it is
    there (a damaged one: tests/test_voice_model_faults.py)."""
    settings = brand(tmp_path)
    client = await aiohttp_client(create_app(settings))
    tiles = html.fromstring(await (await client.get("/")).text()).find_class("tile")
    assert [(t.get("id"), t.get("href")) for t in tiles][6] == ("t-help", "/help")
    shutil.copytree(TINY_MODEL, tmp_path / "data" / "voice-model")  # where voice_model_path points by default
    other = await aiohttp_client(create_app(settings))
    tiles = html.fromstring(await (await other.get("/")).text()).find_class("tile")
    assert [(t.get("id"), t.get("href")) for t in tiles][6] == ("t-voice", "/voice")
    assert tiles[6].find_class("t")[0].text == "语音助手/帮助"


async def test_template_dir_overrides_a_bundled_template(aiohttp_client, tmp_path):
    """A home.html in template_dir replaces the bundled one (the rest stay bundled)."""
    folder = tmp_path / "operator-templates"
    folder.mkdir()
    (folder / "home.html").write_text('{% extends "base.html" %}{% block main %}<p id="op">运营商首页</p>'
                                      "{% endblock %}", encoding="utf-8")
    client = await aiohttp_client(create_app(brand(tmp_path, template_dir=str(folder))))
    assert '<p id="op">运营商首页</p>' in await (await client.get("/")).text()
    assert (await client.get("/guides")).status == 200
