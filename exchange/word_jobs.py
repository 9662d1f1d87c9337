"""Word documents on the task queue, since an authority with forty bases makes a hundred pages or more:

- one authority's documents combined into one .docx (summary, cases, bases' reports);
- a zip of the same documents as separate .docx files, for one authority (its reviewer or the
  ministry) or for every authority at once (the ministry), a folder per authority.

Both ask again when they run whether the user who clicked may read each authority's material.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from exchange.word import (
    DOCX_TYPE,
    CaseDoc,
    ReportDoc,
    SummaryDoc,
    authority_docx,
    case_docx,
    report_docx,
    summary_docx,
)
from jobs.models import Job
from jobs.services import JobOutput, JobRefused, Progress
from lib import authz
from lib.authz import Ask
from registry.models import Authority, Campaign
from reports.models import CaseRecommendation, DevelopmentReport, ProvincialSummary
from submissions.models import Submission

AUTHORITY_DOCUMENTS = "exchange.authority_documents"
DOCUMENTS_ZIP = "exchange.documents_zip"
REFUSED = "您无权查看该省级主管部门的材料。"


@dataclass(frozen=True)
class AuthorityMaterial:
    """What one authority delivered for one campaign, as the documents show it."""

    authority: Authority
    summary: SummaryDoc
    has_summary: bool
    cases: list[CaseDoc]
    reports: list[ReportDoc]  # every base with material, written or not, by base name
    written: set[str]  # the base names whose report is written


def authority_material(campaign: Campaign, authority: Authority) -> AuthorityMaterial:
    summary = ProvincialSummary.objects.filter(campaign=campaign, authority=authority).first()
    cases = list(
        CaseRecommendation.objects.filter(campaign=campaign, authority=authority)
        .select_related("base")
        .order_by("base__name", "pk")
    )
    submissions = list(
        Submission.objects.filter(campaign=campaign, base__authority=authority)
        .select_related("base")
        .order_by("base__name", "pk")
    )
    reports = {r.submission_id: r for r in DevelopmentReport.objects.filter(submission__in=submissions)}
    year = campaign.data_year
    return AuthorityMaterial(
        authority=authority,
        summary=SummaryDoc(authority.name, year, summary),
        has_summary=summary is not None,
        cases=[CaseDoc(c.base.name, c, c.aspect_labels()) for c in cases],
        reports=[ReportDoc(s.base.name, year, reports.get(s.pk)) for s in submissions],
        written={s.base.name for s in submissions if s.pk in reports},
    )


def _campaign_and_authorities(job: Job) -> tuple[Campaign, list[Authority]]:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise JobRefused("未找到该年度评价。")
    if job.params.get("national"):
        if not authz.allows(Ask.READ_NATIONAL_MATERIAL, job.created_by):
            raise JobRefused("您无权打包下载全国的材料。")
        authorities = list(
            Authority.objects.filter(bases__submissions__campaign=campaign)
            .distinct()
            .order_by("sort_order", "code")
        )
        if not authorities:
            raise JobRefused("本年度评价尚无参评示范基地。")
    else:
        authority = Authority.objects.filter(pk=job.params.get("authority")).first()
        if authority is None:
            raise JobRefused("未找到该省级主管部门。")
        authorities = [authority]
    # Asked again when the job runs: an account disabled or moved since the click gets nothing.
    for authority in authorities:
        if not authz.allows(Ask.READ_AUTHORITY_MATERIAL, job.created_by, authority):
            raise JobRefused(REFUSED)
    return campaign, authorities


def authority_documents_work(job: Job, progress: Progress) -> JobOutput:
    if job.params.get("national"):
        raise JobRefused("材料汇编按省级主管部门逐一生成。")
    campaign, (authority,) = _campaign_and_authorities(job)
    material = authority_material(campaign, authority)
    progress.start(1 + len(material.cases) + len(material.reports), "正在生成 Word 文档…")
    document = authority_docx(
        authority_name=authority.name,
        data_year=campaign.data_year,
        summary=material.summary,
        cases=material.cases,
        reports=material.reports,
        on_part=lambda label: progress.advance(label),
    )
    written = len(material.written)
    return JobOutput(
        summary=(
            f"{authority.name}：工作总结{'1份' if material.has_summary else '（未填写）'}、"
            f"优秀案例{len(material.cases)}个、发展情况报告{written}份（共{len(material.reports)}个示范基地）。"
        ),
        outcome={
            "campaign": campaign.pk,
            "authority": authority.pk,
            "cases": len(material.cases),
            "reports": written,
        },
        content=document,
        name=f"{authority.name}{campaign.data_year}年示范基地材料汇编.docx",
        content_type=DOCX_TYPE,
    )


# --- the zip of separate documents ------------------------------------------------------------------

_FORBIDDEN = set('\\/:*?"<>|')
NAME_MAX = 80  # characters of a name part: paths stay well inside Windows' 260


def safe_name(text: str) -> str:
    """A file or folder name from a base's, an authority's or a case's name: no path separators,
    none of the characters Windows refuses, no control characters, no leading dots (a hidden file
    or '..'), whitespace runs as one space, at most NAME_MAX characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text or ""):
        if ch in _FORBIDDEN:
            out.append("_")
        elif unicodedata.category(ch)[0] in "CZ":
            out.append(" ")
        else:
            out.append(ch)
    name = " ".join("".join(out).split()).lstrip(". ").rstrip(". ")
    return name[:NAME_MAX].rstrip(". ") or "未命名"


