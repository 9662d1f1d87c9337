"""The one check every uploaded file goes through, and the one way a stored upload is served back.

`upload_check(upload, accept=("pdf", "png", "jpeg"))` accepts a file only by its content: the type
is detected from the bytes, the extension must agree, a PDF must parse (pypdf) and carry no script,
automatic or launch action, embedded file or encryption, an image must decode completely (Pillow)
with nothing appended after its end, an Excel or Word file must be a well-formed package without
macros or embedded objects, and no file may exceed `UPLOAD_MAX_BYTES`. Refusals are Django
`ValidationError`s with a Chinese message saying what is wrong and what to do.

`stored_file_response(...)` serves a stored upload after recomputing its SHA-256 against the digest
recorded at upload time: images inline under a sandboxing Content-Security-Policy, everything else as
an attachment, never sniffed into another type, never cached.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.http import content_disposition_header


@dataclass(frozen=True)
class FileKind:
    key: str
    mime: str
    extensions: tuple[str, ...]
    label: str  # in a sentence: "内容实际是 PNG 图片"
    short: str  # in a list: "PDF、JPG 或 PNG"


KINDS: dict[str, FileKind] = {
    kind.key: kind
    for kind in (
        FileKind("pdf", "application/pdf", ("pdf",), "PDF", "PDF"),
        FileKind("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPG 图片", "JPG"),
        FileKind("png", "image/png", ("png",), "PNG 图片", "PNG"),
        FileKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ("xlsx",),
            "Excel 工作簿（.xlsx）",
            "Excel（.xlsx）",
        ),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
            "Word 文档（.docx）",
            "Word（.docx）",
        ),
    )
}
IMAGE_KINDS = frozenset({"jpeg", "png"})
# A scanned A4 page at 600 dpi is about 35 million pixels; anything far beyond is a decompression bomb.
MAX_IMAGE_PIXELS = 80_000_000
# Unpacked size of an Office package: a generous workbook is tens of MB; a zip bomb is far more.
MAX_PACKAGE_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_PACKAGE_ENTRIES = 20_000
MAX_PDF_OBJECTS = 500_000

# Markup that makes a file dangerous if a browser ever renders it as HTML (a polyglot).
_MARKUP = re.compile(rb"<(?:script|html[\s>]|body[\s>]|iframe|object|embed|svg[\s>])|javascript:", re.I)

# PDF names that mean active content: scripts, automatic actions, launching programs, attachments.
_PDF_SCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})
_PDF_SCRIPT_ACTIONS = frozenset({"/JavaScript", "/Rendition", "/RichMediaExecute"})
_PDF_LAUNCH_ACTIONS = frozenset({"/Launch", "/ImportData", "/SubmitForm", "/GoToE"})
_PDF_EMBED_KEYS = frozenset({"/EmbeddedFiles", "/EF", "/RichMedia", "/XFA"})


@dataclass(frozen=True)
class CheckedFile:
    """What the check found: the detected type, its usual extension, the size and the SHA-256 (hex)."""

    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS


def upload_max_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def megabytes(size: int) -> str:
    value = size / 1024 / 1024
    return f"{value:.0f}MB" if value == int(value) else f"{value:.1f}MB"


def accepted_labels(accept: Iterable[str]) -> str:
    labels = [KINDS[key].short for key in accept]
    return labels[0] if len(labels) == 1 else "、".join(labels[:-1]) + " 或 " + labels[-1]


def _read_bytes(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks()) if isinstance(upload, UploadedFile) else upload.read()
    upload.seek(0)
    return data


def _detect(data: bytes, accept: Collection[str]) -> str | None:
    """The kind the bytes are, among those known; Office packages are told apart by their parts."""
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "zip"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    guess = filetype.guess(data[:8192])
    if guess is None:
        return None
    for kind in KINDS.values():
        if kind.mime == guess.mime:
            return kind.key
    return guess.extension


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def upload_check(
    upload: IO[bytes],
    *,
    accept: Collection[str] = ("pdf", "jpeg", "png"),
    what: str = "文件",
    max_bytes: int | None = None,
) -> CheckedFile:
    """Accept `upload` only if its content is one of `accept` (keys of KINDS) and safe to keep and
    serve; otherwise raise ValidationError with a Chinese message naming `what` was being uploaded."""
    unknown = set(accept) - KINDS.keys()
    if unknown:
        raise ValueError(f"unknown upload kinds {sorted(unknown)}")
    limit = min(max_bytes or upload_max_bytes(), upload_max_bytes())
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        raise _refuse(f"文件为空，请选择要上传的{what}。", "empty")
    if size > limit:
        raise _refuse(
            f"文件大小为 {megabytes(size)}，超过 {megabytes(limit)} 的上限，请压缩或降低扫描分辨率后重新上传。",
            "too_large",
        )
    data = _read_bytes(upload)
    allowed = accepted_labels(accept)
    detected = _detect(data, accept)
    if detected is None or detected not in accept:
        actual = f"（该文件的实际内容为 {str(detected).upper()} 格式）" if detected else ""
        raise _refuse(f"只能上传 {allowed} 格式的{what}{actual}；按文件内容识别，与扩展名无关。", "type")
    kind = KINDS[detected]
    extension = os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")
    if extension not in kind.extensions:
        shown = f".{extension}" if extension else "（无扩展名）"
        raise _refuse(
            f"文件扩展名为 {shown}，但内容实际是 {kind.label}，请确认选择了正确的{what}文件。", "mismatch"
        )
    if detected == "pdf":
        _pdf_check(data)
    elif detected in IMAGE_KINDS:
        _image_check(data, detected)
    else:
        _package_check(data, detected)
    return CheckedFile(
        kind=detected,
        content_type=kind.mime,
        extension=kind.extensions[0],
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# --- PDF -----------------------------------------------------------------------------------------

BROKEN = "文件已损坏或不完整，无法打开，请重新扫描后上传。"


def _pdf_check(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise _refuse(BROKEN, "broken")
    if _MARKUP.search(data):
        raise _refuse(
            "PDF 文件中混有网页代码（HTML/脚本），不能上传；请用扫描仪或“打印为 PDF”重新生成。", "markup"
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse("PDF 文件已加密或设置了密码，系统无法检查其内容；请上传未加密的 PDF。", "encrypted")
        root = reader.trailer["/Root"].get_object()
        if len(reader.pages) < 1:
            raise _refuse(BROKEN, "broken")
        problem = _pdf_active_content(reader.trailer)
        if problem is None:
            for page in reader.pages:
                page.get_object()
    except ValidationError:
        raise
    except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise _refuse(BROKEN, "broken") from None
    if not hasattr(root, "get"):
        raise _refuse(BROKEN, "broken")
    if problem is not None:
        raise _refuse(problem[0], problem[1])


def _pdf_active_content(trailer: Any) -> tuple[str, str] | None:
    """Walk every object reachable from the trailer (not decoding streams) for active content."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return ("PDF 文件结构过于复杂，无法检查，请重新生成后上传。", "broken")
        if isinstance(node, DictionaryObject):
            keys = set(node.keys())
            if keys & _PDF_SCRIPT_KEYS or node.get("/S") in _PDF_SCRIPT_ACTIONS:
                return (
                    "PDF 文件中含有脚本（JavaScript），出于安全原因不能上传；请用扫描仪或“打印为 PDF”重新生成。",
                    "script",
                )
            if node.get("/S") in _PDF_LAUNCH_ACTIONS or "/Launch" in keys:
                return (
                    "PDF 文件中含有启动程序或提交数据的动作，出于安全原因不能上传；请重新生成后上传。",
                    "launch",
                )
            if keys & _PDF_EMBED_KEYS or node.get("/Type") == "/EmbeddedFile":
                return (
                    "PDF 文件中嵌入了其他文件（附件），出于安全原因不能上传；请删除附件或重新扫描后上传。",
                    "embedded",
                )
            if "/AA" in keys:
                return (
                    "PDF 文件中含有打开或翻页时自动执行的动作，出于安全原因不能上传；请重新生成后上传。",
                    "auto_action",
                )
            for key, value in node.items():
                if key not in ("/Parent", "/P"):
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


