"""Focus graph: expected neighbours on plain rectangles (1280x720 design canvas)."""

from __future__ import annotations

import pytest

from remote_nav import Focusable, Layout, Rect, neighbours, unreachable
from remote_nav.focus_graph import (
    distance,
    geometric_neighbours,
    is_candidate,
    memory_exempt,
    points_at,
    stuck,
)


def items_of(*specs: tuple) -> list[Focusable]:
    """Focusables from (id, x, y, w, h[, group]) tuples."""
    out = []
    for spec in specs:
        item_id, x, y, w, h, *rest = spec
        out.append(Focusable(item_id, Rect(x, y, w, h), group=rest[0] if rest else "main"))
    return out


def cells(prefix: str, n: int) -> list[tuple[str, None, str]]:
    """Grid entries p1..pn without links."""
    return [(f"{prefix}{i}", None, f"{prefix} {i}") for i in range(1, n + 1)]


def assert_no_traps(items: list[Focusable], nbrs: dict, start: str | None = None) -> None:
    """Every item reachable from start, and start reachable from every item."""
    start = start or items[0].id
    assert unreachable(items, nbrs, start) == set()
    assert stuck(items, nbrs, start) == set()


def assert_better(direction: str, src: Rect, better: Rect, worse: Rect) -> None:
    """FocusFinderTest style: from src, ``better`` is chosen over ``worse`` (both orders of declaration)."""
    for order in ((better, worse), (worse, better)):
        items = [Focusable("src", src)] + [Focusable("b" if r is better else "w", r) for r in order]
        assert neighbours(items)["src"][direction] == "b"


# --- single row / single column -------------------------------------------------------------


def test_single_row():
    """A row links left/right in order and has no vertical neighbours."""
    layout = Layout()
    layout.row(cells("a", 4), Rect(64, 300, 1152, 120))
    nbrs = neighbours(layout.items)
    assert nbrs["a1"] == {"up": None, "down": None, "left": None, "right": "a2"}
    assert nbrs["a2"]["left"] == "a1" and nbrs["a2"]["right"] == "a3"
    assert nbrs["a4"] == {"up": None, "down": None, "left": "a3", "right": None}
    assert_no_traps(layout.items, nbrs)


def test_single_column():
    """A column links up/down in order and has no horizontal neighbours."""
    layout = Layout()
    layout.column(cells("c", 4), Rect(400, 40, 480, 640))
    nbrs = neighbours(layout.items)
    assert nbrs["c1"] == {"up": None, "down": "c2", "left": None, "right": None}
    assert nbrs["c3"]["up"] == "c2" and nbrs["c3"]["down"] == "c4"
    assert nbrs["c4"]["down"] is None
    assert_no_traps(layout.items, nbrs)


# --- grids ----------------------------------------------------------------------------------


def grid_2x4() -> Layout:
    """g1..g4 on top, g5..g8 below."""
    layout = Layout()
    layout.grid(cells("g", 8), Rect(64, 120, 1152, 480), cols=4)
    return layout


def test_grid_2x4_moves():
    """Inner and corner cells of a 2x4 grid get their straight neighbours."""
    nbrs = neighbours(grid_2x4().items)
    assert nbrs["g1"] == {"up": None, "down": "g5", "left": None, "right": "g2"}
    assert nbrs["g6"] == {"up": "g2", "down": None, "left": "g5", "right": "g7"}
    assert nbrs["g3"]["down"] == "g7"
    assert nbrs["g8"] == {"up": "g4", "down": None, "left": "g7", "right": None}


def test_grid_no_wrap_at_edges():
    """Moves off a grid edge give None instead of wrapping."""
    nbrs = neighbours(grid_2x4().items)
    assert nbrs["g4"]["right"] is None  # no wrap to g5
    assert nbrs["g5"]["left"] is None  # no wrap to g4
    assert nbrs["g1"]["up"] is None
    assert nbrs["g7"]["down"] is None


