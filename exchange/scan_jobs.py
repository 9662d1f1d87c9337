"""Checking a sealed scan on the task queue: its pages rendered and their QR codes read (exchange.scans),
the verdict recorded on the upload (exchange.services.scan_check). A scan of ten pages takes a few
seconds to read, which no web request should wait for."""

from __future__ import annotations

from django.urls import reverse

from exchange.models import SealedScan
from exchange.services import scan_check, scan_check_abandon
from jobs.models import Job
from jobs.services import JobOutput, JobRefused, Progress


def scan_check_work(job: Job, progress: Progress) -> JobOutput:
    scan_id = job.params.get("scan")
    if not SealedScan.objects.filter(pk=scan_id).exists():
        raise JobRefused("未找到该盖章扫描件。")

    def on_page(number: int, pages: int) -> None:
        step = f"正在读取第 {number}/{pages} 页的二维码…"
        if number == 1:
            progress.start(pages, step)
        else:
            progress.advance(step)

    try:
        scan = scan_check(scan_id=int(scan_id), on_page=on_page)
    except Exception:
        # A fault, not a verdict: the upload must not stay 正在核验 for ever.
        scan_check_abandon(scan_id=int(scan_id))
        raise
    label = scan.get_kind_display()
    outcome = {
        "scan": scan.pk,
        "submission": scan.submission_id,
        "check_status": scan.check_status,
        "verified_pages": scan.verified_pages,
        "reason": scan.check_message,
        # The job page links back to where the verdict matters.
        "link": f"{reverse('exchange:scans', args=[scan.submission_id])}#scan-{scan.kind}",
        "link_label": "查看盖章扫描件",
    }
    if scan.superseded_at is not None and scan.is_checking:
        return JobOutput(summary=f"{label}盖章扫描件已被之后上传的扫描件替换，未再核验。", outcome=outcome)
    if scan.is_refused:
        return JobOutput(summary=f"{label}盖章扫描件未通过核验：{scan.check_message}", outcome=outcome)
    return JobOutput(
        summary=f"{label}盖章扫描件已通过核验：当前版本全部 {scan.verified_pages} 页均在扫描件中。",
        outcome=outcome,
    )
