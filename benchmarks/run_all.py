"""Run every benchmark (page weight, server throughput, key press) and print all figures plus a summary.

Each benchmark starts its own portal process and measures its own baseline in the same run.  Exit status
is 1 when any target is missed or a benchmark fails to run.

Run from the repository root: ``python benchmarks/run_all.py [--duration 10] [--quick] [--markdown FILE]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import box_screens  # noqa: E402
import copilot_follow  # noqa: E402
import guide_screens  # noqa: E402
import key_count  # noqa: E402
import key_press  # noqa: E402
import nginx_instances  # noqa: E402
import page_weight  # noqa: E402
import server_throughput  # noqa: E402
from _portal import Row, all_ok, print_table  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="static/page wrk pairs per mode (default 3)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run (about a minute; the test suite runs it): 1 s wrk runs, 1 round, few key presses")
    p.add_argument("--markdown", type=Path, help="also write every figure as a Markdown table to this file")
    return p.parse_args(argv)


def markdown(sections: list[tuple[str, list[Row]]]) -> str:
    """All rows as one Markdown table per benchmark."""
    verdict = {True: "pass", False: "**FAIL**", None: ""}
    out = []
    for title, rows in sections:
        out += [f"### {title}", "", "| metric | value | target | result |", "|---|---|---|---|"]
        out += [f"| {r.metric} | {r.value.replace('|', '/')} | {r.target} | {verdict[r.ok]} |" for r in rows]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the three benchmarks in turn; print a summary of the judged figures."""
    args = parse_args(argv)
    duration, rounds = (1.0, 1) if args.quick else (args.duration, args.rounds)
    presses = ["--presses", "30", "--real-presses", "5"] if args.quick else []
    warmup = ["--warmup", "1"] if args.quick else []
    plan = [
        ("page weight", page_weight.run, ["--quick"] if args.quick else []),
        ("server throughput", server_throughput.run,
         ["--duration", f"{duration:g}", "--rounds", str(rounds), *warmup]),
        ("key press", key_press.run, presses),
        ("nginx instances", nginx_instances.run, ["--duration", f"{min(duration, 5):g}", "--rounds", str(min(rounds, 2))]),
        ("key count", key_count.run, []),
        ("guide screens", guide_screens.run, []),
        ("box screens", box_screens.run, ["--presses", "8", "--loads", "1"] if args.quick else []),
        ("family help", copilot_follow.run, ["--follows", "8"] if args.quick else []),
    ]
    sections: list[tuple[str, list[Row]]] = []
    started = time.monotonic()
    for title, run, bench_argv in plan:
        print(f"\n#### {title} {' '.join(bench_argv)} (at {time.monotonic() - started:.0f} s)", flush=True)
        try:
            rows = run(bench_argv)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            rows = [Row(f"{title} ran", f"error: {exc}", "runs", False)]
        sections.append((title, rows))
    judged = [Row(f"[{title}] {r.metric}", r.value, r.target, r.ok)
              for title, rows in sections for r in rows if r.ok is not None]
    print_table(f"summary: every judged figure ({time.monotonic() - started:.0f} s)", judged)
    ok = all(all_ok(rows) for _, rows in sections)
    failed = [r for r in judged if r.ok is False]
    print(f"\n{'ALL TARGETS MET' if ok else f'{len(failed)} TARGET(S) MISSED'}")
    if args.markdown:
        args.markdown.write_text(markdown(sections), encoding="utf-8")
        print(f"figures written to {args.markdown}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
