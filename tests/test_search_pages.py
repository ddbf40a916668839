"""The number-key search page and its JSON endpoint through the real app."""

from __future__ import annotations

import json

from lxml import html


async def test_keypad_page_lists_the_keypad_letters_and_says_how_to_delete(client):
    resp = await client.get("/search")
    assert resp.status == 200
    doc = html.fromstring(await resp.text())
    legend = doc.xpath("string(//ul[@class='legend'])")
    for digit, letters in (("2", "abc"), ("7", "pqrs"), ("9", "wxyz")):
        assert digit + letters in legend.replace(" ", "")
    (hint,) = doc.xpath("//footer//li[@data-action='keypad']")
    assert "0" in hint.text_content() and "2-9" in hint.text_content()  # which key deletes is said on screen
    assert doc.xpath("string(//ul[@class='legend']/li[last()]/b)") == "0"
    nav = json.loads(doc.xpath("string(//script[starts-with(., 'var TVNAV')])")[len("var TVNAV="):-1])
    assert not any("n" in item for item in nav["items"].values()), "digits must type here, not open items"
    assert nav["start"] == "kp"
    # before any digit the result slots show the most popular services (h1 has popularity 95)
    assert doc.get_element_by_id("r1").get("href") == "/guides/h1"
    assert all(doc.get_element_by_id(f"r{i}").get("data-hidden") == "false" for i in range(1, 6))
    assert doc.get_element_by_id("q").tag == "input"  # the free-text field stays for keyboards
    assert doc.xpath("//script[contains(@src, '/static/keypad.')]")


async def test_keypad_page_renders_results_without_javascript(client):
    doc = html.fromstring(await (await client.get("/search?d=4558")).text())
    first = doc.get_element_by_id("r1")
    assert first.get("href") == "/guides/h2" and "高龄津贴" in first.text_content()
    assert doc.get_element_by_id("kp-d").text_content() == "4558"
    assert "ghi jkl jkl tuv" in doc.get_element_by_id("kp-l").text_content()
    assert doc.get_element_by_id("r5").get("data-hidden") == "true"
    assert doc.get_element_by_id("kp").get("href") == "/search?q=4558"


async def test_keypad_json(client):
    resp = await client.get("/search/keypad?d=72")
    assert resp.status == 200
    data = await resp.json()
    assert data["d"] == "72" and data["letters"] == ["pqrs", "abc"]
    assert {"/guides/q2", "/guides/h5"} <= {h["h"] for h in data["hits"][:3]}
    assert data["n"] >= len(data["hits"]) and len(data["hits"]) <= 5
    empty = await (await client.get("/search/keypad?d=")).json()
    assert empty["n"] == 0 and [h["h"] for h in empty["hits"]][:1] == ["/guides/h1"]


async def test_bad_digits_are_rejected_in_chinese(client):
    for url in ("/search?d=12a", "/search?d=" + "2" * 13, "/search/keypad?d=x"):
        resp = await client.get(url)
        assert resp.status == 400, url
        assert "Traceback" not in await resp.text()


async def test_digits_in_q_list_every_keypad_result(client):
    doc = html.fromstring(await (await client.get("/search?q=72")).text())
    hrefs = [a.get("href") for a in doc.xpath("//a[contains(@class, 'row')]")]
    assert "/guides/q2" in hrefs and "/guides/h5" in hrefs


async def test_text_search_still_works(client):
    doc = html.fromstring(await (await client.get("/search?q=重度残疾人")).text())
    assert "/guides/h3" in [a.get("href") for a in doc.xpath("//a[contains(@class, 'row')]")]


async def test_nothing_found_still_has_a_way_back(client):
    for url in ("/search?q=火星移民", "/search?q=458", "/search?d=99999"):
        resp = await client.get(url)
        assert resp.status == 200, url
    doc = html.fromstring(await (await client.get("/search?q=火星移民")).text())
    assert doc.get_element_by_id("again").get("href") == "/search"


def test_keypad_script_is_small_es5():
    """The keypad script runs on old set-top-box browsers: ES5 only (parsed by an ES5 parser), and small."""
    from pathlib import Path

    import pyjsparser
    import rjsmin

    source = (Path(__file__).resolve().parents[1] / "tvportal" / "static" / "keypad.js").read_text(encoding="utf-8")
    assert pyjsparser.parse(source)["type"] == "Program"
    assert pyjsparser.parse(rjsmin.jsmin(source))["type"] == "Program"
    assert len(rjsmin.jsmin(source).encode()) <= 2048
