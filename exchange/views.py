"""Printing the 汇总表 and the development report for sealing, and the sealed scans' page."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from exchange.forms import EvidenceForm, SealedScanForm
from exchange.models import Printout, SealedScan
from exchange.printouts import STALE_TEXT, printout_discard, printout_request
from exchange.services import (
    SCAN_CORRUPT_MESSAGE,
    evidence_by_item,
    evidence_download_record,
    evidence_fields,
    evidence_remove,
    evidence_upload,
    print_record,
    scan_download_record,
    scan_states,
    scan_upload,
)
from exchange.tasks import printout_render_task, scan_check_task
from jobs.models import Job
from permissions.access import access_evidence, access_printout, access_sealed_scan, access_submission
from permissions.checks import can_see_contacts, can_upload_scan
from security.uploads import StoredFileCorrupt, stored_file_response

R = TypeVar("R", bound=HttpResponseBase)


def _private(response: R) -> R:
    # Base material is not public: never cached by a proxy, never sniffed into another type.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _private(response)


def _print(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """The document as the material now stands: served at once when this version was rendered before,
    otherwise rendered on the task queue while a page shows its progress and then fetches it."""
    submission = access_submission(request.user, pk)
    printout = printout_request(
        submission=submission,
        user=request.user,
        kind=kind,
        masked=not can_see_contacts(request.user, submission),
        task=printout_render_task,
    )
    if not printout.is_ready and printout.job is not None and printout.job.finished:
        printout.refresh_from_db()  # a queue that runs at once (tests, a single-process install)
    if printout.is_ready:
        label = SealedScan.Kind(kind).label
        try:
            response = stored_file_response(
                file=printout.file,
                sha256=printout.sha256,
                content_type="application/pdf",
                filename=f"{label}_{submission.base.name}_{printout.short_fingerprint}.pdf",
            )
        except (FileNotFoundError, StoredFileCorrupt):
            printout_discard(printout=printout)
            return redirect(request.get_full_path())
        print_record(submission=submission, user=request.user, kind=kind, fingerprint=printout.fingerprint)
        return response
    return _private(
        render(
            request,
            "exchange/printout_wait.html",
            {
                "submission": submission,
                "printout": printout,
                "state": printout_state_json(printout),
                "label": SealedScan.Kind(kind).label,
                "print_url": request.get_full_path(),
            },
            status=202,
        )
    )


@login_required
@require_GET
def summary_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _print(request, pk, SealedScan.Kind.SUMMARY)


@login_required
@require_GET
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _print(request, pk, SealedScan.Kind.REPORT)


def printout_state_json(printout: Printout) -> dict[str, Any]:
    """A render as its page polls it: the job's progress while it runs; ready, failed or stale after."""
    job = printout.job
    return {
        "status": printout.status,
        "status_display": printout.get_status_display(),
        "ready": printout.is_ready,
        "failed": printout.is_failed,
        "stale": printout.is_failed and printout.message == STALE_TEXT,
        "queued": job is None or job.status == Job.Status.QUEUED,
        "percent": 100 if printout.is_ready else (job.percent if job is not None else 0),
        "step": "" if printout.is_ready else ((job.step if job is not None else "") or "排队等待生成…"),
        "message": printout.message,
    }


@login_required
@require_GET
def printout_state(request: AuthenticatedHttpRequest, pk: int, printout_pk: int) -> JsonResponse:
    """Polled by the page that waits for a printout; seen by whoever sees the material."""
    printout = access_printout(request.user, pk, printout_pk)
    return _private(JsonResponse(printout_state_json(printout)))


