"""The star rule at its edges: shares rounded down, ties never split, thresholds inclusive."""

from __future__ import annotations

from evaluation.stars import stars_assign


def test_share_gives_seven_percent_five_stars_and_fifty_eight_four():
    scores = {i: 100 - i * 0.5 for i in range(100)}
    stars = stars_assign(scores, method="share", levels={5: 7, 4: 58, 3: 28, 2: 5})
    counts = {s: sum(1 for v in stars.values() if v == s) for s in range(1, 6)}
    assert counts == {5: 7, 4: 58, 3: 28, 2: 5, 1: 2}
    assert stars[6] == 5 and stars[7] == 4  # the 7th best is in, the 8th is not


def test_share_rounds_down():
    scores = {i: float(100 - i) for i in range(14)}  # 7% of 14 = 0.98: nobody gets five stars
    stars = stars_assign(scores, method="share", levels={5: 7, 4: 58})
    assert 5 not in stars.values()
    assert sum(1 for v in stars.values() if v == 4) == 9  # 65% of 14 = 9.1


def test_a_tie_across_the_edge_takes_the_higher_star():
    scores = {i: 100 - i for i in range(100)}
    scores[7] = scores[6]  # the 8th equals the 7th
    stars = stars_assign(scores, method="share", levels={5: 7, 4: 58})
    assert stars[6] == stars[7] == 5


def test_thresholds_include_the_number():
    stars = stars_assign(
        {1: 85.0, 2: 84.99, 3: 70.0, 4: 10.0}, method="thresholds", levels={5: 85, 4: 70, 3: 55, 2: 40}
    )
    assert stars == {1: 5, 2: 4, 3: 4, 4: 1}
