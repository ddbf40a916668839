"""Reading aloud at scale and after a publish, each against a baseline of the same run:

* cost of ``/voice/recognize`` (the tiny test model, espeak-ng speech of 首页) and ``/voice/tts`` (a cached
  sentence; new sentences) at 10,000 generated guides against the demo's 18 (and recognition against 1,000:
  its grammar holds at most 200 service names, so it grows up to there and then stays): server CPU per request;
* seconds from arriving on a guide's first screen (the page request) to the first byte of its first
  sentence's audio, slow rate, speech already cached; baseline: the page request alone;
* share of the screens of just-published guides whose every sentence is already synthesised N seconds
  after the publish, with the warm-up on (the default) against the same portal build with it off.

The sentences are the ones a TV asks for: taken from the pages' speech scripts (voice/warmup.py), with
their signatures where the portal signs them.  Ports 18350-18359.
Run from the repository root: ``python benchmarks/voice_speech.py [--sizes 18,1000,10000] [--after 2,5,10,20,40]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import itertools
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import big_content  # noqa: E402
from _portal import HOST, Portal, Row, all_ok, fetch, median, percentile, print_table  # noqa: E402
from big_content import cpu_s, seed, serve, settings_of  # noqa: E402

from content import store  # noqa: E402
from tests.voice_audio import TINY_MODEL, spoken  # noqa: E402
from tvportal.database import open_database  # noqa: E402
from voice.tts import RATES, VOICES, VOLUME, speech_key  # noqa: E402
from voice.tts_worker import engine_version  # noqa: E402
from voice.warmup import next_screen, script_sentences  # noqa: E402

big_content.PORTS = itertools.cycle(range(18350, 18360))
SPEECH = {"TVPORTAL_TTS_ENABLED": "true", "TVPORTAL_VOICE_MODEL_PATH": str(TINY_MODEL)}
GUIDES = ("h1", "h2", "h3", "h5", "q1", "i1")  # demo guides: in both sizes
GOAL_FIRST_AUDIO_S = 2.0


def sentences_of(portal: Portal, path: str) -> tuple[dict, list[tuple[str, str]], str]:
    """A page's speech script, its sentences and its HTML."""
    reply = fetch(portal, path, timeout=30)
    html = reply.body.decode("utf-8", "replace")
    data, said = script_sentences(html)
    return data, said, html


def tts_path(sentence: tuple[str, str], data: dict) -> str:
    """The URL a TV asks for a sentence."""
    text, signature = sentence
    query = {"t": text, "l": data.get("l", "zh_CN"), "r": data.get("r", "slow"), **({"s": signature} if signature else {})}
    return "/voice/tts?" + urllib.parse.urlencode(query)


def server_cpu_ms(portal: Portal, call, rounds: int) -> float:
    """Server CPU milliseconds per call (CPU of the portal process: wall time measures the neighbours)."""
    before = cpu_s(portal.pid)
    for i in range(rounds):
        call(i)
    return (cpu_s(portal.pid) - before) * 1000 / rounds


