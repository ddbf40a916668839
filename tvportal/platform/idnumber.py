"""Resident ID numbers (GB 11643-1999): check digit, masking, and a log filter that masks them."""

from __future__ import annotations

import logging
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9])")


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK[total % 11]


def is_valid(number: str) -> bool:
    """True for an 18-character ID number whose check digit and birth date are plausible."""
    number = number.strip().upper()
    if not re.fullmatch(r"[1-9][0-9]{16}[0-9X]", number):
        return False
    month, day = int(number[10:12]), int(number[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    return check_digit(number[:17]) == number[17]


def problem(number: str) -> str | None:
    """A Chinese message saying what is wrong with an entered ID number, or None."""
    number = number.strip().upper()
    if not number:
        return "请输入身份证号码"
    if len(number) != 18:
        return f"身份证号码是18位，您输入了{len(number)}位"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return "身份证号码只能是数字，最后一位可以是X"
    if not is_valid(number):
        return "身份证号码不对，请核对后重新输入"
    return None


def mask(number: str) -> str:
    """3415**********1234: the first four and last four characters only."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_text(text: str) -> str:
    """Mask every ID-number-shaped run of digits inside a text."""
    return _ID_RE.sub(lambda m: mask(m.group(0)), text)


class MaskingFilter(logging.Filter):
    """Logging filter: no full ID number ever reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with ID numbers masked."""
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Mask ID numbers in every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
    if not any(isinstance(f, MaskingFilter) for f in root.filters):
        root.addFilter(MaskingFilter())
