"""Key profiles: every vendor's codes map to the right action, conflicts are caught, UA detection."""

from __future__ import annotations

import pytest

from remote_nav import keymap, load_profiles, profile_for_user_agent
from remote_nav.key_profiles import conflicts, profile_names

COLOURS = ("red", "green", "yellow", "blue")


def test_profiles_load_as_data():
    """All vendor profiles load from JSON and callers get copies."""
    profiles = load_profiles()
    assert {"browser", "hbbtv", "huawei_zte", "ipanel", "tizen", "webos", "android"} <= set(profiles)
    profiles["browser"]["keys"]["up"].append(999)  # a copy: the stored data is untouched
    assert 999 not in keymap("browser")
    assert "default" in profile_names()


def test_browser_keyboard():
    """Keyboard arrows, Enter, Backspace/Escape, page, F1-F4 and both digit rows."""
    km = keymap("browser")
    assert [km[c] for c in (37, 38, 39, 40)] == ["left", "up", "right", "down"]
    assert km[13] == "ok"
    assert km[8] == "back" and km[27] == "back"
    assert km[33] == "page_up" and km[34] == "page_down"
    assert [km[c] for c in (112, 113, 114, 115)] == list(COLOURS)
    for n in range(10):
        assert km[48 + n] == f"digit{n}"
        assert km[96 + n] == f"digit{n}"  # numpad


def test_hbbtv_vk_codes():
    """HbbTV VK_BACK 461 and VK colour codes 403-406."""
    km = keymap("hbbtv")
    assert km[461] == "back"
    assert [km[c] for c in (403, 404, 405, 406)] == list(COLOURS)
    assert km[13] == "ok" and km[33] == "page_up" and km[34] == "page_down"
    assert km[38] == "up"


def test_huawei_zte_codes():
    """Huawei/ZTE Back variants, colours 275-278 and the 768 virtual event."""
    km = keymap("huawei_zte")
    for code in (8, 640, 24, 280):
        assert km[code] == "back", code
    assert [km[c] for c in (275, 276, 277, 278)] == list(COLOURS)
    assert km[33] == "page_up" and km[34] == "page_down"
    assert [km[c] for c in (37, 38, 39, 40)] == ["left", "up", "right", "down"]
    assert km[13] == "ok"
    assert km[768] == "virtual"  # media event, never navigation


def test_ipanel_codes():
    """iPanel arrows 1-4, back 340, exit 339, page 372/373, colours 2305-2308."""
    km = keymap("ipanel")
    assert [km[c] for c in (1, 2, 3, 4)] == ["up", "down", "left", "right"]
    assert km[340] == "back"
    assert km[339] == "exit"
    assert km[372] == "page_up" and km[373] == "page_down"
    assert [km[c] for c in (2305, 2306, 2307, 2308)] == list(COLOURS)
    assert km[37] == "left"  # browser codes still work


def test_tizen_codes():
    """Tizen return 10009, exit 10182, colours 403-406 plus browser arrows."""
    km = keymap("tizen")
    assert km[10009] == "back"
    assert km[10182] == "exit"
    assert [km[c] for c in (403, 404, 405, 406)] == list(COLOURS)
    assert km[39] == "right" and km[13] == "ok"


def test_webos_codes():
    """webOS back 461 and colours 403-406."""
    km = keymap("webos")
    assert km[461] == "back"
    assert [km[c] for c in (403, 404, 405, 406)] == list(COLOURS)


def test_android_codes():
    """Android back 4, D-pad 19-22, OK 23/66."""
    km = keymap("android")
    assert km[4] == "back"
    assert [km[c] for c in (19, 20, 21, 22)] == ["up", "down", "left", "right"]
    assert km[23] == "ok" and km[66] == "ok"
    assert km[8] == "back"


def test_default_is_conflict_free_union():
    """The default map is the conflict-free union of browser, HbbTV and Huawei/ZTE."""
    assert conflicts("browser", "hbbtv", "huawei_zte") == {}
    km = keymap("default")
    assert km[461] == "back" and km[640] == "back" and km[8] == "back" and km[27] == "back"
    assert km[403] == "red" and km[275] == "red" and km[112] == "red"
    assert km[768] == "virtual"
    assert 4 not in km and 1 not in km  # the conflicting Android/iPanel codes are not guessed
    assert 10009 not in km


