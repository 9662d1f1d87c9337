"""The Excel template of a base's material: download, upload with a preview of the differences, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from exchange.excel_files import template_file_check
from exchange.excel_import import (
    ImportRefused,
    excel_import_apply,
    import_read,
    preview_load,
    preview_token,
)
from exchange.excel_template import XLSX_TYPE, submission_template, template_filename
from permissions.access import access_submission
from permissions.checks import can_download_template, can_import_excel
from submissions.models import Submission
from submissions.services import profile_for

IMPORT_REFUSED = (
    "只有本示范基地的填报员及其省级主管部门、工业和信息化部可以在材料为草稿或被退回时导入填报模板。"
)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _page(
    request: AuthenticatedHttpRequest, submission: Submission, *, status: int = 200, **extra: object
) -> HttpResponse:
    context = {
        "submission": submission,
        "may_download": can_download_template(request.user, submission),
        "may_import": can_import_excel(request.user, submission),
        **extra,
    }
    return _private(render(request, "exchange/excel.html", context, status=status))


@login_required
@require_GET
def template_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    if not can_download_template(request.user, submission):
        raise PermissionDenied("您不能下载该示范基地的填报模板。")
    now = timezone.now()
    data, _marker = submission_template(submission=submission, profile=profile_for(submission.base), now=now)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, template_filename(submission, now))
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def excel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The template page; a POST uploads a filled template and shows what it would change."""
    submission = access_submission(request.user, pk)
    if request.method == "GET":
        return _page(request, submission)
    if not can_import_excel(request.user, submission):
        raise PermissionDenied(IMPORT_REFUSED)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, submission, error="请选择要导入的填报模板（.xlsx）。", status=400)
    name = upload.name or "模板.xlsx"
    data = b"".join(upload.chunks())
    try:
        template_file_check(data, name)
        reading = import_read(data=data, submission=submission)
    except ValidationError as exc:
        return _page(request, submission, error="；".join(exc.messages), filename=name, status=400)
    except ImportRefused as exc:
        return _page(request, submission, error=str(exc), filename=name, status=400)
    context = {
        "submission": submission,
        "reading": reading,
        "filename": name,
        "token": preview_token(reading, request.user, name) if reading.ok else "",
        "errors": reading.blocking,
        "notes": [p for p in reading.problems if p.severity != "error"],
    }
    return _private(render(request, "exchange/excel_preview.html", context))


@login_required
@require_POST
def excel_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    if not can_import_excel(request.user, submission):
        raise PermissionDenied(IMPORT_REFUSED)
    try:
        name, differences = preview_load(
            request.POST.get("token", ""), submission=submission, user=request.user
        )
        result = excel_import_apply(
            submission=submission,
            user=request.user,
            differences=differences,
            overwrite=request.POST.getlist("overwrite"),
        )
    except ValidationError as exc:
        return _page(request, submission, error="；".join(exc.messages), status=409)
    saved = sum(1 for cell in result.cells if cell.status == "saved")
    kept = sum(1 for d in differences if d[6]) - len(request.POST.getlist("overwrite"))
    text = f"已从 {name} 导入 {saved} 项。"
    if kept > 0:
        text += f"另有 {kept} 项在下载模板后已在线修改，按您的选择保留了在线的值。"
    messages.success(request, text)
    return redirect("submissions:detail", pk=submission.pk)
