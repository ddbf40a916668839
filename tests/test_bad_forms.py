"""Form bodies that are not forms in UTF-8 get a 400 page in Chinese, never a 500 (issue 11, finding 3);
request lines with raw bytes get no stack trace in the log."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code

NOT_UTF8 = b"k=\xff\xfe&value=1"
BOUNDARY = "XyZ"
TRUNCATED = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nabc\r\n--{BOUNDARY}\r\n"
             "Content-Disposition: form-data; name=\"f\"; filename=\"a.xml\"\r\n\r\n<guides>").encode()
SIGNED_IN = ("/id/who", "/apply/h1/q/0")
PATHS = ["/settings", "/voice/prefs", "/id/enter/id", "/id/who", "/apply/h1/q/0", "/m/confirm/x", "/editor/signin"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("body,ctype", [
    (NOT_UTF8, "application/x-www-form-urlencoded"),
    (TRUNCATED, f"multipart/form-data; boundary={BOUNDARY}"),
], ids=["not-utf8", "truncated-multipart"])
async def test_unreadable_form_is_a_400_page(client, settings, caplog, path, body, ctype):
    """400 with the Chinese page for an invalid request; nothing logged as an unexpected error."""
    if path in SIGNED_IN:  # these read their form only for a signed-in TV
        tv = FlowClient(client, lambda id_number, purpose: embedded_code(settings, id_number, purpose))
        await tv.sign_in(PEOPLE["wang"])
        if path.startswith("/apply"):
            assert (await client.get("/apply/h1/q/0")).status == 200
    caplog.set_level(logging.INFO)
    resp = await client.post(path, data=body, headers={"Content-Type": ctype})
    text = await resp.text()
    assert resp.status == 400, (resp.status, text[:300])
    assert "无效" in text or "不对" in text or "不能" in text
    assert not [r for r in caplog.records if r.exc_info]


async def test_raw_bytes_in_the_request_line_log_no_traceback(client, caplog):
    """Non-UTF-8 and raw UTF-8 bytes in a URL: an answer below 500 and no stack trace in the log."""
    caplog.set_level(logging.DEBUG)
    for raw in (b"/guides/\xff\xfe", "/guides/养老".encode(), b"/search?q=\xff", b"/%ff%fe"):
        reader, writer = await asyncio.open_connection(client.host, client.port)
        writer.write(b"GET " + raw + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await writer.drain()
        status = (await reader.readline()).split()[1]
        writer.close()
        assert int(status) < 500, raw
    await asyncio.sleep(0.1)
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]