def test_grid_reachable():
    """A plain grid has no focus traps."""
    layout = grid_2x4()
    assert_no_traps(layout.items, neighbours(layout.items))


def grid_with_hole() -> Layout:
    """3 rows x 4 cols; the cell in row 2, column 2 (h6) is missing."""
    entries: list = cells("h", 12)
    entries[5] = None
    layout = Layout()
    layout.grid(entries, Rect(64, 120, 1152, 480), cols=4)
    return layout


def test_grid_hole_down_stays_in_column():
    """Down over a missing cell lands in the same column, not diagonally."""
    # h2 sits above the hole; the same-column cell two rows down beats the diagonal h5/h7.
    nbrs = neighbours(grid_with_hole().items)
    assert nbrs["h2"]["down"] == "h10"
    assert nbrs["h10"]["up"] == "h2"


def test_grid_hole_right_skips_within_row():
    """Right over a missing cell skips to the next cell of the row."""
    nbrs = neighbours(grid_with_hole().items)
    assert nbrs["h5"]["right"] == "h7"
    assert nbrs["h7"]["left"] == "h5"
    assert nbrs["h5"]["up"] == "h1" and nbrs["h7"]["down"] == "h11"


def test_grid_hole_reachable():
    """A grid with a hole has no focus traps."""
    layout = grid_with_hole()
    assert_no_traps(layout.items, neighbours(layout.items))


def test_grid_last_row_partial():
    """A short last row is reached from every column above it."""
    # 7 entries in 4 columns: the last row has 3 cells, so p4 has no tile straight below.
    layout = Layout()
    layout.grid(cells("p", 7), Rect(64, 120, 1152, 480), cols=4)
    nbrs = neighbours(layout.items)
    assert nbrs["p3"]["down"] == "p7"
    assert nbrs["p4"]["down"] == "p7"  # the only tile below is diagonal, still better than nothing
    assert nbrs["p7"]["right"] == "p4"  # diagonal, but the only tile to the right
    assert nbrs["p7"]["up"] == "p3"
    assert_no_traps(layout.items, nbrs)


# --- mixed sizes ----------------------------------------------------------------------------


def test_tall_tile_beside_two_short():
    """A tall tile links to both short tiles beside it, the first declared on ties."""
    items = items_of(
        ("tall", 64, 100, 300, 400),
        ("s1", 388, 100, 300, 188),
        ("s2", 388, 312, 300, 188),
    )
    nbrs = neighbours(items)
    assert nbrs["tall"]["right"] == "s1"  # tie between s1 and s2 -> declared first
    assert nbrs["s1"]["left"] == "tall"
    assert nbrs["s2"]["left"] == "tall"
    assert nbrs["s1"]["down"] == "s2" and nbrs["s2"]["up"] == "s1"
    assert nbrs["tall"]["down"] is None
    assert_no_traps(items, nbrs)


def test_wide_tile_above_row_of_three():
    """A wide tile goes down to the first of three equally aligned tiles."""
    layout = Layout()
    layout.add("wide", Rect(64, 100, 1152, 200))
    layout.row(cells("r", 3), Rect(64, 324, 1152, 200))
    nbrs = neighbours(layout.items)
    assert nbrs["wide"]["down"] == "r1"  # equal alignment for all three -> declared first
    assert {nbrs[f"r{i}"]["up"] for i in (1, 2, 3)} == {"wide"}
    assert nbrs["r1"]["right"] == "r2"
    assert_no_traps(layout.items, nbrs)


def test_wide_tile_prefers_better_aligned_tile_below():
    """Down from a wide tile picks the tile it overlaps most."""
    # The tile spans 600..1216: 224 px over r2 (456..824), 368 px over r3 (848..1216).
    layout = Layout()
    layout.add("wide", Rect(600, 100, 616, 200))
    layout.row(cells("r", 3), Rect(64, 324, 1152, 200))
    nbrs = neighbours(layout.items)
    assert nbrs["wide"]["down"] == "r3"
    assert nbrs["r1"]["up"] == "wide"  # diagonal, but the only thing above
    assert nbrs["r2"]["up"] == "wide"
    assert_no_traps(layout.items, nbrs)


