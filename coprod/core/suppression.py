"""Small numbers can identify people, so counts under the threshold are never shown.

A count of people from 1 to 4 is shown as "fewer than 5". Every figure worked out from such
a count (money paid to them, their hours, a percentage or mean over them, whether a target
was met by them) is withheld too, or the count could be worked back from it: "target 4, met"
says exactly 4, "£25 paid" beside "fewer than 5" people says one fee.

Counts of things that are not people (meetings held, decisions made) are not suppressed;
pass None as the count of people for a figure that is about no one.
"""

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = f"fewer than {SMALL_COUNT_THRESHOLD}"
# Not "fewer than 5": beside money, hours or a percentage that would read as the amount.
WITHHELD = "not shown (small numbers)"
MARKERS = (SUPPRESSED, WITHHELD)


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < SMALL_COUNT_THRESHOLD


def is_suppressed(figure) -> bool:
    """Whether `figure` is one of the markers shown in place of a figure."""
    return isinstance(figure, str) and figure in MARKERS


def suppress_small(count: int | None) -> int | str | None:
    return SUPPRESSED if is_small(count) else count


def withheld(figure, *people: int | None):
    """`figure`, or WITHHELD when any of the counts of people it was worked out from is 1–4."""
    return WITHHELD if any(is_small(count) for count in people) else figure


def suppressed_with(count: int | None, *derived) -> tuple:
    """`(count, *derived)` for a count of people and the figures worked out from it, with
    the count "fewer than 5" and every derived figure withheld when the count is 1–4."""
    return (suppress_small(count), *(withheld(figure, count) for figure in derived))


def protect_total(total, *parts):
    """Secondary suppression: `total`, or WITHHELD when exactly one of its parts is hidden,
    since that part is the total less the parts that are shown.

    We withhold the total rather than a second part: a second part can itself be known
    (nil when there is nothing of its kind, or shown elsewhere), and hiding it would then
    protect nothing, whereas without the total a single hidden part cannot be worked out.
    With two or more parts hidden only their sum can be worked out, which is safe when
    that sum is about 5 or more people: so withhold the total itself on the count of
    everyone behind it as well (`withheld(total, people_behind_any_part)`).
    """
    hidden = sum(is_suppressed(part) for part in parts)
    return WITHHELD if hidden == 1 else total
