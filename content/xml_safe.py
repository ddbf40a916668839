"""The locked-down side of XML imports: a parser that expands nothing, DOCTYPE refusal, depth limit, messages.

See docs/content-xml.md ("Safety") for the threats each defence answers.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from content.model import KINDS, field_specs

MAX_DEPTH = 12  # root > record > field > row > field > list > item is 7; more is not content
REFUSED = "文件里有 DOCTYPE 或实体声明，为安全起见不接受（可能是 XXE、外部 DTD 或“亿笑”攻击），请去掉后再导入"


def refuse_doctype(data: bytes) -> tuple[str, int | None] | None:
    """(message, line) when the bytes declare a DOCTYPE or entities, before any parser sees them."""
    flat = data.replace(b"\x00", b"").upper()  # UTF-16 input would hide the markup behind NUL bytes
    found = [i for i in (flat.find(b"<!DOCTYPE"), flat.find(b"<!ENTITY")) if i >= 0]
    if not found:
        return None
    line = flat[:min(found)].count(b"\n") + 1
    return REFUSED, line


def safe_parser() -> etree.XMLParser:
    """A parser that expands no entities, reads no DTD, fetches nothing and keeps libxml2's size limits."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)


def iter_elements(data: bytes) -> Any:
    """("start" | "end", element) of ``data``, parsed as ``safe_parser`` does, streamed (lxml's iterparse)."""
    return etree.iterparse(_BytesReader(data), events=("start", "end"), resolve_entities=False, no_network=True,
                           load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)


class _BytesReader:
    """A minimal file object over bytes for iterparse."""

    def __init__(self, data: bytes) -> None:
        """Read ``data`` from the start."""
        self.data, self.pos = data, 0

    def read(self, size: int = -1) -> bytes:
        """The next ``size`` bytes."""
        end = len(self.data) if size < 0 else self.pos + size
        chunk, self.pos = self.data[self.pos:end], min(end, len(self.data))
        return chunk


_SCHEMA_HINTS = (
    ("This element is not expected", "这里不能有这个元素"),
    ("is not a valid value of the atomic type 'xs:integer'", "应为整数"),
    ("is not a valid value of the atomic type 'xs:boolean'", "应为 true 或 false"),
    ("is not a valid value of the atomic type 'xs:date'", "应为日期，写成 2026-03-16 这样"),
    ("is not a valid value of the atomic type 'xs:decimal'", "应为数字"),
    ("is not an element of the set", "不在可选值之中"),
    ("has a length of", "太长了"),
    ("is not accepted by the pattern", "格式不对"),
    ("The attribute 'id' is required", "缺少 id 属性"),
    ("is less than the minimum", "太小了"),
    ("is greater than the maximum", "太大了"),
)


_TYPE_HINTS = {"int": "应为整数", "float": "应为数字", "bool": "应为 true 或 false", "date": "应为日期，写成 2026-03-16 这样",
               "enum": "不在可选值之中"}


def _field_types() -> dict[str, str]:
    """Field name → type over every kind and row (names mean the same type wherever they occur)."""
    types: dict[str, str] = {}

    def walk(specs) -> None:
        """Record the type of each spec and its sub-fields."""
        for spec in specs:
            types.setdefault(spec.name, spec.type)
            walk(spec.fields)

    for kind in KINDS:
        walk(field_specs(kind))
    return types


def schema_message(message: str) -> str:
    """A Chinese sentence for a libxml2 schema error (the original detail kept in brackets)."""
    hint = next((zh for en, zh in _SCHEMA_HINTS if en in message), None)
    if hint is None and "atomic type" in message:
        name = message.split("'")[1] if message.count("'") >= 2 else ""
        hint = _TYPE_HINTS.get(_field_types().get(name, ""))
    hint = hint or "不符合格式说明（content/schema/tvportal-content.xsd）"
    where = message.split(":", 1)[0].replace("Element ", "元素 ").replace("attribute ", "属性 ")
    return f"{where}：{hint}（{message}）"
