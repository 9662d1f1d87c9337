"""Rendering a printout on the task queue (exchange.printouts): a print on deadline day never holds a
web worker for the second or more its PDF takes."""

from __future__ import annotations

from django.urls import reverse

from exchange.models import Printout
from exchange.printouts import printout_abandon, printout_render
from jobs.models import Job
from jobs.services import JobOutput, JobRefused, Progress


def printout_render_work(job: Job, progress: Progress) -> JobOutput:
    printout_id = job.params.get("printout")
    if not Printout.objects.filter(pk=printout_id).exists():
        raise JobRefused("该打印件已不再需要（材料已有更新的版本）。")
    progress.start(3, "正在读取材料…")

    def on_step(text: str) -> None:
        if text.startswith("正在读取"):
            return
        progress.advance(text)

    try:
        printout = printout_render(printout_id=int(printout_id), on_step=on_step)
    except Exception:
        printout_abandon(printout_id=int(printout_id))
        raise
    label = printout.get_kind_display()
    outcome = {
        "printout": printout.pk,
        "submission": printout.submission_id,
        "status": printout.status,
        "link": reverse(f"exchange:{printout.kind}_pdf", args=[printout.submission_id]),
        "link_label": "下载打印件",
    }
    if printout.is_failed:
        raise JobRefused(printout.message)
    return JobOutput(
        summary=f"{label}打印件已生成（数据指纹 {printout.short_fingerprint}，{printout.size // 1024} KB）。",
        outcome=outcome,
    )
