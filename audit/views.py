"""The audit administrator's page (审计管理员): search, filter, page through and export the trail."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from accounts.http import AuthenticatedHttpRequest
from audit.models import Event
from audit.queries import KIND_LABELS, EventFilter, EventFilterForm, events_matching
from audit.services import event_record
from permissions.checks import can_read_audit

PER_PAGE = 50
# An export larger than this is refused: narrow the dates (a year of a busy system is far below).
EXPORT_MAX_ROWS = 500_000
# An Excel sheet holds at most 1,048,576 rows; beyond this much the CSV is the sensible file.
EXPORT_MAX_XLSX_ROWS = 200_000
EXPORT_FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    "序号",
    "时间",
    "操作人账号",
    "操作人姓名",
    "IP 地址",
    "类别",
    "操作",
    "结果",
    "摘要",
    "对象类型",
    "对象编号",
    "校验值",
]


def _require_auditor(request: AuthenticatedHttpRequest) -> None:
    if not can_read_audit(request.user):
        raise PermissionDenied("只有审计管理员可以查看审计日志。")


@login_required
@require_GET
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = EventFilterForm(request.GET or None)
    flt = EventFilter.from_form(form) if form.is_bound else EventFilter()
    if request.GET.get("export") in EXPORT_FORMATS and (not form.is_bound or form.is_valid()):
        return _export(request, flt, request.GET["export"])
    page = Paginator(events_matching(flt), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/events.html",
        {
            "form": form if form.is_bound else EventFilterForm(),
            "page": page,
            "filtered_by": flt.as_data(),
            "kind_labels": KIND_LABELS,
        },
    )


def _rows(events: Iterator[Event]) -> Iterator[list[str]]:
    yield COLUMNS
    for e in events:
        yield [
            str(e.seq),
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_username,
            e.actor_name,
            e.ip or "",
            KIND_LABELS.get(e.action.split(".", 1)[0], ""),
            e.action,
            e.get_outcome_display(),
            e.summary,
            e.target_type,
            e.target_id,
            e.hash,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _xlsx(rows: Iterator[list[str]]) -> bytes:
    # write_only streams rows into the file without building every cell in memory.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计日志")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _export(request: AuthenticatedHttpRequest, flt: EventFilter, fmt: str) -> HttpResponse:
    events = events_matching(flt)
    count = events.count()
    if count > EXPORT_MAX_ROWS:
        event_record(
            actor=request.user, action="audit.export", summary=f"导出审计日志被拒绝：{count} 条超过上限",
            data={"filter": flt.as_data(), "count": count}, outcome=Event.Outcome.REFUSED,
        )  # fmt: skip
        return render(
            request,
            "errors/plain.html",
            {
                "title": "导出内容过多",
                "message": f"符合条件的记录有 {count} 条，超过一次导出的上限 {EXPORT_MAX_ROWS} 条，请缩小日期范围后分次导出。",
            },
            status=400,
        )
    # The export is itself an event, recorded before the first row leaves.
    event_record(
        actor=request.user,
        action="audit.export",
        summary=f"导出审计日志 {count} 条（{fmt.upper()}）",
        data={"filter": flt.as_data(), "count": count, "format": fmt},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        if count > EXPORT_MAX_XLSX_ROWS:
            return render(
                request,
                "errors/plain.html",
                {
                    "title": "导出内容过多",
                    "message": f"Excel 文件最多 {EXPORT_MAX_XLSX_ROWS} 行，符合条件的记录有 {count} 条，请导出 CSV 或缩小日期范围。",
                },
                status=400,
            )
        xlsx = HttpResponse(_xlsx(_rows(events.iterator(chunk_size=2000))), content_type=XLSX)
        xlsx["Content-Disposition"] = content_disposition_header(True, f"审计日志-{stamp}.xlsx")
        xlsx["Cache-Control"] = "private, no-store"
        xlsx["X-Content-Type-Options"] = "nosniff"
        return xlsx
    writer = csv.writer(_Echo())
    body = (writer.writerow(row) for row in _rows(events.iterator(chunk_size=2000)))
    response = StreamingHttpResponse(_with_bom(body), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"审计日志-{stamp}.csv")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


def _with_bom(lines: Iterator[str]) -> Iterator[str]:
    # Excel opens a UTF-8 CSV as Chinese only with the byte-order mark.
    yield "\ufeff"
    yield from lines
