"""Printing fingerprints and sealed scans of a base's 汇总表 and development report.

The notice (二(二)) requires both documents to bear the management body's 公章. The base prints them,
seals them, scans them and uploads the scans. Each printed page carries a data fingerprint: a hash of
exactly the material printed. A scan remembers the fingerprint current when it was uploaded, so any
later change to the material shows the scan as outdated and the submit step refuses it.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from definitions.schema import Field
from exchange.models import Evidence, SealedScan
from exchange.scans import OnPage, ScanReading, scan_read
from jobs.services import job_start
from lib import authz
from lib.authz import Ask
from lib.fingerprints import data_fingerprint as data_fingerprint  # importable from here too
from lib.fingerprints import short_fingerprint
from lib.seals import seal_check
from reports.models import DevelopmentReport
from security.uploads import CheckedFile, upload_check
from submissions.models import Submission
from submissions.services import profile_for

MAX_SCAN_BYTES = 10 * 1024 * 1024
OUTDATED_TEXT = "已过期（材料在盖章后被修改，请重新打印盖章并上传）"
UNVERIFIED_TEXT = "未经二维码核验（系统启用核验前上传），请重新打印、盖章并上传"


# --- fingerprints (the pure functions live in lib.fingerprints) -----------------------------


def report_of(submission: Submission) -> DevelopmentReport | None:
    # Read afresh rather than through `submission.report`, which caches the row on the instance.
    return DevelopmentReport.objects.filter(submission_id=submission.pk).first()


def summary_fingerprint(submission: Submission) -> str:
    """The 汇总表 document: the summary form and its annex."""
    return data_fingerprint(submission_values=submission.values.all(), report=None)


def report_fingerprint(submission: Submission) -> str:
    return data_fingerprint(submission_values=(), report=report_of(submission))


def document_fingerprint(submission: Submission, kind: str) -> str:
    if kind == SealedScan.Kind.SUMMARY:
        return summary_fingerprint(submission)
    if kind == SealedScan.Kind.REPORT:
        return report_fingerprint(submission)
    raise ValueError(f"unknown document kind {kind!r}")


# --- state of the scans ------------------------------------------------------------------------


CHECKING_TEXT = "正在核验（读取各页二维码），请稍候刷新页面查看结果"


def document_problem(
    *, label: str, fingerprint: str, scan: SealedScan | None, attempt: SealedScan | None
) -> str | None:
    """What keeps one document's sealed scan from counting, in Chinese; None when it counts.

    `scan` is the live (accepted) scan, `attempt` a newer upload still being checked or refused. An
    upload being checked is not verified yet: it blocks until its verdict, even with an older scan
    that counts. A refused upload never counts, but does not take away the scan accepted before."""
    if attempt is not None and attempt.is_checking:
        return f"{label}盖章扫描件{CHECKING_TEXT}"
    refused = f"（最近一次上传未通过核验：{attempt.check_message}）" if attempt is not None else ""
    if scan is None:
        return f"缺少{label}盖章扫描件{refused}"
    if scan.fingerprint != fingerprint:
        return f"{label}盖章扫描件{OUTDATED_TEXT}{refused}"
    if not scan.is_verified:
        return f"{label}盖章扫描件{UNVERIFIED_TEXT}{refused}"
    return None


def scan_split(scans: Iterable[SealedScan]) -> tuple[dict[str, SealedScan], dict[str, SealedScan]]:
    """Rows of one material (the ones not superseded suffice) → (live scan by kind, newer upload being
    checked or refused by kind)."""
    live: dict[str, SealedScan] = {}
    newest: dict[str, SealedScan] = {}
    for scan in scans:
        if scan.superseded_at is not None:
            continue
        if scan.check_status == SealedScan.Check.ACCEPTED:
            live[scan.kind] = scan
        key = (scan.uploaded_at, scan.pk)
        if scan.kind not in newest or key > (newest[scan.kind].uploaded_at, newest[scan.kind].pk):
            newest[scan.kind] = scan
    attempts = {k: s for k, s in newest.items() if s.check_status != SealedScan.Check.ACCEPTED}
    return live, attempts


@dataclass(frozen=True)
class DocumentState:
    """One printed document: its fingerprint now, its live scan (if any), a newer upload being checked
    or refused (if any) and every earlier upload."""

    kind: str
    label: str
    fingerprint: str
    scan: SealedScan | None
    attempt: SealedScan | None
    history: tuple[SealedScan, ...]

    @property
    def short(self) -> str:
        return short_fingerprint(self.fingerprint)

    @property
    def is_checking(self) -> bool:
        return self.attempt is not None and self.attempt.is_checking

    @property
    def is_refused(self) -> bool:
        return self.attempt is not None and self.attempt.is_refused

    @property
    def is_current(self) -> bool:
        return self.scan is not None and self.scan.is_verified and self.scan.fingerprint == self.fingerprint

    @property
    def is_outdated(self) -> bool:
        return self.scan is not None and self.scan.fingerprint != self.fingerprint

    @property
    def is_unverified(self) -> bool:
        return self.scan is not None and not self.scan.is_verified and not self.is_outdated

    @property
    def problem(self) -> str | None:
        return document_problem(
            label=self.label, fingerprint=self.fingerprint, scan=self.scan, attempt=self.attempt
        )


def scan_states(submission: Submission) -> list[DocumentState]:
    """Both documents in print order, in three queries (values, report, scans)."""
    scans = list(SealedScan.objects.filter(submission=submission).select_related("uploaded_by", "check_job"))
    live, attempts = scan_split(scans)
    return [
        DocumentState(
            kind=kind,
            label=label,
            fingerprint=document_fingerprint(submission, kind),
            scan=live.get(kind),
            attempt=attempts.get(kind),
            history=tuple(s for s in scans if s.kind == kind),
        )
        for kind, label in SealedScan.Kind.choices
    ]


def scan_problems(submission: Submission) -> list[str]:
    """What keeps the sealed scans from being complete, in Chinese; empty when both are current."""
    return [p for p in (state.problem for state in scan_states(submission)) if p is not None]


# --- uploads -----------------------------------------------------------------------------------


SCAN_KINDS = ("pdf", "jpeg", "png")


def scan_file_check(upload: UploadedFile) -> CheckedFile:
    """Accept a PDF, JPG or PNG by its content (not its name) up to 10 MB, through the one upload check."""
    return upload_check(upload, accept=SCAN_KINDS, what="盖章扫描件", max_bytes=MAX_SCAN_BYTES)


def _clean_name(name: str) -> str:
    """The uploader's file name for display only: no path, no control characters, at most 200 chars."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (base or "扫描件")[-200:]


