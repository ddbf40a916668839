"""XML/JSON import and export: valid files, invalid files, attack files; all or nothing; round trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import Connection, select

from content import store
from content.demo_loader import load_demo
from content.model import KINDS, Guide
from content.tables import content
from content.xml_format import SCHEMA_PATH, schema_bytes
from content.xml_io import MAX_BYTES, apply_import, export_json, export_xml, load_existing, parse_import
from content.xml_safe import safe_parser as _parser
from tests.storage_support import transaction
from tvportal.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def conn(tmp_path) -> Connection:
    """A store filled with the demo content (one transaction, committed at the end)."""
    with transaction(tmp_path / "db.sqlite3") as connection:
        store.save_demo(connection, load_demo("lu_an"))
        yield connection


def dump(connection: Connection) -> list[tuple]:
    """Everything the content table holds (to prove nothing changed)."""
    c = content.c
    return connection.execute(select(c.kind, c.id, c.position, c.data).order_by(c.kind, c.id)).all()


def demo_records() -> list:
    """Every demo record, in kind order."""
    demo = load_demo("lu_an")
    return [r for kind in KINDS for r in demo[kind]]


def one_guide_xml(extra: str = "", code: str = "11341500000000000099000100001", gid: str = "x1",
                  fee: str = "<charges>false</charges><text>不收费</text>") -> bytes:
    """A small import file with one guide."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<tvportal-content schema-version="2">
  <guide id="{gid}">
    <name>临时救助申请</name>
    <kind>handling</kind>
    <categories><item>yanglao</item></categories>
    <implementation_code>{code}</implementation_code>
    <department>金安区民政局</department>
    <conditions><item>本地户籍</item></conditions>
    <materials>
      <material><name>居民身份证</name><kind>原件和复印件</kind><originals>1</originals><copies>2</copies></material>
    </materials>
    <time_limit><promised_days>5</promised_days><statutory_days>10</statutory_days></time_limit>
    <fee>{fee}</fee>
    <where>户籍所在地乡镇便民服务中心</where>
    <summary>家里遇到急难事，可以申请临时救助。</summary>
    <tv_service>只能在电视上看指南</tv_service>
    {extra}
  </guide>
</tvportal-content>""".encode()


# ------------------------------------------------------------------------------------------------ schema

def test_stored_schema_is_the_generated_one():
    assert SCHEMA_PATH.read_bytes() == schema_bytes(), "run: python -c 'from content.xml_format import *; " \
                                                       "SCHEMA_PATH.write_bytes(schema_bytes())'"


def test_export_validates_against_the_schema():
    schema = etree.XMLSchema(etree.fromstring(SCHEMA_PATH.read_bytes()))
    assert schema.validate(etree.fromstring(export_xml(demo_records()))), schema.error_log


# ------------------------------------------------------------------------------------------------ round trips

def test_xml_and_json_round_trip_to_equal_data():
    records = demo_records()
    for data in (export_xml(records), export_json(records)):
        report = parse_import(data, existing=records)
        assert report.ok, report.errors
        assert report.records == records
        assert set(report.actions.values()) == {"更新"}


def test_export_import_export_is_stable(conn):
    first = export_xml(load_existing(conn))
    report = parse_import(first, existing=load_existing(conn))
    apply_import(conn, report)
    assert export_xml(load_existing(conn)) == first


# ------------------------------------------------------------------------------------------------ apply

def test_import_adds_then_reimport_by_implementation_code_updates(conn):
    report = parse_import(one_guide_xml(), existing=load_existing(conn))
    assert report.ok, report.errors
    assert report.actions == {("guide", "x1"): "新增"}
    apply_import(conn, report)
    assert store.load_all(conn, "guide")[-1].name == "临时救助申请"
    # same 实施编码 under another id and a new name: the existing guide is updated, not duplicated
    changed = one_guide_xml(gid="other-id").replace("临时救助申请".encode(), "临时救助申请（新）".encode())
    report = parse_import(changed, existing=load_existing(conn))
    assert report.ok and report.actions == {("guide", "x1"): "更新"} and report.renamed == {"other-id": "x1"}
    apply_import(conn, report)
    guides = store.load_all(conn, "guide")
    assert [g.name for g in guides].count("临时救助申请（新）") == 1
    assert not any(g.name == "临时救助申请" for g in guides)
    assert len(guides) == 19


def test_reimport_of_a_demo_guide_updates_it(conn):
    h2 = next(g for g in store.load_all(conn, "guide") if g.id == "h2")
    xml = export_xml([h2]).replace("高龄津贴申请".encode(), "高龄津贴申领".encode())
    apply_import(conn, parse_import(xml, existing=load_existing(conn)))
    after = [g for g in store.load_all(conn, "guide") if g.implementation_code == h2.implementation_code]
    assert len(after) == 1 and after[0].name.startswith("高龄津贴申领")


def test_a_bad_record_changes_nothing(conn):
    before = dump(conn)
    good_and_bad = one_guide_xml().replace(b"</tvportal-content>", """
  <category id="c9"><name>救助</name></category>
  <guide id="x2"><name>坏的</name><kind>handling</kind><categories><item>yanglao</item></categories>
    <department>d</department><materials><material><name>m</name></material></materials>
    <fee><charges>false</charges><text>无</text></fee><where>w</where><summary>s</summary><tv_service>t</tv_service>
    <conditions><item>c</item></conditions></guide>
