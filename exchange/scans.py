"""Reading the QR codes back from a sealed scan: which printed pages does it show?

A scan arrives as a PDF (each page rendered with pypdfium2, the PDF engine of Chromium) or as one
JPG/PNG image (Pillow). Each page is read with zxing-cpp, which finds QR codes turned, tilted or
scaled as a scanner leaves them. What the codes must say is decided by lib.seals.seal_check.
Runs after security.uploads has checked the file, so only a well-formed file reaches the renderer.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from lib.seals import SealVerdict, seal_check

# Pages are rendered so their long side has this many pixels: an A4 page at about 170 dpi, where a
# 24 mm code has 4 pixels a module. Large enough to read, small enough to stay quick (~30 ms a page).
RENDER_LONG_SIDE = 2000
# A sealed 汇总表 has about ten pages, a report two or three; a scan of hundreds is not one of ours.
MAX_SCAN_PAGES = 200


@dataclass(frozen=True)
class ScanReading:
    pages: tuple[tuple[str, ...], ...]  # per scanned page, the text of every QR code found on it


QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

# PDFium is not thread-safe, not even across documents: two threads of one process in it at once
# crash the process (a threaded server's worker or the task queue's consumer, with everything it was
# doing). Every PDFium call of the process goes through this lock; reading the codes of a page does not.
_PDFIUM = threading.Lock()


def _codes(image: Image.Image) -> tuple[str, ...]:
    gray = image.convert("L")
    found = zxingcpp.read_barcodes(gray, formats=QR, try_rotate=True)
    if not found:
        # A faint or noisy scan: a second look with the contrast stretched.
        found = zxingcpp.read_barcodes(ImageOps.autocontrast(gray, cutoff=1), formats=QR, try_rotate=True)
    return tuple(r.text for r in found if r.valid)


# Told (page number, pages in all) before each page is read: the check's progress bar.
OnPage = Callable[[int, int], None]


def _render(document: pdfium.PdfDocument, index: int) -> Image.Image:
    """One page as a grey image of its own (no buffer shared with PDFium). Call under _PDFIUM."""
    page = document[index]
    try:
        width, height = page.get_size()
        bitmap = page.render(scale=RENDER_LONG_SIDE / max(width, height, 1), grayscale=True)
        try:
            return bitmap.to_pil().convert("L")  # a copy: the bitmap is closed below
        finally:
            bitmap.close()
    finally:
        page.close()


def _pdf_pages(data: bytes, on_page: OnPage | None = None) -> list[tuple[str, ...]]:
    with _PDFIUM:
        document = pdfium.PdfDocument(data)
    try:
        with _PDFIUM:
            count = len(document)
        if count > MAX_SCAN_PAGES:
            raise ValidationError(f"扫描件超过 {MAX_SCAN_PAGES} 页，不是本系统打印材料的扫描件。")
        out = []
        for index in range(count):
            if on_page is not None:
                on_page(index + 1, count)
            with _PDFIUM:
                image = _render(document, index)
            out.append(_codes(image))  # zxing-cpp is thread-safe: outside the lock
        return out
    finally:
        with _PDFIUM:
            document.close()


def _image_pages(data: bytes) -> list[tuple[str, ...]]:
    with Image.open(io.BytesIO(data)) as opened:
        image: Image.Image = ImageOps.exif_transpose(opened)
        if max(image.size) > 2 * RENDER_LONG_SIDE:
            image.thumbnail((2 * RENDER_LONG_SIDE, 2 * RENDER_LONG_SIDE))
        return [_codes(image)]


def scan_read(data: bytes, content_type: str, on_page: OnPage | None = None) -> ScanReading:
    """The codes on each page of a scan that has passed the upload check."""
    try:
        if content_type == "application/pdf":
            pages = _pdf_pages(data, on_page)
        else:
            if on_page is not None:
                on_page(1, 1)
            pages = _image_pages(data)
    except ValidationError:
        raise
    except Exception as exc:  # pdfium or Pillow could not read what the upload check let through
        raise ValidationError("无法读取扫描件的页面内容，请重新扫描后上传（PDF、JPG 或 PNG）。") from exc
    return ScanReading(tuple(pages))


def scan_verdict(
    *, data: bytes, content_type: str, kind: str, submission: int, fingerprint: str
) -> SealVerdict:
    """Does this scan show every page of the current version of the document? (see lib.seals)"""
    reading = scan_read(data, content_type)
    return seal_check(kind=kind, submission=submission, fingerprint=fingerprint, scanned=reading.pages)
