"""Make the table of docs/settings.md from the declarations (tvportal/settings_declared.py).

Run ``python -m tvportal.settings_doc`` after changing a setting; ``--check`` exits 1 when the file
differs (tests/test_settings.py runs the same comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tvportal.settings_declared import DECLARED, Setting

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
HEADER = "| name | default | what it does |\n|---|---|---|\n"


def _default(value: Any) -> str:
    """A default as the table shows it."""
    if value in ("", ()):
        return "*(empty)*"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def row(setting: Setting) -> str:
    """One setting's table row."""
    return f"| `{setting.name}` | {_default(setting.default)} | {setting.help} |\n"


def table() -> str:
    """The whole table."""
    return HEADER + "".join(row(s) for s in DECLARED)


def with_table(text: str) -> str:
    """docs/settings.md with its table replaced by the one made from the declarations."""
    start = text.index(HEADER)
    end = start + len(HEADER)
    lines = text[end:].splitlines(keepends=True)
    while lines and lines[0].startswith("|"):
        end += len(lines.pop(0))
    return text[:start] + table() + text[end:]


def main(argv: list[str]) -> int:
    """Rewrite the file, or with ``--check`` say whether it is current."""
    current = DOC.read_text(encoding="utf-8")
    made = with_table(current)
    if "--check" in argv:
        if made != current:
            print(f"{DOC} is out of date: run python -m tvportal.settings_doc", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(made, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
