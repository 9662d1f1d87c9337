"""A user's background jobs: the list, one job's progress bar and outcome, and its result file."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from jobs.models import Job
from jobs.services import job_download_record
from permissions.access import access_job, visible_jobs

R = TypeVar("R", bound=HttpResponseBase)


def _private(response: R) -> R:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def job_state_json(job: Job) -> dict:
    return {
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": job.finished,
        "percent": job.percent,
        "done": job.done,
        "total": job.total,
        "step": job.step,
        "error": job.error,
        "summary": job.summary,
        "download": reverse("jobs:download", args=[job.pk]) if job.result_file else "",
    }


@login_required
@require_GET
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    jobs = list(visible_jobs(request.user)[:50])
    return _private(render(request, "jobs/list.html", {"jobs": jobs}))


@login_required
@require_GET
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    return _private(render(request, "jobs/detail.html", {"job": job, "state": job_state_json(job)}))


@login_required
@require_GET
def job_state(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    job = access_job(request.user, pk)
    response = JsonResponse(job_state_json(job))
    _private(response)
    return response


@login_required
@require_GET
def job_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    job = access_job(request.user, pk)
    if not job.result_file:
        raise Http404("该任务没有可下载的结果文件。")
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError:
        raise Http404("结果文件已不存在，请重新发起任务。") from None
    job_download_record(job=job, user=request.user)
    response = FileResponse(handle, content_type=job.result_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, job.result_name or "结果")
    return _private(response)