# --- images --------------------------------------------------------------------------------------


def _png_end(data: bytes) -> int:
    """Offset just past the IEND chunk, walking the chunk list; -1 when the list is malformed."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length
        if chunk_type == b"IEND":
            return pos if pos <= len(data) else -1
    return -1


def _jpeg_end(data: bytes) -> int:
    """Offset just past the EOI marker, walking the segments and the entropy-coded scans; -1 if none."""
    pos, n = 2, len(data)
    while pos + 1 < n:
        if data[pos] != 0xFF:
            return -1
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > n:
            return -1
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    return -1
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    pos += 1 if following == 0xFF else 2
                    continue
                break
    return -1


def _image_check(data: bytes, kind: str) -> None:
    from PIL import Image

    end = _png_end(data) if kind == "png" else _jpeg_end(data)
    if end < 0:
        raise _refuse(BROKEN, "broken")
    if data[end:].strip(b"\x00\r\n\t "):
        raise _refuse(
            "图片文件末尾附加了其他数据（可能夹带网页代码或其他文件），不能上传；请重新扫描或另存为图片后上传。",
            "trailing",
        )
    if _MARKUP.search(data):
        raise _refuse("图片文件中混有网页代码（HTML/脚本），不能上传；请重新扫描后上传。", "markup")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != {"png": "PNG", "jpeg": "JPEG"}[kind]:
                raise _refuse(BROKEN, "broken")
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _refuse(
                    f"图片尺寸为 {width}×{height} 像素，过大；请将扫描分辨率降至 300dpi 左右后重新上传。",
                    "too_large",
                )
            image.load()  # decodes every pixel: a truncated or corrupt body fails here
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _refuse("图片尺寸过大；请将扫描分辨率降至 300dpi 左右后重新上传。", "too_large") from None
    except Exception:
        raise _refuse(BROKEN, "broken") from None


# --- Office packages -----------------------------------------------------------------------------


def _package_check(data: bytes, kind: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        bad = archive.testzip() if len(infos) <= MAX_PACKAGE_ENTRIES else None
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
        raise _refuse(BROKEN.replace("重新扫描", "重新保存"), "broken") from None
    if bad is not None or "[Content_Types].xml" not in {info.filename for info in infos}:
        raise _refuse(BROKEN.replace("重新扫描", "重新保存"), "broken")
    if len(infos) > MAX_PACKAGE_ENTRIES or sum(i.file_size for i in infos) > MAX_PACKAGE_UNPACKED_BYTES:
        raise _refuse("文件解压后过大，可能不是正常的表格或文档，不能上传。", "too_large")
    for info in infos:
        name = info.filename.lower()
        if name.endswith("vbaproject.bin") or "/embeddings/" in name or "/activex/" in name:
            raise _refuse(
                f"{KINDS[kind].label}文件中含有宏或嵌入的对象，出于安全原因不能上传；请另存为不含宏的 .{kind} 文件后上传。",
                "macro",
            )


# --- serving -------------------------------------------------------------------------------------


class StoredFileCorrupt(Exception):
    """The stored bytes no longer match the SHA-256 recorded at upload: altered or damaged on disk."""


def stored_file_response(
    *, file: Any, sha256: str, content_type: str, filename: str, inline_image: bool = True
) -> HttpResponse:
    """The stored upload as a response, after checking its digest. Images may be shown inline under a
    sandbox; any other type is downloaded as an attachment. Raises StoredFileCorrupt or FileNotFoundError."""
    with file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileCorrupt(getattr(file, "name", ""))
    inline = inline_image and content_type in (KINDS["png"].mime, KINDS["jpeg"].mime)
    response = HttpResponse(data, content_type=content_type)
    disposition = content_disposition_header(not inline, filename)
    if disposition:  # None only for an empty file name
        response["Content-Disposition"] = disposition
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
