"""Colour arithmetic for brand themes: validation and readable text on brand colours (WCAG 2.x)."""

import math
import re
from dataclasses import dataclass

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


# What the storefront stylesheet (brand/static/brand/storefront.css) draws besides the brand
# colours: the page and header surface, body and muted text.
SURFACE = "#FFFFFF"
INK = "#1B2330"
INK_MUTED = "#4F5B6B"
# `.button:hover { filter: brightness(1.08) }`: background and text both brighten.
HOVER_BRIGHTNESS = 1.08
# WCAG 2.x: 4.5:1 for text, 3:1 for the edges of a control against what surrounds it. Disabled
# buttons (drawn at half opacity) are exempt from both (WCAG 1.4.3, inactive components).
UI_COMPONENT = 3.0


def brightened(hex_colour: str, factor: float = HOVER_BRIGHTNESS) -> str:
    channels = (min(255, round(int(hex_colour[i : i + 2], 16) * factor)) for i in (1, 3, 5))
    return "#" + "".join(f"{c:02X}" for c in channels)


def _text_name(colour: str) -> str:
    return {
        LIGHT_TEXT: "White text",
        DARK_TEXT: f"Dark text ({DARK_TEXT})",
        INK: f"Body text ({INK})",
        INK_MUTED: f"Muted text ({INK_MUTED})",
    }.get(colour.upper(), f"Text in {colour}")


@dataclass(frozen=True)
class ContrastFailure:
    """One pair the theme draws that is too faint: which theme colour to change, and why."""

    colour: str  # "primary", "accent", "dark" or "light"
    message: str


def theme_contrast_failures(
    *, primary: str, accent: str, dark: str, light: str
) -> list[ContrastFailure]:
    """Every pair of colours the storefront draws with this theme, checked against WCAG AA;
    one failure per pair too faint, in the words an editor needs ("White text on the primary
    colour #FFEE00 has contrast 1.2:1; it needs 4.5:1."). A colour that is not #RRGGBB is left
    to the format check."""
    theme = {"primary": primary, "accent": accent, "dark": dark, "light": light}
    valid = {name: c.upper() for name, c in theme.items() if HEX_COLOUR.match(c or "")}
    failures: list[ContrastFailure] = []

    def check(colour: str, foreground: str, background: str, what: str, needs: float) -> None:
        ratio = contrast_ratio(foreground, background)
        if ratio < needs:
            shown = math.floor(ratio * 10) / 10  # never rounds a failure up to the minimum
            failures.append(
                ContrastFailure(colour, f"{what} has contrast {shown:.1f}:1; it needs {needs}:1.")
            )

    for name in ("primary", "accent"):
        if name not in valid:
            continue
        colour = valid[name]
        text = readable_text_on(colour)
        where = "buttons" if name == "primary" else "the hero's call to action and badges"
        check(
            name,
            text,
            colour,
            f"{_text_name(text)} on the {name} colour {colour} ({where})",
            WCAG_AA_NORMAL_TEXT,
        )
        check(
            name,
            brightened(text),
            brightened(colour),
            f"{_text_name(text)} on the {name} colour {colour} under the mouse pointer "
            f"(brightened to {brightened(colour)})",
            WCAG_AA_NORMAL_TEXT,
        )
    if "primary" in valid:
        primary = valid["primary"]
        check(
            "primary",
            primary,
            SURFACE,
            f"The primary colour {primary} as text on white (links, the header's outline "
            "buttons, prices)",
            WCAG_AA_NORMAL_TEXT,
        )
        if "light" in valid:
            check(
                "primary",
                primary,
                valid["light"],
                f"The primary colour {primary} as text on the light colour {valid['light']} "
                "(links in light sections, the current catalog category)",
                WCAG_AA_NORMAL_TEXT,
            )
    if "accent" in valid and "dark" in valid:
        check(
            "accent",
            valid["accent"],
            valid["dark"],
            f"The accent colour {valid['accent']} as a button on the dark colour "
            f"{valid['dark']} (the hero's and banners' calls to action)",
            UI_COMPONENT,
        )
    if "dark" in valid:
        dark = valid["dark"]
        check(
            "dark",
            LIGHT_TEXT,
            dark,
            f"White text on the dark colour {dark} (top bar, hero, footer, the hero's second "
            "button)",
            WCAG_AA_NORMAL_TEXT,
        )
        check(
            "dark",
            dark,
            SURFACE,
            f"The dark colour {dark} as text on white (the wordmark, the menu button)",
            WCAG_AA_NORMAL_TEXT,
        )
    if "light" in valid:
        light = valid["light"]
        for ink in (INK, INK_MUTED):
            check(
                "light",
                ink,
                light,
                f"{_text_name(ink)} on the light colour {light} (light sections, page headers)",
                WCAG_AA_NORMAL_TEXT,
            )
    return failures