@login_required
@require_http_methods(["GET", "POST"])
def scans(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    may_upload = can_upload_scan(request.user, submission)
    forms = {kind: SealedScanForm(prefix=kind) for kind in SealedScan.Kind.values}
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied("只有本示范基地的填报员可以在材料可修改时上传盖章扫描件。")
        kind = request.POST.get("kind", "")
        if kind not in forms:
            messages.error(request, "未知的文件类别，请重新选择。")
            return redirect("exchange:scans", pk=submission.pk)
        form = SealedScanForm(request.POST, request.FILES, prefix=kind)
        forms[kind] = form
        if form.is_valid():
            try:
                scan = scan_upload(
                    submission=submission,
                    user=request.user,
                    kind=kind,
                    upload=form.cleaned_data["file"],
                    task=scan_check_task,
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(
                    request,
                    f"{scan.get_kind_display()}盖章扫描件已上传，正在核验各页二维码；本页显示核验进度和结果。",
                )
                return redirect(f"{reverse('exchange:scans', args=[submission.pk])}#scan-{kind}")
    documents = [(state, forms[state.kind]) for state in scan_states(submission)]
    return _private(
        render(
            request,
            "exchange/scans.html",
            {"submission": submission, "documents": documents, "may_upload": may_upload},
        )
    )


def scan_check_state_json(scan: SealedScan) -> dict[str, Any]:
    """The check of one upload as its page polls it: the job's progress while it runs, the verdict after."""
    job = scan.check_job
    running = scan.is_checking and scan.superseded_at is None
    percent = job.percent if job is not None else 0
    return {
        "check_status": scan.check_status,
        "check_display": scan.get_check_status_display(),
        "finished": not running,
        "queued": job is None or job.status == Job.Status.QUEUED,
        "percent": 100 if not running else percent,
        "done": job.done if job is not None else 0,
        "total": job.total if job is not None else 0,
        "step": (job.step if job is not None else "") if running else "",
        "message": scan.check_message,
    }


@login_required
@require_GET
def scan_check_state(request: AuthenticatedHttpRequest, pk: int, scan_pk: int) -> JsonResponse:
    """Polled by the scans page while an upload is being checked; seen by whoever sees the material."""
    scan = access_sealed_scan(request.user, pk, scan_pk)
    return _private(JsonResponse(scan_check_state_json(scan)))


@login_required
@require_GET
@xframe_options_sameorigin  # an image scan is shown inside the scans page, never framed by another site
def scan_file(request: AuthenticatedHttpRequest, pk: int, scan_pk: int) -> HttpResponseBase:
    """The stored scan after its digest is checked: an image inline under a sandbox, a PDF as a download
    (a browser's PDF viewer cannot run sandboxed, and a PDF must never run in the site's origin)."""
    scan = access_sealed_scan(request.user, pk, scan_pk)
    extension = (scan.file.name or "").rsplit(".", 1)[-1]
    name = f"{scan.get_kind_display()}盖章扫描件_{scan.submission.base.name}.{extension}"
    try:
        response = stored_file_response(
            file=scan.file, sha256=scan.sha256, content_type=scan.content_type, filename=name
        )
    except FileNotFoundError:
        raise Http404("扫描件文件不存在，请联系系统管理员。") from None
    except StoredFileCorrupt:
        scan_download_record(scan=scan, user=request.user, intact=False)
        return render(
            request,
            "errors/plain.html",
            {"title": "文件校验失败", "message": SCAN_CORRUPT_MESSAGE},
            status=500,
        )
    scan_download_record(scan=scan, user=request.user, intact=True)
    return response


# --- supporting documents at the items that ask for them (附表6 证明材料) -----------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload slots for every item whose notice text asks for 证明材料; read-only for reviewers."""
    submission = access_submission(request.user, pk)
    may_upload = can_upload_scan(request.user, submission)
    slots = evidence_fields(submission)
    failed: dict[tuple[str, str], EvidenceForm] = {}
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied("只有本示范基地的填报员可以在材料可修改时上传证明材料。")
        form_code, code = request.POST.get("form", ""), request.POST.get("code", "")
        if "remove" in request.POST:
            item = access_evidence(request.user, submission.pk, request.POST.get("remove", ""))
            evidence_remove(evidence=item, user=request.user)
            messages.success(request, f"已删除证明材料 {item.original_name}。")
            return redirect(f"{reverse('exchange:evidence', args=[submission.pk])}#ev-{item.code}")
        upload_form = EvidenceForm(request.POST, request.FILES, prefix=f"{form_code}-{code}")
        if upload_form.is_valid():
            try:
                item = evidence_upload(
                    submission=submission,
                    user=request.user,
                    form=form_code,
                    code=code,
                    upload=upload_form.cleaned_data["file"],
                )
            except ValidationError as exc:
                upload_form.add_error("file", exc)
            else:
                messages.success(request, f"证明材料 {item.original_name} 已上传。")
                return redirect(f"{reverse('exchange:evidence', args=[submission.pk])}#ev-{code}")
        failed[(form_code, code)] = upload_form
    files = evidence_by_item(submission)
    rows = [
        {
            "form": form_code,
            "field": fld,
            "files": files.get((form_code, fld.code), []),
            "upload": failed.get((form_code, fld.code)) or EvidenceForm(prefix=f"{form_code}-{fld.code}"),
        }
        for form_code, fld in slots
    ]
    return render(
        request,
        "exchange/evidence.html",
        {"submission": submission, "rows": rows, "may_upload": may_upload},
    )


@login_required
@require_GET
def evidence_file(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """A supporting document after its digest is checked, served like a sealed scan."""
    item = access_evidence(request.user, pk, evidence_pk)
    extension = (item.file.name or "").rsplit(".", 1)[-1]
    name = f"证明材料_{item.code}_{item.submission.base.name}.{extension}"
    try:
        response = stored_file_response(
            file=item.file, sha256=item.sha256, content_type=item.content_type, filename=name
        )
    except FileNotFoundError:
        raise Http404("证明材料文件不存在，请联系系统管理员。") from None
    except StoredFileCorrupt:
        evidence_download_record(evidence=item, user=request.user, intact=False)
        return render(
            request,
            "errors/plain.html",
            {
                "title": "文件校验失败",
                "message": "该证明材料文件校验失败（内容与上传时不一致），请联系系统管理员。",
            },
            status=500,
        )
    evidence_download_record(evidence=item, user=request.user, intact=True)
    return response
