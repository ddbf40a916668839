"""Response header helpers."""

from __future__ import annotations

from multidict import CIMultiDict


def add_vary(headers: CIMultiDict[str], *names: str) -> None:
    """Add request headers to ``Vary`` without dropping those another layer named (caches key on all)."""
    present = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
    if "*" in present:
        return
    lower = {v.lower() for v in present}
    present += [n for n in names if n.lower() not in lower]
    headers["Vary"] = ", ".join(present)
