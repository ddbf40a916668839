"""The speech script of each kind of screen (tvportal/speech.py): what a listener who cannot read the screen
hears on arrival, in order, and that /voice/tts speaks only sentences the portal signed."""

from __future__ import annotations

import json
import re

import pytest

from tests.platform_helpers import PEOPLE, FlowClient, embedded_code, first_day_slot, submit_first_answers
from tvportal.keys import SETTINGS, SPEECH_SIGNER, TTS
from tvportal.speech import pieces
from voice.signing import Signer


def script(html: str) -> dict:
    """The page's TVSPEECH data."""
    return json.loads(html.split("var TVSPEECH=", 1)[1].split(";</script>", 1)[0])


def arrival(html: str) -> list[str]:
    """The sentences said on arrival, before the focused item."""
    return [text for text, _sig in script(html)["page"]]


def in_order(said: list[str], *wanted: str) -> None:
    """Each wanted fragment is in some sentence, each after the one before."""
    joined = "\n".join(said)
    at = -1
    for fragment in wanted:
        found = joined.find(fragment, at + 1)
        assert found > at, (fragment, said)
        at = found


def every_sentence(data: dict) -> list[list[str]]:
    """Every [text, signature] pair of a script."""
    pairs = data["page"] + data["keys"] + data["all"] + [i["s"] for i in data["items"].values()]
    pairs += [data["said"]["on"], data["said"]["off"], *data.get("typed", {}).values()]
    return pairs


@pytest.fixture
def tv(client, settings):
    """The remote, pressing buttons against the embedded platform."""
    return FlowClient(client, lambda n, p: embedded_code(settings, n, p))


async def test_pension_result_says_amount_dates_and_page(tv):
    await tv.sign_in(PEOPLE["wang"])
    said = arrival(await tv.get("/lookup/q1/result"))
    in_order(said, "养老金发放记录", "王秀英 身份证尾号 零 零 二 七", "每月一百七十八元", "月 一百七十八元",
             "月 一百七十八元", "第一页，共三页")
    rows = [s for s in said if re.fullmatch(r"二零\S+年\S+月 一百七十八元( .+)?", s)]
    assert len(rows) == 5 and "六安农商银行" in rows[0] and "银行" not in rows[1]  # the bank is said once
    assert not any(re.search(r"\d", s) for s in said)


async def test_booking_receipt_says_number_hall_day_and_time(tv):
    await tv.sign_in(PEOPLE["wang"])
    _day, slot_href = await first_day_slot(tv, "LA-02")
    url, receipt = await tv.post_button(await tv.get(slot_href), "ok")
    number = url.rsplit("/", 1)[1]
    spelt = " ".join(number[:2]) + "，"
    said = arrival(receipt)
    in_order(said, "预约成功", "预约号：" + spelt, "星期", "上午九点到十点", "大厅：金寨县政务服务中心", "身份证")
    assert re.search(r"时间：二零\S+年\S+月\S+日 星期. 上午", "\n".join(said))


async def test_application_receipt_says_number_and_promised_date(tv):
    await tv.sign_in(PEOPLE["liu"])
    url, receipt = await submit_first_answers(tv, "h1")
    said = arrival(receipt)
    in_order(said, "提交成功", "办件编号：B J，", "申请人：刘玉珍", "承诺办结：二零")
    assert any(re.fullmatch(r"承诺办结：二零\S+年\S+月\S+日 星期.", s) for s in said)


async def test_flow_error_is_read_first(tv, client):
    await tv.sign_in(PEOPLE["chen"])
    await tv.get("/apply/h5/q/0")
    bad = await client.post("/apply/h5/q/0", data={"value": "nonsense"})
    said = arrival(await bad.text())
    error = re.search(r'id="err"[^>]*>([^<]+)<', await bad.text()).group(1)
    assert error in said and said.index(error) <= 1  # after the title, before the question


async def test_error_page_reads_its_message(client):
    said = arrival(await (await client.get("/no-such-page")).text())
    assert said[0] == "找不到这一页" and "没有做任何改动" in said[1]


async def test_settings_say_each_switch_on_or_off(client):
    data = script(await (await client.get("/settings")).text())
    said = [t for t, _s in data["page"]]
    assert "大字模式，关" in said and "朗读，开" in said and "朗读速度 慢" in said
    assert data["items"]["s-text"]["s"][0] == "大字模式，关，数字键 一"


