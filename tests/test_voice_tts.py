"""Reading aloud through the real pyttsx3 + espeak-ng worker: audio, cache, endpoint, hung worker,
per-device settings, and the portal without espeak-ng."""

from __future__ import annotations

import asyncio
import re
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tvportal.app import create_app
from tvportal.prefs import Prefs
from voice.tts import TtsError, TtsService

ZH = "请按确认键打开办事指南"


def seconds_of(path) -> float:
    """Duration of an audio file according to sox."""
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout)


@pytest.fixture
async def tts(tmp_path):
    """A started speech service with its own cache."""
    service = TtsService(tmp_path / "cache", timeout=10)
    await service.start()
    yield service
    await service.stop()


async def test_chinese_speech_is_compressed_mp3(tts):
    """Chinese text becomes an MP3 with real duration, at most 4 KB per second of speech."""
    path = await tts.speech(ZH, "zh_CN", "slow")
    assert path.read_bytes()[:3] == b"ID3" or path.read_bytes()[0] == 0xFF
    seconds = seconds_of(path)
    assert seconds > 1.5
    assert path.stat().st_size / seconds <= 4096


async def test_slow_is_slower_and_english_works(tmp_path):
    """The rate setting changes the audio, the same in every fresh worker (issue 10: of 8 fresh pyttsx3
    workers, 5 said "normal" at the slow rate); the en locale uses an English voice."""
    durations: list[list[float]] = []
    for n in range(4):
        service = TtsService(tmp_path / f"cache{n}", timeout=10)
        await service.start()
        try:
            said = [seconds_of(await service.speech(ZH, "zh_CN", rate)) for rate in ("slow", "normal")]
            said.append(seconds_of(await service.speech(ZH + "吧", "zh_CN", "slow")))
            assert said[0] > said[1] * 1.2 and said[2] > said[1] * 1.2
            durations.append(said)
            if n == 0:
                assert seconds_of(await service.speech("Press OK to open", "en", "normal")) > 0.5
        finally:
            await service.stop()
    for column in zip(*durations):  # every worker, every order: the same audio (to an MP3 frame)
        assert max(column) - min(column) < 0.03, durations


async def test_cache_hit_skips_the_worker(tts):
    """A sentence is synthesised once; concurrent asks share the work; the cache is keyed by rate too."""
    first = await asyncio.gather(*(tts.speech("社保查询", "zh_CN", "slow") for _ in range(4)))
    assert len({p for p in first}) == 1
    calls = tts.worker.next_id
    mtime = first[0].stat().st_mtime_ns
    again = await tts.speech("社保查询", "zh_CN", "slow")
    assert again == first[0] and again.stat().st_mtime_ns == mtime and tts.worker.next_id == calls
    assert await tts.speech("社保查询", "zh_CN", "normal") != again
    assert tts.worker.next_id == calls + 1


async def test_hung_worker_is_restarted(tmp_path):
    """A worker that stops answering is timed out, killed and replaced; the next sentence works."""
    service = TtsService(tmp_path / "cache", timeout=2)
    await service.start()
    try:
        await service.speech("首页", "zh_CN", "slow")
        hung = service.worker.proc
        os.kill(hung.pid, signal.SIGSTOP)
        with pytest.raises(TtsError):
            await service.speech("返回", "zh_CN", "slow")
        assert hung.returncode is not None
        assert seconds_of(await service.speech("返回", "zh_CN", "slow")) > 0.3
        assert service.restarts == 1 and service.worker.proc is not hung
    finally:
        await service.stop()


async def test_bad_text_refused(tts):
    """Empty and over-long text are refused without reaching the worker."""
    for text in ("", "   ", "长" * 401):
        with pytest.raises(TtsError):
            await tts.speech(text)