# --- offset rows ----------------------------------------------------------------------------


def offset_rows() -> list[Focusable]:
    """Row a: 4 tiles of 264 px; row b: 3 tiles shifted right by half a tile."""
    return items_of(
        ("a0", 64, 100, 264, 160),
        ("a1", 352, 100, 264, 160),
        ("a2", 640, 100, 264, 160),
        ("a3", 928, 100, 264, 160),
        ("b0", 196, 300, 264, 160),
        ("b1", 484, 300, 264, 160),
        ("b2", 772, 300, 264, 160),
    )


def test_offset_rows_down_picks_larger_overlap():
    """Down between offset rows picks the tile with the larger overlap."""
    nbrs = neighbours(offset_rows())
    assert nbrs["a0"]["down"] == "b0"  # only overlapping tile
    assert nbrs["a1"]["down"] == "b1"  # 132 px overlap beats b0's 108 px
    assert nbrs["a3"]["down"] == "b2"


def test_offset_rows_up_picks_larger_overlap():
    """Up between offset rows picks the tile with the larger overlap."""
    nbrs = neighbours(offset_rows())
    assert nbrs["b0"]["up"] == "a0"
    assert nbrs["b1"]["up"] == "a1"
    assert nbrs["b2"]["up"] == "a2"


def test_offset_rows_horizontal_stays_in_row():
    """Left/right in offset rows stay in the row and never jump to a mostly-behind tile."""
    nbrs = neighbours(offset_rows())
    assert nbrs["b0"]["right"] == "b1"
    assert nbrs["b2"]["right"] is None  # a3 is up-right and mostly behind b2's edge
    assert nbrs["b0"]["left"] is None  # a0 is above and more than 30 % behind b0's left edge
    assert nbrs["a3"]["left"] == "a2"
    assert_no_traps(offset_rows(), nbrs)


# --- touching boxes, sub-pixel widths --------------------------------------------------------


def test_touching_subpixel_grid_skips_nothing():
    """Gap-0 cells 254.66 px wide link to their direct neighbours only."""
    # 1273.3 / 5 = 254.66 px cells, gap 0: float noise must not skip or lose a neighbour.
    layout = Layout()
    layout.grid(cells("t", 10), Rect(0, 100, 1273.3, 300), cols=5, gap=0)
    nbrs = neighbours(layout.items)
    for i in range(1, 11):
        col = (i - 1) % 5
        assert nbrs[f"t{i}"]["right"] == (f"t{i + 1}" if col < 4 else None)
        assert nbrs[f"t{i}"]["left"] == (f"t{i - 1}" if col > 0 else None)
        assert nbrs[f"t{i}"]["down"] == (f"t{i + 5}" if i <= 5 else None)
        assert nbrs[f"t{i}"]["up"] == (f"t{i - 5}" if i > 5 else None)
    assert_no_traps(layout.items, nbrs)


def test_touching_rounded_coordinates():
    """Rounded sub-pixel coordinates that overlap by 0.01 px still link in order."""
    # Coordinates rounded to 2 decimals make neighbours overlap or gap by 0.01 px.
    items = [Focusable(f"k{i}", Rect(round(i * 254.66, 2), 200, 254.66, 120)) for i in range(5)]
    nbrs = neighbours(items)
    assert [nbrs[f"k{i}"]["right"] for i in range(5)] == ["k1", "k2", "k3", "k4", None]
    assert [nbrs[f"k{i}"]["left"] for i in range(5)] == [None, "k0", "k1", "k2", "k3"]


def test_touching_column_gap_zero():
    """A gap-0 column links every cell to the next one."""
    layout = Layout()
    layout.column(cells("v", 6), Rect(500, 0, 280, 720), gap=0)
    nbrs = neighbours(layout.items)
    assert [nbrs[f"v{i}"]["down"] for i in range(1, 7)] == ["v2", "v3", "v4", "v5", "v6", None]