def test_android_and_ipanel_conflict_on_4():
    """Code 4 is Back on Android and RIGHT on iPanel; each profile keeps its own."""
    clash = conflicts("android", "ipanel")
    assert clash[4] == {"back", "right"}
    assert keymap("ipanel")[4] == "right"
    assert keymap("android")[4] == "back"


def test_vendor_codes_win_over_browser():
    """Each vendor map contains all its codes and otherwise the browser's."""
    # No vendor overrides a browser code today; the rule still must hold for every profile.
    browser = keymap("browser")
    for name, profile in load_profiles().items():
        km = keymap(name)
        for action, codes in profile["keys"].items():
            for code in codes:
                assert km[code] == action
        for code, action in browser.items():
            assert km.get(code) in (action, *[a for a, cs in profile["keys"].items() if code in cs])


def test_every_action_has_a_code_in_default():
    """The default map covers every action the portal uses."""
    km = keymap("default")
    wanted = {"up", "down", "left", "right", "ok", "back", "page_up", "page_down", *COLOURS, "virtual"}
    wanted |= {f"digit{n}" for n in range(10)}
    assert wanted <= set(km.values())


def test_unknown_profile():
    """An unknown profile name raises KeyError."""
    with pytest.raises(KeyError):
        keymap("nokia")


@pytest.mark.parametrize(
    ("ua", "profile"),
    [
        ("Mozilla/5.0 (X11; Linux) AppleWebKit/534 iPanel 3.0 Advanced", "ipanel"),
        ("Mozilla/4.0 (compatible; ipanel 2.0; Linux2.4.26)", "ipanel"),
        ("Mozilla/5.0 (SMART-TV; Linux; Tizen 5.0) AppleWebKit/537.36 SamsungBrowser/2.1 TV Safari/537.36", "tizen"),
        ("Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 Chrome/53.0 Safari/537.36 WebAppManager", "webos"),
        ("Mozilla/5.0 (webOS.TV-2018; Linux) AppleWebKit/537.36", "webos"),
        ("Mozilla/5.0 (Linux; Android 9; BRAVIA 4K GB) AppleWebKit/537.36 Chrome/79 Safari/537.36", "android"),
        ("Mozilla/5.0 (Linux; Android 4.4.2; EC6108V9U_pub_jljdx Build/KOT49H) AppleWebKit/537.36", "huawei_zte"),
        ("Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; HG680-R Build/KOT49H) AppleWebKit/534.30", "huawei_zte"),
        ("Mozilla/5.0 (X11; Linux) AppleWebKit/533 ZTE B700V5C", "huawei_zte"),
        ("Mozilla/5.0 ZXV10 B860AV1.1 AppleWebKit/534", "huawei_zte"),
        ("Mozilla/5.0 (Huawei STB) AppleWebKit/533.3 (KHTML, like Gecko)", "huawei_zte"),
        ("Mozilla/5.0 (Linux armv7l) OPR/25 OMI/4.5 HbbTV/1.3.1 (; Philips; ; ; ;) CE-HTML/1.0", "hbbtv"),
        ("HbbTV/1.5.1 (+DRM;Samsung;SmartTV2021;T-KSU2EDEUC;KantS2;) Tizen/6.0 (+TVPLUS+SmartHubLink)", "hbbtv"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36", "default"),
        ("Mozilla/5.0 (Macintosh) Aztec Browser", "default"),  # "zte" inside a word is no hint
        ("", "default"),
    ],
)
def test_profile_for_user_agent(ua: str, profile: str):
    """User-Agent strings pick the expected profile."""
    assert profile_for_user_agent(ua) == profile


def test_detected_profiles_have_keymaps():
    """Every profile the UA detection can return has a key map."""
    for ua in ("iPanel", "Tizen", "Web0S", "Android", "EC6108", "HbbTV/1.2", "curl/8"):
        assert keymap(profile_for_user_agent(ua))