SCAN_CHECK = "exchange.scan_check"
CHECK_FAILED_TEXT = "核验时系统出错，未能读取扫描件，请重新上传；如仍不成功请联系系统管理员。"


def scan_upload(
    *, submission: Submission, user: User, kind: str, upload: UploadedFile, task: Callable[[int], Any]
) -> SealedScan:
    """Store a sealed scan of one document and start the reading of its QR codes on the task queue
    (`task`, which runs `scan_check`): rendering and decoding take seconds, never a web request's.

    What is quick to tell is refused at once, with the reason, before anything is stored: a file
    that is not a real PDF/JPG/PNG (security.uploads), a material that may not change, a report not
    yet written. The stored upload is `CHECKING` until its check records the verdict; only then may
    it clear the material's "missing scan" blocker."""
    with transaction.atomic():
        scan = scan_store(submission=submission, user=user, kind=kind, upload=upload)
        label = scan.get_kind_display()
        job = job_start(
            kind=SCAN_CHECK,
            title=f"核验盖章扫描件：{scan.submission.base.name}{label}",
            user=user,
            task=task,
            params={"scan": scan.pk, "submission": scan.submission_id, "kind": kind},
        )
        scan.check_job = job
        scan.save(update_fields=["check_job"])
    return scan


@transaction.atomic
def scan_store(*, submission: Submission, user: User, kind: str, upload: UploadedFile) -> SealedScan:
    """The upload stored as `CHECKING` (its file written, the upload audited); an earlier upload of
    the same document still waiting for its check, or refused, is replaced. The accepted scan stays
    the document's scan until this one is accepted."""
    if kind not in SealedScan.Kind.values:
        raise ValidationError("未知的文件类别。")
    checked = scan_file_check(upload)
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("base__authority", "campaign")
        .get(pk=submission.pk)
    )
    if not locked.is_editable:
        raise ValidationError(f"材料当前状态为“{locked.get_status_display()}”，不能上传扫描件。")
    authz.require(Ask.FILL, user, locked, message="只有本示范基地的填报员可以上传盖章扫描件。")
    if kind == SealedScan.Kind.REPORT and report_of(locked) is None:
        raise ValidationError("尚未编写发展情况报告：请先编写并打印报告，盖章后再上传扫描件。")
    now = timezone.now()
    SealedScan.objects.filter(
        submission=locked,
        kind=kind,
        superseded_at__isnull=True,
        check_status__in=[SealedScan.Check.CHECKING, SealedScan.Check.REFUSED],
    ).update(superseded_at=now)
    scan = SealedScan(
        submission=locked,
        kind=kind,
        original_name=_clean_name(upload.name or ""),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        fingerprint=document_fingerprint(locked, kind),
        check_status=SealedScan.Check.CHECKING,
        uploaded_by=user,
        uploaded_at=now,
    )
    upload.seek(0)
    scan.file.save("scan", upload, save=False)
    # The file is written before the row: if anything below fails, do not leave an orphan behind.
    try:
        scan.save()
        event_record(
            actor=user,
            action="exchange.scan_upload",
            summary=f"{locked.base.name}：上传{scan.get_kind_display()}盖章扫描件（待核验）",
            target=scan,
            base=locked.base,
            authority=locked.base.authority,
            data={
                "submission": locked.pk,
                "kind": kind,
                "name": scan.original_name,
                "size": scan.size,
                "sha256": scan.sha256,
                "fingerprint": scan.fingerprint,
            },
        )
    except Exception:
        scan.file.delete(save=False)
        raise
    return scan


