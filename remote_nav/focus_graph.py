r"""Server-side spatial navigation: the up/down/left/right neighbour of every focusable.

The graph is computed once per page from declared rectangles (design-canvas px),
so the set-top-box runtime never measures layout at key time.  Terms used below:
the *origin* is the focused item, a *candidate* is any other item, and a
direction is one of up/down/left/right.  Everything is computed for "right"
after mirroring/transposing the boxes, so the four directions share one code path.

1. Candidate filter (after LRUD Spatial's 30 % overlap threshold)
   A candidate qualifies for "right" if it extends further right than the origin
   and at most 30 % of its own width lies behind the origin's right edge::

        +--------+                    +--------+
        | origin |+------+           | origin |
        |       +|| ok   |           |   +----+---+
        +--------+|      |           +---|--------| rejected: more than 30 %
                  +------+               +--------+ of it is behind the edge

   Touching boxes (gap 0, sub-pixel widths such as 254.66 px) pass with a wide
   margin, so float noise never makes a neighbour vanish and nothing is skipped.
   A candidate that fully contains the origin is behind it, not beyond it.

2. Distance (WICG spatial-navigation polyfill / css-nav-1 "A + B - C - D")
   P1/P2 are the closest points of the origin's exit edge and the candidate's
   entry edge::

        +--------+
        | origin P1 .                        A = |P1P2| (Euclidean)
        +--------+   .  orth                 B = orth * 30 (left/right) or * 2
                      .                          (up/down), + half the origin's
                 along P2+------+                height/width if not aligned
                        | cand |             C = 5 * aligned share of the origin
                        +------+             D = sqrt(area the boxes share)

   distance = A + B - C - D; the smallest wins.  The heavy orthogonal weight for
   left/right keeps horizontal moves inside a row; the light one for up/down lets
   a move down land on the nearest tile of the next row even when rows are offset.

3. Ties: the item declared first wins (a stable, predictable reading order).

4. Groups (containers): candidates in the origin's own group are considered
   first; only when the group has nothing in that direction are all other groups
   searched.  The map records every item's group, so when a move leaves the
   group the runtime can apply "last focused item" memory of the target group.
   ``memory_exempt`` lists the moves where memory must not redirect (because the
   geometric target could not be reached again from inside its group).

5. No wrap-around: at an edge the neighbour is None.

6. No focus traps: every item must be reachable from the start item and the
   start item from every item (so any item can reach any other), checked by
   breadth-first search over the four edges (``unreachable`` / ``stuck``).
   The geometric result is repaired one edge at a time.  While some item x is
   unreachable from start, link it from a reachable item r, by the first rule
   that applies (the nearest pair by the distance above wins within a rule):
     a. an empty slot r.d that points at x, i.e. x's centre lies beyond r's
        centre in d (the css-nav-1 half-plane):

                 |
             r   |    x       r.right is empty and x's centre is right of
                 |            r's centre: r.right := x
        r's centre line

     b. a slot r.d held by some y farther away than x, where x passes the
        candidate filter (x lost only because of the same-group preference):
        r.d := x, and x.d := y if x's own slot d is empty, so y stays reachable:

           before:  r ----------------> y       x ignored
           after:   r ------> x ------> y

     b2. (last resort; seen only with overlapping boxes) as b, with x merely in
        the half-plane, when x.d is empty or already holds y.
   While some item s cannot get back to start (a trap), link it to the nearest
   item t outside the trap:
     c. an empty slot s.d that points at t (rule a in reverse); otherwise re-point
        a full slot of s at a candidate t, preferring a change that keeps every
        item reachable from start.
   No wrap-around edge is ever added.  If no rule applies (e.g. two items with
   identical boxes) ValueError is raised: the layout itself must be fixed.  In
   randomised runs with up to 60 boxes (with and without overlaps) in up to 3
   interleaved groups the repair always succeeded.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .geometry import EPS, Rect

if TYPE_CHECKING:
    from .layout import Focusable

DIRECTIONS: tuple[str, ...] = ("up", "down", "left", "right")
OVERLAP_THRESHOLD = 0.3
ORTHOGONAL_WEIGHT = {"left": 30.0, "right": 30.0, "up": 2.0, "down": 2.0}
ALIGN_WEIGHT = 5.0
# Relative tolerance for "equal" distances, so that declaration order, not float
# noise from sub-pixel coordinates, decides ties.
TIE_TOLERANCE = 1e-9


def _as_right(rect: Rect, direction: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a box mirrored/transposed so that ``direction`` becomes "right"."""
    if direction == "right":
        return rect.x, rect.y, rect.x + rect.w, rect.y + rect.h
    if direction == "left":
        return -rect.x - rect.w, rect.y, -rect.x, rect.y + rect.h
    if direction == "down":
        return rect.y, rect.x, rect.y + rect.h, rect.x + rect.w
    if direction == "up":
        return -rect.y - rect.h, rect.x, -rect.y, rect.x + rect.w
    raise ValueError(f"unknown direction {direction!r}")


