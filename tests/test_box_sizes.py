"""The screen size per box: launch parameter > its cookie > the key profile's screen > the setting."""

from __future__ import annotations

import pytest

from remote_nav import keymap, profile_for_user_agent, profile_screen
from tvportal.app import create_app
from tvportal.boxes import chosen_size
from tvportal.settings import load_settings

SD_HUAWEI = "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; EC2108V3 Build/KOT49H) AppleWebKit/534.30 Huawei"
HD_HUAWEI = "Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; EC6108V9 Build/KOT49H) AppleWebKit/534.30 Huawei"
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"


@pytest.mark.parametrize("query,cookie,profile,setting,size", [
    ("hd", "fhd", "sd", "sd", "hd"),  # the launch parameter first
    (None, "fhd", "sd", "sd", "fhd"),  # then what it left in the cookie
    (None, None, "sd", "fhd", "sd"),  # then the key profile
    (None, None, None, "fhd", "fhd"),  # then the setting
    (None, None, None, "auto", "hd"),
    ("4k", "x", None, "auto", "hd"),  # a size nobody knows is ignored
])
def test_precedence(query, cookie, profile, setting, size):
    """Each source is taken only when every source before it is silent."""
    assert chosen_size(setting, query, cookie, profile) == size


def test_sd_huawei_profile():
    """SD Huawei/ZTE boxes get their own profile: the same keys as huawei_zte, and the SD screen."""
    assert profile_for_user_agent(SD_HUAWEI) == "huawei_zte_sd"
    assert profile_for_user_agent("ZTE ZXV10 B610 iptv") == "huawei_zte_sd"
    assert profile_for_user_agent(HD_HUAWEI) == "huawei_zte"
    assert keymap("huawei_zte_sd") == keymap("huawei_zte")
    assert profile_screen("huawei_zte_sd") == "sd" and profile_screen("huawei_zte") is None


def _size(html: str) -> str:
    """The size a page declares, as the EPG's page-view-size meta."""
    return html.split('name="page-view-size" content="', 1)[1].split('"', 1)[0]


async def test_pages_follow_the_order(aiohttp_client, tmp_path):
    """An FHD instance: an SD Huawei box gets SD pages (also from the page cache), a desktop FHD; a launch
    URL's ?size=hd wins over the profile and is remembered for the pages after it."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "screen_size": "fhd"}, environ={})
    client = await aiohttp_client(create_app(settings))
    for _ in range(2):  # the second answer comes from the page cache
        sd = await client.get("/guides", headers={"User-Agent": SD_HUAWEI})
        assert _size(await sd.text()) == "640*530"
        desktop = await client.get("/guides", headers={"User-Agent": DESKTOP})
        assert _size(await desktop.text()) == "1920*1080"
    launched = await client.get("/?size=hd", headers={"User-Agent": SD_HUAWEI})
    assert _size(await launched.text()) == "1280*720" and launched.cookies["tvsize"].value == "hd"
    after = await client.get("/guides", headers={"User-Agent": SD_HUAWEI})  # the cookie jar carries tvsize
    assert _size(await after.text()) == "1280*720"
