"""Remote presses from the home screen to a finished journey, in headless Chromium, and digits lost.

Each journey is the obvious route through the screens (home tile, hall, day, time, 您是谁, …).  On every
screen the script reads the page's focus map (``window.TVNAV``) and finds the fewest presses that open the
wanted item from where the focus is: a breadth-first search over the arrow moves, ending with OK, against
the item's digit key (one press).  It then presses exactly those keys in Chromium and checks that the
expected screen follows, so every counted press is a real one.  Typing (ID number, SMS code, TV PIN) is one
press per digit, at 0.1 s per key; after typing, the keypad's field must hold every digit (digits lost).

Journeys: booking a visit and the pension query (养老金查询), each as a returning remembered person
(您是谁 → her number key → 4-digit TV PIN; remembered beforehand by a first sign-in, not counted) and as a
first-time user signing in with the ID number and the SMS code.

Targets (issue 9): remembered booking <= 12, remembered pension query <= 9, first-time booking by SMS <= 32,
digits lost = 0.  Run from the repository root: ``python benchmarks/key_count.py``.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _portal import Row, all_ok, print_table, running_portal  # noqa: E402
from tests.browser import settled  # noqa: E402  (a keypad answers in place: what to wait for)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ARROWS = {"u": "ArrowUp", "d": "ArrowDown", "l": "ArrowLeft", "r": "ArrowRight"}
KEY_GAP_MS = 100
REMEMBERED = "341525194011182025"  # 李桂兰, 86, lives alone; her son helps at weekends
NEWCOMER = "341523194412030046"  # 赵淑芬, who has never used the TV services
PIN = "2468"


class Journey:
    """Presses keys on one page and counts them."""

    def __init__(self, page, base: str, data_dir: Path, id_number: str) -> None:
        """Drive ``page`` of the portal at ``base`` for the person with ``id_number``."""
        self.page, self.base, self.data_dir, self.id_number = page, base, data_dir, id_number
        self.presses = 0
        self.lost = 0

    def _press(self, key: str) -> None:
        """One key of the remote."""
        self.page.keyboard.press(key)
        self.page.wait_for_timeout(KEY_GAP_MS)
        self.presses += 1

    def fewest(self, target: str) -> list[str]:
        """The fewest keys that open ``target`` from the current focus (arrows then OK, or its digit)."""
        nav = self.page.evaluate("window.TVNAV")
        items = nav["items"]
        if target not in items:
            raise RuntimeError(f"{target} is not on {self.page.url}")
        start = self.page.evaluate("document.activeElement && document.activeElement.id") or nav.get("start")
        best = [str(items[target]["n"])] if "n" in items[target] else None
        seen, queue = {start: []}, deque([start])
        while queue:
            here = queue.popleft()
            if here == target:
                path = [ARROWS[d] for d in seen[here]] + ["Enter"]
                if best is None or len(path) < len(best):
                    best = path
                break
            for d in "udlr":
                nxt = items.get(here, {}).get(d)
                if nxt and nxt not in seen:
                    seen[nxt] = seen[here] + [d]
                    queue.append(nxt)
        if best is None:
            raise RuntimeError(f"{target} cannot be reached on {self.page.url}")
        return best

    def open(self, target: str, lands: str) -> None:
        """Open ``target`` with the fewest presses; the next screen's URL must contain ``lands``."""
        keys = self.fewest(target)
        for key in keys[:-1]:
            self._press(key)
        if target == "kok":  # a keypad's 确认 is answered in place (no page load)
            self.page.keyboard.press(keys[-1])
            settled(self.page)
        else:
            with self.page.expect_navigation():
                self.page.keyboard.press(keys[-1])
        self.presses += 1
        self.page.wait_for_load_state()
        if lands not in self.page.url:
            raise RuntimeError(f"opening {target} led to {self.page.url}, not {lands}: {self.page.inner_text('main')}")

    def first(self, prefix: str) -> str:
        """Id of the first enabled item whose id starts with ``prefix`` (a hall, a day, a free time)."""
        ids = self.page.evaluate("Object.keys(window.TVNAV.items)")
        return next(i for i in ids if i.startswith(prefix))

    def type(self, digits: str) -> None:
        """Digits on a keypad screen, one press each; count the ones the field did not keep."""
        for d in digits:
            self._press(d)
        held = self.page.input_value("#pv")
        self.lost += sum(1 for a, b in zip(digits, held.ljust(len(digits))) if a != b)

    def code(self) -> str:
        """The SMS code the person's phone received."""
        conn = sqlite3.connect(self.data_dir / "tvportal.sqlite3")
        try:
            row = conn.execute("SELECT code FROM platform_sms_codes WHERE id_number = ? AND purpose = 'login'",
                               (self.id_number,)).fetchone()
        finally:
            conn.close()
        return row[0]

    def sign_in(self, remembered: bool, then: str) -> None:
        """From 您是谁: her number key and the PIN, or the ID number and the SMS code (then 不用记住)."""
        if remembered:
            self.open("m1", "/id/pin/")
            self.type(PIN)
            self.open("kok", then)
            return
        self.open("idnum", "/id/enter/id")
        self.type(self.id_number)
        self.open("kok", "/id/enter/code")
        self.type(self.code())
        self.open("kok", "/id/remember")
        self.open("no", then)


