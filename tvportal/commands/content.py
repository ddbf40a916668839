"""``tvportal content import FILE [--dry-run]`` and ``tvportal content export DIR``: XML/JSON exchange.

Import checks the whole file first and writes nothing unless every record is valid; then it writes
all records in one transaction straight to the published content of the database (re-importing a
guide with the same 实施编码 updates it).  Running instances notice the new content version within
``content_check_ms`` and apply it (a big import's search segment is built in a child process there,
content/segment_worker.py).  References are resolved once, inside the write transaction.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tvportal.settings import SettingsError, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``content`` subcommand with ``import`` and ``export``."""
    content = sub.add_parser("content", help="import or export guides, halls and policies (XML or JSON)")
    actions = content.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="import an XML or JSON content file (all or nothing)")
    imp.add_argument("file", help="the file to import (format: docs/content-xml.md)")
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, change nothing")
    exp = actions.add_parser("export", help="write the published content to DIR as XML and JSON")
    exp.add_argument("dir", help="folder to write tvportal-content.xml and tvportal-content.json into")
    exp.add_argument("--format", choices=("xml", "json", "both"), default="both")
    for p in (imp, exp):
        p.add_argument("--data-dir", help="folder of the database (default ./tvportal-data)")
        p.add_argument("--config", help="TOML settings file (see docs/settings.md)")
    content.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``content import`` or ``content export``; errors are printed in Chinese, exit status 1 (bad file) or 2."""
    from tvportal.database import open_database, prepare

    settings = load_settings({"data_dir": args.data_dir}, config_file=args.config)
    db = open_database(settings)
    try:
        prepare(db, settings)  # the schema up to date, and the demo content in an empty database
        return _import(db, args) if args.action == "import" else _export(db, args)
    except (SettingsError, OSError) as exc:
        print(f"tvportal: {exc}", file=sys.stderr)
        return 2
    finally:
        db.close()


def _import(db, args: argparse.Namespace) -> int:
    """Check, then (unless --dry-run) apply an import file."""
    from content.model import ContentError
    from content.xml_io import MAX_BYTES, apply_import, parse_import, stored_references

    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_BYTES:
            data = b"x" * (MAX_BYTES + 1)  # reported as too big without reading it all
        else:
            data = path.read_bytes()
    except OSError as exc:
        print(f"无法读取文件 {path}：{exc.strerror}", file=sys.stderr)
        return 2
    # a dry run resolves against the stored content now; an import does it once, in its write transaction
    existing = db.read_sync(stored_references) if args.dry_run else None
    report = parse_import(data, existing=existing)
    if not _reported(report, path):
        return 1
    if args.dry_run:
        _print_actions(report)
        print("检查通过（--dry-run，没有写入）：" + report.summary())
        return 0
    from tvportal.editor.versions import lock

    def apply_locked(conn) -> None:
        """Wait for editors' writes, then import in the same transaction."""
        lock(conn)
        apply_import(conn, report)

    try:
        db.write_sync(apply_locked)
    except ContentError as exc:  # a reference the file needs is missing from the store
        if _reported(report, path):
            print(str(exc), file=sys.stderr)
        return 1
    _print_actions(report)
    print("导入完成：" + report.summary())
    return 0


def _reported(report, path: Path) -> bool:
    """Print the problems of a report to stderr; True when it has none."""
    for problem in report.errors:
        print(f"{path}：{problem}", file=sys.stderr)
    if not report.ok:
        print(report.summary(), file=sys.stderr)
    return report.ok


def _print_actions(report) -> None:
    """One line per record: 新增 or 更新, kind, id."""
    for (kind, rid), action in report.actions.items():
        print(f"{action} {kind} {rid}")


def _export(db, args: argparse.Namespace) -> int:
    """Write the published content as XML and/or JSON files into the folder."""
    from content.xml_io import export_json, export_xml, load_existing

    folder = Path(args.dir)
    records = db.read_sync(load_existing)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        if args.format in ("xml", "both"):
            (folder / "tvportal-content.xml").write_bytes(export_xml(records))
            written.append(folder / "tvportal-content.xml")
        if args.format in ("json", "both"):
            (folder / "tvportal-content.json").write_bytes(export_json(records))
            written.append(folder / "tvportal-content.json")
    except OSError as exc:
        print(f"无法写入 {folder}：{exc.strerror}", file=sys.stderr)
        return 2
    for path in written:
        print(f"已导出 {len(records)} 条到 {path}")
    return 0
