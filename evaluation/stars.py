"""The star rule: scores in, 1-5 stars out. Pure: no database.

`share`: bases ranked by score; the top `levels[5]`% (of the rated bases, rounded down) get 5 stars,
the next `levels[4]`% 4 stars, and so on; the rest 1 star. Equal scores never get different stars: a
tie across a band edge takes the higher star.
`thresholds`: a score at or above a level's threshold gets that level (“以上”包括本数).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from evaluation.schema import STAR_LEVELS

EPS = 1e-9


def stars_assign(scores: Mapping[int, float], *, method: str, levels: Mapping[int, float]) -> dict[int, int]:
    if method == "thresholds":
        out: dict[int, int] = {}
        for key, score in scores.items():
            out[key] = next((s for s in STAR_LEVELS if s in levels and score + EPS >= levels[s]), 1)
        return out
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    n = len(ranked)
    edges: list[tuple[int, int]] = []  # (last position exclusive, star)
    cumulative = 0.0
    for star in STAR_LEVELS:
        cumulative += levels.get(star, 0.0)
        edges.append((math.floor(n * cumulative / 100 + EPS), star))
    out = {}
    previous_score: float | None = None
    previous_star = 5
    for position, (key, score) in enumerate(ranked):
        star = next((s for last, s in edges if position < last), 1)
        if previous_score is not None and abs(score - previous_score) <= EPS:
            star = previous_star
        out[key] = star
        previous_score, previous_star = score, star
    return out