</tvportal-content>""".encode())
    report = parse_import(good_and_bad, existing=load_existing(conn))
    assert not report.ok
    line = good_and_bad[:good_and_bad.index(b'<guide id="x2">')].count(b"\n") + 1
    assert [str(p) for p in report.errors] == [f"第{line}行：办事指南“坏的” 收费：不收费的事项，收费一栏必须写“不收费”，现在是“无”"]
    with pytest.raises(Exception):
        apply_import(conn, report)
    assert dump(conn) == before


def test_dangling_references_are_reported(conn):
    xml = one_guide_xml(extra="<hall_ids><item>LA-99</item></hall_ids>")
    report = parse_import(xml, existing=load_existing(conn))
    assert not report.ok
    assert "办理大厅“LA-99”不存在" in str(report.errors[0])


def test_duplicate_ids_in_one_file():
    xml = one_guide_xml().replace(b"</tvportal-content>", one_guide_xml().split(b"<tvportal-content schema-version=\"2\">")[1])
    report = parse_import(xml)
    assert any("出现了两次" in str(p) for p in report.errors)


# ------------------------------------------------------------------------------------------------ invalid files

@pytest.mark.parametrize("data, words", [
    (b"", "文件是空的"),
    (b"<tvportal-content schema-version='2'><guide id='a'>", "XML 格式错误"),
    (b"<content schema-version='2'/>", "根元素应为 <tvportal-content>"),
    (b"<tvportal-content schema-version='9'/>", "schema-version 应为 1 到 2"),
    (b"<tvportal-content schema-version='2'><guide id='a'><colour>red</colour></guide></tvportal-content>",
     "这里不能有这个元素"),
    (b"<tvportal-content schema-version='2'><hall id='a'><lat>north</lat></hall></tvportal-content>", "应为数字"),
    (b"<tvportal-content schema-version='2'><guide id='a b'/></tvportal-content>", "格式不对"),
    (b'{"schema_version": 2, "guides": {}}', "应为列表"),
    (b'{"schema_version": 2, "guides": [{"id": "g"}]}', "第1条记录"),
    (b'{"schema_version": 2,', "JSON 格式错误"),
])
def test_invalid_files_get_chinese_messages_with_lines(data, words):
    report = parse_import(data)
    assert not report.ok
    assert words in " ".join(str(p) for p in report.errors)
    assert report.summary().startswith("导入失败") or not data


def test_schema_errors_carry_line_numbers():
    xml = one_guide_xml(extra="<popularity>很高</popularity>")
    report = parse_import(xml)
    assert report.errors and report.errors[0].line == 18
    assert "应为整数" in report.errors[0].message


# ------------------------------------------------------------------------------------------------ attacks

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE tvportal-content [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<tvportal-content schema-version="2"><category id="c"><name>&secret;</name></category></tvportal-content>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<tvportal-content schema-version="2"><category id="c"><name>&lol9;</name></category></tvportal-content>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE tvportal-content SYSTEM "http://127.0.0.1:9/evil.dtd">
<tvportal-content schema-version="2"/>"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<tvportal-content schema-version="2"/>"""
DEEP = b'<tvportal-content schema-version="2">' + b"<guide id='a'>" + b"<name>" * 100000 + b"</name>" * 100000 \
    + b"</guide></tvportal-content>"


