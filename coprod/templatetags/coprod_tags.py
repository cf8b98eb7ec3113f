from django import template

from coprod.privacy import suppress_small

register = template.Library()


@register.filter
def suppressed(count: int) -> int | str:
    """{{ count|suppressed }}: shows "fewer than 5" for counts from 1 to 4."""
    return suppress_small(count)
