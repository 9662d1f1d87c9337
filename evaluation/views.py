"""The ministry's evaluation pages: scoring model, scoring runs, scores and their explanations."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from definitions.models import Definition
from evaluation.explain import score_breakdown
from evaluation.models import BaseScore, Disqualification, QualityFlag, ScoreRun
from evaluation.quality import shared_passage
from evaluation.services import (
    current_model,
    current_quality_run,
    current_run,
    disqualification_lift,
    disqualification_record,
    quality_return,
    scoring_model_load,
)
from evaluation.tasks import QUALITY, SCORING, evaluation_task
from jobs.models import Job
from jobs.services import job_start
from permissions.access import access_base, access_evaluation_campaign, visible_jobs
from permissions.checks import can_evaluate
from registry.models import Base, Campaign, Category
from submissions.models import Submission


def _latest_job(request: AuthenticatedHttpRequest, campaign: Campaign, kind: str) -> Job | None:
    """The user's latest evaluation job of this kind for the campaign, to show its state on the page."""
    return (
        visible_jobs(request.user)
        .filter(kind=kind, params__campaign=campaign.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def _error(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_evaluate(request.user):
        raise Http404("未找到该页面，或您无权查看。")
    campaigns = list(Campaign.objects.order_by("-year"))
    latest: dict[int, ScoreRun] = {}
    for run in ScoreRun.objects.order_by("-run_at", "-id"):
        latest.setdefault(run.campaign_id, run)
    rows = [{"campaign": c, "run": latest.get(c.pk)} for c in campaigns]
    return render(request, "evaluation/index.html", {"rows": rows})


@login_required
def campaign_detail(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    model = current_model(campaign)
    fields = {}
    summary = Definition.objects.filter(version=campaign.form_version, code="summary").first()
    if summary is not None:
        fields = summary.parsed().field_map()
    parsed = model.parsed() if model else None
    dims: list[dict[str, Any]] = []
    if parsed:
        total = sum(d.weight for d in parsed.dimensions)
        for d in parsed.dimensions:
            dim_total = sum(i.weight for i in d.indicators)
            dims.append(
                {
                    "dim": d,
                    "share": d.weight / total * 100,
                    "indicators": [
                        {
                            "ind": i,
                            "share": i.weight / dim_total * 100,
                            "items": [(c, fields[c].label if c in fields else "") for c in i.items],
                        }
                        for i in d.indicators
                    ],
                }
            )
    return render(
        request,
        "evaluation/campaign.html",
        {
            "campaign": campaign,
            "model": model,
            "parsed": parsed,
            "dims": dims,
            "fields": fields,
            "run": current_run(campaign),
            "runs": campaign.score_runs.select_related("run_by", "model")[:10],
            "scopes": ScoreRun.Scope.choices,
            "job": _latest_job(request, campaign, SCORING),
        },
    )


@login_required
@require_POST
def model_load(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    try:
        model = scoring_model_load(campaign=campaign, user=request.user)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已加载评分模型：{model.title}（{model.version}）。")
    return redirect("evaluation:campaign", campaign.pk)


@login_required
@require_POST
def run(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    scope = request.POST.get("scope", "")
    if scope not in ScoreRun.Scope.values:
        messages.error(request, "请选择参与评分的材料范围。")
        return redirect("evaluation:campaign", campaign.pk)
    job = job_start(
        kind=SCORING,
        title=f"{campaign.title}：评分",
        user=request.user,
        task=evaluation_task,
        params={"campaign": campaign.pk, "scope": scope},
    )
    messages.success(request, "已在后台开始评分，完成后本页显示结果。")
    return redirect(f"{reverse('evaluation:campaign', args=[campaign.pk])}?job={job.pk}")


@login_required
def score_list(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    run = current_run(campaign)
    scores: list[BaseScore] = []
    dims: list[Any] = []
    category = request.GET.get("category", "")
    if run is not None:
        dims = list(run.parsed().dimensions)
        qs = (
            run.scores.select_related("base__authority", "base__category")
            .defer("result")
            .order_by("rank", "base__name")
        )
        if category:
            qs = qs.filter(base__category__code=category)
        scores = list(qs)
        for s in scores:
            s.dim_scores = [s.dimensions.get(d.code) for d in dims]  # type: ignore[attr-defined]
    return render(
        request,
        "evaluation/scores.html",
        {
            "campaign": campaign,
            "run": run,
            "scores": scores,
            "dims": dims,
            "categories": Category.objects.all(),
            "category": category,
        },
    )


@login_required
def score_detail(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    run = current_run(campaign)
    score = run.scores.filter(base=base).first() if run else None
    disqualification = (
        Disqualification.objects.filter(campaign=campaign, base=base, lifted_at__isnull=True)
        .select_related("decided_by")
        .first()
    )
    model = current_model(campaign)
    return render(
        request,
        "evaluation/score_detail.html",
        {
            "campaign": campaign,
            "base": base,
            "run": run,
            "score": score,
            "breakdown": score_breakdown(run, score, names=True) if run and score else None,
            "disqualification": disqualification,
            "reasons": model.parsed().disqualification_reasons if model else ("瞒报", "虚报"),
            "can_manage": True,
        },
    )


@login_required
@require_POST
def disqualify(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    try:
        disqualification_record(
            campaign=campaign,
            base=base,
            user=request.user,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已取消{base.name}本年度参评资格。重新评分后生效。")
    return redirect("evaluation:score_detail", campaign.pk, base.pk)


@login_required
@require_POST
def disqualify_lift(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    d = Disqualification.objects.filter(campaign=campaign, base=base, lifted_at__isnull=True).first()
    if d is None:
        raise Http404("未找到该认定。")
    try:
        disqualification_lift(disqualification=d, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已撤销取消参评资格的认定。重新评分后生效。")
    return redirect("evaluation:score_detail", campaign.pk, base.pk)


# --- data-quality flags --------------------------------------------------------------------------


@login_required
def quality_list(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    run = current_quality_run(campaign)
    kind = request.GET.get("kind", "")
    rows: list[dict[str, Any]] = []
    kinds = QualityFlag.Kind.choices
    if run is not None:
        qs = run.flags.all()
        if kind:
            qs = qs.filter(kind=kind)
        per_base: dict[int, dict[str, int]] = defaultdict(dict)
        for base_id, k, n in qs.values_list("base_id", "kind").annotate(n=Count("id")).order_by():
            per_base[base_id][k] = n
        bases = {
            b.pk: b for b in Base.objects.filter(pk__in=per_base).select_related("authority", "category")
        }
        statuses = dict(
            Submission.objects.filter(campaign=campaign, base_id__in=per_base).values_list(
                "base_id", "status"
            )
        )
        labels = dict(Submission.Status.choices)
        for base_id, counts in per_base.items():
            rows.append(
                {
                    "base": bases[base_id],
                    "counts": [counts.get(k, 0) for k, _ in kinds],
                    "total": sum(counts.values()),
                    "status": labels.get(statuses.get(base_id, ""), ""),
                }
            )
        rows.sort(key=lambda r: (-r["total"], r["base"].name))
    return render(
        request,
        "evaluation/quality.html",
        {
            "campaign": campaign,
            "run": run,
            "rows": rows,
            "kinds": kinds,
            "kind": kind,
            "job": _latest_job(request, campaign, QUALITY),
            "kind_counts": [(k, label, (run.counts if run else {}).get(k, 0)) for k, label in kinds],
        },
    )


@login_required
@require_POST
def quality_run(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    job = job_start(
        kind=QUALITY,
        title=f"{campaign.title}：数据质量检查",
        user=request.user,
        task=evaluation_task,
        params={"campaign": campaign.pk},
    )
    messages.success(request, "已在后台开始数据质量检查，完成后本页显示结果。")
    return redirect(f"{reverse('evaluation:quality', args=[campaign.pk])}?job={job.pk}")


@login_required
def quality_detail(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    run = current_quality_run(campaign)
    flags = list(run.flags.filter(base=base).select_related("returned_by")) if run else []
    for f in flags:
        if f.kind == QualityFlag.Kind.COPIED and f.detail.get("other_text"):
            f.passage = shared_passage(f.detail.get("text", ""), f.detail["other_text"])  # type: ignore[attr-defined]
    submission = Submission.objects.filter(campaign=campaign, base=base).first()
    groups = [
        {"kind": k, "label": label, "flags": [f for f in flags if f.kind == k]}
        for k, label in QualityFlag.Kind.choices
        if any(f.kind == k for f in flags)
    ]
    can_return = submission is not None and submission.status in (
        Submission.Status.APPROVED,
        Submission.Status.ACCEPTED,
    )
    return render(
        request,
        "evaluation/quality_detail.html",
        {
            "campaign": campaign,
            "base": base,
            "run": run,
            "groups": groups,
            "submission": submission,
            "can_return": can_return,
        },
    )


@login_required
@require_POST
def quality_send_back(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    try:
        ids = [int(x) for x in request.POST.getlist("flag")]
        quality_return(
            campaign=campaign,
            base=base,
            user=request.user,
            flag_ids=ids,
            comment=request.POST.get("comment", ""),
        )
    except ValueError:
        messages.error(request, "所选问题无效，请重新勾选。")
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已将{base.name}的材料退回，并附上所选数据质量问题。")
    return redirect("evaluation:quality_detail", campaign.pk, base.pk)