@pytest.mark.parametrize("attack, words", [
    (XXE, "DOCTYPE"), (LAUGHS, "亿笑"), (EXTERNAL_DTD, "外部 DTD"), (PARAMETER_ENTITY, "XXE"),
    (XXE.decode().encode("utf-16"), "DOCTYPE"), (DEEP, "嵌套层数超过"),
    (b"<tvportal-content schema-version='2'>" + b" " * MAX_BYTES + b"</tvportal-content>", "文件太大"),
])
def test_attack_files_are_rejected_with_a_clear_message_and_change_nothing(conn, attack, words):
    before = dump(conn)
    report = parse_import(attack, existing=load_existing(conn))
    assert not report.ok
    message = " ".join(str(p) for p in report.errors)
    assert words in message
    assert "root:" not in message and "lol" not in message
    with pytest.raises(Exception):
        apply_import(conn, report)
    assert dump(conn) == before


def test_the_parser_itself_expands_nothing():
    """Even without the DOCTYPE check, the parser neither reads local files nor expands entities."""
    root = etree.fromstring(XXE, _parser())
    assert "root:" not in etree.tostring(root, encoding="unicode")
    try:  # libxml2 either refuses the amplification or leaves the entities unexpanded
        assert len(etree.tostring(etree.fromstring(LAUGHS, _parser()))) < 5000
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc) or "loop" in str(exc)
    with pytest.raises(etree.XMLSyntaxError, match="network"):  # no_network: the DTD is never fetched
        etree.fromstring(EXTERNAL_DTD, _parser())


# ------------------------------------------------------------------------------------------------ CLI

def test_cli_export_then_dry_run_then_import(tmp_path, capsys):
    data_dir = tmp_path / "data"
    out = tmp_path / "out"
    assert main(["content", "export", str(out), "--data-dir", str(data_dir)]) == 0
    xml_file, json_file = out / "tvportal-content.xml", out / "tvportal-content.json"
    assert xml_file.exists() and json.loads(json_file.read_text(encoding="utf-8"))["schema_version"] == 2
    new = tmp_path / "new.xml"
    new.write_bytes(one_guide_xml())
    assert main(["content", "import", str(new), "--dry-run", "--data-dir", str(data_dir)]) == 0
    assert "新增 guide x1" in capsys.readouterr().out
    with transaction(data_dir / "tvportal.sqlite3") as connection:
        assert "x1" not in {g.id for g in store.load_all(connection, "guide")}
    assert main(["content", "import", str(new), "--data-dir", str(data_dir)]) == 0
    with transaction(data_dir / "tvportal.sqlite3") as connection:
        assert "x1" in {g.id for g in store.load_all(connection, "guide")}


def test_cli_subprocess_rejects_a_bad_file(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(XXE)
    result = subprocess.run([sys.executable, "-m", "tvportal", "content", "import", str(bad), "--data-dir",
                             str(tmp_path / "d")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert "第2行" in result.stderr and "DOCTYPE" in result.stderr and "没有做任何修改" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_missing_file(tmp_path, capsys):
    assert main(["content", "import", str(tmp_path / "nope.xml"), "--data-dir", str(tmp_path / "d")]) == 2
    assert "无法读取文件" in capsys.readouterr().err


def test_guide_model_is_used_for_imported_records():
    report = parse_import(one_guide_xml())
    (guide,) = report.records
    assert isinstance(guide, Guide) and guide.materials[0].copies == 2 and guide.case_type == "承诺件"


def test_cli_import_checks_references_in_its_transaction_and_reports_them(tmp_path, capsys):
    """References are resolved once, inside the write: a missing hall is reported and nothing is written."""
    from dataclasses import replace

    from content.generate import generated_guides

    data_dir = tmp_path / "data"
    (guide,) = generated_guides(1, seed=21)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(export_xml([replace(guide, id="dangling", hall_ids=("no-such-hall",))]))
    assert main(["content", "import", str(bad), "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "no-such-hall" in err and "没有做任何修改" in err and "Traceback" not in err
    with transaction(data_dir / "tvportal.sqlite3") as connection:
        assert "dangling" not in {g.id for g in store.load_all(connection, "guide")}
    good = tmp_path / "good.xml"
    good.write_bytes(export_xml([replace(guide, id="fine", hall_ids=())]))
    assert main(["content", "import", str(good), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "新增 guide fine" in out and "导入完成" in out