def post_wav(portal: Portal, path: str, body: bytes) -> int:
    """POST a WAV; the status."""
    conn = http.client.HTTPConnection(HOST, portal.port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "audio/wav"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def costs(n: int, tmp: Path) -> dict[str, float]:
    """Per-request figures of one content size (warm-up off: every sentence asked is new)."""
    data_dir = tmp / f"cost{n}" / "data"
    data_dir.parent.mkdir(parents=True)
    seed(data_dir, max(0, n - 18))
    env = {**SPEECH, "TVPORTAL_TTS_WARMUP": "false"}
    with serve(data_dir, env=env):
        pass  # the first start indexes everything and saves the index (seconds of CPU at 10,000 guides)
    with serve(data_dir, env=env) as (portal, _startup):
        wav = spoken("首页")
        choices = "&".join("c=" + urllib.parse.quote(f"i{k}~{k}~{name}") for k, name in enumerate(("养老", "社保", "医保"), 1))
        for _ in range(5):
            assert post_wav(portal, "/voice/recognize?" + choices, wav) == 200
        recognize = server_cpu_ms(portal, lambda i: post_wav(portal, "/voice/recognize?" + choices, wav), 30)
        pages = [sentences_of(portal, f"/guides/{g}") for g in GUIDES]
        fresh = [(s, data) for data, said, _html in pages for s in said][:24]
        walls = []
        for sentence, data in fresh:
            start = time.monotonic()
            status = fetch(portal, tts_path(sentence, data), timeout=30).status
            walls.append((time.monotonic() - start) * 1000)
            assert status == 200, status
        cached_path = tts_path(*fresh[0])
        cached = server_cpu_ms(portal, lambda i: fetch(portal, cached_path), 1000)
        base = server_cpu_ms(portal, lambda i: fetch(portal, "/healthz"), 1000)
    return {"recognize": recognize, "cached": cached, "healthz": base, "new_p50": median(walls),
            "new_p95": percentile(walls, 95)}


def screen_sentences(portal: Portal, guide_id: str) -> list[tuple[dict, list[tuple[str, str]]]]:
    """Every screen of a guide (PageDown links) with its sentences."""
    screens, url = [], f"/guides/{guide_id}"
    while url and len(screens) < 12:
        data, said, html = sentences_of(portal, url)
        screens.append((data, said))
        url = next_screen(html)
    return screens


def cached_share(portal: Portal, guide_ids: list[str], engine: str) -> float:
    """Share of the guides' screens whose every sentence is in the portal's speech cache (read on disk)."""
    cache = portal.data_dir / "speech-cache"
    total = ready = 0
    for guide_id in guide_ids:
        for data, said in screen_sentences(portal, guide_id):
            total += 1
            voice, wpm = VOICES[data.get("l", "zh_CN")], RATES[data.get("r", "slow")]
            keys = [speech_key(" ".join(t.split()), voice, wpm, VOLUME, engine) for t, _s in said]
            ready += all((cache / k[:2] / (k + ".mp3")).exists() for k in keys)
    return ready / total if total else 0.0


def publish(data_dir: Path, guide_ids: list[str], mark: str) -> None:
    """Rename guides in the store from this process, as an import or another instance publishes."""
    db = open_database(settings_of(data_dir))
    try:
        for guide_id in guide_ids:
            current = db.read_sync(lambda conn: store.KINDS["guide"].from_dict(store.load_plain(conn, "guide", guide_id)))
            db.write_sync(store.put, "guide", dataclasses.replace(current, name=f"{current.name}（{mark}）"))
    finally:
        db.close()


def warmup_shares(tmp: Path, after: list[float], engine: str) -> tuple[dict[bool, list[float]], float, list[float]]:
    """Shares N s after a publish with the warm-up on and off; the first warm-up's seconds (on);
    first-audio-byte seconds of guide pages with their speech cached."""
    shares: dict[bool, list[float]] = {}
    first_warm, first_audio = 0.0, []
    for warm in (False, True):
        data_dir = tmp / f"warm-{warm}" / "data"
        data_dir.parent.mkdir(parents=True)
        seed(data_dir, 0)
        env = {**SPEECH, "TVPORTAL_TTS_WARMUP": "true" if warm else "false"}
        with serve(data_dir, env=env) as (portal, _startup):
            demo = [g for g in GUIDES]
            if warm:
                start = time.monotonic()
                while cached_share(portal, demo, engine) < 1 and time.monotonic() - start < 300:
                    time.sleep(1)
                first_warm = time.monotonic() - start  # from /healthz; the warm-up waits START_DELAY (5 s) first
                first_audio = first_audio_byte(portal)
            publish(data_dir, demo, "新版")
            published = time.monotonic()
            shares[warm] = []
            for seconds in after:
                time.sleep(max(0.0, published + seconds - time.monotonic()))
                shares[warm].append(cached_share(portal, demo, engine))
    return shares, first_warm, first_audio


def first_audio_byte(portal: Portal, rounds: int = 20) -> list[float]:
    """Seconds from requesting a guide's first screen to the first byte of its first sentence's MP3."""
    out = []
    for i in range(rounds):
        guide = GUIDES[i % len(GUIDES)]
        start = time.monotonic()
        data, said, _html = sentences_of(portal, f"/guides/{guide}")
        conn = http.client.HTTPConnection(HOST, portal.port, timeout=30)
        conn.request("GET", tts_path(said[0], data))
        resp = conn.getresponse()
        resp.read(1)
        out.append(time.monotonic() - start)
        resp.read()
        conn.close()
    return out


def page_only(portal_dir: Path, rounds: int = 20) -> list[float]:
    """Baseline: the guide page request alone."""
    out = []
    with serve(portal_dir, env={**SPEECH, "TVPORTAL_TTS_WARMUP": "false"}) as (portal, _startup):
        for i in range(rounds):
            start = time.monotonic()
            fetch(portal, f"/guides/{GUIDES[i % len(GUIDES)]}")
            out.append(time.monotonic() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure, print one table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="18,1000,10000",
                   help="guides: the first is the baseline; recognition is compared with the one before the last "
                        "(both above the grammar's 200 service names)")
    p.add_argument("--after", default="2,5,10,20,40", help="seconds after a publish to look at the cache")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    after = [float(x) for x in args.after.split(",")]
    engine = engine_version()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tvportal-speech-") as tmp_name:
        tmp = Path(tmp_name)
        figures = {n: costs(n, tmp) for n in sizes}
        base, top = figures[sizes[0]], figures[sizes[-1]]
        plateau = figures[sizes[-2]] if len(sizes) > 2 else base  # above the grammar's cap of service names
        for n in sizes:
            f = figures[n]
            rows.append(Row(f"{n} guides: /voice/recognize server CPU per request", f"{f['recognize']:.1f} ms"
                            + ("" if n == sizes[0] else f" = {f['recognize'] / base['recognize']:.2f}x {sizes[0]}")))
            rows.append(Row(f"{n} guides: cached /voice/tts server CPU per request (/healthz {f['healthz']:.2f} ms)",
                            f"{f['cached']:.2f} ms" + ("" if n == sizes[0] else f" = {f['cached'] / base['cached']:.2f}x {sizes[0]}")))
            rows.append(Row(f"{n} guides: new sentence /voice/tts wall p50 / p95", f"{f['new_p50']:.0f} / {f['new_p95']:.0f} ms"))
        ratio = top["recognize"] / plateau["recognize"]
        rows.append(Row(f"/voice/recognize at {sizes[-1]} against {sizes[-2] if len(sizes) > 2 else sizes[0]} guides",
                        f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5))
        ratio = top["cached"] / base["cached"]
        rows.append(Row(f"cached /voice/tts at {sizes[-1]} against {sizes[0]} guides", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5))
        shares, first_warm, audio = warmup_shares(tmp, after, engine)
        baseline_dir = tmp / "warm-False" / "data"
        page = page_only(baseline_dir)
    rows.append(Row("guide page alone (baseline) p50 / p95", f"{median(page):.3f} / {percentile(page, 95):.3f} s"))
    rows.append(Row("arrive on a guide's first screen -> first audio byte, slow, cached, p50 / p95",
                    f"{median(audio):.3f} / {percentile(audio, 95):.3f} s", f"<= {GOAL_FIRST_AUDIO_S} s",
                    percentile(audio, 95) <= GOAL_FIRST_AUDIO_S))
    rows.append(Row("warm-up at start: every screen of 6 demo guides cached after", f"{first_warm:.1f} s"))
    for seconds, off, on in zip(after, shares[False], shares[True]):
        rows.append(Row(f"screens of 6 just-published guides pre-synthesised {seconds:g} s after the publish",
                        f"{on:.0%} (warm-up off: {off:.0%})"))
    rows.append(Row("all screens pre-synthesised by the last look", f"{shares[True][-1]:.0%}", "100 %", shares[True][-1] == 1))
    print_table("voice: reading aloud at scale and after a publish", rows)
    return 0 if all_ok(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