# --- groups ---------------------------------------------------------------------------------


def nav_and_grid() -> Layout:
    """A top nav bar group above a 2x4 main grid, columns aligned."""
    layout = Layout()
    layout.row(cells("n", 4), Rect(64, 36, 1152, 64), group="nav")
    layout.grid(cells("g", 8), Rect(64, 140, 1152, 520), cols=4)
    return layout


def test_group_up_from_grid_goes_to_nav():
    """Up from the grid's top row enters the nav bar; lower rows stay in the grid."""
    nbrs = neighbours(nav_and_grid().items)
    assert nbrs["g2"]["up"] == "n2"
    assert nbrs["g3"]["up"] == "n3"
    assert nbrs["g6"]["up"] == "g2"  # within the grid first


def test_group_down_from_nav_returns_to_grid():
    """Down from the nav bar enters the grid; the bar itself does not wrap."""
    nbrs = neighbours(nav_and_grid().items)
    assert nbrs["n3"]["down"] == "g3"
    assert nbrs["n1"]["right"] == "n2"
    assert nbrs["n4"]["right"] is None
    assert nbrs["n1"]["up"] is None


def test_group_map_records_groups_and_no_exemptions():
    """The map carries groups and needs no memory exemptions for contiguous groups."""
    layout = nav_and_grid()
    nbrs = neighbours(layout.items)
    assert memory_exempt(layout.items, nbrs) == {}  # both groups are connected inside
    data = layout.to_map()
    assert data["start"] == "g1"
    assert data["items"]["n2"]["g"] == "nav"
    assert data["items"]["g2"]["u"] == "n2"
    assert data["groups"] == {"nav": {"first": "n1"}, "main": {"first": "g1"}}
    assert_no_traps(layout.items, nbrs, "g1")


def test_same_group_wins_over_nearer_foreign_item():
    """A same-group item wins over a nearer item of another group."""
    # "side" sits between m1 and m2 and is nearer to m1, but m1 -> m2 stays in the group;
    # side is still reachable from the tab above it.
    items = items_of(
        ("tab", 320, 40, 200, 60, "nav"),
        ("m1", 100, 300, 200, 120),
        ("side", 320, 300, 200, 120, "aside"),
        ("m2", 600, 300, 200, 120),
    )
    nbrs = neighbours(items, start="m1")
    assert nbrs["m1"]["right"] == "m2"
    assert nbrs["m2"]["left"] == "m1"
    assert nbrs["tab"]["down"] == "side"
    assert nbrs["side"]["left"] == "m1" and nbrs["side"]["right"] == "m2"
    assert_no_traps(items, nbrs, "m1")


def test_foreign_group_used_only_when_own_group_has_nothing():
    """Another group is searched only when the own group has nothing that way."""
    items = items_of(
        ("m1", 100, 300, 200, 120),
        ("m2", 100, 450, 200, 120),
        ("x", 400, 320, 200, 120, "side"),
    )
    nbrs = neighbours(items)
    assert nbrs["m1"]["down"] == "m2"  # own group
    assert nbrs["m1"]["right"] == "x"  # nothing of its own to the right
    assert nbrs["m2"]["right"] == "x"
    assert nbrs["x"]["left"] == "m1"


# --- reachability fallback ------------------------------------------------------------------


def test_fallback_links_item_skipped_by_group_preference():
    """Rule b inserts an item that the group preference left unreachable."""
    # x (own group) sits between a and b of another group: geometrically nobody picks it.
    items = items_of(("a", 100, 300, 200, 120), ("x", 400, 300, 200, 120, "lone"), ("b", 700, 300, 200, 120))
    geo = geometric_neighbours(items)
    assert unreachable(items, geo, "a") == {"x"}
    nbrs = neighbours(items, start="a")
    assert nbrs["a"]["right"] == "x"  # rule b: x is nearer than b
    assert nbrs["x"]["right"] == "b"  # b stays reachable through x
    assert nbrs["b"]["left"] == "a"  # untouched
    assert_no_traps(items, nbrs, "a")


