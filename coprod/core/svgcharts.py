"""Charts drawn on the server as SVG, so that the web page and the PDF (WeasyPrint draws SVG
written into the page) show the same picture, and no script is needed to see it.

Every length is worked out here from the figures, on an axis that starts at 0 (or below, for
a line that goes below 0) and ends at a round number covering every figure and target, so a
bar is exactly as long as its figure says. Every text comes from people (a measure's name, a
group's label) and is escaped. Each chart is an image with a title and a description for
screen readers; the page puts a table with the same figures beside it.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

INK = "#0b0c0c"
# Bars and lines: 5.2:1 against white, and white text on them 5.2:1 too.
BLUE = "#1d70b8"
GRID = "#b1b4b6"
# Secondary text (ticks, axis titles): 7:1 against white.
MUTED = "#505a5f"
WHITE = "#ffffff"

WIDTH = 360
FONT_SIZE = 14
SMALL_FONT_SIZE = 13
LINE_HEIGHT = 18
# A little wider than a letter of a sans-serif font usually is, so that a line worked out to
# fit does fit whichever font the browser or the PDF maker uses.
LETTER_WIDTH = 0.6
BAR_HEIGHT = 18
ROW_GAP = 14
MAX_STEPS = 6
NICE_MULTIPLES = (1, 2, 5, 10)


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart. A `value` that is text (such as "fewer than 5") is said in
    words and never drawn, so that its size cannot be read from the picture."""

    label: str
    value: Number | str
    target: Number | None = None


@dataclass(frozen=True)
class Point:
    """One reading on a line chart: `label` says when it was taken; `on` places it in time
    (readings without a date are spaced evenly instead)."""

    label: str
    value: Number
    on: date | None = None


@dataclass(frozen=True)
class Axis:
    start: Decimal
    stop: Decimal
    step: Decimal

    @property
    def ticks(self) -> list[Decimal]:
        count = int((self.stop - self.start) / self.step)
        return [self.start + self.step * index for index in range(count + 1)]

    def share(self, value: Number) -> float:
        """Where `value` falls from the start (0) to the stop (1) of the axis."""
        return float((Decimal(str(value)) - self.start) / (self.stop - self.start))


def nice_axis(low: Number, high: Number, *, whole: bool = False) -> Axis:
    """An axis from a round number at or below `low` to one at or above `high`, in at most
    six equal steps of 1, 2 or 5 times a power of ten (steps of at least 1 when `whole`)."""
    low, high = Decimal(str(min(low, 0))), Decimal(str(max(high, 0)))
    if high == low:
        high = low + (5 if whole else 1)
    span = high - low
    # The power of ten just below a sixth of the span, so that its multiples give 2–6 steps.
    power = Decimal(1).scaleb((span / MAX_STEPS).adjusted())
    for multiple in NICE_MULTIPLES:
        step = power * multiple
        if whole and step < 1:
            continue
        start = (low / step).to_integral_value(ROUND_FLOOR) * step
        stop = (high / step).to_integral_value(ROUND_CEILING) * step
        if (stop - start) / step <= MAX_STEPS:
            return Axis(start=start, stop=stop, step=step)
    raise AssertionError("a step of ten times the power always fits")  # pragma: no cover


def number_text(value: Number) -> str:
    """A figure as people write it: 6, 1,250, 31.5, 2.25."""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _wrap(text: str, letters: int) -> list[str]:
    """`text` as lines of at most `letters` letters, broken between words (a word longer than
    a line is broken inside), so that all of it is shown."""
    lines: list[str] = []
    for word in text.split():
        while len(word) > letters:
            lines.append(word[:letters])
            word = word[letters:]
        if lines and len(lines[-1]) + 1 + len(word) <= letters:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _text_width(text: str, font_size: int = FONT_SIZE) -> float:
    return len(text) * font_size * LETTER_WIDTH


