"""Layering: remote_nav/, voice/ and content/ import nothing from tvportal/, and the editor's modules do not
import each other in a circle. Every import counts, also one inside a function (a lazy import hides a cycle,
it does not remove it)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOWER = ("remote_nav", "voice", "content")


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """Every module a file imports, at any depth of the file (relative imports made absolute)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def module_name(path: Path, root: Path = ROOT) -> str:
    """A file's dotted module name."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_lower_packages_import_nothing_from_tvportal() -> None:
    """The three independent packages stay independent of the portal."""
    offenders = [f"{path.relative_to(ROOT)} imports {name}"
                 for package in LOWER for path in sorted((ROOT / package).rglob("*.py"))
                 for name in sorted(imported(path)) if name == "tvportal" or name.startswith("tvportal.")]
    assert not offenders, offenders


def cycles(package: str, root: Path = ROOT) -> list[list[str]]:
    """Import cycles among the modules of one package (depth-first search over the import graph)."""
    files = {module_name(p, root): p for p in (root / package.replace(".", "/")).rglob("*.py")}
    graph = {name: {other for other in files if other != name and other in imported(path, root)}
             for name, path in files.items()}
    found, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        """Walk on from ``node``; a node on the current trail closes a cycle."""
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_editor_modules_have_no_import_cycles() -> None:
    """views_items and views_publish (and every other editor module) depend one way only."""
    assert cycles("tvportal.editor") == []


def test_cycle_finder_finds_a_cycle(tmp_path) -> None:
    """The search itself works: two modules importing each other are reported."""
    pkg = tmp_path / "loop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from loop.b import g\n")
    (pkg / "b.py").write_text("from loop import a\n")
    assert cycles("loop", tmp_path) == [["loop.a", "loop.b", "loop.a"]]
