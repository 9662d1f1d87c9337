"""Expert review: the ministry assigns experts (conflicts of interest refused) and sees the spread
between them; an expert scores each assigned base per dimension with a comment."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from evaluation.models import ExpertProfile, ExpertScore
from evaluation.services import (
    current_model,
    expert_assign,
    expert_conflict_declare,
    expert_conflicts,
    expert_profile_save,
    expert_score_save,
)
from permissions.access import (
    access_base,
    access_evaluation_campaign,
    access_expert_campaign,
    expert_roster,
)
from permissions.checks import can_review_assigned_bases
from registry.models import Authority, Base, Campaign
from submissions.models import Submission

SPREAD_ATTENTION = 20  # points between the highest and lowest expert score that deserve a look


def _experts() -> list[User]:
    return list(expert_roster().order_by("full_name", "username"))


def _access_expert(pk: int) -> User:
    expert = next((u for u in _experts() if u.pk == pk), None)
    if expert is None:
        raise Http404("未找到该评审专家。")
    return expert


@login_required
def experts(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    roster = _experts()
    profiles = {p.user_id: p for p in ExpertProfile.objects.select_related("authority")}
    assigned: dict[int, int] = defaultdict(int)
    for user_id in User.assigned_bases.through.objects.filter(
        user__in=roster, base__in=campaign.bases.all()
    ).values_list("user_id", flat=True):
        assigned[user_id] += 1
    scored: dict[int, int] = defaultdict(int)
    for user_id in ExpertScore.objects.filter(campaign=campaign).values_list("expert_id", flat=True):
        scored[user_id] += 1
    rows = [
        {"expert": e, "profile": profiles.get(e.pk), "assigned": assigned[e.pk], "scored": scored[e.pk]}
        for e in roster
    ]
    return render(request, "evaluation/experts.html", {"campaign": campaign, "rows": rows})


@login_required
def expert_detail(request: AuthenticatedHttpRequest, campaign_pk: int, expert_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    expert = _access_expert(expert_pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "profile":
                authority = Authority.objects.filter(pk=request.POST.get("authority") or 0).first()
                expert_profile_save(
                    expert=expert,
                    authority=authority,
                    organisation=request.POST.get("organisation", ""),
                    user=request.user,
                )
                messages.success(request, "已保存专家所在省份；与本省示范基地的分配已自动解除。")
            else:
                ids = [int(x) for x in request.POST.getlist("base")]
                chosen = list(campaign.bases.filter(pk__in=ids).select_related("authority"))
                expert_assign(expert=expert, bases=chosen, user=request.user)
                messages.success(request, f"已为{expert.display_name}分配 {len(chosen)} 个示范基地。")
        except ValueError:
            messages.error(request, "所选示范基地无效。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("evaluation:expert_detail", campaign.pk, expert.pk)
    profile = ExpertProfile.objects.filter(user=expert).select_related("authority").first()
    bases = list(
        campaign.bases.select_related("authority", "category").order_by("authority__sort_order", "name")
    )
    conflicts = expert_conflicts(expert, bases)
    assigned = set(expert.assigned_bases.values_list("pk", flat=True))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for b in bases:
        groups[b.authority.name].append(
            {"base": b, "conflict": conflicts.get(b.pk, ""), "assigned": b.pk in assigned}
        )
    return render(
        request,
        "evaluation/expert_detail.html",
        {
            "campaign": campaign,
            "expert": expert,
            "profile": profile,
            "authorities": Authority.objects.filter(kind=Authority.Kind.PROVINCE).order_by("sort_order")
            | Authority.objects.filter(kind=Authority.Kind.CORPS),
            "groups": dict(groups),
            "assigned_count": len(assigned),
        },
    )


@login_required
def spread(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """Per base and dimension: the mean, lowest and highest expert score, and the range between them."""
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    model = current_model(campaign)
    dims = list(model.parsed().dimensions) if model else []
    per_base: dict[int, list[ExpertScore]] = defaultdict(list)
    for s in ExpertScore.objects.filter(campaign=campaign).select_related("expert"):
        per_base[s.base_id].append(s)
    bases = {b.pk: b for b in Base.objects.filter(pk__in=per_base).select_related("authority", "category")}
    rows: list[dict[str, Any]] = []
    for base_id, scores in per_base.items():
        cells: list[dict[str, Any] | None] = []
        for d in dims:
            vs = [float(s.scores[d.code]) for s in scores if d.code in s.scores]
            if not vs:
                cells.append(None)
                continue
            cells.append(
                {
                    "mean": statistics.fmean(vs),
                    "min": min(vs),
                    "max": max(vs),
                    "range": max(vs) - min(vs),
                    "attention": max(vs) - min(vs) >= SPREAD_ATTENTION,
                }
            )
        rows.append({"base": bases[base_id], "scores": scores, "cells": cells, "n": len(scores)})
    rows.sort(key=lambda r: -max((c["range"] for c in r["cells"] if c), default=0.0))
    return render(
        request,
        "evaluation/expert_spread.html",
        {"campaign": campaign, "dims": dims, "rows": rows, "attention": SPREAD_ATTENTION},
    )


# --- the expert's own pages ----------------------------------------------------------------------


@login_required
def expert_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_review_assigned_bases(request.user):
        raise Http404("未找到该页面，或您无权查看。")
    campaign = Campaign.objects.filter(scoring_models__isnull=False).order_by("-year").distinct().first()
    if campaign is None:
        return render(request, "evaluation/expert_home.html", {"campaign": None, "rows": []})
    return redirect("evaluation:expert_list", campaign.pk)


@login_required
def expert_list(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_expert_campaign(request.user, campaign_pk)
    bases = list(
        request.user.assigned_bases.filter(campaigns=campaign)
        .select_related("authority", "category")
        .order_by("name")
    )
    mine = {s.base_id: s for s in ExpertScore.objects.filter(campaign=campaign, expert=request.user)}
    rows = [{"base": b, "score": mine.get(b.pk)} for b in bases]
    return render(request, "evaluation/expert_home.html", {"campaign": campaign, "rows": rows})


@login_required
def expert_review(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_expert_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)  # an expert sees only the bases assigned to them
    model = current_model(campaign)
    if model is None:
        raise Http404("本年度评分模型尚未加载。")
    existing = ExpertScore.objects.filter(campaign=campaign, base=base, expert=request.user).first()
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(existing.scores) if existing else {}
    comment = existing.comment if existing else ""
    if request.method == "POST":
        values = {d.code: request.POST.get(f"dim_{d.code}", "") for d in model.parsed().dimensions}
        comment = request.POST.get("comment", "")
        try:
            expert_score_save(
                campaign=campaign, base=base, expert=request.user, scores=values, comment=comment
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: "；".join(v[0].messages) for k, v in exc.error_dict.items()}
            else:
                messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已保存对{base.name}的评分。")
            return redirect("evaluation:expert_list", campaign.pk)
    submission = Submission.objects.filter(campaign=campaign, base=base).first()
    dims = [
        {"dim": d, "value": values.get(d.code, ""), "error": errors.get(d.code, "")}
        for d in model.parsed().dimensions
    ]
    return render(
        request,
        "evaluation/expert_review.html",
        {
            "campaign": campaign,
            "base": base,
            "dims": dims,
            "comment": comment,
            "comment_error": errors.get("comment", ""),
            "submission": submission,
            "existing": existing,
            "expert_weight": model.parsed().expert_weight,
        },
    )


@login_required
@require_POST
def expert_conflict(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_expert_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    try:
        expert_conflict_declare(expert=request.user, base=base, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("evaluation:expert_review", campaign.pk, base.pk)
    messages.success(request, f"已申报与{base.name}的利益冲突，该基地已从您的评审任务中移除。")
    return redirect("evaluation:expert_list", campaign.pk)
