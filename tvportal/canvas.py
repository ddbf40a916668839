"""The 1280x720 design canvas: safe area, regions and text metrics per display mode.

Every page is laid out on this canvas in px; CSS scales the canvas to the screen (zoom 1.5
at 1920x1080).  The regions keep everything inside the 5 % overscan-safe area (64 px left
and right, 36 px top and bottom), as Android TV and EBU R 95 recommend for 16:9 pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

from remote_nav import Rect

WIDTH, HEIGHT = 1280, 720
SAFE = Rect(64, 36, 1152, 648)
HEADER = Rect(64, 36, 1152, 96)
MAIN = Rect(64, 144, 1152, 452)
TEXT = Rect(64, 144, 1152, 372)  # text pages: MAIN less the button row under it
BUTTON_ROW = Rect(64, 530, 1152, 62)
HINTS = Rect(64, 618, 1152, 64)  # one line of key chips; bottom 682, inside SAFE (tv.css .hints)


@dataclass(frozen=True)
class Metrics:
    """Sizes that depend on the device's text-size choice."""

    body_px: int
    line_height: float
    list_rows: int  # list items per screen
    heading_px: float  # a text page's heading line (tv.css .text h2)

    @property
    def line_px(self) -> float:
        """Height of one line of body text."""
        return self.body_px * self.line_height

    def chars_per_line(self, width: float) -> int:
        """How many CJK characters fit on one line of the given width."""
        return max(1, int(width // self.body_px))

    def lines_in(self, height: float) -> int:
        """How many body lines fit in the given height."""
        return max(1, int(height // self.line_px))


NORMAL = Metrics(body_px=30, line_height=1.45, list_rows=6, heading_px=40)
LARGE = Metrics(body_px=38, line_height=1.4, list_rows=3, heading_px=50)


def metrics(large_text: bool) -> Metrics:
    """Metrics for the device's text-size choice."""
    return LARGE if large_text else NORMAL