class _Names:
    """Unique entry names in one archive, compared as Windows does (case-insensitively): a second
    '长沙示范基地.docx' becomes '长沙示范基地（2）.docx'."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, folder: str, stem: str, ext: str = ".docx") -> str:
        number = 1
        while True:
            suffix = "" if number == 1 else f"（{number}）"
            name = f"{folder}{stem}{suffix}{ext}"
            if name.casefold() not in self.taken:
                self.taken.add(name.casefold())
                return name
            number += 1


def _zip_authority(
    archive: zipfile.ZipFile,
    names: _Names,
    material: AuthorityMaterial,
    *,
    year: int,
    folder: str,
    progress: Progress,
) -> list[dict[str, Any]]:
    """Write one authority's documents under `folder`; return a line per document for the job page."""
    authority = material.authority.name
    rows: list[dict[str, Any]] = []

    def put(name: str, data: bytes, base: str, detail: str) -> None:
        archive.writestr(name, data)
        rows.append({"name": name, "base": base, "status": "written", "status_display": "已生成",
                     "detail": detail, "problems": []})  # fmt: skip
        progress.advance(name)

    def missing(base: str, detail: str) -> None:
        rows.append({"name": "—", "base": base, "status": "missing", "status_display": "未填写",
                     "detail": detail, "problems": []})  # fmt: skip

    if material.has_summary:
        name = names.take(folder, safe_name(f"{authority}{year}年开展示范基地工作情况总结"))
        put(name, summary_docx(material.summary), authority, "工作情况总结")
    else:
        missing(authority, "工作情况总结尚未填写")
    for case in material.cases:
        name = names.take(f"{folder}优秀案例/", safe_name(f"{case.base_name}_{case.case.title}"))
        put(name, case_docx(case), case.base_name, f"优秀案例：{case.case.title}")
    for report in material.reports:
        if report.base_name not in material.written:
            missing(report.base_name, "发展情况报告尚未填写")
            continue
        name = names.take(f"{folder}发展情况报告/", safe_name(f"{report.base_name}{year}年发展情况报告"))
        put(name, report_docx(report), report.base_name, "发展情况报告（附件2）")
    return rows


def documents_zip_work(job: Job, progress: Progress) -> JobOutput:
    campaign, authorities = _campaign_and_authorities(job)
    national = bool(job.params.get("national"))
    progress.step("正在读取材料…")
    materials = [authority_material(campaign, authority) for authority in authorities]
    total = sum(int(m.has_summary) + len(m.cases) + len(m.written) for m in materials)
    if not total:
        raise JobRefused("没有可打包的文档：工作总结、优秀案例和发展情况报告均尚未填写。")
    progress.start(total, "正在生成 Word 文档…")
    handle, path = tempfile.mkstemp(suffix=".zip")
    os.close(handle)
    names, rows = _Names(), []
    try:
        # Stored, not deflated: a .docx is a zip already and would not shrink.
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for material in materials:
                folder = f"{safe_name(material.authority.name)}/" if national else ""
                rows += _zip_authority(
                    archive, names, material, year=campaign.data_year, folder=folder, progress=progress
                )
    except BaseException:
        os.unlink(path)
        raise
    written = [r for r in rows if r["status"] == "written"]
    reports = sum(len(m.written) for m in materials)
    bases = sum(len(m.reports) for m in materials)
    cases = sum(len(m.cases) for m in materials)
    summaries = sum(int(m.has_summary) for m in materials)
    label = "全国" if national else authorities[0].name
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    scope = f"{len(materials)}个省级主管部门：" if national else f"{label}："
    return JobOutput(
        summary=(
            f"{scope}共 {len(written)} 个 Word 文件：工作总结{summaries}份、优秀案例{cases}个、"
            f"发展情况报告{reports}份（共{bases}个示范基地，{bases - reports}个尚未填写）。"
        ),
        outcome={"campaign": campaign.pk, "authorities": [a.pk for a in authorities], "files": rows},
        path=path,
        name=f"{safe_name(label)}{campaign.data_year}年示范基地材料_Word_{stamp}.zip",
        content_type="application/zip",
    )
