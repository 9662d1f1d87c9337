"""Registry pages: the list of bases, a base's profile, and the ministry's bulk import."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from permissions.access import access_base, visible_authorities, visible_bases
from permissions.checks import can_manage_registry, can_see_registry_list
from registry.forms import DEFAULT_SORT, BaseFilterForm, RegistryImportApplyForm, RegistryImportUploadForm
from registry.importing import ImportFileError, describe, template_workbook
from registry.models import Authority, Category, RegistryImport
from registry.services import (
    RegistryImportError,
    registry_import_apply,
    registry_import_create,
    registry_import_discard,
    registry_import_review,
)

PAGE_SIZE = 50

# (sort key, column header) of the sortable columns, in display order.
SORTABLE_COLUMNS = [
    ("name", "示范基地名称"),
    ("batch", "批次"),
    ("authority", "省级主管部门"),
    ("category", "类型"),
    ("series", "系列"),
    ("status", "状态"),
]


def _require_registry_reader(user: User) -> None:
    # The three operators (三员) have no business reading the registry: refuse by role, which
    # reveals nothing about which bases exist.
    if not can_see_registry_list(user):
        raise PermissionDenied("您的角色无权查看示范基地名录。")


def _require_registry_manager(user: User) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied("仅部级管理员可以导入示范基地名录。")


def _access_registry_import(user: User, pk: int) -> RegistryImport:
    """Imports belong to the ministry as a whole; others are refused before any lookup."""
    _require_registry_manager(user)
    registry_import = RegistryImport.objects.select_related("uploaded_by", "applied_by").filter(pk=pk).first()
    if registry_import is None:
        raise Http404("未找到该导入记录。")
    return registry_import


@login_required
def base_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_registry_reader(request.user)
    bases = visible_bases(request.user)
    batches = list(bases.order_by("batch").values_list("batch", flat=True).distinct())
    form = BaseFilterForm(request.GET, authorities=visible_authorities(request.user), batches=batches)
    filtered = form.filter(bases.select_related("authority", "category"))
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))

    current_sort = form.cleaned_data.get("sort") or DEFAULT_SORT
    columns = []
    for key, label in SORTABLE_COLUMNS:
        active = current_sort.lstrip("-") == key
        descending = current_sort.startswith("-")
        columns.append(
            {
                "label": label,
                "sort": f"-{key}" if active and not descending else key,
                "indicator": ("▼" if descending else "▲") if active else "",
            }
        )
    filtered_by = any(
        form.cleaned_data.get(name) for name in ("q", "authority", "category", "batch", "status", "series")
    )
    return render(
        request,
        "registry/base_list.html",
        {
            "form": form,
            "page": page,
            "columns": columns,
            "filtered_by": filtered_by,
            # A filter meant for 450 bases is noise for someone who sees one (a base's filler).
            "show_filters": filtered_by or bases.count() > 1,
            "first_index": page.start_index() if page.paginator.count else 0,
        },
    )


@login_required
def base_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_registry_reader(request.user)
    base = access_base(request.user, pk)
    annex = base.category.annex
    # Annex codes are annex1 … annex6, matching 附表1 … 附表6 of the notice.
    annex_label = f"附表{annex.removeprefix('annex')}（{base.category.name}）" if annex else ""
    return render(
        request,
        "registry/base_detail.html",
        {
            "base": base,
            "annex_label": annex_label,
            "star_ratings": list(base.star_ratings.order_by("-year")),
            "campaigns": list(base.campaigns.order_by("-year")),
        },
    )


@login_required
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_registry_manager(request.user)
    if request.method == "POST":
        form = RegistryImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                registry_import = registry_import_create(
                    file_name=form.cleaned_data["file"].name,
                    file_format=form.file_format,
                    content=form.content,
                    user=request.user,
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("registry:import_report", pk=registry_import.pk)
    else:
        form = RegistryImportUploadForm()
    recent = RegistryImport.objects.select_related("uploaded_by", "applied_by").defer("content")[:20]
    return render(request, "registry/import_upload.html", {"form": form, "recent": recent})


@login_required
def import_template(request: AuthenticatedHttpRequest) -> FileResponse:
    _require_registry_manager(request.user)
    data = template_workbook(
        list(Authority.objects.values_list("code", "name", "short_name")),
        list(Category.objects.values_list("name", flat=True)),
    )
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename="示范基地名录导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def import_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registry_import = _access_registry_import(request.user, pk)
    context: dict[str, Any] = {"registry_import": registry_import, "file_error": None}
    try:
        review = registry_import_review(registry_import=registry_import)
    except ImportFileError as exc:
        context["file_error"] = str(exc)
    else:
        context.update(
            counts=review.counts,
            bad_rows=review.report.bad_rows,
            planned=[
                {"change": change, "display": describe(change.data, review.reference)}
                for change in review.planned
            ],
            apply_form=RegistryImportApplyForm(),
        )
    return render(request, "registry/import_report.html", context)


@login_required
@require_POST
def import_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registry_import = _access_registry_import(request.user, pk)
    form = RegistryImportApplyForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    only_valid_rows = bool(form.cleaned_data.get("only_valid_rows"))
    try:
        result = registry_import_apply(
            registry_import=registry_import, user=request.user, only_valid_rows=only_valid_rows
        )
    except RegistryImportError as exc:
        messages.error(request, str(exc))
    else:
        text = f"导入完成：新建 {result['created']} 个示范基地，更新 {result['updated']} 个"
        if result["unchanged"]:
            text += f"，{result['unchanged']} 个无变化"
        if result["skipped"]:
            text += f"，跳过有错误的 {result['skipped']} 行"
        messages.success(request, text + "。")
    return redirect("registry:import_report", pk=registry_import.pk)


@login_required
@require_POST
def import_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registry_import = _access_registry_import(request.user, pk)
    try:
        registry_import_discard(registry_import=registry_import, user=request.user)
    except RegistryImportError as exc:
        messages.error(request, str(exc))
        return redirect("registry:import_report", pk=registry_import.pk)
    messages.success(request, f"已放弃导入“{registry_import.file_name}”，未修改任何数据。")
    return redirect("registry:import")
