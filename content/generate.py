"""N realistic guides for benchmarks and tests of big content: the 六安 demo guides, varied.

Each generated guide is one of the demo guides (cycled, so kinds, categories, halls and materials keep
their real proportions) with a new id, a new name built from a place, a topic and an action, a unique
实施编码 and a random popularity; every one passes the content model and the reference checks.
"""

from __future__ import annotations

import random
from typing import Any

from content.demo_loader import load_demo
from content.model import Guide, to_plain

PLACES = ("金安区", "裕安区", "叶集区", "霍邱县", "舒城县", "金寨县", "霍山县", "六安市", "天堂寨镇", "独山镇")
TOPICS = ("养老保险", "医疗保险", "高龄津贴", "残疾人", "重度残疾人", "社保卡", "公积金", "户口", "身份证", "不动产",
          "低保", "临时救助", "优待证", "就业登记", "失业保险", "生育保险", "护理补贴", "居住证", "长期护理", "银行卡")
ACTIONS = ("申请", "办理", "查询", "变更", "注销", "补办", "挂失", "认证", "备案", "登记", "领取", "转移")


def guide_id(i: int) -> str:
    """The id of the ``i``-th generated guide (never one of the demo's ids)."""
    return f"gen{i:05d}"


def vary(template: dict[str, Any], i: int, rng: random.Random) -> dict[str, Any]:
    """The plain JSON of generated guide ``i`` made from a demo guide's JSON."""
    name = rng.choice(PLACES) + rng.choice(TOPICS) + rng.choice(ACTIONS)
    if i % 3:
        name += "（" + rng.choice(TOPICS) + "）"
    return dict(template, id=guide_id(i), name=name, short_name=name[3:15], popularity=rng.randint(0, 100),
                implementation_code=f"9{i:028d}", bundle_ids=[],
                summary=f"{name}：{template['summary']}")


def generated_guides(n: int, seed: int = 7, demo: dict[str, Any] | None = None) -> list[Guide]:
    """``n`` valid guides varied from the demo guides, validated through the model."""
    rng = random.Random(seed)
    demo = demo or load_demo("lu_an")
    templates = [to_plain(g) for g in demo["guide"]]
    return [Guide.from_dict(vary(templates[i % len(templates)], i, rng)) for i in range(n)]


def big_demo(n: int, seed: int = 7) -> dict[str, Any]:
    """The 六安 demo content with ``n`` generated guides after its own (the shape ``store.save_demo`` takes)."""
    demo = load_demo("lu_an")
    return {**demo, "guide": [*demo["guide"], *generated_guides(n, seed, demo)]}
