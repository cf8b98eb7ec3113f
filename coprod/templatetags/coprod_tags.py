from decimal import ROUND_HALF_UP, Decimal

from django import template

from coprod.privacy import suppress_small

register = template.Library()


@register.filter
def suppressed(count: int) -> int | str:
    """{{ count|suppressed }}: shows "fewer than 5" for counts from 1 to 4."""
    return suppress_small(count)


@register.filter
def money(value) -> str:
    """{{ amount|money }}: pounds and pence, like £1,234.50 (−£12.00 for a reversal)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
