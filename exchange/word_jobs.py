"""The Word documents of one authority combined (summary, cases, bases' reports): a job on the task
queue, since an authority with forty bases makes a document of a hundred pages or more."""

from __future__ import annotations

from exchange.word import DOCX_TYPE, CaseDoc, ReportDoc, SummaryDoc, authority_docx
from jobs.models import Job
from jobs.services import JobOutput, JobRefused, Progress
from lib import authz
from lib.authz import Ask
from registry.models import Authority, Campaign
from reports.models import CaseRecommendation, DevelopmentReport, ProvincialSummary
from submissions.models import Submission

AUTHORITY_DOCUMENTS = "exchange.authority_documents"


def authority_documents_work(job: Job, progress: Progress) -> JobOutput:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    authority = Authority.objects.filter(pk=job.params.get("authority")).first()
    if campaign is None or authority is None:
        raise JobRefused("未找到该年度评价或省级主管部门。")
    # Asked again when the job runs: an account disabled or moved since the click gets nothing.
    if not authz.allows(Ask.READ_AUTHORITY_MATERIAL, job.created_by, authority):
        raise JobRefused("您无权查看该省级主管部门的材料。")
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
    progress.start(1 + len(cases) + len(submissions), "正在生成 Word 文档…")
    document = authority_docx(
        authority_name=authority.name,
        data_year=campaign.data_year,
        summary=SummaryDoc(authority.name, campaign.data_year, summary),
        cases=[CaseDoc(c.base.name, c, c.aspect_labels()) for c in cases],
        reports=[ReportDoc(s.base.name, campaign.data_year, reports.get(s.pk)) for s in submissions],
        on_part=lambda label: progress.advance(label),
    )
    written = sum(1 for s in submissions if s.pk in reports)
    return JobOutput(
        summary=(
            f"{authority.name}：工作总结{'1份' if summary else '（未填写）'}、优秀案例{len(cases)}个、"
            f"发展情况报告{written}份（共{len(submissions)}个示范基地）。"
        ),
        outcome={"campaign": campaign.pk, "authority": authority.pk, "cases": len(cases), "reports": written},
        content=document,
        name=f"{authority.name}{campaign.data_year}年示范基地材料汇编.docx",
        content_type=DOCX_TYPE,
    )
