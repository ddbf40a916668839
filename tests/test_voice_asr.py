"""Voice commands through the real vosk library on the tiny test model (../shared/models/tiny-test-model):
segmentation, grammar, action mapping, the POST and WebSocket endpoints with espeak-ng speech,
bad audio, concurrency and the portal without a model."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.voice_audio import TINY_MODEL, frames_of, noise, pcm_wav, silence, spoken
from tvportal.app import create_app
from tvportal.settings import load_settings
from voice.asr import Recognizer, model_problem
from voice.grammar import Choice, build_grammar, segment

# (spoken text, the action's fields it must produce)
COMMANDS = [
    ("首页", {"do": "home"}), ("返回", {"do": "back"}), ("下一页", {"do": "page", "dir": "next"}),
    ("上一页", {"do": "page", "dir": "prev"}), ("帮助", {"do": "help"}), ("大声一点", {"do": "volume", "step": 1}),
    ("小声一点", {"do": "volume", "step": -1}), ("慢一点", {"do": "rate", "value": "slow"}),
    ("快一点", {"do": "rate", "value": "normal"}), ("朗读", {"do": "read"}), ("第三个", {"do": "digit", "n": 3}),
    ("第八个", {"do": "digit", "n": 8}), ("社保查询", {"do": "search", "q": "社保 查询"}),
]


@pytest.fixture(scope="module")
def model():
    """The tiny model, loaded once for the module's grammar tests."""
    import vosk

    vosk.SetLogLevel(-1)
    return vosk.Model(str(TINY_MODEL))


@pytest.fixture
async def voice_client(aiohttp_client, tmp_path):
    """The real app with the tiny model configured as its speech model."""
    settings = load_settings({"data_dir": str(tmp_path / "data"), "voice_model_path": str(TINY_MODEL)}, environ={})
    return await aiohttp_client(create_app(settings))


def test_tiny_model_present():
    """CI has shared/ beside the clone: the model must be there (the tests run, never skip)."""
    assert model_problem(TINY_MODEL) == ""


def test_segmentation(model):
    """Greedy longest match into vocabulary words; unknown characters show as None."""
    find = model.vosk_model_find_word
    assert segment("社保查询", find) == ["社保", "查询"]
    assert segment("第三个", find) == ["第", "三", "个"]
    assert segment("大声一点！", find) == ["大声", "一点"]
    assert segment("上一页", find) == ["上一页"]
    assert segment("社保缴费查询", find) == ["社保", None, None, "查询"]


def test_grammar_and_mapping(model):
    """Page choices, global commands and service names become space-separated phrases with [unk]; never []."""
    find = model.vosk_model_find_word
    grammar = build_grammar(find, [Choice("w", "天气", 2), Choice("x", "养老金申领", 3)], ["社保缴费查询", "高龄津贴"])
    phrases = json.loads(grammar.to_json())
    assert "天气" in phrases and "第 三 个" in phrases and "大声 一点" in phrases and "社保 查询" in phrases
    assert phrases[-1] == "[unk]" and not any("养老" in p or "津贴" in p for p in phrases)
    assert grammar.action_for("天气")["do"] == "open" and grammar.action_for("天气")["id"] == "w"
    assert grammar.action_for("社保 查询") == {"do": "search", "q": "社保 查询", "heard": "社保查询"}
    assert grammar.action_for("[unk]")["do"] == "none" and grammar.action_for("")["do"] == "none"
    empty = build_grammar(lambda word: -1)
    assert empty.to_json() is None  # the recognizer then decodes freely instead of crashing on "[]"


@pytest.mark.parametrize("text,expected", COMMANDS)
async def test_spoken_command_to_action(voice_client, text, expected):
    """End to end: espeak-ng speech of a command -> POST /voice/recognize -> the right action."""
    resp = await voice_client.post("/voice/recognize", data=spoken(text))
    assert resp.status == 200
    body = await resp.json()
    assert {k: body["action"].get(k) for k in expected} == expected
    assert body["say"]


async def test_page_choice_spoken(voice_client):
    """A page's own choice (sent by the TV as id~digit~label) is recognised and opened."""
    resp = await voice_client.post("/voice/recognize", params=[("c", "t-weather~4~天气"), ("c", "t-x~5~办事指南")],
                                   data=spoken("天气", speed=130))
    body = await resp.json()
    assert body["action"]["do"] == "open" and body["action"]["id"] == "t-weather"


@pytest.mark.parametrize("audio", [silence(1.0), noise(1.0)], ids=["silence", "noise"])
async def test_silence_and_noise_do_nothing(voice_client, audio):
    """Silence and noise map to no action, with a spoken request to say it again."""
    body = await (await voice_client.post("/voice/recognize", data=audio)).json()
    assert body["action"]["do"] == "none" and body["say"]


