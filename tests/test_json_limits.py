"""Deep JSON and huge integers from outside (issue 11, finding 4): one limited reader (content/safe_json.py)
for the CLI import, the editor's import and the platform simulator; each answers in one Chinese line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp

from content import safe_json
from tests.test_editor_import import pub, upload  # noqa: F401 - the signed-in publisher fixture
from tests.test_platform_http import _signed, sim  # noqa: F401 - the in-process simulator fixture

ROOT = Path(__file__).resolve().parent.parent
DEEP_ARRAYS = b'{"schema_version": 2, "guides": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
DEEP_OBJECTS = b'{"schema_version": 2, "guides": [' + b'{"a":' * 1200 + b"1" + b"}" * 1200 + b"]}"
BIG_INT = b'{"schema_version": 2' + b"0" * 5000 + b', "guides": []}'
BIG_INT_FIELD = b'{"schema_version": 2, "guides": [{"id": "x", "popularity": 1' + b"7" * 5000 + b"}]}"


def test_reader_refuses_without_recursion():
    """Depth is measured without recursion; strings with brackets do not count; long integers are refused."""
    for data, reason in ((DEEP_ARRAYS, "depth"), (DEEP_OBJECTS, "depth"), (BIG_INT, "number"),
                         (BIG_INT_FIELD, "number"), (b"{", "syntax"), (b"\xff", "syntax")):
        try:
            safe_json.loads(data)
        except safe_json.JsonRejected as exc:
            assert exc.reason == reason, (data[:40], exc)
        else:
            raise AssertionError(f"accepted {data[:40]!r}")
    assert safe_json.loads(b'{"a": "[[[[{{{{", "b": [1, 2]}') == {"a": "[[[[{{{{", "b": [1, 2]}


def test_cli_import_says_one_line(tmp_path):
    """tvportal content import: exit 1 and a Chinese message, no traceback, for each hostile file."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for data, words in ((DEEP_ARRAYS, "嵌套太深"), (DEEP_OBJECTS, "嵌套太深"), (BIG_INT_FIELD, "太长的数字")):
        path = tmp_path / "hostile.json"
        path.write_bytes(data)
        result = subprocess.run([sys.executable, "-m", "tvportal", "content", "import", str(path), "--data-dir",
                                 str(tmp_path / "d")], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
        assert result.returncode == 1, result.stderr[-500:]
        assert words in result.stderr and "Traceback" not in result.stderr


async def test_editor_import_answers_in_chinese(pub):  # noqa: F811
    """The editor shows the refusal as a report; nothing is imported."""
    before = await (await pub.get("/editor/export?format=json")).read()
    for data, words in ((DEEP_ARRAYS, "嵌套太深"), (DEEP_OBJECTS, "嵌套太深"), (BIG_INT_FIELD, "太长的数字")):
        response = await upload(pub, data, name="content.json")  # the check page refuses it
        assert response.status == 422 and words in await response.text()
    assert await (await pub.get("/editor/export?format=json")).read() == before


async def test_simulator_answers_400_to_a_signed_deep_body(sim):  # noqa: F811
    """A correctly signed body 1,000 levels deep, or with a 5,000-digit number, is a 400 from the simulator."""
    url, _, _ = sim
    deep = b'{"id_number": ' + b"[" * 1000 + b"]" * 1000 + b', "purpose": "signin"}'
    big = b'{"id_number": 1' + b"0" * 5000 + b', "purpose": "signin"}'
    async with aiohttp.ClientSession() as session:
        for body in (deep, big):
            status, _ = await _signed(session, url, "POST", "/v1/identity/sms-codes", body)
            assert status == 400