async def test_endpoint_serves_cached_mp3(client):
    """GET /voice/tts answers audio/mpeg with a year of caching and a working ETag."""
    from tvportal.keys import SPEECH_SIGNER

    sentence = {"t": "办事指南", "s": client.server.app[SPEECH_SIGNER].sign("办事指南", "zh_CN")}
    resp = await client.get("/voice/tts", params={**sentence, "r": "slow"})
    assert resp.status == 200 and resp.content_type == "audio/mpeg"
    assert "immutable" in resp.headers["Cache-Control"] and "max-age=31536000" in resp.headers["Cache-Control"]
    assert len(await resp.read()) > 500
    again = await client.get("/voice/tts", params={**sentence, "r": "slow"},
                             headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status == 304
    other = await client.get("/voice/tts", params={**sentence, "r": "normal"})
    assert other.headers["ETag"] != resp.headers["ETag"]


@pytest.mark.parametrize("params", [{"t": ""}, {"t": "x" * 401}, {"t": "好", "r": "fast"}, {"t": "好", "l": "fr"}])
async def test_endpoint_bad_requests(client, params):
    """Bad parameters get a 400 with a Chinese message in JSON."""
    resp = await client.get("/voice/tts", params=params)
    assert resp.status == 400
    assert "文字" in (await resp.json())["error"]


async def test_pages_carry_the_speech_script(client):
    """Every TV page has its speech script: title, where you are, items with number keys, key hints."""
    html = await (await client.get("/")).text()
    assert "var TVSPEECH=" in html and "/static/voice." in html
    script = html.split("var TVSPEECH=", 1)[1].split(";</script>", 1)[0]
    import json

    data = json.loads(script)
    assert data["page"][0] and data["items"]["t-guides"]["n"] == 1 and data["on"] == 1 and data["r"] == "slow"
    assert "k-red" in html and data["mic"] == 0 and "k-green" not in html


def test_prefs_cookie_compatible():
    """Old 3-part cookies still parse (voice defaults: reading on, slow, loud); new ones round-trip."""
    old = Prefs.decode("t1.c0.en", "zh_CN")
    assert old.large_text and old.locale == "en" and old.reading and old.rate == "slow" and old.volume == 3
    new = Prefs(reading=False, rate="normal", volume=1, large_text=True)
    assert Prefs.decode(new.encode(), "zh_CN") == new
    assert Prefs.decode("t1.c0.zh_CN.rx.slow.v9", "zh_CN").large_text  # bad voice part: display kept
    assert Prefs.decode("t1.c0.zh_CN.r0", "zh_CN") == Prefs()


async def test_settings_page_rows_and_changes(client):
    """The settings page has reading on/off, speed and volume; OK on each changes the device's cookie."""
    html = await (await client.get("/settings")).text()
    for row in ("s-read", "s-rate", "s-volume"):
        assert f'id="{row}"' in html
    resp = await client.post("/settings", data={"field": "rate", "value": "normal"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/settings?f=s-rate"
    client.session.cookie_jar.update_cookies(resp.cookies)
    resp = await client.post("/settings", data={"field": "volume", "value": "1"}, allow_redirects=False)
    client.session.cookie_jar.update_cookies(resp.cookies)
    resp = await client.post("/settings", data={"field": "reading", "value": "0"}, allow_redirects=False)
    client.session.cookie_jar.update_cookies(resp.cookies)
    html = await (await client.get("/")).text()
    assert '"on":0' in html and '"r":"normal"' in html and '"v":1' in html
    assert (await client.post("/settings", data={"field": "volume", "value": "9"}, allow_redirects=False)).status == 400


async def test_remote_toggles_reading(client):
    """POST /voice/prefs (the red key) flips reading; volume steps stay within 1..3."""
    resp = await client.post("/voice/prefs", data={"field": "reading", "value": "toggle"})
    assert (await resp.json())["reading"] is False
    client.session.cookie_jar.update_cookies(resp.cookies)
    resp = await client.post("/voice/prefs", data={"field": "volume", "value": "up"})
    assert (await resp.json())["volume"] == 3
    assert (await client.post("/voice/prefs", data={"field": "pitch", "value": "1"})).status == 400


async def test_portal_without_espeak(aiohttp_client, settings, monkeypatch):
    """Without espeak-ng the portal runs: pages show text, no red hint, the settings page says why."""
    monkeypatch.setenv("PATH", "/nonexistent")
    client = await aiohttp_client(create_app(settings))
    home = await client.get("/")
    html = await home.text()
    assert home.status == 200 and "TVSPEECH" not in html and "k-red" not in html
    page = await (await client.get("/settings")).text()
    assert 'id="s-read"' not in page and "voice-status" in page
    assert (await client.get("/voice/tts", params={"t": "首页"})).status == 503


def test_voice_js_is_es5():
    """The voice runtime, as written and as served (minified), parses as ES5.1 for old set-top boxes."""
    import pyjsparser

    from tvportal.static_assets import load_assets

    source = (Path(__file__).resolve().parent.parent / "voice" / "static" / "voice.js").read_text(encoding="utf-8")
    served = load_assets().get("voice.js").body.decode("utf-8")
    for text in (source, served):
        assert pyjsparser.parse(text)["type"] == "Program"
    assert not re.search(r"\b(let|const|class)\s", served) and "=>" not in served


async def test_cache_is_bounded(tts):
    """Past its limit the cache drops its oldest sentences, so arbitrary requests cannot fill the disk."""
    tts.max_cached = 3
    paths = [await tts.speech(text) for text in ("一", "二", "三", "四")]
    assert not paths[0].exists() and all(p.exists() for p in paths[2:])
    assert tts.cached_files <= 3


async def test_relative_cache_dir_as_the_readme_runs_it(tmp_path, monkeypatch):
    """`make run` uses the relative data dir ./tvportal-data; the worker runs elsewhere and must still write
    where the portal reads (this once made every new sentence wait 15 s and fail)."""
    monkeypatch.chdir(tmp_path)
    service = TtsService(Path("tvportal-data") / "speech-cache", timeout=10)
    await service.start()
    try:
        path = await asyncio.wait_for(service.speech("第一句新话", "zh_CN", "slow"), 12)
        assert path.is_absolute() and path.is_relative_to(tmp_path) and seconds_of(path) > 0.5
    finally:
        await service.stop()
