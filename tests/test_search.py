"""Search on the demo content: keypad pinyin initials, full pinyin, Chinese, polyphonic characters, ranking."""

from __future__ import annotations

import pytest

from content.demo_loader import load_demo
from content.model import City
from content.search import SearchIndex, keypad_digits, keypad_search, search, spellings
from content.snapshot import Snapshot


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    """The demo content as a published snapshot (with its search index)."""
    demo = load_demo("lu_an")
    return Snapshot(City(**demo["city"]), tuple(demo["category"]), tuple(demo["guide"]), tuple(demo["hall"]),
                    tuple(demo["policy"]), tuple(demo["bundle"]))


def ids(hits) -> list[str]:
    """The ids of hits, in order."""
    return [h.id for h in hits]


def test_keypad_digits_of_the_issue_examples():
    assert spellings("社保")[2] == ("72",)
    assert spellings("高龄津贴")[2] == ("4558",)
    assert keypad_digits("wxyz abc") == "9999222"


def test_72_finds_the_shebao_services(snapshot):
    hits = keypad_search(snapshot, "72", 10)
    top = ids(hits)[:3]
    assert "q2" in top and "h5" in top  # 社保缴费查询, 社保卡挂失
    assert all(h.tier <= 2 for h in hits[:3])


def test_4558_finds_gaoling_jintie_first(snapshot):
    hits = keypad_search(snapshot, "4558", 10)
    assert hits[0].id == "h2" and hits[0].kind == "guide" and hits[0].tier == 0
    assert hits[0].href == "/guides/h2"


def test_polyphonic_zhong_and_chong_both_find_zhongdu_canjiren(snapshot):
    for query in ("zhongducanjiren", "chongducanjiren", "93257", "23257", "zdcjr", "cdcjr"):
        assert "h3" in ids(search(snapshot, query, 10)), query
    # the context reading (zhong) ranks above the rare one (chong)
    assert search(snapshot, "93257", 1)[0].tier < search(snapshot, "23257", 1)[0].tier


def test_chinese_substring_and_full_pinyin(snapshot):
    assert ids(search(snapshot, "重度残疾人", 5))[0] == "h3"
    assert "h2" in ids(search(snapshot, "gaolingjintie", 5))
    assert "h2" in ids(search(snapshot, "高龄", 5))
    assert search(snapshot, "六安市政务服务中心", 3)[0].id == "LA-01"
    assert {h.kind for h in search(snapshot, "残疾人", 20)} >= {"guide", "policy"}


def test_words_must_all_match(snapshot):
    both = ids(search(snapshot, "养老 认证", 20))
    assert "h1" in both and "h6" not in both


def test_topics_and_keywords_find_guides(snapshot):
    # 退休金 is a keyword of the 养老 topic, not in any guide name
    hits = search(snapshot, "退休金", 20)
    assert hits and all(h.tier >= 3 for h in hits)
    assert "h6" in ids(hits)


def test_ranking_exact_then_popular(snapshot):
    hits = search(snapshot, "养老", 20)
    tiers = [h.tier for h in hits]
    assert tiers == sorted(tiers)
    same_tier = [h for h in hits if h.tier == hits[0].tier and h.kind == "guide"]
    pops = [h.record.popularity for h in same_tier]
    assert pops == sorted(pops, reverse=True)
    exact = search(snapshot, "高龄津贴", 5)
    assert exact[0].tier == 0 and exact[0].id == "h2"  # its short name is exactly 高龄津贴


def test_nothing_and_garbage(snapshot):
    assert search(snapshot, "", 5) == [] and search(snapshot, "   ", 5) == []
    assert keypad_search(snapshot, "9999999999", 5) == []
    assert search(snapshot, "火星移民", 5) == []
    assert keypad_search(snapshot, "abc", 5) == []


def test_limit_and_long_queries(snapshot):
    assert len(keypad_search(snapshot, "2", 3)) == 3
    assert ids(search(snapshot, "城乡居民基本养老保险待遇领取资格认证", 3))[0] == "h1"
    assert "h1" in ids(keypad_search(snapshot, "295652", 10))  # 城乡居民基本… c x j m j b: a long digit query


def test_snapshot_search_replaces_the_substring_scan(snapshot):
    records = snapshot.search("社保")
    assert records and records[0].id in ("q2", "h5")
    assert snapshot.search("72")[0].id in ("q2", "h5")


def test_index_is_built_with_each_snapshot(snapshot):
    assert isinstance(snapshot.search_index, SearchIndex)
    assert len(snapshot.search_index) == len(snapshot.guides) + len(snapshot.policies) + len(snapshot.halls)
