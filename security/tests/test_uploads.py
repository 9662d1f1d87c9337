"""security.uploads.upload_check: one test per attack an assessor tried, and the files that must pass."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from security.uploads import upload_check


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        upload_check(upload(name, content), **kwargs)
    return exc.value


def reportlab_pdf(text: str = "scan", image: bool = False) -> bytes:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(100, 700, text)
    if image:
        c.drawImage(ImageReader(io.BytesIO(image_bytes("JPEG", (300, 400)))), 50, 50, 300, 400)
    c.showPage()
    c.save()
    return buffer.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, 1 if mode == "1" else (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


# --- what passes -----------------------------------------------------------------------------------


def test_it_accepts_a_printed_pdf_and_a_scanned_one_with_an_image():
    for content in (reportlab_pdf(), reportlab_pdf(image=True), written(blank_writer())):
        checked = upload_check(upload("盖章.pdf", content))
        assert checked.kind == "pdf" and checked.content_type == "application/pdf"


def test_it_accepts_png_and_jpeg_and_reports_the_digest():
    import hashlib

    for name, content, kind in (("a.png", image_bytes("PNG"), "png"), ("a.JPG", image_bytes("JPEG"), "jpeg")):
        checked = upload_check(upload(name, content))
        assert checked.kind == kind and checked.is_image
        assert checked.sha256 == hashlib.sha256(content).hexdigest() and checked.size == len(content)


def xlsx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "示范基地"
    book.save(buffer)
    if not extra:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def test_it_accepts_an_excel_workbook_where_asked_and_only_there():
    assert upload_check(upload("名录.xlsx", xlsx_bytes()), accept=("xlsx",)).kind == "xlsx"
    message = refusal("名录.xlsx", xlsx_bytes()).messages[0]
    assert "只能上传 PDF、JPG 或 PNG" in message


def test_it_refuses_a_workbook_with_macros():
    content = xlsx_bytes({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    assert "宏" in refusal("名录.xlsx", content, accept=("xlsx",)).messages[0]


# --- PDF attacks -----------------------------------------------------------------------------------


def test_it_refuses_an_html_body_with_a_pdf_header():
    content = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
    assert refusal("汇总表.pdf", content).code in ("broken", "markup")
    assert refusal("汇总表.pdf", b"%PDF-1.7\nnothing here but text\n%%EOF\n").code == "broken"


def test_it_refuses_a_real_pdf_with_html_appended_inside():
    pdf = reportlab_pdf()
    content = pdf.replace(b"%%EOF", b"<html><script>alert(1)</script></html>\n%%EOF")
    assert refusal("汇总表.pdf", content).code == "markup"


def test_it_refuses_document_level_javascript():
    writer = blank_writer()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")}
    )
    names = ArrayObject([TextStringObject("init"), writer._add_object(action)])
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )
    error = refusal("汇总表.pdf", written(writer))
    assert error.code == "script" and "JavaScript" in error.messages[0]


def test_it_refuses_an_open_action_running_javascript():
    writer = blank_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    assert refusal("汇总表.pdf", written(writer)).code == "script"


def test_it_refuses_a_launch_action():
    writer = blank_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    assert refusal("汇总表.pdf", written(writer)).code == "launch"


def test_it_refuses_automatic_actions_on_a_page():
    writer = blank_writer()
    goto = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("http://x")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): goto})
    assert refusal("汇总表.pdf", written(writer)).code == "auto_action"


def test_it_refuses_embedded_files():
    writer = blank_writer()
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    assert refusal("汇总表.pdf", written(writer)).code == "embedded"


def test_it_refuses_an_encrypted_pdf():
    writer = blank_writer()
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    error = refusal("汇总表.pdf", written(writer))
    assert error.code == "encrypted" and "加密" in error.messages[0]


def test_it_refuses_a_truncated_pdf():
    pdf = reportlab_pdf()
    assert refusal("汇总表.pdf", pdf[: len(pdf) // 2]).code == "broken"


# --- image attacks ---------------------------------------------------------------------------------


def test_it_refuses_a_png_with_html_appended():
    content = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"
    error = refusal("盖章.png", content)
    assert error.code == "trailing" and "末尾附加" in error.messages[0]


def test_it_refuses_a_jpeg_with_a_file_appended():
    content = image_bytes("JPEG") + b"PK\x03\x04 a zip archive follows"
    assert refusal("盖章.jpg", content).code == "trailing"


def test_it_refuses_html_hidden_in_a_png_text_chunk():
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG", pnginfo=info)
    assert refusal("盖章.png", buffer.getvalue()).code == "markup"


def test_it_refuses_an_image_whose_pixels_do_not_decode():
    content = bytearray(image_bytes("PNG", (200, 200)))
    start = content.index(b"IDAT") + 8
    content[start : start + 40] = b"\x00" * 40  # same length, chunk list intact, pixels garbage
    assert refusal("盖章.png", bytes(content)).code == "broken"
    jpeg = image_bytes("JPEG", (200, 200))
    assert refusal("盖章.jpg", jpeg[: len(jpeg) // 2]).code == "broken"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_it_refuses_a_decompression_bomb_before_decoding():
    content = image_bytes("PNG", (10_000, 10_000), mode="1")
    assert len(content) < 1024 * 1024
    error = refusal("盖章.png", content)
    assert error.code == "too_large" and "10000×10000" in error.messages[0]


# --- size and type -------------------------------------------------------------------------------


def test_the_application_cap_comes_from_settings(settings):
    settings.UPLOAD_MAX_BYTES = 2048
    content = reportlab_pdf(image=True)
    assert len(content) > 2048
    error = refusal("汇总表.pdf", content)
    assert error.code == "too_large" and "上限" in error.messages[0]
    # A caller may ask for less than the setting, never for more.
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    assert refusal("汇总表.pdf", content, max_bytes=1024).code == "too_large"


def test_it_names_the_real_type_and_the_extension_mismatch():
    assert "EXE" in refusal("汇总表.pdf", b"MZ\x90\x00" + b"\x00" * 200).messages[0]
    assert "内容实际是 PNG 图片" in refusal("汇总表.pdf", image_bytes("PNG")).messages[0]


def test_the_server_refuses_an_oversized_request_body_before_parsing(client, filler, settings):
    settings.REQUEST_MAX_BYTES = 1000
    client.force_login(filler)
    response = client.post("/", {"file": upload("a.pdf", b"%PDF-" + b"x" * 5000)})
    assert response.status_code == 413
    assert "超过系统允许的" in response.content.decode()
