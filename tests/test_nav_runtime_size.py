"""The browser runtime: size budget, ES5-only source, and (when node is present) behaviour on a fake DOM."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from remote_nav import Layout, Rect, keymap, runtime_hash, runtime_js
from remote_nav.runtime import SIZE_BUDGET, runtime_source


def code_only(js: str) -> str:
    """The source with comments, string and regex literals blanked, so only code tokens remain."""
    out: list[str] = []
    i, n = 0, len(js)
    last = ""  # last significant code character, to tell a regex from a division
    while i < n:
        ch = js[i]
        if js.startswith("//", i):
            i = js.find("\n", i)
            i = n if i < 0 else i
        elif js.startswith("/*", i):
            end = js.find("*/", i + 2)
            assert end >= 0, "unterminated comment"
            i = end + 2
            out.append(" ")
        elif ch in "'\"" or (ch == "/" and (last == "" or last in "(,=:[!&|?{};+-*%<>~^" or out_word(out) == "return")):
            quote = ch
            i += 1
            in_class = False
            while i < n:
                c = js[i]
                if c == "\\":
                    i += 2
                    continue
                if quote == "/" and c == "[":
                    in_class = True
                elif quote == "/" and c == "]":
                    in_class = False
                elif c == quote and not in_class:
                    break
                assert c != "\n", f"unterminated literal near {js[max(0, i - 40):i]!r}"
                i += 1
            i += 1
            out.append("0")
            last = "0"
        else:
            out.append(ch)
            if not ch.isspace():
                last = ch
            i += 1
    return "".join(out)


def out_word(out: list[str]) -> str:
    """The identifier just before the current position (to spot `return /re/`)."""
    match = re.search(r"([A-Za-z_$][\w$]*)\s*$", "".join(out[-20:]))
    return match.group(1) if match else ""


ES6 = {
    "arrow function": r"=>",
    "let": r"\blet\s",
    "const": r"\bconst\s",
    "template string": r"`",
    "class": r"\bclass\s",
    "spread/rest": r"\.\.\.",
    "for-of": r"\bfor\s*\([^)]*\bof\b",
    "generator": r"function\s*\*",
    "shorthand method": (
        r"[{,]\s*(?!(?:if|for|while|switch|catch|with|function|return)\b)[A-Za-z_$][\w$]*\s*\([^)]*\)\s*\{"
    ),
}


def test_minified_size_within_budget():
    """The minified runtime fits the 7 KB budget (4 KB navigation, 3 KB keypad)."""
    size = len(runtime_js().encode("utf-8"))
    assert size <= SIZE_BUDGET == 7168, f"nav.js minified is {size} bytes"


def test_minified_is_smaller_and_cached():
    """Minification shrinks the source, is cached, and the hash is 10 hex digits."""
    assert len(runtime_js()) < len(runtime_source())
    assert runtime_js() is runtime_js()
    assert re.fullmatch(r"[0-9a-f]{10}", runtime_hash())


@pytest.mark.parametrize("text", [runtime_source, runtime_js], ids=["source", "minified"])
def test_no_es6_syntax(text):
    """Neither source nor minified runtime uses ES6 syntax."""
    code = code_only(text())
    for name, pattern in ES6.items():
        assert not re.search(pattern, code), f"ES6 {name} in nav.js"


def test_tokenizer_catches_es6():
    """The ES6 check finds ES6 in code but not in strings, comments or regexes."""
    assert re.search(ES6["arrow function"], code_only("var f = (a) => a;"))
    assert re.search(ES6["let"], code_only("let x = 1;"))
    assert re.search(ES6["template string"], code_only("var s = `x`;"))
    assert not re.search(ES6["let"], code_only("var s = 'let x'; // const y\n/* class Z */"))
    assert not re.search(ES6["template string"], code_only("var r = /`/.test(s);"))
    assert re.search(ES6["shorthand method"], code_only("var o = {f(a) { return a; }};"))
    assert not re.search(ES6["shorthand method"], code_only("function f(a) { if (a) { return a; } }"))


def test_runtime_reads_only_the_documented_globals():
    """The runtime measures no layout and exposes window.tvnav."""
    code = code_only(runtime_source())
    assert "getBoundingClientRect" not in code and "offsetWidth" not in code
    assert "window.TVNAV" in runtime_source() or "w.TVNAV" in code
    assert "w.tvnav=" in code.replace(" ", "")


# --- behaviour on a fake DOM (node) ----------------------------------------------------------

HARNESS = r"""
var fs = require('fs');
var SRC = fs.readFileSync(process.argv[2], 'utf8');
var SCENARIOS = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