async def test_home_menu_and_short_keys_then_all_keys_on_request(client):
    data = script(await (await client.get("/")).text())
    said = [t for t, _s in data["page"]]
    assert said[1].startswith("一，办事指南") and len(said) == 9  # title and the eight tiles with their keys
    assert [t for t, _s in data["keys"]] == ["按零键，听每个按键的作用。"] and data["zero"] == 1
    full = [t for t, _s in data["all"]]
    assert "蓝键：搜索" in full and "红键：朗读 零说明" in full and len(full) >= 5


async def test_lists_texts_halls_and_policies(client):
    hall = arrival(await (await client.get("/halls/LA-01")).text())
    in_order(hall, "六安市政务服务中心", "地址", "办公时间", "上午九点到中午十二点，下午一点半到五点", "第一页，共")
    policies = arrival(await (await client.get("/policies")).text())
    assert any(re.match(r"一，.+，二零二\S年", s) for s in policies)  # each article with its year
    article = await (await client.get("/policies")).text()
    first = re.search(r'href="(/policies/[\w-]+)"', article).group(1)
    text = arrival(await (await client.get(first)).text())
    assert len(text) >= 4 and any("二零" in s for s in text)


async def test_keypad_says_what_is_typed_masked(tv, client):
    empty = script(await tv.get("/id/enter/id"))
    assert "还没有输入。" in [t for t, _s in empty["page"]] and empty["zero"] == 0
    assert empty["typed"]["7"][0] == "七" and empty["keys"][0][0].startswith("这里用数字键输入")
    await tv.enter("id", "3415")
    typed = arrival(await tv.get("/id/enter/id"))
    assert "已输入四位，共十八位，最后几位是 三 四 一 五。" in typed


async def test_search_page_says_typed_keys_and_results(client):
    said = arrival(await (await client.get("/search?d=72")).text())
    in_order(said, "搜索", "已按：七 二", "找到 ", "项", "社保卡挂失")


async def test_every_sentence_is_signed_and_speakable_length(client):
    app = client.server.app
    signer: Signer = app[SPEECH_SIGNER]
    for path in ("/", "/settings", "/halls/LA-01", "/policies", "/search", "/id/enter/id", "/help"):
        data = script(await (await client.get(path)).text())
        for text, sig in every_sentence(data):
            assert 0 < len(text) <= 400 and signer.valid(text, data["l"], sig), (path, text)


def test_long_text_is_cut_into_sentences():
    paragraph = "为进一步做好老年人服务工作，" * 6 + "现将有关事项通知如下。" + "符合条件的老年人，可以在电视上申请。"
    parts = pieces(paragraph)
    assert len(parts) > 1 and all(len(p) <= 150 for p in parts) and "".join(parts) == paragraph


async def test_tts_reads_others_text_only_a_few_sentences_a_minute(client):
    """The portal's signed sentences take the TV's share of the worker; other text (a phone, a script) is read
    within a small budget per client address, whatever device cookie it sends; cached text is read to anyone."""
    app = client.server.app
    signer: Signer = app[SPEECH_SIGNER]
    budget = app[SETTINGS].tts_open_per_minute
    assert budget == 6
    first = await client.get("/voice/tts", params={"t": "第一号新句子，请您慢慢听"})
    assert first.status == 200 and first.content_type == "audio/mpeg" and len(await first.read()) > 1000
    forged = await client.get("/voice/tts", params={"t": "第二号新句子", "s": signer.sign("别的句子", "zh_CN")})
    assert forged.status == 200
    for n in range(3, budget + 1):
        client.session.cookie_jar.update_cookies({"tvdev": f"another-tv-{n}"})  # a new cookie buys nothing
        assert (await client.get("/voice/tts", params={"t": f"第{n}号新句子"})).status == 200
    refused = await client.get("/voice/tts", params={"t": "再来一句新的"})
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "每分钟只朗读几句" in (await refused.json())["error"]
    again = await client.get("/voice/tts", params={"t": "第一号新句子，请您慢慢听"})
    assert again.status == 200  # already made: served to anyone
    text = "预约号：Y Y，二 六 一 二 零 三，零 零 零 一"
    signed = await client.get("/voice/tts", params={"t": text, "s": signer.sign(text, "zh_CN")})
    assert signed.status == 200 and signed.content_type == "audio/mpeg" and len(await signed.read()) > 1000


