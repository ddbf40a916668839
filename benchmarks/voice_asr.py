"""Voice commands: model load time and memory, real-time factor on one core, and the time from the end
of the audio to the final result, with the model the tests use (../shared/models/tiny-test-model) or
another one given with --model.  Audio: espeak-ng speech of the 16 commands of the model's README.

The process and its recognition worker are pinned to one core.  Baseline in the same run: decoding the
same length of digital silence (what the decoder costs without speech).  Runs the portal's own code
(voice.asr.Recognizer, one recognizer per utterance, with the page grammar); CPU time and memory are
this process's plus its recognition worker's (vosk runs in the worker, voice/asr_worker.py).
Run from the repository root: ``python benchmarks/voice_asr.py [--model DIR] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO))

from _portal import Row, all_ok, median, percentile, print_table  # noqa: E402
from tests.voice_audio import TINY_MODEL, frames_of, silence, spoken  # noqa: E402
from voice.asr import Recognizer  # noqa: E402
from voice.grammar import GLOBAL, build_grammar  # noqa: E402

COMMANDS = ["首页", "返回", "上一页", "下一页", "帮助", "大声一点", "小声一点", "慢一点", "快一点", "朗读",
            "第一个", "第三个", "第五个", "第八个", "社保查询", "天气"]
EXPECTED = {"社保查询": "search", "天气": "none"}  # 天气 is not a command: it must map to no action
CHUNK = 3200  # 0.1 s, as the TV sends


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def decode(rec: Recognizer, pcm: bytes, services: list[str]) -> tuple[float, float, dict]:
    """Feed in 0.1 s chunks; (CPU seconds, end-of-audio to final seconds, result)."""
    await rec.prepare([*GLOBAL, *services])
    stream = rec.stream(build_grammar(rec.find_word, (), services))
    cpu = cpu_seconds(rec)
    for i in range(0, len(pcm), CHUNK):
        await stream.feed(pcm[i:i + CHUNK])
    end = time.perf_counter()
    result = await stream.finish()
    latency = time.perf_counter() - end
    return cpu_seconds(rec) - cpu, latency, result


def cpu_seconds(rec: Recognizer) -> float:
    """CPU time of this process and of the recognition worker."""
    fields = Path(f"/proc/{rec.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(model: Path, repeat: int) -> list[Row]:
    """All figures of this benchmark."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    audio = {c: frames_of(spoken(c)) for c in COMMANDS}
    before = rss_mb()
    rec = Recognizer(model, threads=1)
    start = time.perf_counter()
    await rec.load()
    load_s = time.perf_counter() - start
    if not rec.available:
        raise SystemExit(f"model not usable: {rec.unavailable}")
    after = rss_mb() + rss_mb(rec.proc.pid)
    services = ["社保缴费查询", "养老金查询", "医保查询"]
    cpu_total = audio_total = 0.0
    latencies, correct = [], 0
    for _ in range(repeat):
        for text, pcm in audio.items():
            cpu, latency, result = await decode(rec, pcm, services)
            cpu_total += cpu
            audio_total += len(pcm) / 32000
            latencies.append(latency * 1000)
            want = EXPECTED.get(text)
            got = result["action"]["do"]
            correct += (got == want) if want else (got != "none")
    quiet = frames_of(silence(1.5))
    base_cpu = 0.0
    for _ in range(repeat * len(COMMANDS)):
        base_cpu += (await decode(rec, quiet, services))[0]
    await rec.close()
    n = repeat * len(COMMANDS)
    rtf = cpu_total / audio_total
    return [
        Row("model", str(model)),
        Row("model load (once per process)", f"{load_s * 1000:.0f} ms"),
        Row("RSS before / after loading the model (with its worker)", f"{before:.0f} MB / {after:.0f} MB"),
        Row("real-time factor, one core (CPU s / audio s)", f"{rtf:.4f}", "< 1", rtf < 1),
        Row("baseline: RTF of 1.5 s digital silence", f"{base_cpu / (n * 1.5):.4f}"),
        Row("end of audio -> final result, p50", f"{median(latencies):.1f} ms", "<= 300 ms", median(latencies) <= 300),
        Row("end of audio -> final result, p95", f"{percentile(latencies, 95):.1f} ms"),
        Row("commands mapped to the right action", f"{correct}/{n}", ">= 90 %", correct >= 0.9 * n),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run and print; exit 1 when a target is missed."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", type=Path, default=TINY_MODEL, help="vosk model folder (default: the tiny test model)")
    p.add_argument("--repeat", type=int, default=3, help="passes over the 16 commands (default 3)")
    args = p.parse_args(argv)
    rows = asyncio.run(run(args.model, args.repeat))
    print_table("voice: speech recognition", rows)
    return 0 if all_ok(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
