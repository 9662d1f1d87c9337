"""The Excel work that runs on the task queue: bulk import of filled templates, the exports.

Bulk import: every uploaded file (or every file of an uploaded zip) is matched to its base by the
marker and imported on its own, in its own transaction, so a broken, foreign or conflicting file is
refused with its reason and never stops the others. A file with an error in a cell changes nothing.
A cell changed online since the file's template was downloaded is never overwritten: the file's other
differences are imported, that cell is left as it is online, and the outcome lists it with who
changed it online and when (部分导入), on the job page and in the outcome workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from exchange.excel_export import national_export, temp_path, templates_zip
from exchange.excel_files import NamedFile, template_file_check, zip_entries
from exchange.excel_import import Difference, ImportRefused, excel_import_apply, import_read
from jobs.models import Job
from jobs.services import JobOutput, JobRefused, Progress
from lib import authz
from lib.authz import Ask
from registry.models import Campaign
from submissions.models import Submission
from submissions.validation import parsing_memo

BULK_IMPORT = "exchange.excel_bulk_import"
NATIONAL_EXPORT = "exchange.excel_export"
TEMPLATES_ZIP = "exchange.excel_templates_zip"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_DISPLAY = {
    "imported": "已导入",
    "partial": "部分导入",
    "conflict": "未导入（系统中已修改）",
    "unchanged": "无变化",
    "refused": "未导入",
}
MAX_PROBLEMS_LISTED = 30
MAX_LEFT_LISTED = 500  # cells left as they are online, per file (a template has at most a few hundred)
LEFT_REASON = "下载模板后已在系统中修改，为避免覆盖保留系统中的值"


def _is_zip_of_files(data: bytes, name: str) -> bool:
    """A zip of templates to unpack, not a workbook (itself a zip). A file named as a workbook is one,
    however broken: its reason is then a workbook's (template_file_check), not a damaged archive's."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm", ".xltx", ".xltm", ".xls")):
        return False
    return lower.endswith(".zip") or (data[:4] == b"PK\x03\x04" and b"xl/workbook.xml" not in data[:200_000])


def _expand(job: Job) -> Iterator[NamedFile]:
    for item in job.files.all():
        with item.file.open("rb") as handle:
            data = handle.read()
        if _is_zip_of_files(data, item.original_name):
            yield from zip_entries(data, item.original_name)
        else:
            yield NamedFile(item.original_name, data)


def _outcome(
    name: str,
    status: str,
    *,
    base: str = "",
    problems: list[str] | None = None,
    detail: str = "",
    left: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "name": name, "base": base, "status": status, "status_display": STATUS_DISPLAY[status],
        "problems": problems or [], "detail": detail, "left": left or [],
    }  # fmt: skip


def _left(conflict: Difference) -> dict[str, str]:
    """A cell of the file left as it is online: where, which item, both values, who changed it and when."""
    return {
        "place": conflict.place,
        "item": conflict.where,
        "file_value": conflict.new,
        "online_value": conflict.old,
        "by": conflict.theirs_by,
        "at": conflict.theirs_at,
        "reason": LEFT_REASON,
    }


def left_text(item: dict[str, str]) -> str:
    who = "、".join(x for x in (item["by"], item["at"]) if x)
    return (
        f"{item['place']} {item['item']}：文件中为“{item['file_value'] or '（空）'}”，"
        f"系统中为“{item['online_value'] or '（空）'}”{f'（{who} 修改）' if who else ''}，未覆盖"
    )


def import_one(file: NamedFile, user: Any) -> dict[str, Any]:
    """Import one file of a bulk upload; the outcome as the job page lists it."""
    if file.data is None:
        return _outcome(file.name, "refused", detail=file.refused)
    # One memo for the reading and the save: the inputs the reading parsed are stored as parsed.
    with parsing_memo():
        return _import_checked(file.name, file.data, user)


def _import_checked(name: str, data: bytes, user: Any) -> dict[str, Any]:
    try:
        template_file_check(data, name)
        reading = import_read(data=data)
    except ValidationError as exc:
        return _outcome(name, "refused", detail="；".join(exc.messages))
    except ImportRefused as exc:
        return _outcome(name, "refused", detail=str(exc))
    submission = reading.submission
    base = submission.base.name
    if not authz.allows(Ask.IMPORT_EXCEL, user, submission):
        reason = (
            f"材料当前状态为“{submission.get_status_display()}”，不能导入。"
            if not submission.is_editable
            else "您无权导入该示范基地的材料（不属于您负责的示范基地）。"
        )
        return _outcome(name, "refused", base=base, detail=reason)
    if reading.blocking:
        problems = [p.text() for p in reading.blocking[:MAX_PROBLEMS_LISTED]]
        if len(reading.blocking) > MAX_PROBLEMS_LISTED:
            problems.append(f"……共 {len(reading.blocking)} 处错误")
        return _outcome(name, "refused", base=base, problems=problems)
    conflicts = reading.conflicts
    left = [_left(d) for d in conflicts[:MAX_LEFT_LISTED]]
    if not reading.differences:
        return _outcome(
            name,
            "unchanged",
            base=base,
            detail="没有需要导入的修改：各项与已保存的内容相同，或自下载模板后未改动。",
        )
    if len(conflicts) == len(reading.differences):
        return _outcome(
            name, "conflict", base=base, left=left,
            detail=f"文件中的 {len(conflicts)} 项修改在下载模板后均已在系统中修改，为避免覆盖未导入，保留系统中的值；"
            "如需以文件为准，请逐个上传该文件并勾选要覆盖的单元格。",
        )  # fmt: skip
    rows = [
        [d.form, d.code, d.year, d.raw, d.seen_revision, d.current_revision, d.conflict]
        for d in reading.differences
    ]
    try:
        # Conflicting rows are passed as conflicts and none is chosen to be overwritten: the
        # service leaves them as they are online and saves the others.
        result = excel_import_apply(
            submission=submission, user=user, differences=rows, prepared=reading.check
        )
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return _outcome(name, "refused", base=base, detail="；".join(messages))
    saved = sum(1 for cell in result.cells if cell.status == "saved")
    notes = [p.text() for p in reading.problems if p.severity != "error"][:10]
    if conflicts:
        return _outcome(
            name, "partial", base=base, left=left, problems=notes,
            detail=f"导入 {saved} 项；{len(conflicts)} 项在下载模板后已在系统中修改，保留系统中的值，未覆盖。",
        )  # fmt: skip
    return _outcome(name, "imported", base=base, detail=f"导入 {saved} 项。", problems=notes)