def _f(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _escape(value) -> str:
    """As django.utils.html.escape, without its checks for lazy text: a report draws
    thousands of texts, and none of them is lazy."""
    return html.escape(str(value))


def _text(x: float, y: float, text: str, *, css: str, **attributes) -> str:
    extra = "".join(
        f' {name.replace("_", "-")}="{_escape(value)}"' for name, value in attributes.items()
    )
    return f'<text class="{css}" x="{_f(x)}" y="{_f(y)}"{extra}>{_escape(text)}</text>'


def _svg(
    *, chart_id: str, title: str, description: str, height: float, body: list[str]
) -> SafeString:
    chart_id = _escape(chart_id)
    return mark_safe(  # noqa: S308 - every text and attribute in it is escaped above or here.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="svg-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'width="{WIDTH}" height="{_f(height)}" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{chart_id}-title">{_escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{_escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    value_name: str,
    axis_title: str,
) -> SafeString:
    """Horizontal bars, one row for each of `bars`: its label in full above its bar, the
    figure at the end of the bar, and its target as a dark line across it. `value_name` names
    the bars in the key ("Active people"), `axis_title` the scale below them ("People")."""
    if not bars:
        return mark_safe("")
    drawn = [bar.value for bar in bars if not isinstance(bar.value, str)]
    targets = [bar.target for bar in bars if bar.target]
    axis = nice_axis(0, max([*drawn, *targets], default=0), whole=True)
    left, right = 14.0, WIDTH - 18.0
    plot_width = right - left
    letters = int(plot_width / (FONT_SIZE * LETTER_WIDTH))
    body: list[str] = []

    # The key: what a bar is and what the dark line is.
    y = LINE_HEIGHT
    body.append(
        f'<rect class="key-bar" x="{_f(left)}" y="{_f(y - 11)}" width="14" height="12" '
        f'fill="{BLUE}"/>'
    )
    body.append(_text(left + 20, y, value_name, css="key"))
    key_target_x = left + 20 + _text_width(value_name) + 24
    if targets:
        body.append(
            f'<line class="key-target" x1="{_f(key_target_x + 5)}" x2="{_f(key_target_x + 5)}" '
            f'y1="{_f(y - 13)}" y2="{_f(y + 3)}" stroke="{INK}" stroke-width="3"/>'
        )
        body.append(_text(key_target_x + 14, y, "Target", css="key"))
    y += LINE_HEIGHT
    plot_top = y

    rows: list[str] = []
    # White behind each label, so that the gridlines stop at its words.
    grounds: list[str] = []
    for bar in bars:
        heading = bar.label if not bar.target else f"{bar.label} (target {number_text(bar.target)})"
        lines = _wrap(heading, letters)
        row = ['<g class="chart-row">']
        for line in lines:
            y += LINE_HEIGHT
            grounds.append(
                f'<rect class="label-ground" x="{_f(left - 2)}" y="{_f(y - FONT_SIZE)}" '
                f'width="{_f(_text_width(line) + 4)}" height="{FONT_SIZE + 5}" fill="{WHITE}"/>'
            )
            row.append(_text(left, y, line, css="label"))
        y += 6
        if isinstance(bar.value, str):
            grounds.append(
                f'<rect class="label-ground" x="{_f(left + 2)}" y="{_f(y + 1)}" '
                f'width="{_f(_text_width(bar.value) + 4)}" height="{BAR_HEIGHT - 2}" '
                f'fill="{WHITE}"/>'
            )
            row.append(
                _text(
                    left + 4,
                    y + BAR_HEIGHT - 5,
                    bar.value,
                    css="value suppressed",
                    font_style="italic",
                )
            )
        else:
            width = axis.share(bar.value) * plot_width
            row.append(
                f'<rect class="bar" x="{_f(left)}" y="{_f(y)}" width="{_f(width)}" '
                f'height="{BAR_HEIGHT}" fill="{BLUE}"/>'
            )
            figure = number_text(bar.value)
            if left + width + 6 + _text_width(figure) <= WIDTH:
                row.append(_text(left + width + 6, y + BAR_HEIGHT - 5, figure, css="value"))
            else:
                row.append(
                    _text(
                        left + width - 6,
                        y + BAR_HEIGHT - 5,
                        figure,
                        css="value",
                        text_anchor="end",
                        fill=WHITE,
                    )
                )
        if bar.target:
            x = left + axis.share(bar.target) * plot_width
            row.append(
                f'<line class="target" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(y - 4)}" '
                f'y2="{_f(y + BAR_HEIGHT + 4)}" stroke="{INK}" stroke-width="3"/>'
            )
        row.append("</g>")
        rows.append("".join(row))
        y += BAR_HEIGHT + ROW_GAP
    plot_bottom = y - ROW_GAP + 4

    for tick in axis.ticks:
        x = left + axis.share(tick) * plot_width
        body.append(
            f'<line class="gridline" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(plot_top)}" '
            f'y2="{_f(plot_bottom)}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            _text(
                x,
                plot_bottom + LINE_HEIGHT,
                number_text(tick),
                css="tick",
                text_anchor="middle",
                fill=MUTED,
                font_size=SMALL_FONT_SIZE,
            )
        )
    body += grounds + rows
    y = plot_bottom + 2 * LINE_HEIGHT + 2
    body.append(
        _text(
            left + plot_width / 2, y, axis_title, css="axis-title", text_anchor="middle", fill=MUTED
        )
    )
    return _svg(chart_id=chart_id, title=title, description=description, height=y + 8, body=body)


