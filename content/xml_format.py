"""The XML format of the content (docs/content-xml.md): records ↔ elements, and the XSD, all from the FieldSpecs.

Root ``<tvportal-content schema-version="2">`` holds ``<category>``, ``<guide>``, ``<hall>``, ``<policy>`` and
``<bundle>`` elements, each with an ``id`` attribute and one child element per non-blank field, named as
the field.  Lists hold ``<item>`` children; rows hold one element per sub-field; repeatable rows are
child elements named after the row kind (``<materials><material>…</material></materials>``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from content.model import KINDS, SCHEMA_VERSION, FieldSpec, field_specs, to_plain

ROOT = "tvportal-content"
SCHEMA_PATH = Path(__file__).parent / "schema" / "tvportal-content.xsd"
XS = "http://www.w3.org/2001/XMLSchema"


def _text(spec: FieldSpec, value: Any) -> str:
    """The XML text of a scalar value."""
    if spec.type == "bool":
        return "true" if value else "false"
    if spec.type == "float":
        return repr(float(value))
    return str(value)


def _blank(spec: FieldSpec, value: Any) -> bool:
    """True when a field holds nothing worth writing (it reads back as the same default)."""
    if spec.type == "bool":
        return not value and not spec.default
    if spec.type == "row":
        return False
    return value in (None, "", [], ())


def _fill(parent: etree._Element, specs: tuple[FieldSpec, ...] | list[FieldSpec], data: dict[str, Any]) -> None:
    """Append one child element per non-blank field of ``data``."""
    for spec in specs:
        value = data.get(spec.name)
        if spec.name == "id" and parent.tag in KINDS or _blank(spec, value):
            continue
        el = etree.SubElement(parent, spec.name)
        if spec.type in ("list-of-str", "multi-enum"):
            for item in value:
                etree.SubElement(el, "item").text = str(item)
        elif spec.type == "list-of-rows":
            for row in value:
                _fill(etree.SubElement(el, spec.row), spec.fields, row)
        elif spec.type == "row":
            _fill(el, spec.fields, value)
        else:
            el.text = _text(spec, value)


def record_element(record: Any) -> etree._Element:
    """One record as its XML element."""
    data = to_plain(record)
    el = etree.Element(record.KIND, id=data["id"])
    _fill(el, field_specs(record.KIND), data)
    return el


def document(records: list[Any]) -> etree._Element:
    """The root element holding ``records`` in kind order (categories, guides, halls, policies, bundles)."""
    root = etree.Element(ROOT, {"schema-version": str(SCHEMA_VERSION)})
    for kind in KINDS:
        for record in records:
            if record.KIND == kind:
                root.append(record_element(record))
    return root


class XmlValueError(ValueError):
    """A field element has children where text is expected (or the reverse); carries the line."""

    def __init__(self, line: int | None, message: str) -> None:
        """Remember the line of the offending element."""
        super().__init__(message)
        self.line = line


def _read(el: etree._Element, specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> dict[str, Any]:
    """The plain-JSON dict of an element's field children (the model validates it)."""
    by_name = {s.name: s for s in specs}
    data: dict[str, Any] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comments
        spec = by_name.get(child.tag)
        if spec is None:
            raise XmlValueError(child.sourceline, f"“{el.tag}”里不能有元素“{child.tag}”")
        if child.tag in data:
            raise XmlValueError(child.sourceline, f"元素“{child.tag}”写了两次")
        if spec.type in ("list-of-str", "multi-enum"):
            data[spec.name] = [(item.text or "") for item in child if isinstance(item.tag, str)]
        elif spec.type == "list-of-rows":
            data[spec.name] = [_read(row, spec.fields) for row in child if isinstance(row.tag, str)]
        elif spec.type == "row":
            data[spec.name] = _read(child, spec.fields)
        else:
            if len(child):
                raise XmlValueError(child.sourceline, f"元素“{child.tag}”应只含文字")
            data[spec.name] = child.text or ""
    return data


def element_record_data(el: etree._Element) -> dict[str, Any]:
    """The plain-JSON data of one record element (``id`` from its attribute)."""
    data = _read(el, [s for s in field_specs(el.tag) if s.name != "id"])
    data["id"] = el.get("id", "")
    return data


# ------------------------------------------------------------------------------------------------ schema