def scan_check(*, scan_id: int, on_page: OnPage | None = None) -> SealedScan:
    """Read the QR codes of a stored upload and record the verdict: accepted (it becomes the
    document's scan, the one before it superseded) or refused with the reason in Chinese.

    The pages are read before the transaction: rendering and decoding take a moment, and no row
    (on SQLite, no database) is locked meanwhile. The fingerprint is compared under the lock, so a
    change saved since the upload, or while the scan was being read, refuses it as an older version.
    An upload replaced by a newer one meanwhile is left unchecked."""
    scan = SealedScan.objects.get(pk=scan_id)
    if not scan.is_checking or scan.superseded_at is not None:
        return scan
    reading: ScanReading | None = None
    refusal = ""
    try:
        with scan.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        refusal = "扫描件文件不存在（存储中找不到），请重新上传"
    else:
        if hashlib.sha256(data).hexdigest() != scan.sha256:
            refusal = "扫描件文件与上传时记录的校验值（SHA-256）不一致，请重新上传"
        else:
            try:
                reading = scan_read(data, scan.content_type, on_page)
            except ValidationError as exc:
                refusal = "；".join(m.rstrip("。") for m in exc.messages)
    return _scan_verdict_record(scan_id=scan_id, reading=reading, refusal=refusal)