def is_candidate(origin: Rect, cand: Rect, direction: str, threshold: float = OVERLAP_THRESHOLD) -> bool:
    """True if ``cand`` lies beyond ``origin`` in ``direction`` (partial overlap allowed)."""
    o_right = _as_right(origin, direction)[2]
    c_left, _, c_right, _ = _as_right(cand, direction)
    if c_right <= o_right + EPS:
        return False
    if c_left + threshold * (c_right - c_left) < o_right - EPS:
        return False
    return not cand.contains(origin)


def distance(origin: Rect, cand: Rect, direction: str) -> float:
    """WICG-style A + B - C - D distance from ``origin`` to ``cand`` moving in ``direction``."""
    _, o_top, o_right, o_bottom = _as_right(origin, direction)
    c_left, c_top, _, c_bottom = _as_right(cand, direction)
    along = max(0.0, c_left - o_right)
    orth = max(0.0, c_top - o_bottom, o_top - c_bottom)
    overlap = min(o_bottom, c_bottom) - max(o_top, c_top)
    o_size = o_bottom - o_top
    a = math.hypot(along, orth)
    b = orth * ORTHOGONAL_WEIGHT[direction]
    if overlap <= EPS:
        # Penalise unaligned candidates so that an aligned one at a similar
        # distance wins (the polyfill's "orthogonal bias").
        b += o_size / 2
    c_align = ALIGN_WEIGHT * min(1.0, max(0.0, overlap) / o_size)
    d = math.sqrt(origin.intersection_area(cand))
    return a + b - c_align - d


def _better(d: float, best: float | None) -> bool:
    """True if ``d`` beats ``best`` by more than float noise."""
    return best is None or d < best - TIE_TOLERANCE * max(1.0, abs(best))


def best_candidate(origin: Focusable, items: Iterable[Focusable], direction: str) -> Focusable | None:
    """The nearest item beyond ``origin`` in ``direction``, ties going to the earliest declared."""
    best: Focusable | None = None
    best_d: float | None = None
    for item in items:
        if item is origin or item.id == origin.id:
            continue
        if not is_candidate(origin.rect, item.rect, direction):
            continue
        d = distance(origin.rect, item.rect, direction)
        if _better(d, best_d):
            best, best_d = item, d
    return best


def geometric_neighbours(items: list[Focusable]) -> dict[str, dict[str, str | None]]:
    """The geometric pass alone (own group first, then every other group), without fallback edges."""
    by_group: dict[str, list[Focusable]] = {}
    for item in items:
        by_group.setdefault(item.group, []).append(item)
    result: dict[str, dict[str, str | None]] = {}
    for item in items:
        own = by_group[item.group]
        others = [i for i in items if i.group != item.group]
        slots: dict[str, str | None] = {}
        for direction in DIRECTIONS:
            winner = best_candidate(item, own, direction) or best_candidate(item, others, direction)
            slots[direction] = winner.id if winner else None
        result[item.id] = slots
    return result


