"""The design canvases: safe area, regions and text metrics per display mode.

HD pages are laid out on a 1280x720 canvas in px; CSS scales it to the screen (zoom 1.5 at
1920x1080).  SD boxes (640x530) get a canvas of their own, with bigger type relative to the
screen and fewer items per screen, rather than the HD page at half size (docs/operator-boxes.md).
The regions keep everything inside the 5 % overscan-safe area (64 px left and right, 36 px top
and bottom at HD), as Android TV and EBU R 95 recommend for 16:9 pictures.

The canvas of the request being answered is in a context variable (set by
tvportal/http/box_screen.py), because text metrics are needed deep inside page builders.
"""

from __future__ import annotations

from contextvars import ContextVar
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
    """HD metrics for the device's text-size choice (pages not yet laid out per canvas)."""
    return LARGE if large_text else NORMAL


@dataclass(frozen=True)
class Canvas:
    """One screen size's canvas: its regions (as above), metrics and how many tiles a screen holds."""

    size: str  # "sd" or "hd" (FHD is the HD canvas at 1.5x)
    width: int
    height: int
    SAFE: Rect
    HEADER: Rect
    MAIN: Rect
    TEXT: Rect
    BUTTON_ROW: Rect
    HINTS: Rect
    normal: Metrics
    large: Metrics
    tile_cols: int
    tiles_per_screen: int
    gap: int  # between tiles and rows
    button_w: int  # a 上一页/下一页 button
    guide_text_h: int  # a guide's text screens (tv.css .text.guide)
    fact_label_px: tuple[int, int]  # the facts table's label column, normal and large text

    def metrics(self, large_text: bool) -> Metrics:
        """Metrics for the device's text-size choice on this canvas."""
        return self.large if large_text else self.normal


HD = Canvas("hd", WIDTH, HEIGHT, SAFE, HEADER, MAIN, TEXT, BUTTON_ROW, HINTS, NORMAL, LARGE, tile_cols=4,
            tiles_per_screen=8, gap=24, button_w=300, guide_text_h=376, fact_label_px=(150, 180))
# 640x530: 32/26 px margins (5 %); body 24 px (the smallest size anywhere on the TV), a header of title
# and 当前位置, and a hint bar of up to three lines (nine hints do not fit one line of 576 px at 24 px)
SD = Canvas("sd", 640, 530, SAFE=Rect(32, 26, 576, 478), HEADER=Rect(32, 26, 576, 70),
            MAIN=Rect(32, 100, 576, 306), TEXT=Rect(32, 100, 576, 246), BUTTON_ROW=Rect(32, 354, 576, 52),
            HINTS=Rect(32, 412, 576, 92),
            normal=Metrics(body_px=24, line_height=1.4, list_rows=4, heading_px=34),
            large=Metrics(body_px=30, line_height=1.35, list_rows=3, heading_px=40),
            tile_cols=2, tiles_per_screen=4, gap=12, button_w=180, guide_text_h=246, fact_label_px=(116, 134))
CANVASES = {"sd": SD, "hd": HD, "fhd": HD}

_current: ContextVar[Canvas] = ContextVar("canvas", default=HD)


def current() -> Canvas:
    """The canvas of the request being answered (HD outside a request)."""
    return _current.get()


def use(size: str):
    """Make ``size``'s canvas current; returns the token to reset it with."""
    return _current.set(CANVASES[size])


def reset(token) -> None:
    """Restore the canvas that was current before ``use``."""
    _current.reset(token)