@transaction.atomic
def _scan_verdict_record(*, scan_id: int, reading: ScanReading | None, refusal: str) -> SealedScan:
    scan = SealedScan.objects.select_related("submission").get(pk=scan_id)
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("base__authority", "campaign")
        .get(pk=scan.submission_id)
    )
    scan = SealedScan.objects.select_for_update().get(pk=scan_id)
    if not scan.is_checking or scan.superseded_at is not None:
        return scan
    fingerprint = document_fingerprint(submission, scan.kind)
    pages: int = 0
    unreadable: tuple[int, ...] = ()
    if not refusal and not submission.is_editable:
        refusal = f"核验时材料状态已为“{submission.get_status_display()}”，不能再更换扫描件"
    if not refusal and scan.kind == SealedScan.Kind.REPORT and report_of(submission) is None:
        refusal = "尚未编写发展情况报告"
    if not refusal and reading is not None:
        verdict = seal_check(
            kind=scan.kind, submission=submission.pk, fingerprint=fingerprint, scanned=reading.pages
        )
        pages, unreadable = verdict.pages, verdict.unreadable
        if not verdict.accepted:
            refusal = verdict.message
    now = timezone.now()
    if not refusal:
        for previous in SealedScan.objects.select_for_update().filter(
            submission=submission, kind=scan.kind, superseded_at__isnull=True,
            check_status=SealedScan.Check.ACCEPTED,
        ):  # fmt: skip
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
        scan.check_status, scan.verified_pages, scan.fingerprint = (
            SealedScan.Check.ACCEPTED,
            pages,
            fingerprint,
        )
    else:
        scan.check_status, scan.check_message = SealedScan.Check.REFUSED, refusal
    scan.checked_at = now
    scan.save(update_fields=["check_status", "verified_pages", "fingerprint", "check_message", "checked_at"])
    label = scan.get_kind_display()
    event_record(
        actor=scan.uploaded_by,
        action="exchange.scan_check",
        summary=(
            f"{submission.base.name}：{label}盖章扫描件通过二维码核验（{pages} 页）"
            if not refusal
            else f"{submission.base.name}：{label}盖章扫描件未通过核验：{refusal}"
        )[:300],
        target=scan,
        base=submission.base,
        authority=submission.base.authority,
        data={
            "submission": submission.pk,
            "kind": scan.kind,
            "sha256": scan.sha256,
            "fingerprint": fingerprint,
            "verified_pages": pages if not refusal else None,
            "unreadable_pages": list(unreadable),
            "reason": refusal,
        },
        outcome="success" if not refusal else "refused",
    )
    return scan


def scan_upload_checked(*, submission: Submission, user: User, kind: str, upload: UploadedFile) -> SealedScan:
    """Store an upload and check it at once, in this process: for demo data and fixtures that
    need a scan with its verdict, never for a web request. Returns the upload, accepted or refused."""
    scan = scan_store(submission=submission, user=user, kind=kind, upload=upload)
    return scan_check(scan_id=scan.pk)


def scan_check_abandon(*, scan_id: int) -> None:
    """The check itself failed (a fault, not a verdict): the upload is refused so that the page does
    not wait for it forever, and the user is asked to upload again."""
    SealedScan.objects.filter(
        pk=scan_id, check_status=SealedScan.Check.CHECKING, superseded_at__isnull=True
    ).update(
        check_status=SealedScan.Check.REFUSED, check_message=CHECK_FAILED_TEXT, checked_at=timezone.now()
    )


SCAN_CORRUPT_MESSAGE = (
    "该扫描件的存储文件与上传时记录的校验值（SHA-256）不一致，可能已被篡改或损坏，系统拒绝提供。"
    "此事已记入审计日志，请联系系统管理员。"
)


def scan_download_record(*, scan: SealedScan, user: User, intact: bool) -> None:
    """Every view or download of a scan is audited; a digest mismatch is recorded as refused."""
    submission = scan.submission
    event_record(
        actor=user,
        action="exchange.scan_download",
        summary=f"{submission.base.name}：查看{scan.get_kind_display()}盖章扫描件"
        + ("" if intact else "（文件校验失败，已拒绝）"),
        target=scan,
        base=submission.base,
        authority=submission.base.authority,
        data={"submission": submission.pk, "sha256": scan.sha256},
        outcome="success" if intact else "refused",
    )


def evidence_download_record(*, evidence: Evidence, user: User, intact: bool) -> None:
    """Every download of a supporting document is audited; a digest mismatch is recorded as refused."""
    submission = evidence.submission
    event_record(
        actor=user,
        action="exchange.evidence_download",
        summary=f"{submission.base.name}：下载证明材料（{evidence.code}）"
        + ("" if intact else "（文件校验失败，已拒绝）"),
        target=evidence,
        base=submission.base,
        authority=submission.base.authority,
        data={"submission": submission.pk, "sha256": evidence.sha256},
        outcome="success" if intact else "refused",
    )


def print_record(*, submission: Submission, user: User, kind: str, fingerprint: str) -> None:
    """Who printed which version: the fingerprint on a sealed page can be traced to a print."""
    label = SealedScan.Kind(kind).label
    event_record(
        actor=user,
        action="exchange.print",
        summary=f"{submission.base.name}：打印{label}（数据指纹 {short_fingerprint(fingerprint)}）",
        target=submission,
        base=submission.base,
        authority=submission.base.authority,
        data={"kind": kind, "fingerprint": fingerprint},
    )


# --- supporting documents at an item (附表6 证明材料) -------------------------------------------------

