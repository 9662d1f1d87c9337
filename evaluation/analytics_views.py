"""Analytics pages (the ministry): charts drawn by static/js/analytics.js from json_script data, each
with its table and CSV/xlsx downloads of the same numbers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from audit.services import event_record
from evaluation.analytics import Chart, Overview, base_profile, table_csv, table_xlsx
from permissions.access import access_base, access_evaluation_campaign

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(request: AuthenticatedHttpRequest, charts: list[Chart], stem: str) -> HttpResponse | None:
    wanted = request.GET.get("download")
    if not wanted:
        return None
    chart = next((c for c in charts if c.id == wanted), None)
    if chart is None:
        raise Http404("未找到该图表。")
    fmt = request.GET.get("format", "csv")
    if fmt == "xlsx":
        response = HttpResponse(table_xlsx(chart), content_type=XLSX)
    elif fmt == "csv":
        response = HttpResponse(table_csv(chart), content_type="text/csv; charset=utf-8")
    else:
        raise Http404("不支持的格式。")
    filename = f"{stem}-{chart.id}.{fmt}"
    event_record(
        actor=request.user,
        action="evaluation.analytics_export",
        summary=f"导出统计图表数据：{chart.title}（{fmt}）",
        data={"chart": chart.id, "format": fmt, "file": filename},
    )
    response["Content-Disposition"] = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{filename}"
    return response


@login_required
def analytics(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    overview = Overview(campaign)
    charts = overview.charts()
    download = _download(request, charts, f"analytics-{campaign.year}")
    if download is not None:
        return download
    bases = sorted(overview.bases.values(), key=lambda b: b.name)
    return render(
        request,
        "evaluation/analytics.html",
        {"campaign": campaign, "charts": charts, "run": overview.run, "bases": bases, "map": True},
    )


@login_required
def base_analytics(request: AuthenticatedHttpRequest, campaign_pk: int, base_pk: int) -> HttpResponse:
    campaign = access_evaluation_campaign(request.user, campaign_pk)
    base = access_base(request.user, base_pk)
    run = campaign.score_runs.order_by("-run_at", "-id").first()
    charts = base_profile(campaign, base, run)
    download = _download(request, charts, f"base-{base.pk}-{campaign.year}")
    if download is not None:
        return download
    score = run.scores.filter(base=base).first() if run else None
    return render(
        request,
        "evaluation/base_analytics.html",
        {"campaign": campaign, "base": base, "charts": charts, "score": score, "map": False},
    )