def _x_positions(points: Sequence[Point], left: float, width: float) -> list[float]:
    dates = [point.on for point in points]
    if len(points) == 1:
        return [left + width / 2]
    if all(dates) and max(dates) > min(dates):
        first, days = min(dates), (max(dates) - min(dates)).days
        return [left + (on - first).days / days * width for on in dates]
    return [left + index / (len(points) - 1) * width for index in range(len(points))]


def line_chart(
    points: Sequence[Point], *, chart_id: str, title: str, description: str, axis_title: str
) -> SafeString:
    """Readings over time as dots joined by a line, on a scale that includes 0; the dates
    along the bottom (as many as fit without overlapping), each figure beside its dot when
    there are few enough to read."""
    if not points:
        return mark_safe("")
    values = [point.value for point in points]
    axis = nice_axis(min(values), max(values))
    tick_texts = [number_text(tick) for tick in axis.ticks]
    left = 10 + max(_text_width(text, SMALL_FONT_SIZE) for text in tick_texts)
    right = WIDTH - 24.0
    plot_width = right - left
    plot_top = 2 * LINE_HEIGHT + 12
    plot_height = 180.0
    plot_bottom = plot_top + plot_height
    body: list[str] = []
    if axis_title:
        body.append(_text(4, LINE_HEIGHT, axis_title, css="axis-title", fill=MUTED))

    def y_of(value: Number) -> float:
        return plot_bottom - axis.share(value) * plot_height

    for tick, text in zip(axis.ticks, tick_texts, strict=True):
        y = y_of(tick)
        body.append(
            f'<line class="gridline" x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y)}" y2="{_f(y)}" '
            f'stroke="{INK if tick == 0 else GRID}" stroke-width="1"/>'
        )
        body.append(
            _text(
                left - 6,
                y + 4,
                text,
                css="tick",
                text_anchor="end",
                fill=MUTED,
                font_size=SMALL_FONT_SIZE,
            )
        )
    xs = _x_positions(points, left, plot_width)
    ys = [y_of(point.value) for point in points]
    if len(points) > 1:
        path = " ".join(f"{_f(x)},{_f(y)}" for x, y in zip(xs, ys, strict=True))
        body.append(
            f'<polyline class="line" points="{path}" fill="none" stroke="{BLUE}" stroke-width="3"/>'
        )
    show_figures = len(points) <= 8
    shown_until = -float("inf")
    for point, x, y in zip(points, xs, ys, strict=True):
        body.append(
            f'<circle class="dot" cx="{_f(x)}" cy="{_f(y)}" r="5" fill="{BLUE}" '
            f'stroke="{WHITE}" stroke-width="1.5"/>'
        )
        if show_figures:
            body.append(
                _text(
                    x,
                    y - 10,
                    number_text(point.value),
                    css="value",
                    text_anchor="middle",
                    font_size=SMALL_FONT_SIZE,
                )
            )
        half = _text_width(point.label, SMALL_FONT_SIZE) / 2
        centre = min(max(x, half), WIDTH - half)
        if centre - half >= shown_until + 8:
            body.append(
                _text(
                    centre,
                    plot_bottom + LINE_HEIGHT,
                    point.label,
                    css="date",
                    text_anchor="middle",
                    fill=MUTED,
                    font_size=SMALL_FONT_SIZE,
                )
            )
            shown_until = centre + half
    height = plot_bottom + LINE_HEIGHT + 10
    return _svg(chart_id=chart_id, title=title, description=description, height=height, body=body)