def _simple(spec: FieldSpec) -> etree._Element:
    """The xs:simpleType of a scalar field."""
    st = etree.Element(f"{{{XS}}}simpleType")
    if spec.type in ("enum",):
        r = etree.SubElement(st, f"{{{XS}}}restriction", base="xs:string")
        for choice in spec.choices:
            etree.SubElement(r, f"{{{XS}}}enumeration", value=choice)
        return st
    base = {"int": "xs:integer", "float": "xs:decimal", "bool": "xs:boolean", "date": "xs:date"}.get(spec.type,
                                                                                                 "xs:string")
    r = etree.SubElement(st, f"{{{XS}}}restriction", base=base)
    if spec.min is not None and spec.type in ("int", "float"):
        etree.SubElement(r, f"{{{XS}}}minInclusive", value=f"{spec.min:g}")
    if spec.max is not None and spec.type in ("int", "float"):
        etree.SubElement(r, f"{{{XS}}}maxInclusive", value=f"{spec.max:g}")
    if spec.max_len is not None and base == "xs:string":
        etree.SubElement(r, f"{{{XS}}}maxLength", value=str(spec.max_len))
    return st


def _field_element(spec: FieldSpec) -> etree._Element:
    """The xs:element declaring one field (optional: the model says which are required)."""
    el = etree.Element(f"{{{XS}}}element", name=spec.name, minOccurs="0")
    doc = etree.SubElement(etree.SubElement(el, f"{{{XS}}}annotation"), f"{{{XS}}}documentation")
    doc.text = spec.label + (f"：{spec.help}" if spec.help else "")
    if spec.type in ("list-of-str", "multi-enum"):
        seq = etree.SubElement(etree.SubElement(el, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
        item = etree.SubElement(seq, f"{{{XS}}}element", name="item", minOccurs="0", maxOccurs="unbounded")
        if spec.type == "multi-enum":
            item.append(_simple(FieldSpec(spec.name, spec.label, "enum", choices=spec.choices)))
        else:
            item.set("type", "xs:string")
    elif spec.type == "list-of-rows":
        seq = etree.SubElement(etree.SubElement(el, f"{{{XS}}}complexType"), f"{{{XS}}}sequence")
        etree.SubElement(seq, f"{{{XS}}}element", name=spec.row, type=f"{spec.row}Type", minOccurs="0",
                         maxOccurs="unbounded")
    elif spec.type == "row":
        el.set("type", f"{spec.row}Type")
    else:
        el.append(_simple(spec))
    return el


def _complex(name: str, specs: list[FieldSpec], with_id: bool) -> etree._Element:
    """An xs:complexType with the fields in any order (xs:all)."""
    ct = etree.Element(f"{{{XS}}}complexType", name=name)
    group = etree.SubElement(ct, f"{{{XS}}}all")
    for spec in specs:
        if with_id and spec.name == "id":
            continue
        group.append(_field_element(spec))
    if with_id:
        etree.SubElement(ct, f"{{{XS}}}attribute", name="id", use="required").append(
            _simple(next(s for s in specs if s.name == "id")))
        id_type = ct[-1][0][0]
        etree.SubElement(id_type, f"{{{XS}}}pattern", value=next(s for s in specs if s.name == "id").pattern)
    return ct


def schema_document() -> etree._Element:
    """The XSD of the format, generated from the field specs (content/schema/tvportal-content.xsd)."""
    root = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS}, elementFormDefault="unqualified")
    etree.SubElement(etree.SubElement(root, f"{{{XS}}}annotation"), f"{{{XS}}}documentation").text = (
        "tvportal content exchange format, schema version %d. Generated from content/model by "
        "content.xml_format.schema_document(); see docs/content-xml.md." % SCHEMA_VERSION)
    top = etree.SubElement(root, f"{{{XS}}}element", name=ROOT)
    ct = etree.SubElement(top, f"{{{XS}}}complexType")
    choice = etree.SubElement(ct, f"{{{XS}}}choice", minOccurs="0", maxOccurs="unbounded")
    for kind in KINDS:
        etree.SubElement(choice, f"{{{XS}}}element", name=kind, type=f"{kind}Type")
    etree.SubElement(ct, f"{{{XS}}}attribute", name="schema-version", type="xs:positiveInteger", use="required")
    rows: dict[str, list[FieldSpec]] = {}

    def collect(specs: list[FieldSpec] | tuple[FieldSpec, ...]) -> None:
        """Find every row kind used below ``specs``."""
        for s in specs:
            if s.row and s.row not in rows:
                rows[s.row] = list(s.fields)
                collect(s.fields)

    for kind in KINDS:
        specs = field_specs(kind)
        collect(specs)
        root.append(_complex(f"{kind}Type", specs, with_id=True))
    for row, specs in sorted(rows.items()):
        root.append(_complex(f"{row}Type", specs, with_id=False))
    return root


def schema_bytes() -> bytes:
    """The XSD as the bytes stored in the repository."""
    return etree.tostring(schema_document(), pretty_print=True, xml_declaration=True, encoding="UTF-8")


def load_schema() -> etree.XMLSchema:
    """The compiled XSD (parsed from the stored file with the same safe parser as imports)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.XMLSchema(etree.fromstring(SCHEMA_PATH.read_bytes(), parser))