def test_fallback_empty_slot_for_overlapping_item():
    """Rule a uses an empty slot to reach an item that is no geometric candidate."""
    # x overlaps p by 75 % of its width, so it is no candidate; p's empty right slot points at it.
    items = items_of(("p", 100, 100, 400, 300), ("x", 350, 200, 200, 100))
    geo = geometric_neighbours(items)
    assert geo["p"]["right"] is None and unreachable(items, geo, "p") == {"x"}
    nbrs = neighbours(items, start="p")
    assert nbrs["p"]["right"] == "x"
    assert_no_traps(items, nbrs, "p")


def test_fallback_gives_a_way_back():
    """An item with no geometric neighbours gets a way back."""
    # From x nothing qualifies geometrically (p is more than 30 % behind each edge of x).
    items = items_of(("p", 100, 100, 400, 300), ("x", 350, 200, 200, 100))
    assert geometric_neighbours(items)["x"] == {"up": None, "down": None, "left": None, "right": None}
    nbrs = neighbours(items, start="p")
    assert stuck(items, nbrs, "p") == set()
    assert nbrs["x"] == {"up": None, "down": None, "left": "p", "right": None}


def test_fallback_way_out_of_an_interleaved_group():
    """Rule c re-points a slot so an interleaved group is no trap."""
    # Group "g" sits in three corners around m: each g item always finds another g item
    # in every direction that has anything, so geometrically g is a trap.
    items = items_of(
        ("a", 64, 36, 300, 150, "g"),
        ("b", 916, 36, 300, 150, "g"),
        ("c", 64, 534, 300, 150, "g"),
        ("m", 490, 285, 300, 150),
    )
    geo = geometric_neighbours(items)
    assert geo["a"] == {"up": None, "down": "c", "left": None, "right": "b"}
    assert stuck(items, geo, "m") == {"a", "b", "c"}
    nbrs = neighbours(items, start="m")
    assert nbrs["a"]["down"] == "m"  # rule c: the nearest way out, c stays reachable via m
    assert nbrs["m"] == {"up": "a", "down": "c", "left": "a", "right": "b"}
    assert_no_traps(items, nbrs, "m")


def test_identical_boxes_are_a_layout_error():
    """Two items with identical boxes cannot be linked and raise ValueError."""
    items = items_of(("a", 100, 100, 200, 100), ("b", 100, 100, 200, 100))
    with pytest.raises(ValueError, match="focus trap"):
        neighbours(items)


def test_memory_exempt_when_target_unreachable_inside_its_group():
    """A move whose target is unreachable inside its group is exempt from memory."""
    # Group "g" = q1 above q2 with w (group "main") between them.  q1 -> q2 is the
    # same-group winner, but w would be unreachable, so rule b re-routes q1 down to w.
    # Inside "g" q2 can no longer be reached from q1, so if memory sent "w down" to a
    # remembered q1, q2 would be lost: that move is exempt from memory.
    items = items_of(
        ("q1", 100, 100, 200, 100, "g"),
        ("w", 100, 250, 200, 100),
        ("q2", 100, 400, 200, 100, "g"),
    )
    assert geometric_neighbours(items)["q1"]["down"] == "q2"
    nbrs = neighbours(items, start="q1")
    assert nbrs["q1"]["down"] == "w"
    assert nbrs["w"]["down"] == "q2" and nbrs["w"]["up"] == "q1"
    assert nbrs["q2"]["up"] == "q1"
    assert memory_exempt(items, nbrs) == {"w": "d"}  # "w up" into q1 is safe: q2 -> q1 exists
    assert_no_traps(items, nbrs, "q1")
    layout = Layout()
    for item in items:
        layout.add(item.id, item.rect, group=item.group)
    data = layout.to_map(start="q1")
    assert data["items"]["w"]["x"] == "d"
    assert "x" not in data["items"]["q1"]


# --- digits ---------------------------------------------------------------------------------