def _bfs(start: str, edges: dict[str, set[str]]) -> set[str]:
    """Every id reachable from ``start`` along ``edges`` (start included)."""
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def unreachable(items: list[Focusable], nbrs: dict[str, dict[str, str | None]], start: str) -> set[str]:
    """Ids that cannot be reached from ``start`` by any sequence of moves (BFS)."""
    edges = {src: {t for t in slots.values() if t is not None} for src, slots in nbrs.items()}
    return {item.id for item in items} - _bfs(start, edges)


def stuck(items: list[Focusable], nbrs: dict[str, dict[str, str | None]], start: str) -> set[str]:
    """Ids from which ``start`` cannot be reached (focus would be trapped there)."""
    reverse: dict[str, set[str]] = {}
    for src, slots in nbrs.items():
        for target in slots.values():
            if target is not None:
                reverse.setdefault(target, set()).add(src)
    return {item.id for item in items} - _bfs(start, reverse)


def points_at(origin: Rect, target: Rect, direction: str) -> bool:
    """True if target's centre lies in the open half-plane beyond origin's centre in ``direction`` (css-nav-1)."""
    dx, dy = target.cx - origin.cx, target.cy - origin.cy
    along = {"right": dx, "left": -dx, "down": dy, "up": -dy}[direction]
    return along > EPS


def _nearest_free_slot(
    sources: list[Focusable], targets: list[Focusable], nbrs: dict[str, dict[str, str | None]]
) -> tuple[Focusable, str, Focusable] | None:
    """Rule a: the nearest (source, direction, target) whose slot is empty and points at the target."""
    best: tuple[Focusable, str, Focusable] | None = None
    best_d: float | None = None
    for x in targets:
        for r in sources:
            for direction in DIRECTIONS:
                if nbrs[r.id][direction] is None and points_at(r.rect, x.rect, direction):
                    d = distance(r.rect, x.rect, direction)
                    if _better(d, best_d):
                        best, best_d = (r, direction, x), d
    return best


def _nearest_passed_over(
    sources: list[Focusable],
    targets: list[Focusable],
    nbrs: dict[str, dict[str, str | None]],
    by_id: dict,
    last_resort: bool = False,
) -> tuple[Focusable, str, Focusable] | None:
    """Rule b: the nearest (source, direction, target) where the target beats the slot's current holder.

    With ``last_resort`` (rule b2) the target need not be nearer, only in the
    half-plane, and its own slot in that direction must be free or already hold the
    same item, so the old holder stays reachable behind it.
    """
    best: tuple[Focusable, str, Focusable] | None = None
    best_d: float | None = None
    for x in targets:
        for r in sources:
            for direction in DIRECTIONS:
                held = nbrs[r.id][direction]
                if held is None:
                    continue
                if last_resort:
                    if nbrs[x.id][direction] not in (None, held) or not points_at(r.rect, x.rect, direction):
                        continue
                    d = distance(r.rect, x.rect, direction)
                else:
                    if not is_candidate(r.rect, x.rect, direction):
                        continue
                    d = distance(r.rect, x.rect, direction)
                    if not d < distance(r.rect, by_id[held].rect, direction) - EPS:
                        continue
                if _better(d, best_d):
                    best, best_d = (r, direction, x), d
    return best


def _way_out(
    items: list[Focusable], nbrs: dict[str, dict[str, str | None]], trapped: set[str], start: str
) -> tuple[Focusable, str, Focusable] | None:
    """Rule c: re-point a full slot of a trapped item at the nearest item outside the trap."""
    options: list[tuple[float, int, Focusable, str, Focusable]] = []
    order = {item.id: n for n, item in enumerate(items)}
    for s in items:
        if s.id not in trapped:
            continue
        for direction in DIRECTIONS:
            if nbrs[s.id][direction] is None:
                continue
            for t in items:
                if t.id in trapped or not is_candidate(s.rect, t.rect, direction):
                    continue
                options.append((distance(s.rect, t.rect, direction), order[s.id], s, direction, t))
    options.sort(key=lambda o: (o[0], o[1]))
    # Prefer a change that keeps everything reachable from start.
    for _, _, s, direction, t in options:
        held = nbrs[s.id][direction]
        nbrs[s.id][direction] = t.id
        ok = not unreachable(items, nbrs, start)
        nbrs[s.id][direction] = held
        if ok:
            return s, direction, t
    return (options[0][2], options[0][3], options[0][4]) if options else None