function makeEnv(sc, store) {
  var T = {now: 100000};
  var els = {}, listeners = {}, wl = {};
  var doc = {cookie: '', body: {tagName: 'BODY'}, documentElement: {className: 'nj sd'}};
  doc.activeElement = doc.body;
  doc.getElementById = function (id) { return els[id] || null; };
  doc.addEventListener = function (t, f) { (listeners[t] = listeners[t] || []).push(f); };
  var ids = Object.keys(sc.map.items);
  (sc.extra || []).forEach(function (e) { ids.push(e.id); });
  ids.forEach(function (id) {
    var spec = (sc.elements || {})[id] || {};
    var el = {id: id, tagName: spec.tag || 'A', type: spec.type, className: 'tile', clicks: 0,
      href: spec.href === undefined ? 'http://tv/' + id : spec.href, disabled: !!spec.disabled,
      attrs: spec.attrs || {}, value: spec.value, selectionStart: spec.selectionStart};
    el.getAttribute = function (n) {
      return Object.prototype.hasOwnProperty.call(this.attrs, n) ? this.attrs[n] : null;
    };
    el.focus = function () {
      if (doc.activeElement === this) return;
      doc.activeElement = this;
      (listeners.focus || []).forEach(function (f) { f({target: el}); });
    };
    el.click = function () { this.clicks++; };
    if (!(sc.missing || []).includes(id)) els[id] = el;
  });
  var loc = {pathname: sc.path || '/p', search: '', href: ''};
  var win = {TVNAV: JSON.parse(JSON.stringify(sc.map)), location: loc, backs: 0,
    history: {length: sc.history || 1, back: function () { win.backs++; }},
    addEventListener: function (t, f) { (wl[t] = wl[t] || []).push(f); }};
  var ss = sc.noStorage ? undefined : {
    setItem: function (k, v) { store[k] = String(v); },
    getItem: function (k) { return Object.prototype.hasOwnProperty.call(store, k) ? store[k] : null; }
  };
  function FakeDate() { return {valueOf: function () { return T.now; }, getTime: function () { return T.now; }}; }
  // timers (the real focus and its storing after a key) run when time passes between steps
  var timers = [];
  function FakeTimeout(f) { timers.push(f); return timers.length; }
  var args = ['window', 'document', 'Date', 'setTimeout'], vals = [win, doc, FakeDate, FakeTimeout];
  if (!sc.noStorage) { args.push('sessionStorage'); vals.push(ss); }
  if (sc.cookie !== undefined) doc.cookie = sc.cookie;
  Function.apply(null, args.concat([SRC])).apply(null, vals);
  // twice: the event also reaches document.on<type>, as keydown does in every browser that has listeners
  function key(type, code, twice) {
    var e = {type: type, which: code, keyCode: code, prevented: false, preventDefault: function () { this.prevented = true; }};
    var r = (listeners[type] || []).map(function (f) { return f(e); });
    if ((type === 'irkeypress' || twice) && doc['on' + type]) r.push(doc['on' + type](e));
    return e.prevented;
  }
  return {
    T: T, doc: doc, win: win, els: els, store: store,
    state: function () {
      var focused = Object.keys(els).filter(function (id) { return /(^|\s)is-focused(\s|$)/.test(els[id].className); });
      return {cur: win.tvnav.current(), focused: focused, href: loc.href, backs: win.backs,
              active: doc.activeElement && doc.activeElement.id, html: doc.documentElement.className};
    },
    key: key,
    flush: function () { while (timers.length) timers.shift()(); },
    fireWindow: function (t, e) { (wl[t] || []).forEach(function (f) { f(e); }); }
  };
}