def test_digits_reading_order():
    """Digits follow reading order, not declaration order."""
    layout = Layout()
    # Declared out of reading order on purpose.
    layout.add("c", Rect(700, 100, 200, 100))
    layout.add("a", Rect(100, 100, 200, 100))
    layout.add("d", Rect(100, 300, 200, 100))
    layout.add("b", Rect(400, 110, 200, 100))  # slightly lower, still the first row
    assert layout.assign_digits() == {"a": 1, "b": 2, "c": 3, "d": 4}
    data = layout.to_map()
    assert data["items"]["b"]["n"] == 2


def test_digits_tall_tile_reads_first():
    """A tall tile and the short tiles beside it read as one row."""
    layout = Layout()
    layout.add("s2", Rect(388, 312, 300, 188))
    layout.add("s1", Rect(388, 100, 300, 188))
    layout.add("tall", Rect(64, 100, 300, 400))
    assert layout.assign_digits() == {"tall": 1, "s1": 2, "s2": 3}


def test_digits_at_most_nine_and_per_group():
    """At most nine digits, page-wide unique, never 0."""
    layout = Layout()
    layout.row(cells("n", 2), Rect(64, 36, 600, 64), group="nav")
    layout.grid(cells("g", 12), Rect(64, 140, 1152, 520), cols=4)
    digits = layout.assign_digits("main")
    assert len(digits) == 9 and digits["g1"] == 1 and digits["g9"] == 9
    assert layout.get("g10").digit is None
    assert layout.get("n1").digit is None
    with pytest.raises(ValueError):
        layout.assign_digits("nav")  # 1 and 2 are taken by the grid
    assert layout.get("n1").digit is None and layout.get("g1").digit == 1  # a refused call changes nothing
    layout.assign_digits("main", start=3)
    assert layout.assign_digits("nav") == {"n1": 1, "n2": 2}
    with pytest.raises(ValueError):
        layout.assign_digits("main", start=0)


# --- Android FocusFinderTest style: better vs worse candidate --------------------------------


def test_better_aligned_beats_closer_diagonal_horizontally():
    """Left/right prefer an aligned item over a nearby diagonal one."""
    assert_better("right", Rect(0, 0, 50, 50), Rect(100, 0, 50, 50), Rect(60, 100, 50, 50))
    assert_better("left", Rect(500, 0, 50, 50), Rect(300, 0, 50, 50), Rect(440, 100, 50, 50))


def test_better_aligned_beats_closer_diagonal_vertically():
    """Up/down prefer an aligned item over a partly closer diagonal one."""
    assert_better("down", Rect(0, 0, 50, 50), Rect(0, 100, 50, 50), Rect(60, 60, 50, 50))
    assert_better("up", Rect(0, 500, 50, 50), Rect(0, 400, 50, 50), Rect(60, 440, 50, 50))


def test_completely_closer_diagonal_beats_far_aligned_vertically():
    """Up/down take a diagonal item that is entirely closer than the aligned one."""
    assert_better("down", Rect(0, 0, 50, 50), Rect(60, 60, 50, 50), Rect(0, 500, 50, 50))


def test_more_overlap_beats_less_overlap():
    """Between two overlapping candidates the larger overlap wins."""
    assert_better("down", Rect(100, 0, 100, 50), Rect(120, 100, 100, 50), Rect(40, 100, 100, 50))
    assert_better("right", Rect(0, 100, 50, 100), Rect(100, 90, 50, 100), Rect(100, 160, 50, 100))


def test_nearer_beats_farther_in_beam():
    """Between two aligned candidates the nearer wins."""
    assert_better("right", Rect(0, 0, 50, 50), Rect(60, 0, 50, 50), Rect(200, 0, 50, 50))
    assert_better("up", Rect(0, 500, 50, 50), Rect(0, 400, 50, 50), Rect(0, 100, 50, 50))


