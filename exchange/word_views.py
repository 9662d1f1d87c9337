"""Word downloads: a base's development report, an authority's summary, a case, and one authority's
documents combined, or zipped as separate files per authority or nationally (background jobs). Every
object comes through the permissions package."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from exchange.services import report_of
from exchange.tasks import authority_documents_task, documents_zip_task
from exchange.word import DOCX_TYPE, CaseDoc, ReportDoc, SummaryDoc, case_docx, report_docx, summary_docx
from exchange.word_jobs import AUTHORITY_DOCUMENTS, DOCUMENTS_ZIP
from jobs.services import job_start
from permissions.access import (
    access_authority_material,
    access_case,
    access_material_campaign,
    access_submission,
    visible_provincial_summaries,
)
from permissions.checks import can_read_national_material


def _docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def report_word(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    year = submission.campaign.data_year
    data = report_docx(ReportDoc(submission.base.name, year, report_of(submission)))
    return _docx_response(data, f"{submission.base.name}{year}年发展情况报告.docx")


@login_required
@require_GET
def summary_word(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    campaign, authority = access_authority_material(
        request.user, campaign_pk=campaign_pk, authority_pk=authority_pk
    )
    summary = (
        visible_provincial_summaries(request.user).filter(campaign=campaign, authority=authority).first()
    )
    data = summary_docx(SummaryDoc(authority.name, campaign.data_year, summary))
    return _docx_response(data, f"{authority.name}{campaign.data_year}年示范基地工作情况总结.docx")


@login_required
@require_GET
def case_word(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    data = case_docx(CaseDoc(case.base.name, case, case.aspect_labels()))
    return _docx_response(data, f"优秀案例_{case.base.name}.docx")


def _start_job(
    request: AuthenticatedHttpRequest,
    *,
    kind: str,
    title: str,
    task: Any,
    params: dict[str, Any],
    started: str,
) -> HttpResponse:
    job = job_start(kind=kind, title=title, user=request.user, task=task, params=params)
    messages.success(request, started)
    return redirect("jobs:detail", job.pk)


@login_required
@require_POST
def authority_word(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    campaign, authority = access_authority_material(
        request.user, campaign_pk=campaign_pk, authority_pk=authority_pk
    )
    return _start_job(
        request, kind=AUTHORITY_DOCUMENTS, title=f"{authority.name}{campaign.data_year}年示范基地材料汇编（Word）",
        task=authority_documents_task, params={"campaign": campaign.pk, "authority": authority.pk},
        started="已在后台开始生成 Word 汇编，完成后可在本页下载。",
    )  # fmt: skip


@login_required
@require_POST
def authority_zip(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    """One authority's documents as separate .docx files in a zip (its reviewer, the ministry)."""
    campaign, authority = access_authority_material(
        request.user, campaign_pk=campaign_pk, authority_pk=authority_pk
    )
    return _start_job(
        request, kind=DOCUMENTS_ZIP, title=f"{authority.name}{campaign.data_year}年示范基地材料（Word 文件打包）",
        task=documents_zip_task, params={"campaign": campaign.pk, "authority": authority.pk},
        started="已在后台开始打包 Word 文件，完成后可在本页下载。",
    )  # fmt: skip


@login_required
@require_POST
def national_zip(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """Every authority's documents, a folder per authority (the ministry)."""
    campaign = access_material_campaign(request.user, campaign_pk)
    if not can_read_national_material(request.user):
        raise PermissionDenied("仅部级管理员可以打包下载全国的材料。")
    return _start_job(
        request, kind=DOCUMENTS_ZIP, title=f"全国{campaign.data_year}年示范基地材料（Word 文件打包，按省级主管部门分文件夹）",
        task=documents_zip_task, params={"campaign": campaign.pk, "national": True},
        started="已在后台开始打包全国的 Word 文件，完成后可在本页下载。",
    )  # fmt: skip