var results = {};
SCENARIOS.forEach(function (sc) {
  var store = {};
  var env = makeEnv(sc, store);
  var log = [env.state()];
  sc.steps.forEach(function (st) {
    if (st.wait) { env.T.now += st.wait; env.flush(); }
    var out = {};
    if (st.key) out.prevented = env.key(st.type || 'keydown', st.key, st.twice);
    if (st.set) { var el = env.els[st.set.id]; el.attrs[st.set.attr] = st.set.value; }
    if (st.prop) { env.els[st.prop.id][st.prop.name] = st.prop.value; }
    if (st.activate) { env.doc.activeElement = env.els[st.activate]; }
    if (st.onaction) {
      var seen = [];
      env.win.tvnav.onaction = function (a, c) { seen.push([a, c]); return st.onaction === 'claim'; };
      env.seen = seen;
    }
    if (st.reload) { env = makeEnv(Object.assign({}, sc, {cookie: env.doc.cookie}, st.reload), store); }
    if (st.pageshow) { env.fireWindow('pageshow', {persisted: true}); }
    if (st.api) { out.api = env.win.tvnav.focus(st.api); }
    var s = env.state();
    for (var k in out) s[k] = out[k];
    if (env.seen) s.seen = env.seen;
    s.cookie = env.doc.cookie;
    s.clicks = {};
    Object.keys(env.els).forEach(function (id) { if (env.els[id].clicks) s.clicks[id] = env.els[id].clicks; });
    log.push(s);
  });
  results[sc.name] = log;
});
process.stdout.write(JSON.stringify(results));
"""

LEFT, UP, RIGHT, DOWN, OK, BACKSPACE = 37, 38, 39, 40, 13, 8


def page_map(**top) -> dict:
    """A nav bar (n1..n3, links) over a 2x3 grid (g1..g6, digits 1-6, g5 a button), as TVNAV."""
    layout = Layout()
    layout.row([(f"n{i}", f"/nav/{i}", "") for i in range(1, 4)], Rect(64, 36, 1152, 64), group="nav")
    layout.grid([(f"g{i}", f"/g/{i}" if i != 5 else None, "") for i in range(1, 7)], Rect(64, 140, 1152, 520), cols=3)
    layout.assign_digits()
    data = layout.to_map(start="g1")
    data["keymap"] = {str(code): action for code, action in keymap("default").items()}
    data["keys"] = {"red": {"href": "/red"}, "home": {"href": "/"}, "page_down": {"href": "/p?page=2"}}
    data.update(top)
    return data


def scenario(name: str, steps: list[dict], **kw) -> dict:
    """One harness run: a map, element overrides and a list of steps (each 40+ ms apart by default)."""
    base = {"name": name, "map": kw.pop("map", None) or page_map(), "steps": []}
    for step in steps:
        base["steps"].append({"wait": 200, **step})
    base.update(kw)
    return base


SCENARIOS = [
    scenario("arrows", [{"key": RIGHT}, {"key": DOWN}, {"key": RIGHT}, {"key": RIGHT}]),
    scenario("pair", [{"key": RIGHT}, {"key": RIGHT, "type": "keypress", "wait": 5}, {"key": RIGHT, "wait": 100}]),
    scenario("press_only", [{"key": RIGHT, "type": "keypress"}, {"key": DOWN, "type": "irkeypress"}]),
    scenario("char_echo", [{"key": 80}, {"key": 112, "type": "keypress", "wait": 3}]),
    scenario("same_event", [{"key": RIGHT, "twice": True}, {"key": RIGHT, "twice": True, "wait": 100}]),
    scenario("two_kinds", [{"key": RIGHT, "type": "keypress"}, {"key": RIGHT, "type": "irkeypress", "wait": 5},
                           {"key": RIGHT, "type": "keypress", "wait": 100}]),
    scenario("queued", [{"key": RIGHT}, {"key": RIGHT, "wait": 5}]),
    scenario("memory", [{"key": RIGHT}, {"key": RIGHT}, {"key": UP}, {"key": LEFT}, {"key": DOWN}, {"key": UP}]),
    scenario("skip_hidden", [{"set": {"id": "g2", "attr": "data-hidden", "value": ""}}, {"key": RIGHT}]),
    scenario("skip_missing", [{"key": RIGHT}], missing=["g2"]),
    scenario("ok_link", [{"key": OK}]),
    scenario("ok_before_real_focus", [{"key": RIGHT}, {"key": OK, "wait": 0}]),
    scenario("ok_button", [{"key": DOWN}, {"key": RIGHT}, {"key": OK}], elements={"g5": {"tag": "BUTTON", "href": ""}}),
    scenario("ok_button_with_href", [{"key": OK}], elements={"g1": {"tag": "BUTTON", "href": ""}}),
    scenario("digits", [{"key": 51}, {"key": 101}]),
    scenario("digit_button", [{"key": 53}], elements={"g5": {"tag": "BUTTON", "href": ""}}),
    scenario("colour_page", [{"key": 403}, {"key": 34}, {"key": 33}, {"key": 406}]),
    scenario("back_history", [{"key": BACKSPACE}], history=3),
    scenario("back_home", [{"key": 461}], history=1),
    scenario("back_url", [{"key": 640}], map=page_map(back="/up")),
    scenario("back_nothing", [{"key": BACKSPACE}], map=page_map(back="")),
    scenario("text_input", [{"activate": "g1"}, {"key": BACKSPACE}, {"key": 49}, {"key": RIGHT}, {"key": DOWN}],
             elements={"g1": {"tag": "INPUT", "type": "text", "href": "", "value": "abc", "selectionStart": 1}}),
    scenario("text_edges", [{"key": LEFT}, {"key": RIGHT},
                            {"prop": {"id": "g1", "name": "selectionStart", "value": 3}}, {"key": RIGHT}],
             elements={"g1": {"tag": "INPUT", "type": "search", "href": "", "value": "abc", "selectionStart": 0}}),
    scenario("text_empty", [{"key": RIGHT}],
             elements={"g1": {"tag": "INPUT", "type": "text", "href": "", "value": ""}}),
    scenario("text_no_caret_api", [{"key": RIGHT}],
             elements={"g1": {"tag": "TEXTAREA", "type": "textarea", "href": "", "value": "x"}}),
    scenario("virtual", [{"onaction": "observe"}, {"key": 768}, {"key": RIGHT}]),
    scenario("onaction_claims", [{"onaction": "claim"}, {"key": RIGHT}, {"key": 403}]),
    scenario("restore", [{"key": RIGHT}, {"key": DOWN}, {"reload": {}}]),
    scenario("restore_cookie", [{"key": RIGHT}, {"key": DOWN}, {"reload": {}}], noStorage=True),
    scenario("pageshow", [{"key": RIGHT}, {"pageshow": True}]),
    scenario("api", [{"api": "g6"}, {"api": "nope"}]),
    scenario("disabled_start", [], elements={"g1": {"disabled": True}}),
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Run every scenario once in node against the minified runtime."""
    node = shutil.which("node")
    # node ships with machines of this kind; a missing node must fail loudly, not skip the runtime's tests
    assert node is not None, "node is needed to run the remote runtime's scenarios"
    tmp = tmp_path_factory.mktemp("navjs")
    (tmp / "nav.min.js").write_text(runtime_js(), encoding="utf-8")
    (tmp / "harness.js").write_text(HARNESS, encoding="utf-8")
    (tmp / "scenarios.json").write_text(json.dumps(SCENARIOS), encoding="utf-8")
    proc = subprocess.run(
        [node, str(tmp / "harness.js"), str(tmp / "nav.min.js"), str(tmp / "scenarios.json")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def curs(log: list[dict]) -> list[str]:
    """The focused id after load and after each step."""
    return [s["cur"] for s in log]


def test_loads_on_start_and_marks_focus(runs):
    """On load the start item is focused and marked, and the page leaves its no-runtime look (nj: :focus
    lights items, tv.css) for the mark's."""
    first = runs["arrows"][0]
    assert first["cur"] == "g1" and first["focused"] == ["g1"] and first["active"] == "g1"
    assert first["html"] == "sd"


def test_arrows_follow_the_map(runs):
    """Arrow keys follow the map and stop at edges."""
    assert curs(runs["arrows"]) == ["g1", "g2", "g5", "g6", "g6"]  # no wrap at the right edge
    assert runs["arrows"][-1]["focused"] == ["g6"]
    assert runs["arrows"][1]["prevented"] is True


def test_real_focus_follows_the_mark(runs):
    """A key moves the mark at once; the real focus follows when the page gets time (after the frame)."""
    log = runs["arrows"]
    assert log[1]["focused"] == ["g2"] and log[1]["active"] == "g1"
    assert log[2]["active"] == "g2" and log[2]["focused"] == ["g5"]
    # OK pressed before the real focus followed opens the marked item, not the element still focused
    assert runs["ok_before_real_focus"][2]["href"] == "/g/2"


def test_keydown_keypress_pair_moves_once(runs):
    """A keydown and its keypress echo move once."""
    assert curs(runs["pair"]) == ["g1", "g2", "g2", "g3"]
    assert runs["pair"][2]["prevented"] is True  # the echo is swallowed too


def test_keypress_only_boxes_work(runs):
    """Boxes that send only keypress or irkeypress still navigate."""
    assert curs(runs["press_only"]) == ["g1", "g2", "g5"]


def test_character_keypress_is_not_a_remote_key(runs):
    """A character keypress after a letter keydown is not read as a remote key."""
    # keydown "p" (80) then keypress 112: 112 is F1/red as a keyCode, but here it is the char "p".
    log = runs["char_echo"]
    assert log[2]["href"] == "" and log[2]["prevented"] is False


def test_one_press_heard_twice_counts_once(runs):
    """The same event heard twice (document.onkeydown and the listener), and one press given as two kinds of
    event within 40 ms (keypress and irkeypress), count once; the second hearing is swallowed too."""
    assert curs(runs["same_event"]) == ["g1", "g2", "g3"]
    assert curs(runs["two_kinds"]) == ["g1", "g2", "g2", "g3"]
    assert runs["two_kinds"][2]["prevented"] is True


def test_queued_presses_of_one_key_all_count(runs):
    """A busy box hands over queued presses together, with close times: two keydowns of one key 5 ms apart are
    two presses (9999 typed quickly is four digits, not two)."""
    assert curs(runs["queued"]) == ["g1", "g2", "g3"]


def test_group_memory(runs):
    """Entering a group lands on its last focused item."""
    # g1 -> g2 -> g3 -> up n3 (geometric) -> left n2 -> down: the grid remembers g3,
    # and going up again the nav bar remembers n2 (not n3, which lies straight above).
    assert curs(runs["memory"]) == ["g1", "g2", "g3", "n3", "n2", "g3", "n2"]


def test_hidden_and_missing_targets_are_skipped(runs):
    """Hidden or missing targets are skipped in the same direction."""
    assert curs(runs["skip_hidden"])[-1] == "g3"
    assert curs(runs["skip_missing"])[-1] == "g3"


def test_ok_on_link_navigates(runs):
    """OK on a link goes to its href."""
    assert runs["ok_link"][-1]["href"] == "/g/1"


def test_ok_on_button_clicks(runs):
    """OK on a button clicks it."""
    log = runs["ok_button"]
    assert log[-1]["cur"] == "g5" and log[-1]["clicks"] == {"g5": 1} and log[-1]["href"] == ""
    # A <button> keeps its native behaviour even when the map gives it a link target.
    assert runs["ok_button_with_href"][1]["clicks"] == {"g1": 1} and runs["ok_button_with_href"][1]["href"] == ""


def test_digit_keys_open_items(runs):
    """Digit keys (top row and numpad) open the item with that digit."""
    assert runs["digits"][1]["href"] == "/g/3" and runs["digits"][1]["cur"] == "g3"
    assert runs["digits"][2]["cur"] == "g5"  # numpad 5; g5 has no href in the map, so the link's own
    assert runs["digits"][2]["href"] == "http://tv/g5"
    assert runs["digit_button"][1]["clicks"] == {"g5": 1}


def test_colour_and_page_keys(runs):
    """Colour and page keys follow the page's keys; undefined ones go to the browser."""
    log = runs["colour_page"]
    assert log[1]["href"] == "/red" and log[1]["prevented"] is True
    assert log[2]["href"] == "/p?page=2"
    assert log[3]["prevented"] is False  # no page_up here: left to the browser
    assert log[4]["prevented"] is False  # blue not defined on this page


def test_back_variants(runs):
    """Back follows history, home, a URL, or does nothing, and is always consumed."""
    assert runs["back_history"][1]["backs"] == 1 and runs["back_history"][1]["prevented"] is True
    assert runs["back_home"][1]["href"] == "/" and runs["back_home"][1]["backs"] == 0
    assert runs["back_url"][1]["href"] == "/up"
    nothing = runs["back_nothing"][1]
    assert nothing["href"] == "" and nothing["backs"] == 0 and nothing["prevented"] is True


def test_text_input_keeps_editing_keys(runs):
    """In a text field Backspace, digits and inner left/right edit; up/down leave."""
    log = runs["text_input"]
    assert log[2]["prevented"] is False and log[2]["backs"] == 0  # Backspace deletes
    assert log[3]["prevented"] is False and log[3]["href"] == ""  # "1" is typed
    assert log[4]["prevented"] is False and log[4]["cur"] == "g1"  # caret inside the text moves
    assert log[5]["cur"] == "g4"  # up/down still leave the field


def test_text_input_left_right_leave_only_at_the_ends(runs):
    """Left/right leave a text field only at the caret's ends."""
    log = runs["text_edges"]
    assert log[1]["prevented"] is True and log[1]["cur"] == "g1"  # caret at 0: left leaves (nothing there)
    assert log[2]["prevented"] is False and log[2]["cur"] == "g1"  # caret at 0: right moves the caret
    assert log[4]["cur"] == "g2"  # caret at the end: right leaves
    assert runs["text_empty"][1]["cur"] == "g2"  # an empty field is both ends
    assert runs["text_no_caret_api"][1]["cur"] == "g1"  # unknown caret in non-empty text: stay


def test_virtual_event_is_not_navigation(runs):
    """Code 768 reaches onaction but never moves focus."""
    log = runs["virtual"]
    assert log[2]["cur"] == "g1" and log[2]["prevented"] is False
    assert log[3]["seen"] == [["virtual", 768], ["right", 39]]


def test_onaction_can_claim_keys(runs):
    """onaction returning true stops the default handling."""
    log = runs["onaction_claims"]
    assert log[2]["cur"] == "g1" and log[2]["prevented"] is True
    assert log[3]["href"] == ""


def test_focus_restored_after_reload(runs):
    """Focus is restored on reload from sessionStorage or the cookie fallback."""
    assert runs["restore"][-1]["cur"] == "g5"
    cookie_log = runs["restore_cookie"]
    assert cookie_log[-1]["cur"] == "g5"
    assert cookie_log[-2]["cookie"].startswith("tvf=")


def test_pageshow_refocuses(runs):
    """A bfcache pageshow refocuses the stored item."""
    assert runs["pageshow"][-1]["cur"] == "g2"


def test_api(runs):
    """tvnav.focus moves focus to existing ids only."""
    assert runs["api"][1]["cur"] == "g6" and runs["api"][1]["api"] == 1
    assert runs["api"][2]["cur"] == "g6"


def test_unusable_start_falls_back(runs):
    """A disabled start item falls back to the first usable item."""
    assert runs["disabled_start"][0]["cur"] == "n1"


def test_static_file_matches_package():
    """runtime_source reads the shipped static file."""
    assert Path(__file__).parent.parent.joinpath("remote_nav", "static", "nav.js").read_text() == runtime_source()
