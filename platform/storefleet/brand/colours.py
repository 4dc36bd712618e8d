"""Colour arithmetic for brand themes: validation and readable text on brand colours (WCAG 2.x)."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

hex_colour_validator = RegexValidator(
    HEX_COLOUR,
    _("Enter a colour as # followed by six hexadecimal digits, e.g. #0B3D91."),
    code="invalid_colour",
)

DARK_TEXT = "#111418"
LIGHT_TEXT = "#FFFFFF"


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text_on(background: str) -> str:
    """White or near-black, whichever reads better on ``background``."""
    if contrast_ratio(background, LIGHT_TEXT) >= contrast_ratio(background, DARK_TEXT):
        return LIGHT_TEXT
    return DARK_TEXT


WCAG_AA_NORMAL_TEXT = 4.5


def text_is_readable_on(background: str) -> bool:
    return contrast_ratio(background, readable_text_on(background)) >= WCAG_AA_NORMAL_TEXT
