"""Test helpers: a document printed exactly as the print pages print it, and that print passed
through a "scanner" (pages rendered to images, turned and scaled a little, JPEG-compressed, put back
into a PDF), as a base's sealed scan arrives."""

from __future__ import annotations

import io
from collections.abc import Collection
from typing import Any

import pypdfium2 as pdfium
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from PIL import Image

from exchange.models import SealedScan
from exchange.printouts import document_pdf
from exchange.scan_jobs import scan_check_work
from exchange.services import scan_upload
from exchange.tasks import scan_check_task
from jobs.services import job_execute
from submissions.models import Submission


def printed_pdf(submission: Submission, kind: str) -> bytes:
    """The document `kind` ("summary" or "report") as the print page would give it now."""
    return document_pdf(submission=submission, kind=kind)[1]


def print_through_queue(client: Client, url: str, capture: Any) -> HttpResponse:
    """A print as a browser makes it: the first request queues the render and answers with the page
    that waits (202); the queue runs it (`capture`: pytest-django's django_capture_on_commit_callbacks);
    the page then asks again and gets the PDF."""
    with capture(execute=True):
        waiting = client.get(url)
    assert waiting.status_code == 202, waiting.status_code
    return client.get(url)


def scanned(
    data: bytes,
    *,
    dpi: int = 150,
    rotate: float = 0.0,
    scale: float = 1.0,
    skip: Collection[int] = (),
    extra: bytes | None = None,
    as_image: bool = False,
    image_format: str = "JPEG",
) -> bytes:
    """`data` (a PDF) as a scanner returns it: each page (1-based numbers in `skip` left out) a
    grayscale picture at `dpi`, turned by `rotate` degrees and scaled by `scale` on white paper,
    JPEG-compressed, put together into one PDF (or, with `as_image`, the first page as a JPG).
    `extra`: the pages of another PDF appended, as when two prints are scanned together."""
    images: list[Image.Image] = []
    for source in (data, extra) if extra else (data,):
        document = pdfium.PdfDocument(source)
        for index in range(len(document)):
            if source is data and index + 1 in skip:
                continue
            page = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            width, height = page.size
            if scale != 1.0:
                page = page.resize((int(width * scale), int(height * scale)), Image.Resampling.BILINEAR)
            if rotate:
                page = page.rotate(rotate, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
            sheet = Image.new("L", (max(width, page.width), max(height, page.height)), 255)
            sheet.paste(page, ((sheet.width - page.width) // 2, (sheet.height - page.height) // 2))
            # Through JPEG once, as a scanner stores it.
            buffer = io.BytesIO()
            sheet.save(buffer, format="JPEG", quality=70)
            images.append(Image.open(io.BytesIO(buffer.getvalue())))
        document.close()
    out = io.BytesIO()
    if as_image:
        images[0].save(out, format=image_format)
    else:
        images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def scan_file(content: bytes, name: str = "盖章扫描件.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def printed_upload(submission: Submission, kind: str) -> SimpleUploadedFile:
    """The current print of `kind` as an upload: what a scan of every page shows."""
    return scan_file(printed_pdf(submission, kind), f"{kind}.pdf")


def upload_checked(submission: Submission, user, kind: str, upload) -> SealedScan:
    """An upload as the scans page makes it (stored, its check started as a job), then that job run
    as the queue's consumer runs it. Returns the upload with its verdict. A file the request itself
    refuses raises ValidationError, as on the page."""
    scan = scan_upload(submission=submission, user=user, kind=kind, upload=upload, task=scan_check_task)
    assert scan.is_checking and scan.check_job_id is not None
    job_execute(scan.check_job_id, scan_check_work)
    scan.refresh_from_db()
    return scan
