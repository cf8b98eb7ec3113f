"""The commissioner report's charts, drawn on the server (coprod.core.svgcharts) so that the
web page and the PDF show the same picture. Each has a table beside it with its figures."""

from django import template
from django.utils.safestring import SafeString

from coprod.core.svgcharts import Bar, Point, bar_chart, line_chart, number_text

register = template.Library()


def _figure(value) -> str:
    return value if isinstance(value, str) else number_text(value)


@register.simple_tag
def engagement_chart(groups: list[dict]) -> SafeString:
    """Active people in each stakeholder group as bars, each group's target as a line. A
    suppressed count ("fewer than 5") has no bar, so its size cannot be read from it."""
    said = "; ".join(
        f"{group['label']}: {_figure(group['active'])}"
        + (f", target {number_text(group['target'])}" if group["target"] else "")
        for group in groups
    )
    return bar_chart(
        [Bar(group["label"], group["active"], group["target"] or None) for group in groups],
        chart_id="engagement-chart",
        title="Bar chart of active people in each stakeholder group against the target",
        description=f"{said}. The table beside it gives the same figures.",
        value_name="Active people",
        axis_title="People",
    )


@register.simple_tag
def outcome_chart(outcome: dict, number: int) -> SafeString:
    """Every reading of an outcome measure, from its baseline, as a line over time."""
    points = [
        Point(f"{on:%-d %b %Y}" if on else "Baseline", value, on)
        for on, value in outcome["readings"]
    ]
    said = "; ".join(f"{point.label}: {number_text(point.value)}" for point in points)
    unit = f" ({outcome['unit']})" if outcome["unit"] else ""
    return line_chart(
        points,
        chart_id=f"outcome-chart-{number}",
        title=f"Line chart of {outcome['name']}{unit} over time",
        description=f"{said}. The table beside it gives every reading.",
        axis_title=outcome["unit"],
    )
