"""Import and export of content as XML (docs/content-xml.md) or JSON, safely and all-or-nothing.

``parse_import(data)`` checks a file completely without touching the database and returns an
``ImportReport`` (records found, errors with line numbers); ``apply_import(conn, report)`` writes a
clean report in the caller's transaction, updating guides that already exist by 实施编码 (else by id).
Parsing resolves no entities, loads no DTD, uses no network, refuses DOCTYPE declarations, huge
files and deep nesting, so XXE, "billion laughs" and oversized files are rejected with a clear message.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import Connection

from content import safe_json, store
from content.integrity import check_references
from content.model import KINDS, SCHEMA_VERSION, ContentError, migrate, model_of, to_plain
from content.xml_format import ROOT, XmlValueError, document, element_record_data, load_schema
from content.xml_safe import MAX_DEPTH, iter_elements, refuse_doctype, schema_message

MAX_BYTES = 64 * 1024 * 1024  # 10,000 full guides are about 53 MB of XML
MAX_RECORDS = 20000
JSON_KEYS = {"category": "categories", "guide": "guides", "hall": "halls", "policy": "policies", "bundle": "bundles"}
KIND_NAMES = {"category": "分类", "guide": "办事指南", "hall": "服务大厅", "policy": "政策", "bundle": "一件事"}


@dataclass(frozen=True)
class Problem:
    """One error of an import: the line (XML) or record number (JSON) and a Chinese message."""

    line: int | None
    message: str

    def __str__(self) -> str:
        """第N行：message."""
        return f"第{self.line}行：{self.message}" if self.line else self.message


@dataclass
class ImportReport:
    """What a file holds and what is wrong with it; ``ok`` only when it can be applied as a whole."""

    records: list[Any] = field(default_factory=list)
    lines: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (kind, id) → line
    errors: list[Problem] = field(default_factory=list)
    actions: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) → 新增 / 更新 (after resolve)
    renamed: dict[str, str] = field(default_factory=dict)  # guide id in the file → existing id (same 实施编码)
    format: str = "xml"

    @property
    def ok(self) -> bool:
        """True when the file has records and no errors."""
        return not self.errors and bool(self.records)

    def counts(self) -> dict[str, int]:
        """Records per kind."""
        out: dict[str, int] = {}
        for r in self.records:
            out[r.KIND] = out.get(r.KIND, 0) + 1
        return out

    def summary(self) -> str:
        """One Chinese line: how many records of each kind, added and updated, or how many errors."""
        if self.errors:
            return f"导入失败：发现 {len(self.errors)} 处错误，没有做任何修改"
        if not self.records:
            return "文件里没有内容"
        kinds = "、".join(f"{KIND_NAMES[k]} {n} 条" for k, n in self.counts().items())
        added = sum(1 for a in self.actions.values() if a == "新增")
        updated = sum(1 for a in self.actions.values() if a == "更新")
        return f"共 {len(self.records)} 条（{kinds}）" + (f"：新增 {added} 条，更新 {updated} 条" if self.actions else "")


def _fail(report: ImportReport, message: str, line: int | None = None) -> ImportReport:
    """Add one error and return the report (for early exits)."""
    report.errors.append(Problem(line, message))
    return report


# ------------------------------------------------------------------------------------------------ XML

def _parse_xml(data: bytes, report: ImportReport) -> list[tuple[str, dict[str, Any], int | None]]:
    """The (kind, data, line) of each record element, or errors in the report.

    Streamed: the record elements are validated against the schema and converted ``BATCH`` at a time (in a
    document of their own under a copy of the root: the root is a free sequence of records, so a batch is
    valid exactly when it is valid in the whole file) and then dropped, so a file of 10,000 guides is never
    held as one tree.
    """
    refused = refuse_doctype(data)
    if refused is not None:
        _fail(report, *refused)
        return []
    out: list[tuple[str, dict[str, Any], int | None]] = []
    try:
        root, batch, depth, version = None, [], 0, 0
        for event, el in iter_elements(data):
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:  # checked in this one pass: a deep file is refused before its tree grows
                report.errors.clear()  # what earlier batches found does not matter: the file is refused as a whole
                _fail(report, f"嵌套层数超过 {MAX_DEPTH} 层，不是本系统的内容文件", el.sourceline)
                return []
            if event == "start" and depth == 1:
                root, version = el, _root_version(el, report)
                if not version:
                    return []
            elif event == "end" and depth == 1:
                batch.append(el)
                if len(batch) >= BATCH:
                    _take(batch, root, version, out, report)
                    batch = []
        if root is None:
            _fail(report, "XML 格式错误：没有根元素", 1)
            return []
        _take(batch, root, version, out, report)
    except etree.XMLSyntaxError as exc:
        text = str(exc)
        if "Detected an entity reference loop" in text or "entit" in text.lower() and "amplification" in text:
            _fail(report, "文件里有层层展开的实体（“亿笑”攻击），已拒绝", exc.lineno)
        else:
            _fail(report, f"XML 格式错误：{exc.msg}", exc.lineno)
        return []
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.system_url:
        _fail(report, "文件里有 DOCTYPE 或实体声明，为安全起见不接受（可能是 XXE 或“亿笑”攻击），请去掉后再导入", 1)
    if any(isinstance(el, etree._Entity) for el in root.iter()):
        _fail(report, "文件里有实体引用，为安全起见不接受", 1)
    return [] if report.errors else out


BATCH = 200  # record elements validated and converted at a time


def _root_version(root: Any, report: ImportReport) -> int:
    """The schema version of the root element, or 0 (with the error reported)."""
    if root.tag != ROOT:
        _fail(report, f"根元素应为 <{ROOT}>，现在是 <{root.tag}>", root.sourceline)
        return 0
    version = root.get("schema-version", "")
    if not version.isdigit() or not 1 <= int(version) <= SCHEMA_VERSION:
        _fail(report, f"schema-version 应为 1 到 {SCHEMA_VERSION}，现在是“{version}”", root.sourceline)
        return 0
    return int(version)


def _take(batch: list[Any], root: Any, version: int, out: list, report: ImportReport) -> None:
    """Validate a batch of record elements (moved out of ``root`` into a document of their own) and add their
    data to ``out``; after the first error only errors are collected."""
    doc = etree.Element(root.tag, attrib=dict(root.attrib))
    if not out and not report.errors:
        doc.text = root.text  # stray text before the first record is the schema's to refuse
    for el in batch:
        doc.append(el)  # moved: the parsed part of the file shrinks as batches are taken
    if any(isinstance(el, etree._Entity) for el in doc.iter()):
        _fail(report, "文件里有实体引用，为安全起见不接受", batch[0].sourceline if batch else 1)
        return
    schema = load_schema()
    if version == SCHEMA_VERSION and not schema.validate(doc):
        for err in schema.error_log:
            report.errors.append(Problem(err.line, schema_message(err.message)))
        return
    if report.errors:
        return
    for el in doc:
        if not isinstance(el.tag, str):
            continue
        try:
            raw = element_record_data(el)
        except XmlValueError as exc:
            _fail(report, str(exc), exc.line)
            continue
        out.append((el.tag, migrate(el.tag, raw, version), el.sourceline))


JSON_REFUSALS = {
    "syntax": "JSON 格式错误：{detail}",
    "depth": "JSON 嵌套太深（最多 {depth} 层），请检查文件是否完整、是否由本系统导出",
    "number": "JSON 里有太长的数字（最多 {digits} 位），请检查文件",
}


def _parse_json(data: bytes, report: ImportReport) -> list[tuple[str, dict[str, Any], int | None]]:
    """The (kind, data, position) of each record of a JSON export."""
    try:
        doc = safe_json.loads(data)
    except safe_json.JsonRejected as exc:
        _fail(report, JSON_REFUSALS[exc.reason].format(detail=exc.detail, depth=safe_json.MAX_DEPTH,
                                                       digits=safe_json.MAX_DIGITS), exc.line)
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("schema_version"), int):
        _fail(report, "JSON 文件应是一个对象，并带有整数 schema_version")
        return []
    version = doc["schema_version"]
    if not 1 <= version <= SCHEMA_VERSION:
        _fail(report, f"schema_version 应为 1 到 {SCHEMA_VERSION}，现在是 {version}")
        return []
    unknown = [k for k in doc if k not in JSON_KEYS.values() and k not in ("schema_version", "exported_at")]
    if unknown:
        _fail(report, f"JSON 里有不认识的键“{unknown[0]}”")
        return []
    out = []
    for kind, key in JSON_KEYS.items():
        items = doc.get(key, [])
        if not isinstance(items, list):
            _fail(report, f"“{key}”应为列表")
            continue
        out.extend((kind, migrate(kind, item, version), None) for item in items)
    return out


def parse_import(data: bytes, existing: Iterable[Any] | None = None) -> ImportReport:
    """Check an XML or JSON content file completely; ``existing`` records (e.g. a Snapshot's) resolve updates."""
    report = ImportReport()
    if len(data) > MAX_BYTES:
        return _fail(report, f"文件太大（{len(data) / 1048576:.1f} MB），最多 {MAX_BYTES // 1048576} MB，请分成几个文件导入")
    if not data.strip():
        return _fail(report, "文件是空的")
    is_json = data.lstrip()[:1] in (b"{", b"[")
    report.format = "json" if is_json else "xml"
    raws = _parse_json(data, report) if is_json else _parse_xml(data, report)
    if len(raws) > MAX_RECORDS:
        return _fail(report, f"一次最多导入 {MAX_RECORDS} 条")
    seen: dict[tuple[str, str], int | None] = {}
    raws.reverse()  # taken from the end: each raw document is let go as soon as its record is made
    for number in range(1, len(raws) + 1):
        kind, raw, line = raws.pop()
        position = line if line is not None else None
        label = "" if line is not None else f"第{number}条记录："
        try:
            record = model_of(kind).from_dict(raw)
        except ContentError as exc:
            report.errors.append(Problem(position, label + str(exc)))
            continue
        key = (kind, record.id)
        if key in seen:
            report.errors.append(Problem(position, f"{label}{KIND_NAMES[kind]}编号“{record.id}”在文件里出现了两次"))
            continue
        seen[key] = position
        report.records.append(record)
        report.lines[key] = position
    if existing is not None and not report.errors:
        resolve(report, list(existing))
    return report


# ------------------------------------------------------------------------------------------------ apply

def resolve(report: ImportReport, existing: list[Any]) -> None:
    """Match imported guides to existing ones by 实施编码 (else id), then check references over the merged set."""
    by_code = {r.implementation_code: r.id for r in existing if r.KIND == "guide" and r.implementation_code}
    known = {(r.KIND, r.id) for r in existing}
    renamed = {}
    for r in report.records:
        if r.KIND == "guide" and r.implementation_code in by_code and by_code[r.implementation_code] != r.id:
            renamed[r.id] = by_code[r.implementation_code]
    records = [_rename(r, renamed) for r in report.records]
    report.records, report.renamed = records, renamed
    report.lines = {(r.KIND, renamed.get(i, i) if k == "guide" else i): line
                    for r, ((k, i), line) in zip(records, report.lines.items())}
    report.actions = {(r.KIND, r.id): "更新" if (r.KIND, r.id) in known else "新增" for r in records}
    incoming = {(r.KIND, r.id) for r in records}
    merged = [r for r in existing if (r.KIND, r.id) not in incoming] + records
    for problem in check_references(merged):
        report.errors.append(Problem(None, problem))


def _rename(record: Any, renamed: dict[str, str]) -> Any:
    """The record with guide ids of the file replaced by the ids they update."""
    if not renamed:
        return record
    swap = lambda ids: tuple(renamed.get(i, i) for i in ids)  # noqa: E731
    if record.KIND == "guide" and record.id in renamed:
        return dataclasses.replace(record, id=renamed[record.id])
    if record.KIND == "hall":
        return dataclasses.replace(record, services=swap(record.services))
    if record.KIND == "policy":
        return dataclasses.replace(record, related_guides=swap(record.related_guides))
    if record.KIND == "bundle":
        return dataclasses.replace(record, guide_ids=swap(record.guide_ids))
    return record


def load_existing(conn: Connection) -> list[Any]:
    """Every record of the store as model objects (what an export writes)."""
    return [r for kind in KINDS for r in store.load_all(conn, kind)]


def stored_references(conn: Connection) -> list[Any]:
    """Every record of the store, unvalidated: the "existing" set an import is resolved against."""
    return store.load_references(conn)


def apply_import(conn: Connection, report: ImportReport, *,
                 write: Callable[[Connection, list[Any]], None] | None = None) -> ImportReport:
    """Write a clean report inside the caller's transaction (all or nothing); returns the report with actions filled in.

    By default the records go straight into the store, which is the published content (the CLI does
    this), in one batch.  ``write(conn, records)`` replaces that step, e.g. to save them as drafts or new
    versions.  Anything raised (a reference that broke since the file was checked included) rolls the
    whole transaction back.
    """
    if not report.ok:
        raise ContentError(report.summary())
    resolve(report, stored_references(conn))
    if report.errors:
        raise ContentError(report.summary())
    if write is not None:
        write(conn, report.records)
    else:
        store.put_many(conn, report.records)
    return report


# ------------------------------------------------------------------------------------------------ export

def _records(source: Any) -> list[Any]:
    """The records of a Snapshot, or the given records."""
    if hasattr(source, "guides") and hasattr(source, "halls"):
        return [*source.categories, *source.guides, *source.halls, *source.policies, *getattr(source, "bundles", ())]
    return list(source)


def export_xml(source: Any) -> bytes:
    """The content of a Snapshot (or a list of records) in the XML format, UTF-8."""
    return etree.tostring(document(_records(source)), pretty_print=True, xml_declaration=True, encoding="UTF-8")


def export_json(source: Any) -> bytes:
    """The content of a Snapshot (or a list of records) as one JSON document, UTF-8."""
    records = _records(source)
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for kind, key in JSON_KEYS.items():
        doc[key] = [to_plain(r) for r in records if r.KIND == kind]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
