"""Counting votes between options: most votes wins, or instant-runoff on ranked ballots.
Plain functions over option ids and labels, no database, so every rule is easy to test."""

from collections import Counter
from collections.abc import Sequence


def _tally(counts: Counter, labels: dict[int, str], continuing: Sequence[int]) -> str:
    return ", ".join(f"{labels[option]} {counts[option]}" for option in continuing)


def most_votes(choices: Sequence[int], labels: dict[int, str]) -> tuple[int | None, str]:
    """A choose-one vote: the option with the most votes wins; a tie for the most decides
    nothing. Returns (the winning option's id or None, a sentence saying what happened)."""
    if not choices:
        return None, "Nobody voted, so there is no decision."
    counts = Counter(choices)
    tally = _tally(counts, labels, list(labels))
    top = max(counts.values())
    leaders = [option for option in labels if counts[option] == top]
    if len(leaders) > 1:
        return None, f"{tally}: a tie for the most votes, so there is no decision."
    return leaders[0], f"{tally}: {labels[leaders[0]]} has the most votes."


def instant_runoff(
    ballots: Sequence[Sequence[int]], labels: dict[int, str]
) -> tuple[int | None, str]:
    """Ranked ballots counted by instant-runoff. Each round counts every ballot for its
    highest-ranked option still in the count; an option with more than half of those
    ballots wins. Otherwise the option with the fewest is removed (all of them, if several
    tie for the fewest) and its ballots go to their next choice. If every option left is
    tied, there is no decision. Returns (the winner's id or None, the count in words)."""
    if not ballots:
        return None, "Nobody voted, so there is no decision."
    continuing = list(labels)
    rounds = []
    for number in range(1, len(labels) + 1):
        counts = Counter()
        for ballot in ballots:
            top = next((option for option in ballot if option in continuing), None)
            if top is not None:
                counts[top] += 1
        counted = sum(counts.values())
        rounds.append(f"Round {number}: {_tally(counts, labels, continuing)}")
        leader = max(continuing, key=lambda option: counts[option])
        if counts[leader] * 2 > counted:
            return leader, (
                f"{'. '.join(rounds)}. {labels[leader]} won in round {number} with "
                f"{counts[leader]} of {counted} votes."
            )
        fewest = min(counts[option] for option in continuing)
        removed = [option for option in continuing if counts[option] == fewest]
        if len(removed) == len(continuing):
            break
        rounds[-1] += f"; {', '.join(labels[option] for option in removed)} removed"
        continuing = [option for option in continuing if option not in removed]
    return None, f"{'. '.join(rounds)}. A tie, so there is no decision."
