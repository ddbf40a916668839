"""Smoke test of the benchmarks: ``benchmarks/run_all.py --quick`` runs every benchmark to its end (each starts
its own portal). The figures depend on the machine and are not asserted here; what is asserted is that every
benchmark ran and printed its table, so a broken benchmark is found by the test suite, not on the day it is
needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_run_all_quick_runs_every_benchmark(tmp_path):
    """Every section runs (no 'error:' row), the summary is printed, and the exit status is 0 or 1 only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVPORTAL_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "benchmarks/run_all.py", "--quick", "--markdown", str(tmp_path / "f.md")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), out[-3000:]
    assert "summary: every judged figure" in out, out[-3000:]
    assert "Traceback" not in out and " ran " not in out, out[-3000:]
    figures = (tmp_path / "f.md").read_text(encoding="utf-8")
    for section in ("page weight", "server throughput", "key press", "nginx instances", "key count",
                    "guide screens", "box screens", "family help"):
        assert f"### {section}" in figures
