"""Small-number suppression: a count of people from 1 to 4 is never shown, nor anything
worked out from it, nor a total from which a hidden part could be worked out."""

from decimal import Decimal

import pytest

from coprod.core.suppression import (
    SUPPRESSED,
    WITHHELD,
    protect_total,
    suppress_small,
    suppressed_with,
    withheld,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, SUPPRESSED), (4, SUPPRESSED), (5, 5), (250, 250), (None, None)],
)
def test_a_count_of_people_from_1_to_4_is_shown_as_fewer_than_5(count, shown):
    assert suppress_small(count) == shown


@pytest.mark.parametrize(
    ("case", "count", "derived", "shown"),
    [
        ("nobody", 0, [Decimal("0.00"), Decimal("0"), False], [0, Decimal("0.00"), 0, False]),
        ("one fee", 1, [Decimal("25.00")], [SUPPRESSED, WITHHELD]),
        ("money", 4, [Decimal("100.00")], [SUPPRESSED, WITHHELD]),
        ("hours", 4, [Decimal("9.40")], [SUPPRESSED, WITHHELD]),
        ("percent", 3, [75], [SUPPRESSED, WITHHELD]),
        ("mean", 2, [12.5], [SUPPRESSED, WITHHELD]),
        ("target met", 4, [True], [SUPPRESSED, WITHHELD]),
        ("target not met", 1, [False], [SUPPRESSED, WITHHELD]),
        ("an unknown figure", 3, [None], [SUPPRESSED, WITHHELD]),
        (
            "five people",
            5,
            [Decimal("125.00"), Decimal("9.40"), 80, 12.5, True],
            [5, Decimal("125.00"), Decimal("9.40"), 80, 12.5, True],
        ),
        ("no count of people", None, [Decimal("25.00")], [None, Decimal("25.00")]),
    ],
)
def test_every_figure_worked_out_from_1_to_4_people_is_withheld(case, count, derived, shown):
    assert list(suppressed_with(count, *derived)) == shown, case


@pytest.mark.parametrize(
    ("figure", "people", "shown"),
    [
        (80, [10, 5], 80),
        (80, [10, 3], WITHHELD),
        (80, [1, 10], WITHHELD),
        (100, [10, 0], 100),
        (Decimal("25.00"), [None], Decimal("25.00")),
        (Decimal("25.00"), [], Decimal("25.00")),
    ],
)
def test_a_figure_is_withheld_when_any_count_of_people_behind_it_is_small(figure, people, shown):
    assert withheld(figure, *people) == shown


@pytest.mark.parametrize(
    ("total", "parts", "shown"),
    [
        # One hidden part and the total: the part is the total less the others.
        (Decimal("52.00"), [WITHHELD, Decimal("27.00")], WITHHELD),
        (Decimal("52.00"), [Decimal("27.00"), WITHHELD, Decimal("0.00")], WITHHELD),
        (90, [SUPPRESSED, 40, 47], WITHHELD),
        # Two hidden parts: only their sum can be worked out.
        (Decimal("52.00"), [WITHHELD, WITHHELD], Decimal("52.00")),
        (Decimal("52.00"), [Decimal("25.00"), Decimal("27.00")], Decimal("52.00")),
        (WITHHELD, [WITHHELD, Decimal("27.00")], WITHHELD),
    ],
)
def test_a_total_that_would_give_away_its_one_hidden_part_is_withheld(total, parts, shown):
    assert protect_total(total, *parts) == shown


def test_the_markers_say_what_they_mean():
    assert SUPPRESSED == "fewer than 5"
    assert WITHHELD.startswith("not shown")
