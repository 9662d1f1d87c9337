"""Printing a base's 汇总表 or development report: one render per version, on the task queue.

A print asks for the document as the material now stands (its data fingerprint). If that version was
rendered before, the stored file is served at once; otherwise a render is queued and the page waits
for it (exchange.views). The render reads the material afresh and refuses to print a version other
than the one asked for, so a page's QR codes always name exactly the data printed on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from exchange import pdf
from exchange.models import Printout, SealedScan
from exchange.services import document_fingerprint, evidence_by_item, report_of
from jobs.services import job_start
from lib.fingerprints import data_fingerprint
from submissions.models import Submission
from submissions.sensitive import values_contacts_masked
from submissions.services import profile_for

logger = logging.getLogger(__name__)

STALE_TEXT = "材料在生成打印件期间被修改，请重新打印当前版本。"


@transaction.atomic
def printout_request(
    *, submission: Submission, user: User, kind: str, masked: bool, task: Callable[[int], Any]
) -> Printout:
    """The printout of the material's current version: the stored one, or a render queued now. A render
    already queued or running for the version is shared, never doubled; a failed one is queued again.
    `masked`: the reader may not see the contacts in full (permissions.checks.can_see_contacts); the
    report carries no contacts, so its copies are never masked."""
    if kind not in SealedScan.Kind.values:
        raise ValueError(f"unknown document kind {kind!r}")
    fingerprint = document_fingerprint(submission, kind)
    masked = masked and kind == SealedScan.Kind.SUMMARY
    key = {"submission": submission, "kind": kind, "fingerprint": fingerprint, "masked": masked}
    printout = Printout.objects.select_for_update(of=("self",)).select_related("job").filter(**key).first()
    if printout is None:
        try:
            with transaction.atomic():
                printout = Printout.objects.create(**key)
        except IntegrityError:
            # Another request asked for the same version a moment ago: share its render.
            return Printout.objects.get(**key)
    elif not (printout.is_failed or _stuck(printout)):
        return printout
    else:
        printout.status, printout.message, printout.requested_at = (
            Printout.Status.RENDERING,
            "",
            timezone.now(),
        )
        printout.save(update_fields=["status", "message", "requested_at"])
    label = SealedScan.Kind(kind).label
    printout.job = job_start(
        kind="print",
        title=f"生成打印件：{label} · {submission.base.name}（数据指纹 {printout.short_fingerprint}）",
        user=user,
        task=task,
        params={"printout": printout.pk},
    )
    printout.save(update_fields=["job"])
    return printout


# A render takes seconds even behind a long queue; one asked for longer ago than this whose job has
# ended, or has no job, lost its task (a consumer killed mid-render) and is queued again.
STUCK_AFTER = dt.timedelta(minutes=10)


def _stuck(printout: Printout) -> bool:
    if printout.status != Printout.Status.RENDERING:
        return False
    job = printout.job
    return job is None or job.finished or printout.requested_at < timezone.now() - STUCK_AFTER


def document_pdf(
    *, submission: Submission, kind: str, masked: bool = False, on_step: Callable[[str], None] | None = None
) -> tuple[str, bytes]:
    """The document `kind` as the material now stands: its fingerprint and the PDF of exactly the data
    the fingerprint was computed from (contacts masked on an expert's copy, fingerprint unchanged)."""
    step = on_step or (lambda text: None)
    if kind == SealedScan.Kind.SUMMARY:
        values = list(submission.values.all())
        fingerprint = data_fingerprint(submission_values=values, report=None)
        if masked:
            values = values_contacts_masked(submission, values)
        step("正在排版汇总表（含附表）…")
        return fingerprint, pdf.summary_pdf(
            submission=submission,
            values=values,
            profile=profile_for(submission.base),
            fingerprint=fingerprint,
            generated_at=timezone.now(),
            evidence={
                key: [item.original_name for item in items]
                for key, items in evidence_by_item(submission).items()
            },
        )
    report = report_of(submission)
    fingerprint = data_fingerprint(submission_values=(), report=report)
    step("正在排版发展情况报告…")
    return fingerprint, pdf.report_pdf(
        submission=submission, report=report, fingerprint=fingerprint, generated_at=timezone.now()
    )


def printout_render(*, printout_id: int, on_step: Callable[[str], None] | None = None) -> Printout:
    """Render the asked version and store it; the other versions of the document are dropped. A
    material changed since the print was asked for is not printed under the old version's name."""
    printout = Printout.objects.select_related("submission__base", "submission__campaign").get(pk=printout_id)
    if printout.status != Printout.Status.RENDERING:
        return printout  # a redelivered task: rendered or given up already
    fingerprint, data = document_pdf(
        submission=printout.submission, kind=printout.kind, masked=printout.masked, on_step=on_step
    )
    if fingerprint != printout.fingerprint:
        return _give_up(printout_id, STALE_TEXT)
    if on_step is not None:
        on_step("正在保存打印件…")
    return _store(printout_id, data)


@transaction.atomic
def _store(printout_id: int, data: bytes) -> Printout:
    printout = Printout.objects.select_for_update().get(pk=printout_id)
    if printout.status != Printout.Status.RENDERING:
        return printout
    printout.file.save("printout.pdf", ContentFile(data), save=False)
    printout.sha256, printout.size = hashlib.sha256(data).hexdigest(), len(data)
    printout.status, printout.generated_at = Printout.Status.READY, timezone.now()
    printout.save(update_fields=["file", "sha256", "size", "status", "generated_at"])
    older = (
        Printout.objects.filter(
            submission_id=printout.submission_id, kind=printout.kind, masked=printout.masked
        )
        .exclude(pk=printout.pk)
        .exclude(status=Printout.Status.RENDERING)
    )
    names = [p.file.name for p in older if p.file.name]
    older.delete()
    storage = printout.file.storage

    def drop_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(drop_files)
    return printout


def _give_up(printout_id: int, reason: str) -> Printout:
    Printout.objects.filter(pk=printout_id, status=Printout.Status.RENDERING).update(
        status=Printout.Status.FAILED, message=reason
    )
    return Printout.objects.get(pk=printout_id)


def printout_abandon(*, printout_id: int) -> None:
    """A render that broke is a failure the reader can retry, never a print waiting for ever."""
    _give_up(printout_id, "生成打印件时出错，请重新打印；如仍失败请联系系统管理员。")


@transaction.atomic
def printout_discard(*, printout: Printout) -> None:
    """A stored printout whose file is gone or damaged is dropped, so the next print renders it again."""
    logger.warning("printout %s (%s) unreadable, dropped", printout.pk, printout.file.name)
    Printout.objects.filter(pk=printout.pk).delete()
