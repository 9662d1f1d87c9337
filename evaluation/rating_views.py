"""Star ratings: the ministry computes, overrides and publishes; after publication a base sees its own
stars with their breakdown and its anonymised place among its category, an authority its own bases."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from evaluation.explain import score_breakdown
from evaluation.models import Rating
from evaluation.services import (
    current_run,
    publication,
    rating_override,
    ratings_compute,
    ratings_publish,
)
from permissions.access import (
    access_base,
    access_evaluation_campaign,
    access_published_rating,
    visible_published_ratings,
)
from permissions.checks import can_see_ratings
from registry.models import StarRating

STAR_LEVELS = (5, 4, 3, 2, 1)


def _distribution(stars: list[int]) -> list[dict[str, Any]]:
    counts = Counter(stars)
    total = len(stars) or 1
    return [{"stars": s, "n": counts[s], "share": counts[s] / total * 100} for s in STAR_LEVELS]


@login_required
def ratings(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    run = current_run(campaign)
    rows = list(
        Rating.objects.filter(campaign=campaign)
        .select_related("base__authority", "base__category", "score", "override_by")
        .order_by("score__rank", "base__name")
    )
    dims = list(run.parsed().dimensions) if run else []
    for r in rows:
        r.dim_list = [r.dimension_stars.get(d.code) for d in dims]  # type: ignore[attr-defined]
    stale = bool(rows and run and rows[0].run_id != run.pk)
    return render(
        request,
        "evaluation/ratings.html",
        {
            "campaign": campaign,
            "run": run,
            "rows": rows,
            "dims": dims,
            "distribution": _distribution([r.stars for r in rows]),
            "publication": publication(campaign),
            "stale": stale,
            "rule": run.parsed().stars if run else None,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def ratings_compute_view(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    try:
        n = ratings_compute(campaign=campaign, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已按星级规则评定 {n} 个示范基地。")
    return redirect("evaluation:ratings", campaign.pk)


@login_required
@require_POST
def rating_override_view(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    rating = Rating.objects.filter(campaign=campaign, base=base).first()
    if rating is None:
        raise Http404("该示范基地尚无星级评定。")
    raw = request.POST.get("stars", "")
    try:
        stars = int(raw) if raw else None
        rating_override(rating=rating, user=request.user, stars=stars, reason=request.POST.get("reason", ""))
    except ValueError:
        messages.error(request, "星级须为 1 到 5。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已调整{base.name}的星级。")
    return redirect("evaluation:ratings", campaign.pk)


@login_required
@require_POST
def ratings_publish_view(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    try:
        day = dt.date.fromisoformat(request.POST.get("publish_on", ""))
    except ValueError:
        messages.error(request, "请填写发布日期（年-月-日）。")
        return redirect("evaluation:ratings", campaign.pk)
    try:
        ratings_publish(campaign=campaign, user=request.user, publish_on=day)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已发布星级评定结果，{day:%Y-%m-%d} 起示范基地和省级主管部门可见。")
    return redirect("evaluation:ratings", campaign.pk)


# --- bases and authorities -------------------------------------------------------------------------


@login_required
def my_ratings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_see_ratings(request.user):
        raise Http404("未找到该页面，或您无权查看。")
    rows = list(
        visible_published_ratings(request.user)
        .select_related("campaign", "base__authority", "base__category", "score")
        .order_by("-campaign__year", "score__rank", "base__name")
    )
    history: dict[int, list[StarRating]] = {}
    for s in StarRating.objects.filter(base_id__in={r.base_id for r in rows}).order_by("year"):
        history.setdefault(s.base_id, []).append(s)
    for r in rows:
        r.history = history.get(r.base_id, [])  # type: ignore[attr-defined]
    return render(request, "evaluation/my_ratings.html", {"rows": rows})


@login_required
def rating_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rating = access_published_rating(request.user, pk)
    run = rating.run
    dims = list(run.parsed().dimensions)
    history = list(StarRating.objects.filter(base=rating.base).order_by("year"))
    # Anonymised place among the category: the other bases' scores without their names.
    peers = sorted(
        (
            (base_id, total)
            for base_id, total in run.scores.filter(
                base__category_id=rating.base.category_id, total__isnull=False
            ).values_list("base_id", "total")
        ),
        key=lambda t: -(t[1] or 0.0),
    )
    position = [{"n": n, "total": t, "self": b == rating.base_id} for n, (b, t) in enumerate(peers, start=1)]
    return render(
        request,
        "evaluation/rating_detail.html",
        {
            "rating": rating,
            "dims": [
                {
                    "dim": d,
                    "stars": rating.dimension_stars.get(d.code),
                    "score": rating.score.dimensions.get(d.code),
                }
                for d in dims
            ],
            "history": history,
            "position": position,
            "breakdown": score_breakdown(run, rating.score, names=False),
        },
    )