def _outcome_workbook(outcomes: list[dict[str, Any]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("导入结果")
    head = book.add_format({"bold": True, "bg_color": "#DDE5EE", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    ws.write_row(0, 0, ["序号", "文件", "示范基地", "结果", "说明"], head)
    ws.set_column(1, 2, 40)
    ws.set_column(4, 4, 100)
    for index, item in enumerate(outcomes, start=1):
        kept = item.get("left", [])
        lines = [item["detail"], *item["problems"], *(left_text(c) for c in kept[:5])]
        if len(kept) > 5:
            lines.append(f"……共 {len(kept)} 个单元格保留系统中的值，见“保留系统中值的单元格”工作表")
        text = "\n".join(lines).strip()
        ws.write_row(index, 0, [index, item["name"], item["base"], item["status_display"], text], wrap)
    left = book.add_worksheet("保留系统中值的单元格")
    left.write_row(
        0,
        0,
        ["文件", "示范基地", "位置", "指标", "文件中的值", "系统中的值", "修改人", "修改时间", "原因"],
        head,
    )
    left.set_column(0, 1, 30)
    left.set_column(2, 2, 14)
    left.set_column(3, 3, 40)
    left.set_column(4, 5, 20)
    left.set_column(6, 7, 16)
    left.set_column(8, 8, 40)
    row = 1
    for item in outcomes:
        for cell in item.get("left", []):
            left.write_row(row, 0, [
                item["name"], item["base"], cell["place"], cell["item"], cell["file_value"],
                cell["online_value"], cell["by"], cell["at"], cell["reason"],
            ], wrap)  # fmt: skip
            row += 1
    if row == 1:
        left.write(1, 0, "无：没有因下载模板后已修改而未导入的单元格。")
    book.close()
    return buffer.getvalue()


def bulk_import_work(job: Job, progress: Progress) -> JobOutput:
    files = list(_expand(job))
    if not files:
        raise JobRefused("没有可导入的文件。")
    progress.start(len(files), "正在逐个导入…")
    outcomes = []
    for file in files:
        outcomes.append(import_one(file, job.created_by))
        progress.advance(f"已处理 {file.name}")
    counts = {status: sum(1 for o in outcomes if o["status"] == status) for status in STATUS_DISPLAY}
    kept = sum(len(o["left"]) for o in outcomes)
    summary = (
        f"共 {len(outcomes)} 个文件：导入 {counts['imported']} 个，部分导入 {counts['partial']} 个，"
        f"无变化 {counts['unchanged']} 个，未导入 {counts['refused'] + counts['conflict']} 个"
        + (f"；{kept} 个单元格因系统中已修改保留系统中的值（见下方明细）。" if kept else "。")
    )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    return JobOutput(
        summary=summary,
        outcome={"files": outcomes, "counts": counts},
        content=_outcome_workbook(outcomes),
        name=f"批量导入结果_{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


def _campaign(job: Job) -> Campaign:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise JobRefused("未找到该年度评价。")
    return campaign


def export_work(job: Job, progress: Progress) -> JobOutput:
    campaign = _campaign(job)
    base_ids = [int(pk) for pk in job.params.get("bases", [])]
    if not base_ids:
        raise JobRefused("没有符合条件的示范基地。")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    if job.kind == TEMPLATES_ZIP:
        submissions = list(
            Submission.objects.filter(campaign=campaign, base_id__in=base_ids)
            .select_related(
                "campaign", "base__authority", "base__category", "summary_definition", "annex_definition"
            )
            .order_by("base__authority__code", "base__batch", "base__name")
        )
        if not submissions:
            raise JobRefused("符合条件的示范基地尚未开始填报，没有可导出的材料。")
        progress.start(len(submissions), "正在生成各示范基地的工作簿…")
        path = temp_path(".zip")
        count = templates_zip(
            submissions=submissions,
            path=path,
            now=timezone.now(),
            progress=lambda name: progress.advance(name),
        )
        title = job.params.get("label", "示范基地")
        return JobOutput(
            summary=f"已生成 {count} 个示范基地的工作簿（官方版式）。",
            path=path,
            name=f"{title}_各示范基地汇总表_{stamp}.zip",
            content_type="application/zip",
        )
    progress.start(len(base_ids), "正在导出…")
    path = temp_path(".xlsx")
    written = [0]

    def advance(count: int) -> None:
        if count - written[0] >= 25:
            progress.advance(f"已导出 {count} 个示范基地", by=count - written[0])
            written[0] = count

    count = national_export(campaign=campaign, base_ids=base_ids, path=path, progress=advance)
    label = job.params.get("label", "全国")
    return JobOutput(
        summary=f"已导出 {count} 个示范基地的汇总表数据。",
        path=path,
        name=f"{campaign.title}_{label}_汇总表数据_{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )
