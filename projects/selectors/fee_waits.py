from collections import Counter, defaultdict
from datetime import date

from projects.models import FeeWaitCount


def fee_waits_by_quarter(quarters: list[date]) -> dict[date, Counter[int]]:
    """For each quarter (by its first day), how many fees paid in it waited each number of
    days from the meeting: one query, over the counts kept by projects.services.fee_waits."""
    histograms: dict[date, Counter[int]] = defaultdict(Counter)
    for quarter, days, fees in FeeWaitCount.objects.filter(
        quarter__in=quarters, fees__gt=0
    ).values_list("quarter", "days", "fees"):
        histograms[quarter][days] = fees
    return histograms
