"""A damaged speech model never takes the portal down (issue 11, finding 1): vosk runs in a worker
process that tests the model at start; a model that aborts vosk is reported unavailable, and a worker
that dies while serving fails only the utterance in flight."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import stat

import pytest

from tests.voice_audio import TINY_MODEL, spoken
from tvportal.app import create_app
from tvportal.keys import ASR
from tvportal.settings import load_settings


def damaged_model(tmp_path, how: str):
    """A copy of the tiny model with one file damaged the way a fault run found it."""
    return damage(model_copy(tmp_path), how)


def model_copy(tmp_path):
    """A writable copy of the tiny model."""
    model = tmp_path / "model"
    shutil.copytree(TINY_MODEL, model)
    for path in model.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return model


def damage(model, how: str):
    """Damage one file of ``model`` the way a fault run found it."""
    if how == "empty-conf":
        (model / "conf" / "model.conf").write_bytes(b"")
    else:
        (model / "graph" / "HCLr.fst").write_bytes(os.urandom(5000))
    return model


async def portal(aiohttp_client, tmp_path, model):
    """The real app with ``model`` as its speech model."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "voice_model_path": str(model)}, environ={})
    return await aiohttp_client(create_app(settings))


@pytest.mark.parametrize("how", ["empty-conf", "random-graph"])
async def test_damaged_model_is_unavailable_and_portal_serves(aiohttp_client, tmp_path, how):
    """The test decode at start finds the damage; voice input says so in Chinese; every page still works."""
    client = await portal(aiohttp_client, tmp_path, damaged_model(tmp_path, how))
    asr = client.app[ASR]
    assert not asr.available and "test decode" in asr.unavailable
    for _ in range(3):
        resp = await client.post("/voice/recognize", data=spoken("首页"))
        assert resp.status == 503 and "语音" in (await resp.json())["error"]
        assert (await client.get("/voice/listen")).status == 503
    home = await client.get("/")
    assert home.status == 200
    # installed but not working: home offers 帮助, not a 语音助手 that would only say it is unavailable
    assert 'id="t-voice"' not in await home.text() and 'id="t-help"' in await home.text()
    health = await (await client.get("/healthz")).json()
    assert "voice_input" in health["degraded"] and health["parts"]["voice_input"]["ok"] is False
    settings_page = await (await client.get("/settings")).text()
    assert "语音识别模型不能用" in settings_page


async def test_home_follows_the_recognizer_not_the_files(aiohttp_client, tmp_path):
    """Home shows 语音助手 while voice input works (also from the page cache); the model is damaged on disk
    and the worker dies: its restart fails the test decode, and the next home offers 帮助 instead, not the
    cached page of a moment ago."""
    client = await portal(aiohttp_client, tmp_path, model_copy(tmp_path))
    asr = client.app[ASR]
    assert asr.available
    for _ in range(2):  # the second answer is the page cache's
        assert 'id="t-voice"' in await (await client.get("/")).text()
    damage(tmp_path / "model", "empty-conf")
    os.kill(asr.proc.pid, signal.SIGKILL)
    for _ in range(100):
        if asr.unavailable not in ("", "restarting"):
            break
        await asyncio.sleep(0.1)
    assert "test decode" in asr.unavailable
    home = await (await client.get("/")).text()
    assert 'id="t-voice"' not in home and 'id="t-help"' in home
    health = await (await client.get("/healthz")).json()
    assert health["parts"]["voice_input"]["ok"] is False


async def test_worker_death_fails_one_utterance_and_is_restarted(aiohttp_client, tmp_path):
    """A worker killed by an abort mid-utterance: that TV hears voice input is unavailable, the portal
    keeps serving, and the next utterance is recognised by a fresh worker."""
    client = await portal(aiohttp_client, tmp_path, TINY_MODEL)
    asr = client.app[ASR]
    assert asr.available
    ws = await client.ws_connect("/voice/listen")
    await ws.send_bytes(b"\0\0" * 1600)
    assert "partial" in await ws.receive_json()
    first = asr.proc.pid
    os.kill(first, signal.SIGABRT)  # what vosk's ASSERTION_FAILED does
    await ws.send_bytes(b"\0\0" * 1600)
    answer = await ws.receive_json()
    assert "语音" in answer["error"]
    await ws.close()
    assert (await client.get("/")).status == 200
    for _ in range(100):
        if asr.available:
            break
        await asyncio.sleep(0.1)
    assert asr.available and asr.proc.pid != first
    resp = await client.post("/voice/recognize", data=spoken("首页"))
    assert resp.status == 200 and (await resp.json())["action"]["do"] == "home"


async def test_silent_websocket_closes_although_pongs_arrive(aiohttp_client, tmp_path, monkeypatch):
    """Idle means no data from the TV: heartbeat pongs (answered by the client) do not keep it open."""
    from tvportal.views import voice_input

    monkeypatch.setattr(voice_input, "IDLE_SECONDS", 1.5)
    monkeypatch.setattr(voice_input, "HEARTBEAT", 0.3)
    client = await portal(aiohttp_client, tmp_path, TINY_MODEL)
    ws = await client.ws_connect("/voice/listen", autoping=True)
    started = asyncio.get_running_loop().time()
    msg = await ws.receive(timeout=6)
    assert msg.type.name == "TEXT" and "声音" in msg.json()["error"]
    assert (await ws.receive(timeout=3)).type.name in ("CLOSE", "CLOSED")
    assert asyncio.get_running_loop().time() - started < 3
