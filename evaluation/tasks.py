"""The evaluation's long runs on the task queue: the data-quality check and a scoring run read every
base's material, which takes longer than a web request should."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from huey.contrib.djhuey import db_task

from evaluation.services import quality_check_run, scoring_run
from jobs.models import Job
from jobs.services import JobOutput, JobRefused, Progress, job_execute
from registry.models import Campaign

QUALITY = "evaluation.quality"
SCORING = "evaluation.score"


def evaluation_work(job: Job, progress: Progress) -> JobOutput:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise JobRefused("未找到该年度评价。")
    try:
        if job.kind == QUALITY:
            progress.start(1, "正在检查各示范基地的材料…")
            run = quality_check_run(campaign=campaign, user=job.created_by)
            progress.advance("检查完成")
            total = sum(run.counts.values())
            return JobOutput(
                summary=f"检查 {run.base_count} 个示范基地，发现问题 {total} 条，用时 {run.seconds:.1f} 秒。",
                outcome={"campaign": campaign.pk, "quality_run": run.pk, "counts": run.counts},
            )
        if job.kind == SCORING:
            progress.start(1, "正在评分…")
            score = scoring_run(campaign=campaign, user=job.created_by, scope=job.params.get("scope", ""))
            progress.advance("评分完成")
            return JobOutput(
                summary=f"评分 {score.base_count} 个示范基地，用时 {score.seconds:.2f} 秒。",
                outcome={"campaign": campaign.pk, "score_run": score.pk},
            )
    except ValidationError as exc:
        raise JobRefused("；".join(exc.messages)) from exc
    raise JobRefused("未知的评价任务。")


@db_task()
def evaluation_task(job_id: int) -> None:
    job_execute(job_id, evaluation_work)