def neighbours(items: list[Focusable], start: str | None = None) -> dict[str, dict[str, str | None]]:
    """Each item's neighbour id (or None) for "up", "down", "left", "right"; see the module docstring."""
    if not items:
        return {}
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("focusable ids must be unique")
    start_id = start if start is not None else ids[0]
    if start_id not in ids:
        raise ValueError(f"start item {start_id!r} is not in the layout")
    by_id = {item.id: item for item in items}
    nbrs = geometric_neighbours(items)
    # Rules b and c re-point edges and may undo each other's work on a pathological
    # layout, so the repair loop is bounded instead of assumed to converge.
    for _ in range(4 * len(items) * len(items) + 8):
        missing = unreachable(items, nbrs, start_id)
        if missing:
            sources = [i for i in items if i.id not in missing]
            targets = [i for i in items if i.id in missing]
            link = _nearest_free_slot(sources, targets, nbrs)
            if link is not None:
                r, direction, x = link
                nbrs[r.id][direction] = x.id
                continue
            link = _nearest_passed_over(sources, targets, nbrs, by_id) or _nearest_passed_over(
                sources, targets, nbrs, by_id, last_resort=True
            )
            if link is None:
                raise ValueError(
                    f"focus trap: cannot make {sorted(missing)} reachable from {start_id!r}; fix the layout"
                )
            r, direction, x = link
            held = nbrs[r.id][direction]
            nbrs[r.id][direction] = x.id
            if nbrs[x.id][direction] is None:
                nbrs[x.id][direction] = held
            continue
        trapped = stuck(items, nbrs, start_id)
        if not trapped:
            return nbrs
        sources = [i for i in items if i.id in trapped]
        targets = [i for i in items if i.id not in trapped]
        link = _nearest_free_slot(sources, targets, nbrs) or _way_out(items, nbrs, trapped, start_id)
        if link is None:
            raise ValueError(f"focus trap: no way back from {sorted(trapped)}; fix the layout")
        r, direction, x = link
        nbrs[r.id][direction] = x.id
    raise ValueError("focus trap: the fallback edges do not settle; fix the layout")


def memory_exempt(items: list[Focusable], nbrs: dict[str, dict[str, str | None]]) -> dict[str, str]:
    """Per item, the directions (as "udlr" letters) whose cross-group move must ignore group memory.

    Memory may redirect a move into group G to G's last focused item m.  That is
    only harmless if the geometric target t can still be reached from m inside G,
    so a move is exempt unless t is reachable from every item of its group using
    edges that stay within the group.
    """
    group_of = {item.id: item.group for item in items}
    members: dict[str, set[str]] = {}
    for item in items:
        members.setdefault(item.group, set()).add(item.id)
    # Reverse intra-group edges: who can step onto whom without leaving the group.
    incoming: dict[str, set[str]] = {item.id: set() for item in items}
    for src, slots in nbrs.items():
        for dst in slots.values():
            if dst is not None and group_of[dst] == group_of[src]:
                incoming[dst].add(src)
    cache: dict[str, bool] = {}

    def safe(target: str) -> bool:
        """True if every member of target's group can walk to target inside the group."""
        if target not in cache:
            seen = {target}
            queue = deque([target])
            while queue:
                for prev in incoming[queue.popleft()]:
                    if prev not in seen:
                        seen.add(prev)
                        queue.append(prev)
            cache[target] = members[group_of[target]] <= seen
        return cache[target]

    exempt: dict[str, str] = {}
    for item in items:
        letters = ""
        for direction in DIRECTIONS:
            target = nbrs[item.id][direction]
            if target is not None and group_of[target] != item.group and not safe(target):
                letters += direction[0]
        if letters:
            exempt[item.id] = letters
    return exempt
