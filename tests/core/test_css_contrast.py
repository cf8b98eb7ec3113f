"""Radio buttons and tick boxes meet WCAG 2.2 non-text contrast (1.4.11): their edge is at
least 3:1 against the backgrounds they sit on, computed from the colour coprod.css sets."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "coprod.css"
# White pages, and the light grey of the navigation bar and cards (Bootstrap's #f8f9fa).
BACKGROUNDS = ["#ffffff", "#f8f9fa"]
BOOTSTRAP_BORDER = "#dee2e6"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour written #rrggbb."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def form_check_border() -> str:
    rule = re.search(r"^\.form-check-input \{(.*?)\}", CSS.read_text(), re.S | re.M).group(1)
    return re.search(r"border:\s*\d+px solid (#[0-9a-fA-F]{6})", rule).group(1)


def test_the_ratio_is_computed_as_wcag_says():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    # Bootstrap's own edge, which coprod.css replaces, fails.
    assert contrast(BOOTSTRAP_BORDER, "#ffffff") < 3


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_radio_and_checkbox_edges_are_at_least_3_to_1(background):
    assert contrast(form_check_border(), background) >= 3


def test_the_comment_gives_the_ratio_on_white():
    ratio = f"{contrast(form_check_border(), '#ffffff'):.1f}:1"
    assert f"{form_check_border()} is {ratio} on white" in CSS.read_text()
