"""Policy articles (sanitised rich text), categories, 一件事 bundles and the city."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import nh3
from lxml import html as lxml_html

from content.model.base import Record, record
from content.model.fields import ContentError, FieldSpec as F, check_placeholders
from content.model.guide import ID_HELP, ID_PATTERN

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "h3", "h4", "ul", "ol", "li", "blockquote",
                "table", "thead", "tbody", "tr", "th", "td", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_BLOCKS = ("p", "h3", "h4", "li", "blockquote", "tr")


def sanitise_html(text: str) -> str:
    """Rich text an editor may keep: a small tag list, http(s)/mailto links only, no scripts or styles."""
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer").strip()


def html_paragraphs(text: str) -> tuple[str, ...]:
    """The plain paragraphs of sanitised rich text, for the TV (which shows no markup)."""
    if not text.strip():
        return ()
    root = lxml_html.fragment_fromstring(text, create_parent="div")
    blocks = [el for el in root.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in el.iterancestors())]
    texts = [" ".join(el.text_content().split()) for el in blocks] or [" ".join(root.text_content().split())]
    return tuple(t for t in texts if t)


POLICY_SPECS = (
    F("id", "编号", "str", required=True, pattern=ID_PATTERN, help=ID_HELP),
    F("title", "标题", "str", required=True, max_len=60),
    F("issuer", "发布机关", "str", required=True, max_len=60),
    F("date", "发布日期", "date", required=True),
    F("summary", "摘要", "text", required=True, max_len=120, help="电视上第一屏，写大白话"),
    F("paragraphs", "正文段落（电视）", "list-of-str", max_len=400,
      help="电视上显示的纯文字段落，一段一行；不填时从富文本正文生成"),
    F("body_html", "富文本正文", "html", max_len=50000, help="编辑用的富文本，保存时会清理掉脚本、样式等不安全内容"),
    F("doc_no", "文号", "str", max_len=40),
    F("categories", "生活分类", "list-of-str"),
    F("related_guides", "相关办事指南", "list-of-str"),
    F("source", "来源", "str", max_len=200),
    F("placeholders", "示例字段", "list-of-str"),
)


@record("policy", POLICY_SPECS)
class Policy(Record):
    """A policy article (政策资讯): plain paragraphs for the TV, optional sanitised rich text for editors."""

    NOUN = "政策"

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """Sanitise the rich text and derive the TV paragraphs from it when none are given."""
        values["body_html"] = sanitise_html(values["body_html"]) if values["body_html"] else ""
        if not values["paragraphs"]:
            values["paragraphs"] = html_paragraphs(values["body_html"])
        if not values["paragraphs"]:
            raise ContentError(f"{where}：缺少正文（正文段落或富文本正文至少填一项）")
        check_placeholders(values["placeholders"], POLICY_SPECS, where)
        return values


CATEGORY_SPECS = (
    F("id", "编号", "str", required=True, pattern=ID_PATTERN, help=ID_HELP),
    F("name", "名称", "str", required=True, max_len=8),
    F("description", "说明", "text", max_len=80),
    F("keywords", "搜索关键词", "list-of-str", help="老人可能说的别的叫法，如 退休金、养老钱"),
)


@record("category", CATEGORY_SPECS)
class Category(Record):
    """A life topic (养老, 社保 …) that groups guides."""

    NOUN = "分类"


BUNDLE_SPECS = (
    F("id", "编号", "str", required=True, pattern=ID_PATTERN, help=ID_HELP),
    F("name", "一件事名称", "str", required=True, max_len=40),
    F("summary", "简版说明", "text", required=True, max_len=80),
    F("guide_ids", "包含的办事指南", "list-of-str", required=True, help="至少两个办事指南编号"),
    F("department", "牵头部门", "str", max_len=80),
    F("categories", "生活分类", "list-of-str"),
    F("basis", "依据", "str", max_len=120, help="如 国办发〔2022〕32号"),
    F("popularity", "热度", "int", min=0, max=100, default=0),
    F("placeholders", "示例字段", "list-of-str"),
)


@record("bundle", BUNDLE_SPECS)
class Bundle(Record):
    """一件事一次办: several guides done together with one application."""

    NOUN = "一件事"

    @classmethod
    def check(cls, values: dict[str, Any], where: str) -> dict[str, Any]:
        """A bundle joins at least two different guides."""
        if len(set(values["guide_ids"])) < 2:
            raise ContentError(f"{where}：一件事至少包含两个不同的办事指南")
        check_placeholders(values["placeholders"], BUNDLE_SPECS, where)
        return values


@dataclass(frozen=True)
class City:
    """The city a deployment serves and its counties (for the hall list)."""

    code: str
    name: str
    counties: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (code, name)