def test_candidate_behind_or_overlapping_is_rejected():
    """The candidate filter rejects boxes behind, containing or mostly overlapping the origin."""
    src = Rect(100, 100, 100, 100)
    assert not is_candidate(src, Rect(0, 100, 100, 100), "right")  # entirely left
    assert not is_candidate(src, Rect(150, 100, 100, 100), "right")  # 50 % behind the edge
    assert is_candidate(src, Rect(180, 100, 100, 100), "right")  # 20 % overlap is fine
    assert is_candidate(src, Rect(200, 100, 100, 100), "right")  # touching
    assert not is_candidate(src, Rect(50, 50, 300, 300), "right")  # contains the origin
    assert not is_candidate(src, Rect(120, 120, 50, 50), "down")  # inside the origin


def test_distance_prefers_alignment_and_intersection():
    """Alignment and a small allowed overlap lower the distance."""
    src = Rect(100, 100, 100, 100)
    aligned = distance(src, Rect(250, 100, 100, 100), "right")
    half = distance(src, Rect(250, 150, 100, 100), "right")
    apart = distance(src, Rect(250, 210, 100, 100), "right")
    assert aligned < half < apart
    assert distance(src, Rect(180, 100, 100, 100), "right") < distance(src, Rect(200, 100, 100, 100), "right")


def test_points_at_half_plane():
    """points_at uses the half-plane beyond the origin's centre."""
    r = Rect(100, 100, 100, 100)
    assert points_at(r, Rect(400, 150, 50, 50), "right")
    assert not points_at(r, Rect(400, 150, 50, 50), "up")
    assert points_at(r, Rect(120, 400, 50, 50), "down")
    assert points_at(r, Rect(400, 0, 50, 50), "up") and points_at(r, Rect(400, 0, 50, 50), "right")
    assert not points_at(r, Rect(100, 100, 100, 100), "left")  # same centre: no direction


# --- layout helpers -------------------------------------------------------------------------


def test_layout_rejects_duplicates_and_off_canvas():
    """Duplicate ids, off-canvas or empty boxes and bad ids raise ValueError."""
    layout = Layout()
    layout.add("a", Rect(0, 0, 1280, 720))
    with pytest.raises(ValueError):
        layout.add("a", Rect(0, 0, 10, 10))
    with pytest.raises(ValueError):
        layout.add("b", Rect(1200, 0, 100, 10))
    with pytest.raises(ValueError):
        layout.add("c", Rect(0, -1, 10, 10))
    with pytest.raises(ValueError):
        layout.add("bad id", Rect(0, 0, 10, 10))
    with pytest.raises(ValueError):
        layout.add("z", Rect(0, 0, 0, 10))


def test_grid_geometry_and_fit():
    """Grid cells have the documented size and must fit in the area."""
    layout = Layout()
    placed = layout.grid(cells("g", 6), Rect(64, 100, 1152, 400), cols=3, gap=24)
    assert placed[0].rect == Rect(64, 100, 368, 188)
    assert placed[5].rect.right == pytest.approx(1216) and placed[5].rect.bottom == pytest.approx(500)
    with pytest.raises(ValueError):
        Layout().grid(cells("h", 6), Rect(64, 100, 1152, 400), cols=3, row_height=300)
    fixed = Layout().grid(cells("k", 3), Rect(64, 100, 1152, 600), cols=3, row_height=100)
    assert fixed[0].rect.h == 100


def test_to_map_format():
    """to_map writes the compact documented format and checks start/remembered."""
    layout = nav_and_grid()
    layout.get("g1").href = "/guide/1"
    layout.assign_digits()
    data = layout.to_map(start="g2", remembered={"nav": "n3"})
    assert data["start"] == "g2"
    g1 = data["items"]["g1"]
    assert g1 == {"u": "n1", "d": "g5", "r": "g2", "g": "main", "n": 1, "h": "/guide/1"}
    assert "l" not in g1  # null neighbours are omitted
    assert data["groups"]["nav"] == {"first": "n1", "last": "n3"}
    with pytest.raises(ValueError):
        layout.to_map(start="nope")
    with pytest.raises(ValueError):
        layout.to_map(remembered={"nav": "g1"})
