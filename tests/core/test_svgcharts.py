"""Charts drawn on the server: bars exactly as long as their figures, every label in full,
nothing drawn for a suppressed figure, and every text escaped."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from defusedxml import ElementTree as safe_xml

from coprod.core.svgcharts import Bar, Point, bar_chart, line_chart, nice_axis

SVG = "{http://www.w3.org/2000/svg}"
GROUPS = [
    Bar("Person with lived experience", 12, 10),
    Bar("Carer or family member", "fewer than 5", 3),
    Bar("Frontline practitioner", 7, None),
    Bar("Commissioner", 6, 6),
    Bar("Community or voluntary organisation", 0, 2),
]


def _bar_chart(bars=GROUPS) -> ET.Element:
    return safe_xml.fromstring(
        str(
            bar_chart(
                bars,
                chart_id="groups",
                title="Active people in each group",
                description="The table beside it gives the same figures.",
                value_name="Active people",
                axis_title="People",
            )
        )
    )


def _line_chart(points) -> ET.Element:
    return safe_xml.fromstring(
        str(
            line_chart(
                points,
                chart_id="waits",
                title="Days waiting",
                description="Every reading is in the table beside it.",
                axis_title="days",
            )
        )
    )


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


def _by_class(svg: ET.Element, css: str) -> list[ET.Element]:
    return [element for element in svg.iter() if css in element.get("class", "").split()]


def _scale(svg: ET.Element, direction: str = "x") -> tuple[float, float, float]:
    """The axis as the picture draws it, read from its gridlines and their numbers:
    (where 0 is, where the last number is, the last number)."""
    ticks = [
        (float(line.get(f"{direction}1")), float(_text(tick)))
        for line, tick in zip(_by_class(svg, "gridline"), _by_class(svg, "tick"), strict=True)
    ]
    zero = next(position for position, number in ticks if number == 0)
    end, top = max(ticks, key=lambda tick: tick[1])
    return zero, end, top


def _rows(svg: ET.Element) -> dict[str, ET.Element]:
    return {
        _text(row.find(f"{SVG}text")).split(" (target")[0]: row
        for row in _by_class(svg, "chart-row")
    }


def test_each_bar_is_exactly_as_long_as_its_figure_on_the_axis():
    svg = _bar_chart()
    zero, end, top = _scale(svg)

    assert top == 12
    for label, value in [("Person with lived experience", 12), ("Frontline practitioner", 7)]:
        bar = _rows(svg)[label].find(f"{SVG}rect")
        assert float(bar.get("x")) == pytest.approx(zero)
        assert float(bar.get("width")) / (end - zero) == pytest.approx(value / top, abs=1e-4)
    nothing = _rows(svg)["Community or voluntary organisation"].find(f"{SVG}rect")
    assert float(nothing.get("width")) == 0


def test_a_target_of_6_is_drawn_at_6_not_short_of_it():
    svg = _bar_chart()
    zero, end, top = _scale(svg)

    marker = _rows(svg)["Commissioner"].find(f"{SVG}line")
    drawn_at = (float(marker.get("x1")) - zero) / (end - zero) * top
    assert drawn_at == pytest.approx(6, abs=1e-3)
    bar = _rows(svg)["Commissioner"].find(f"{SVG}rect")
    assert float(bar.get("width")) == pytest.approx(float(marker.get("x1")) - zero, abs=0.01)


def test_the_axis_ends_at_a_round_number_covering_every_figure_and_target():
    assert _scale(_bar_chart([Bar("A", 3, 7)]))[2] == 8
    assert _scale(_bar_chart([Bar("A", 6, 6)]))[2] == 6
    assert _scale(_bar_chart([Bar("A", 23, 5)]))[2] == 25
    assert _scale(_bar_chart([Bar("A", "fewer than 5", None)]))[2] == 5
    axis = nice_axis(0, 1234, whole=True)
    assert (axis.stop, axis.step) == (1500, 500)
    assert [float(tick) for tick in nice_axis(0, Decimal("0.37")).ticks] == [0, 0.1, 0.2, 0.3, 0.4]


def test_every_label_is_shown_in_full_however_many_rows():
    svg = _bar_chart()
    texts = " ".join(_text(label) for label in _by_class(svg, "label"))

    for bar in GROUPS:
        assert bar.label in texts
    assert "Carer or family member (target 3)" in texts


def test_a_long_label_is_wrapped_onto_lines_that_fit_and_none_of_it_is_lost():
    label = "People who care for a family member with a long-term health condition at home"
    svg = _bar_chart([Bar(label, 5, None)])

    lines = _by_class(svg, "label")
    assert len(lines) > 1
    assert " ".join(_text(line) for line in lines) == label
    width = float(svg.get("width"))
    assert all(float(line.get("x")) + len(_text(line)) * 14 * 0.6 <= width for line in lines)


def test_a_suppressed_figure_draws_no_bar_and_says_so_in_words():
    svg = _bar_chart()

    carers = _rows(svg)["Carer or family member"]
    assert carers.find(f"{SVG}rect") is None
    assert "fewer than 5" in _text(carers)
    assert len(_by_class(svg, "bar")) == len(GROUPS) - 1


def test_every_text_is_escaped():
    svg_text = str(
        bar_chart(
            [Bar('<script>alert("x")</script> & Co', 5, None)],
            chart_id='a"b',
            title="<b>bold</b>",
            description="x < y",
            value_name="People & more",
            axis_title="<i>",
        )
    )

    assert "<script>" not in svg_text and "<b>" not in svg_text and "<i>" not in svg_text
    assert "&lt;script&gt;" in svg_text
    svg = safe_xml.fromstring(svg_text)  # still well-formed
    assert '<script>alert("x")</script> & Co' in _text(svg)


def test_a_chart_is_an_image_with_a_title_and_a_description():
    svg = _bar_chart()

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "groups-title groups-desc"
    assert svg.find(f"{SVG}title").get("id") == "groups-title"
    assert _text(svg.find(f"{SVG}title")) == "Active people in each group"
    assert svg.find(f"{SVG}desc").get("id") == "groups-desc"


def test_bars_and_lines_stand_out_3_to_1_against_white():
    def luminance(colour: str) -> float:
        channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    svg = _bar_chart()
    fills = {bar.get("fill") for bar in _by_class(svg, "bar")}
    fills |= {marker.get("stroke") for marker in _by_class(svg, "target")}
    for colour in fills:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


def test_a_line_chart_puts_each_reading_at_its_height_and_date():
    points = [
        Point("5 Jan 2026", 40, date(2026, 1, 5)),
        Point("2 Mar 2026", Decimal("31.5"), date(2026, 3, 2)),
        Point("4 May 2026", 28, date(2026, 5, 4)),
    ]
    svg = _line_chart(points)

    zero, end, top = _scale(svg, "y")
    dots = _by_class(svg, "dot")
    assert top == 40
    for dot, point in zip(dots, points, strict=True):
        height = (zero - float(dot.get("cy"))) / (zero - end)
        assert height == pytest.approx(float(point.value) / top, abs=1e-4)
    xs = [float(dot.get("cx")) for dot in dots]
    days = [(point.on - points[0].on).days for point in points]
    assert (xs[1] - xs[0]) / (xs[2] - xs[0]) == pytest.approx(days[1] / days[2], abs=1e-4)
    assert [_text(value) for value in _by_class(svg, "value")] == ["40", "31.5", "28"]
    assert {_text(label) for label in _by_class(svg, "date")} == {
        "5 Jan 2026",
        "2 Mar 2026",
        "4 May 2026",
    }


def test_a_line_below_zero_has_an_axis_that_reaches_it():
    svg = _line_chart([Point("Baseline", -3), Point("Later", 12)])

    numbers = sorted(float(_text(tick)) for tick in _by_class(svg, "tick"))
    assert numbers[0] <= -3 and numbers[-1] >= 12 and 0 in numbers


def test_nothing_to_draw_gives_nothing():
    assert str(line_chart([], chart_id="x", title="t", description="d", axis_title="")) == ""
    assert (
        str(bar_chart([], chart_id="x", title="t", description="d", value_name="v", axis_title=""))
        == ""
    )