@pytest.mark.parametrize("make,status", [
    (lambda: b"", 400),
    (lambda: b"not a wav at all", 415),
    (lambda: b"RIFF\x10\x00\x00\x00WAVEfmt junk", 415),
    (lambda: spoken("首页", rate=22050), 422),
    (lambda: spoken("首页", channels=2), 422),
    (lambda: pcm_wav(b""), 400),
    (lambda: silence(15.5), 413),
    (lambda: b"RIFF" + b"\0" * 600_000, 413),
], ids=["empty", "not-wav", "broken", "22khz", "stereo", "no-frames", "too-long", "too-large"])
async def test_bad_audio_is_refused(voice_client, make, status):
    """Bad audio gets a clear 4xx with a Chinese message, as JSON."""
    resp = await voice_client.post("/voice/recognize", data=make())
    assert resp.status == status
    assert (await resp.json())["error"]


async def test_websocket_streams_partials_and_final(voice_client):
    """16 kHz PCM in 0.1 s chunks over the WebSocket: partial results, then the final action."""
    pcm = frames_of(spoken("大声一点"))
    ws = await voice_client.ws_connect("/voice/listen")
    partials = []
    for i in range(0, len(pcm), 3200):
        await ws.send_bytes(pcm[i:i + 3200])
        partials.append((await ws.receive_json())["partial"])
    await ws.send_str("end")
    final = await ws.receive_json()
    await ws.close()
    assert any(partials) and final["final"] and final["action"]["do"] == "volume" and final["action"]["step"] == 1


async def test_concurrent_streams(voice_client):
    """Several utterances at once each get their own recognizer and their own right answer."""
    async def one(text):
        """Stream one command; the action it was mapped to."""
        pcm = frames_of(spoken(text)) + frames_of(silence(1.0))
        ws = await voice_client.ws_connect("/voice/listen")
        result = {}
        for i in range(0, len(pcm), 8000):
            await ws.send_bytes(pcm[i:i + 8000])
            result = await ws.receive_json()
            if result.get("final"):  # silence after the words ends the utterance on the server
                break
        else:
            await ws.send_str("end")
            result = await ws.receive_json()
        await ws.close()
        return result["action"]["do"]

    texts = ["首页", "返回", "帮助", "朗读"]
    assert await asyncio.gather(*(one(t) for t in texts)) == ["home", "back", "help", "read"]


async def test_websocket_ends_on_silence(voice_client):
    """Trailing silence after the words ends the utterance without waiting for the TV's time limit."""
    pcm = frames_of(spoken("帮助")) + frames_of(silence(1.5))
    ws = await voice_client.ws_connect("/voice/listen")
    messages = []
    for i in range(0, len(pcm), 3200):
        await ws.send_bytes(pcm[i:i + 3200])
        messages.append(await ws.receive_json())
        if messages[-1].get("final"):
            break
    await ws.close()
    assert messages[-1].get("final") and messages[-1]["action"]["do"] == "help"


async def test_websocket_bad_input(voice_client):
    """Text other than 'end', odd-length chunks and 'end' without audio get error messages."""
    ws = await voice_client.ws_connect("/voice/listen")
    await ws.send_str("hello")
    assert "16000" in (await ws.receive_json())["error"]
    await ws.send_str("end")
    assert (await ws.receive_json())["error"]
    await ws.close()


async def test_recognizer_loads_once_and_refuses_partial_models(tmp_path):
    """A folder without the model files is refused before vosk sees it (vosk would print and raise)."""
    (tmp_path / "am").mkdir()
    broken = Recognizer(tmp_path)
    await broken.load()
    assert not broken.available and "final.mdl" in broken.unavailable
    await broken.close()


async def test_portal_without_model(client):
    """No model installed: pages work, no green hint, the endpoints answer 503, settings say why."""
    html = await (await client.get("/")).text()
    assert "k-green" not in html and '"mic":0' in html
    assert (await client.post("/voice/recognize", data=spoken("首页"))).status == 503
    assert (await client.get("/voice/listen")).status == 503
    assert "voice-status" in await (await client.get("/settings")).text()


async def test_green_hint_with_model(voice_client):
    """With a model, pages offer the green key and tell the runtime a microphone may be used."""
    html = await (await voice_client.get("/guides")).text()
    assert "k-green" in html and '"mic":1' in html


async def test_voice_page(voice_client, client):
    """The 语音助手 page offers 开始说话 with a model; without one it says voice commands are unavailable, and
    home leads to 帮助 instead of to it (issue 12: nobody meets that sentence from home)."""
    html = await (await voice_client.get("/voice")).text()
    assert 'id="v-listen"' in html and 'href="/help"' in html and "k-green" in html
    assert 'href="/voice"' in await (await voice_client.get("/")).text()
    html = await (await client.get("/voice")).text()
    assert 'id="v-listen"' not in html and 'href="/help"' in html and "k-green" not in html
    home = await (await client.get("/")).text()
    assert 'href="/voice"' not in home and 'id="t-help" class="f tile" href="/help"' in home


async def test_long_recording_in_many_chunks(voice_client):
    """A 14 s recording (448 KB, far above the form limit) sent in small chunks is read whole and decoded."""
    wav = pcm_wav(frames_of(spoken("下一页")) + frames_of(silence(13.0)))

    async def chunks():
        """The body in 4 KB pieces, as a slow link delivers it."""
        for i in range(0, len(wav), 4096):
            yield wav[i:i + 4096]

    resp = await voice_client.post("/voice/recognize", data=chunks())
    assert resp.status == 200
    assert (await resp.json())["action"] == {"do": "page", "dir": "next", "heard": "下一页"}