def booking(j: Journey, remembered: bool) -> None:
    """预约办理 (the halls) → a hall (its earliest free times) → a time → sign in → 确认预约 → the receipt."""
    j.open("t-booking", "/booking/halls")
    j.open(j.first("h-"), "/soon")
    j.open(j.first("s-"), "/id")
    j.sign_in(remembered, "/booking/s/")
    j.open("ok", "/booking/r/")


def pension(j: Journey, remembered: bool) -> None:
    """便民查询 → 养老金查询 → 查询 → sign in → the record."""
    j.open("t-query", "/lookup")
    j.open("q-q1", "/lookup/q1")
    j.open("go", "/id")
    j.sign_in(remembered, "/lookup/q1/result")


def remember_her(page, base: str, data_dir: Path) -> None:
    """Beforehand (not counted): a first sign-in by SMS with 记住我 and a PIN, then 退出登录."""
    page.goto(base + "/id/enter/id")
    post = page.request.post
    for d in [*REMEMBERED, "ok"]:
        post(base + "/id/enter/id", form={"k": d})
    code = Journey(page, base, data_dir, REMEMBERED).code()
    for d in [*code, "ok"]:
        post(base + "/id/enter/code", form={"k": d})
    for path in ("/id/newpin", "/id/newpin/again"):
        page.goto(base + path)
        for d in PIN:
            page.keyboard.press(d)
            page.wait_for_timeout(KEY_GAP_MS)
        page.keyboard.press("Enter")
        settled(page)
    post(base + "/id/logout")


def run(argv: list[str] | None = None) -> list[Row]:
    """Each journey in a fresh browser profile; the table rows (no options: ``argv`` for run_all.py)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    targets = {("booking", True): 12, ("pension", True): 9, ("booking", False): 32, ("pension", False): None}
    rows, lost = [], 0
    with running_portal() as portal, sync_playwright() as p:
        for (name, remembered), target in targets.items():
            with tempfile.TemporaryDirectory() as profile:
                ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                           args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 720})
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                if remembered:
                    remember_her(page, portal.base, portal.data_dir)
                page.goto(portal.base + "/")
                j = Journey(page, portal.base, portal.data_dir, REMEMBERED if remembered else NEWCOMER)
                (booking if name == "booking" else pension)(j, remembered)
                ctx.close()
            who = "returning, remembered (PIN)" if remembered else "first time, ID + SMS"
            label = f"{'booking a visit' if name == 'booking' else 'pension query'}, {who}"
            rows.append(Row(f"{label}: presses from home", str(j.presses), f"<= {target}" if target else "",
                            j.presses <= target if target else None))
            lost += j.lost
    rows.append(Row("digits lost while typing (all journeys, 0.1 s per key)", str(lost), "0", lost == 0))
    return rows


def main() -> int:
    """Print the table; exit 1 when a target is missed."""
    rows = run()
    print_table("Remote presses from home (headless Chromium, fewest per screen)", rows)
    return 0 if all_ok(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