EVIDENCE_PER_ITEM = 5  # ours (系统提示): a licence, a test report, a diagram … not a document archive


def evidence_fields(submission: Submission) -> list[tuple[str, Field]]:
    """(form code, field) of every item of the material that asks for supporting documents."""
    profile = profile_for(submission.base)
    found: list[tuple[str, Field]] = []
    for definition in submission.definitions():
        parsed = definition.parsed()
        if not parsed.applies_to(profile):
            continue
        found.extend(
            (parsed.code, fld)
            for fld in parsed.fields()
            if fld.evidence and parsed.status_for(fld, profile) != "hidden"
        )
    return found


def evidence_by_item(submission: Submission) -> dict[tuple[str, str], list[Evidence]]:
    """The live documents of a material, per (form, code), oldest first (one query)."""
    grouped: dict[tuple[str, str], list[Evidence]] = {}
    for item in submission.evidence.filter(removed_at__isnull=True).order_by("uploaded_at", "id"):
        grouped.setdefault((item.form, item.code), []).append(item)
    return grouped


def evidence_missing(submission: Submission) -> list[tuple[str, Field]]:
    """The items asking for 证明材料 that have none yet. Shown on the submit page and to reviewers; not a
    blocker: the notice asks for the documents, but a base without, say, a third-party report must
    still be able to report, and its reviewer judges (a rule of ours, 系统提示)."""
    present = evidence_by_item(submission)
    return [(form, fld) for form, fld in evidence_fields(submission) if not present.get((form, fld.code))]


@transaction.atomic
def evidence_upload(
    *, submission: Submission, user: User, form: str, code: str, upload: UploadedFile
) -> Evidence:
    """Attach a supporting document to an item that asks for one, checked like a sealed scan."""
    fields = {(f, fld.code): fld for f, fld in evidence_fields(submission)}
    fld = fields.get((form, code))
    if fld is None:
        raise ValidationError("该指标无需上传证明材料。")
    # The one upload check (security.uploads), as for sealed scans.
    checked = upload_check(upload, accept=SCAN_KINDS, what="证明材料", max_bytes=MAX_SCAN_BYTES)
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("base__authority")
        .get(pk=submission.pk)
    )
    if not authz.allows(Ask.FILL, user, locked):
        if locked.is_editable:
            raise PermissionDenied("只有本示范基地的填报员可以上传证明材料。")
        raise ValidationError(f"材料当前状态为“{locked.get_status_display()}”，不能上传证明材料。")
    live = Evidence.objects.filter(submission=locked, form=form, code=code, removed_at__isnull=True).count()
    if live >= EVIDENCE_PER_ITEM:
        raise ValidationError(f"每项最多上传 {EVIDENCE_PER_ITEM} 个文件，请先删除不需要的文件。")
    item = Evidence(
        submission=locked,
        form=form,
        code=code,
        original_name=_clean_name(upload.name or ""),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    upload.seek(0)
    item.file.save("evidence", upload, save=False)
    try:
        item.save()
        event_record(
            actor=user,
            action="exchange.evidence_upload",
            summary=f"{locked.base.name}：上传证明材料（{fld.label}）",
            target=item,
            base=locked.base,
            authority=locked.base.authority,
            data={"submission": locked.pk, "form": form, "code": code, "name": item.original_name,
                  "size": item.size, "sha256": item.sha256},
        )  # fmt: skip
    except Exception:
        item.file.delete(save=False)
        raise
    return item


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user: User) -> None:
    """Withdraw a document while the material may change; the row and file stay for the audit trail."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("base__authority")
        .get(pk=evidence.submission_id)
    )
    if not authz.allows(Ask.FILL, user, locked):
        raise PermissionDenied("只有本示范基地的填报员可以在材料可修改时删除证明材料。")
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.removed_at is not None:
        return
    evidence.removed_at = timezone.now()
    evidence.save(update_fields=["removed_at"])
    event_record(
        actor=user,
        action="exchange.evidence_remove",
        summary=f"{locked.base.name}：删除证明材料 {evidence.original_name}",
        target=evidence,
        base=locked.base,
        authority=locked.base.authority,
        data={
            "submission": locked.pk,
            "form": evidence.form,
            "code": evidence.code,
            "sha256": evidence.sha256,
        },
    )
