"""Small numbers can identify people, so counts under the threshold are never shown."""

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = f"fewer than {SMALL_COUNT_THRESHOLD}"


def suppress_small(count: int) -> int | str:
    return SUPPRESSED if 0 < count < SMALL_COUNT_THRESHOLD else count
