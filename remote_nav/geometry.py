"""Rectangles on the 1280x720 design canvas that every TV page is laid out on.

Pages are authored in design-canvas pixels and scaled as a whole by CSS, so the
focus graph can be computed once on the server from these numbers instead of
measuring the DOM on a slow set-top box at key time.
"""

from __future__ import annotations

from dataclasses import dataclass

CANVAS_W = 1280.0
CANVAS_H = 720.0
# Float noise from sub-pixel cells (e.g. 1273.3 / 5 = 254.66) must not turn
# touching boxes into overlapping or separated ones.
EPS = 1e-6


@dataclass(frozen=True)
class Rect:
    """An axis-aligned box: top-left corner (x, y), width w and height h."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """The x coordinate of the right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """The y coordinate of the bottom edge."""
        return self.y + self.h

    @property
    def cx(self) -> float:
        """The x coordinate of the centre."""
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        """The y coordinate of the centre."""
        return self.y + self.h / 2

    def inside(self, width: float = CANVAS_W, height: float = CANVAS_H) -> bool:
        """True if the box lies within a width x height canvas (edges may touch)."""
        return (
            self.x >= -EPS
            and self.y >= -EPS
            and self.right <= width + EPS
            and self.bottom <= height + EPS
        )

    def contains(self, other: Rect) -> bool:
        """True if ``other`` lies entirely within this box."""
        return (
            self.x <= other.x + EPS
            and self.y <= other.y + EPS
            and self.right >= other.right - EPS
            and self.bottom >= other.bottom - EPS
        )

    def intersection_area(self, other: Rect) -> float:
        """Area shared by the two boxes (0 when they only touch or are apart)."""
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.bottom, other.bottom) - max(self.y, other.y)
        return w * h if w > EPS and h > EPS else 0.0
