"""The Excel template of a base's material: download, upload with a preview of the differences, confirm."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
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
from exchange.excel_jobs import BULK_IMPORT, NATIONAL_EXPORT, TEMPLATES_ZIP
from exchange.excel_template import XLSX_TYPE, submission_template, template_filename
from exchange.tasks import excel_bulk_import_task, excel_export_task
from jobs.services import job_start
from permissions.access import access_submission, visible_authorities, visible_bases
from permissions.checks import (
    can_bulk_import_excel,
    can_download_template,
    can_export_bases,
    can_import_excel,
    can_oversee,
)
from registry.models import Campaign, Category
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
        text += f"另有 {kept} 项在下载模板后已在系统中修改，按您的选择保留了系统中的值。"
    messages.success(request, text)
    return redirect("submissions:detail", pk=submission.pk)


# --- many bases at once: bulk import and exports, as background jobs ------------------------------

BULK_MAX_FILES = 500


@login_required
@require_http_methods(["GET", "POST"])
def bulk_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Many filled templates or one zip of them, imported on the task queue; each file on its own."""
    if not can_bulk_import_excel(request.user):
        raise PermissionDenied("只有省级主管部门和工业和信息化部可以批量导入填报模板。")
    error = ""
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            error = "请选择要导入的填报模板（.xlsx），或一个包含多个模板的 .zip 压缩包。"
        elif len(files) > BULK_MAX_FILES:
            error = f"一次最多上传 {BULK_MAX_FILES} 个文件，可打包为 .zip 后上传。"
        else:
            job = job_start(
                kind=BULK_IMPORT,
                title=f"批量导入填报模板（{_uploads_named(files)}）",
                user=request.user,
                task=excel_bulk_import_task,
                files=files,
            )
            messages.success(request, "已在后台开始导入，本页显示进度和每个文件的结果。")
            return redirect("jobs:detail", pk=job.pk)
    return _private(
        render(
            request,
            "exchange/excel_bulk.html",
            {"error": error, "max_files": BULK_MAX_FILES},
            status=400 if error else 200,
        )
    )


def _uploads_named(files: Sequence[UploadedFile]) -> str:
    """What the user uploaded, as the task's title names it: a zip's templates are counted only once
    the task has opened it, so the upload is named, not a count of templates."""
    first = Truncator(files[0].name or "").chars(60)
    return first if len(files) == 1 else f"{first} 等 {len(files)} 个上传文件"


def _export_filters(request: AuthenticatedHttpRequest) -> dict[str, str]:
    return {
        key: request.POST.get(key, request.GET.get(key, ""))
        for key in ("campaign", "authority", "category", "batch", "status")
    }


@login_required
@require_http_methods(["GET", "POST"])
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The national (or an authority's) export: a row per base, or per-base workbooks as a zip."""
    if not can_export_bases(request.user):
        raise PermissionDenied("只有省级主管部门和工业和信息化部可以导出示范基地数据。")
    campaigns = list(Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("-year"))
    authorities = list(visible_authorities(request.user).order_by("code"))
    categories = list(Category.objects.order_by("sort_order", "code"))
    filters = _export_filters(request)
    context: dict[str, object] = {
        "campaigns": campaigns, "authorities": authorities, "categories": categories, "filters": filters,
        "statuses": Submission.Status.choices, "batches": range(1, 11),
    }  # fmt: skip
    if request.method == "GET":
        return _private(render(request, "exchange/excel_export.html", context))
    campaign = next((c for c in campaigns if str(c.pk) == filters["campaign"]), None)
    if campaign is None:
        context["error"] = "请选择年度评价。"
        return _private(render(request, "exchange/excel_export.html", context, status=400))
    bases = visible_bases(request.user).filter(submissions__campaign=campaign)
    label = "全国"
    if filters["authority"]:
        authority = next((a for a in authorities if str(a.pk) == filters["authority"]), None)
        if authority is None:
            raise Http404("未找到该省级主管部门，或您无权查看。")
        bases, label = bases.filter(authority=authority), authority.name
    elif len(authorities) == 1 and not can_oversee(request.user):
        label = authorities[0].name
    if filters["category"]:
        bases = bases.filter(category__code=filters["category"])
    if filters["batch"].isdigit():
        bases = bases.filter(batch=int(filters["batch"]))
    if filters["status"] in Submission.Status.values:
        bases = bases.filter(submissions__campaign=campaign, submissions__status=filters["status"])
    base_ids = sorted(set(bases.values_list("pk", flat=True)))
    if not base_ids:
        context["error"] = "没有符合条件的示范基地。"
        return _private(render(request, "exchange/excel_export.html", context, status=400))
    zipped = request.POST.get("format") == "zip"
    if zipped and not filters["authority"] and len(authorities) != 1:
        context["error"] = "各示范基地的工作簿按省级主管部门打包，请先选择省级主管部门。"
        return _private(render(request, "exchange/excel_export.html", context, status=400))
    what = "各示范基地工作簿" if zipped else "汇总表数据"
    job = job_start(
        kind=TEMPLATES_ZIP if zipped else NATIONAL_EXPORT,
        title=f"导出{what}：{campaign.title}（{label}，{len(base_ids)} 个示范基地）",
        user=request.user,
        task=excel_export_task,
        params={"campaign": campaign.pk, "bases": base_ids, "label": label, "filters": filters},
    )
    messages.success(request, "已在后台开始导出，完成后可在本页下载。")
    return redirect("jobs:detail", pk=job.pk)