async def test_tts_can_read_only_the_portals_text(aiohttp_client, settings):
    from dataclasses import replace

    from tvportal.app import create_app

    client = await aiohttp_client(create_app(replace(settings, tts_open_per_minute=0)))
    signer: Signer = client.server.app[SPEECH_SIGNER]
    text = "预约号：Y Y，二 六 一 二 零 三，零 零 零 一"
    unsigned = await client.get("/voice/tts", params={"t": text})
    assert unsigned.status == 403 and "朗读" in (await unsigned.json())["error"]
    other_voice = await client.get("/voice/tts", params={"t": text, "l": "en", "s": signer.sign(text, "zh_CN")})
    assert other_voice.status == 403
    signed = await client.get("/voice/tts", params={"t": text, "s": signer.sign(text, "zh_CN")})
    assert signed.status == 200 and signed.content_type == "audio/mpeg"


async def test_every_instance_signs_alike(aiohttp_client, settings):
    """The key lives in the shared database: a second instance on it accepts the first one's sentences."""
    from tvportal.app import create_app

    first = await aiohttp_client(create_app(settings))
    second = await aiohttp_client(create_app(settings))
    sentence = script(await (await first.get("/")).text())["page"][0]
    assert second.server.app[SPEECH_SIGNER].valid(sentence[0], "zh_CN", sentence[1])


async def test_voice_command_answer_is_a_signed_sentence(aiohttp_client, tmp_path):
    """帮助 spoken to the TV: the action is help (voice.js then says the full key list) and the confirmation
    it says first is a signed sentence like every other."""
    from tests.voice_audio import TINY_MODEL, spoken
    from tvportal.app import create_app
    from tvportal.settings import load_settings

    settings = load_settings({"data_dir": str(tmp_path / "data"), "voice_model_path": str(TINY_MODEL)}, environ={})
    client = await aiohttp_client(create_app(settings))
    body = await (await client.post("/voice/recognize", data=spoken("帮助"))).json()
    text, signature = body["say"]
    assert body["action"]["do"] == "help" and text == "每个按键的作用"
    assert client.server.app[SPEECH_SIGNER].valid(text, "zh_CN", signature)
    assert (await client.get("/voice/tts", params={"t": text, "s": signature})).status == 200


async def test_key_zero_gives_the_key_list_wherever_the_digits_do_not_type(client):
    """Every page of the demo has content to say and key 0 free for the key list (its hint on the bar),
    except where the digits type (search); none reads the full key list on arrival."""
    from tests.test_pages import tv_urls

    for url in tv_urls():
        html = await (await client.get(url)).text()
        data = script(html)
        typing = url == "/search"
        assert data["zero"] == (0 if typing else 1), url
        assert ("0说明" in html) == (not typing), url
        assert len(data["keys"]) == 1, url
        if not url.startswith(("/guides", "/services")):  # guide screens: tvportal/views/guides.py fills them
            assert len(data["page"]) >= 2, url


async def test_query_without_records_says_so(tv):
    """刘玉珍 has no 公积金 account: the result says whose it is and that nothing was found."""
    await tv.sign_in(PEOPLE["liu"])
    said = arrival(await tv.get("/lookup/q4/result"))
    in_order(said, "刘玉珍 身份证尾号")
    assert any("没有" in s or "未" in s for s in said[2:]), said


async def test_content_comes_right_after_the_title_and_where_you_are_on_request(tv):
    """A listener hears the content second (within two seconds at the slow rate); 当前位置 opens the key list."""
    await tv.sign_in(PEOPLE["wang"])
    data = script(await tv.get("/lookup/q1/result"))
    said = [t for t, _s in data["page"]]
    assert said[0] == "养老金发放记录（最近十二个月）" and said[1].startswith("查询人：")
    assert not any("当前位置" in s for s in said)
    assert [t for t, _s in data["all"]][0] == "当前位置： 便民查询，养老金查询"


async def test_an_english_tv_hears_chinese_content_in_the_mandarin_voice(client):
    """Guide content is Chinese on an English TV too: it is normalised as Mandarin and said by the Mandarin
    voice (the English one failed the rate check: 503 for every sentence and a restarted worker each time)."""
    data = script(await (await client.get("/guides/h1", cookies={"tvprefs": "t1.c0.en.r1.slow.v3"})).text())
    assert data["l"] == "en"
    chinese = [pair for pair in data["page"] if re.search(r"[\u4e00-\u9fff]", pair[0])]
    assert chinese and not any(re.search(r"\d", t) for t, _s in chinese)  # normalised as Mandarin
    text, sig = chinese[0]
    said = await client.get("/voice/tts", params={"t": text, "s": sig, "l": "en", "r": "slow"})
    assert said.status == 200 and said.content_type == "audio/mpeg"
    tts = client.server.app[TTS]
    assert tts.key(text, "en", "slow") == tts.key(text, "zh_CN", "slow")  # one cached file for both TVs
