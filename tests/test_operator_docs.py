"""docs/operator.md's worked example is right, and the portal recognises the account of its example launch
URL (signed again with the documented example secret and a fresh ``ts``, as the EPG would)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select

from tests.storage_support import transaction
from tvportal.app import create_app
from tvportal.flows import device
from tvportal.settings import load_settings
from tvportal.storage.tables import tv_devices

DOC = (Path(__file__).resolve().parents[1] / "docs" / "operator.md").read_text(encoding="utf-8")


def documented() -> tuple[str, str, str, dict[str, str]]:
    """The example secret, signed text, sig and the example URL's parameters, as the doc writes them."""
    secret = re.search(r"The example secret is `([^`]+)`", DOC)[1]
    text = re.search(r"\* signed text: `([^`]+)`", DOC)[1]
    sig = re.search(r"\* sig: `([0-9a-f]{64})`", DOC)[1]
    url = re.search(r"^(http://\S+/launch\?\S+)$", DOC, re.M)[1]
    return secret, text, sig, dict(parse_qsl(urlsplit(url).query))


def test_the_worked_example_is_right():
    """The doc's signed text and sig are what the portal computes from the example URL's parameters."""
    secret, text, sig, params = documented()
    assert params["sig"] == sig
    assert device.signed_text(params) == text
    assert device.sign(params, secret) == sig
    assert isinstance(device.verify(params, secret, int(params["ts"]) + 10, 300), device.Launch)


async def test_the_portal_recognises_the_example_account(aiohttp_client, tmp_path):
    """The example URL, re-signed now with the example secret: the box is known by UserID and STBID."""
    secret, _text, _sig, params = documented()
    settings = load_settings({"data_dir": str(tmp_path / "data"), "operator_secret": secret}, environ={})
    client = await aiohttp_client(create_app(settings))
    params = {**params, "ts": str(int(time.time()))}
    params["sig"] = device.sign(params, secret)
    resp = await client.get("/launch", params=params, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    token = resp.cookies["tvdev"].value
    with transaction(settings) as conn:
        account = conn.execute(select(tv_devices.c.account)
                               .where(tv_devices.c.token_hash == device.token_hash(token))).scalar_one()
    assert account == device.account_of(params["UserID"], params["STBID"])
    assert "EC6108V9" in resp.cookies["tvbox"].value
