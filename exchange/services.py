"""Printing fingerprints and sealed scans of a base's 汇总表 and development report.

The notice (二(二)) requires both documents to bear the management body's 公章. The base prints them,
seals them, scans them and uploads the scans. Each printed page carries a data fingerprint: a hash of
exactly the material printed. A scan remembers the fingerprint current when it was uploaded, so any
later change to the material shows the scan as outdated and the submit step refuses it.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from definitions.schema import Field
from exchange.models import Evidence, SealedScan
from exchange.scans import ScanReading, scan_read
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


@dataclass(frozen=True)
class DocumentState:
    """One printed document: its fingerprint now, its live scan (if any) and every earlier upload."""

    kind: str
    label: str
    fingerprint: str
    scan: SealedScan | None
    history: tuple[SealedScan, ...]

    @property
    def short(self) -> str:
        return short_fingerprint(self.fingerprint)

    @property
    def is_current(self) -> bool:
        return self.scan is not None and self.scan.is_verified and self.scan.fingerprint == self.fingerprint

    @property
    def is_outdated(self) -> bool:
        return self.scan is not None and self.scan.fingerprint != self.fingerprint

    @property
    def is_unverified(self) -> bool:
        return self.scan is not None and not self.scan.is_verified and not self.is_outdated


def scan_states(submission: Submission) -> list[DocumentState]:
    """Both documents in print order, in three queries (values, report, scans)."""
    scans = list(SealedScan.objects.filter(submission=submission).select_related("uploaded_by"))
    states = []
    for kind, label in SealedScan.Kind.choices:
        mine = tuple(s for s in scans if s.kind == kind)
        live = next((s for s in mine if s.superseded_at is None), None)
        states.append(
            DocumentState(
                kind=kind,
                label=label,
                fingerprint=document_fingerprint(submission, kind),
                scan=live,
                history=mine,
            )
        )
    return states


def scan_problems(submission: Submission) -> list[str]:
    """What keeps the sealed scans from being complete, in Chinese; empty when both are current."""
    problems = []
    for state in scan_states(submission):
        if state.scan is None:
            problems.append(f"缺少{state.label}盖章扫描件")
        elif state.is_outdated:
            problems.append(f"{state.label}盖章扫描件{OUTDATED_TEXT}")
        elif state.is_unverified:
            problems.append(f"{state.label}盖章扫描件{UNVERIFIED_TEXT}")
    return problems


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


def scan_upload(*, submission: Submission, user: User, kind: str, upload: UploadedFile) -> SealedScan:
    """Store a sealed scan of one document once its QR codes show every page of the document's
    current version (exchange.scans, lib.seals); refuse it with the reason otherwise. The previous
    live scan of the same kind is kept and marked superseded.

    The pages are read before the transaction: rendering and decoding take a moment, and no row
    (on SQLite, no database) is locked meanwhile. The fingerprint is compared again under the lock,
    so a change saved while the scan was being read makes it refused as an older version."""
    if kind not in SealedScan.Kind.values:
        raise ValidationError("未知的文件类别。")
    checked = scan_file_check(upload)
    upload.seek(0)
    reading = scan_read(upload.read(), checked.content_type)
    with transaction.atomic():
        return _scan_store(submission=submission, user=user, kind=kind, upload=upload, checked=checked,
                           reading=reading)  # fmt: skip


def _scan_store(
    *,
    submission: Submission,
    user: User,
    kind: str,
    upload: UploadedFile,
    checked: CheckedFile,
    reading: ScanReading,
) -> SealedScan:
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("base__authority", "campaign")
        .get(pk=submission.pk)
    )
    if not submission.is_editable:
        raise ValidationError(f"材料当前状态为“{submission.get_status_display()}”，不能上传扫描件。")
    if kind == SealedScan.Kind.REPORT and report_of(submission) is None:
        raise ValidationError("尚未编写发展情况报告：请先编写并打印报告，盖章后再上传扫描件。")
    fingerprint = document_fingerprint(submission, kind)
    verdict = seal_check(kind=kind, submission=submission.pk, fingerprint=fingerprint, scanned=reading.pages)
    if not verdict.accepted:
        raise ValidationError(f"扫描件未通过核验：{verdict.message}。")
    now = timezone.now()
    for previous in SealedScan.objects.select_for_update().filter(
        submission=submission, kind=kind, superseded_at__isnull=True
    ):
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    scan = SealedScan(
        submission=submission,
        kind=kind,
        original_name=_clean_name(upload.name or ""),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        fingerprint=fingerprint,
        verified_pages=verdict.pages,
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
            summary=f"{submission.base.name}：上传{scan.get_kind_display()}盖章扫描件（核验 {verdict.pages} 页）",
            target=scan,
            base=submission.base,
            authority=submission.base.authority,
            data={
                "submission": submission.pk,
                "kind": kind,
                "name": scan.original_name,
                "size": scan.size,
                "sha256": scan.sha256,
                "fingerprint": fingerprint,
                "verified_pages": verdict.pages,
                "unreadable_pages": list(verdict.unreadable),
            },
        )
    except Exception:
        scan.file.delete(save=False)
        raise
    return scan


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
