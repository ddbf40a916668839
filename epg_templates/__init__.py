"""Jinja2 templates of the TV pages (a package so that they ship with the wheel)."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
