"""Fixtures for printing and sealed scans: the 2022 forms loaded, a filled submission and its report."""

from __future__ import annotations

import base64
import contextlib
import io
import re
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from definitions.services import definitions_load
from reports.models import DevelopmentReport
from submissions.models import NOT_YEARLY, Submission
from submissions.services import CellChange, submission_start, values_save

FORMS_2022 = Path(settings.BASE_DIR) / "forms" / "2022"

LONG_TEXT = (
    "示范基地以工程机械为主导产业，集聚了三一重工、中联重科、山河智能等龙头企业，形成了从关键零部件、整机制造到"
    "后市场服务的完整产业链。2021年，基地围绕智能化、绿色化、服务化方向，推动企业建设智能工厂和数字化车间，"
    "带动上下游配套企业协同发展，主导产业销售收入突破千亿元，产品出口一百四十多个国家和地区。"
) * 3


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def forms_2022(db):
    return definitions_load(directory=FORMS_2022)


@pytest.fixture
def submission(forms_2022, campaign, base, filler) -> Submission:
    return submission_start(campaign=campaign, base=base, user=filler)


@pytest.fixture
def other_submission(forms_2022, campaign, other_base, other_filler) -> Submission:
    """苏州 software base: has 附表1 and the 软件著作权拥有量 label variant."""
    return submission_start(campaign=campaign, base=other_base, user=other_filler)


def save(submission: Submission, user, form: str, code: str, year: int, raw, currency: str = ""):
    current = submission.values.filter(form=form, code=code, year=year).first()
    result = values_save(
        submission=submission,
        user=user,
        changes=[
            CellChange(
                form=form,
                code=code,
                year=year,
                raw=raw,
                base_revision=current.revision if current else None,
                currency=currency,
            )
        ],
    )
    assert result.cells[0].status in ("saved", "unchanged"), result.cells[0]
    return result


def fill_summary(submission: Submission, user) -> None:
    cells = [
        ("base_name", NOT_YEARLY, submission.base.name),
        ("batch", NOT_YEARLY, "第一批"),
        ("lead_industry", NOT_YEARLY, "工程机械"),
        ("reporter_kind", NOT_YEARLY, "政府"),
        ("steady_growth_city", NOT_YEARLY, "是"),
        ("is_econ_zone", NOT_YEARLY, "是"),
        ("econ_zone_name", NOT_YEARLY, "长沙经济技术开发区"),
        (
            "contacts",
            NOT_YEARLY,
            [
                {"name": "张三", "position": "主任", "mobile": "13800000000", "email": "zhang@example.cn"},
                {"name": "李四", "position": "科长", "mobile": "13900000000", "email": "li@example.cn"},
            ],
        ),
        ("1.1", 2021, "1234.56"),
        ("1.1", 2020, "1100"),
        ("1.1", 2019, "980.5"),
        ("1.1a", 2021, "1000"),
        ("1.1a", 2020, "900"),
        ("13.1", NOT_YEARLY, LONG_TEXT[:480]),
        ("18.2", NOT_YEARLY, {"answer": "是", "note": "严格执行国家和地方绿色低碳相关法规。"}),
        (
            "12.1",
            NOT_YEARLY,
            [
                {
                    "product": "混凝土泵车",
                    "output": "12000",
                    "output_unit": "台",
                    "producers": "三一重工、中联重科",
                    "domestic_share": "60",
                    "world_share": "35",
                    "technology": "超长臂架智能控制",
                    "tech_level": "国际先进",
                }
            ],
        ),
    ]
    # One save for all cells: each call re-reads and re-parses the definitions.
    changes = [
        CellChange(form="summary", code=code, year=year, raw=raw, force=True) for code, year, raw in cells
    ]
    changes.append(CellChange(form="summary", code="1.5", year=2021, raw="20", currency="USD"))
    result = values_save(submission=submission, user=user, changes=changes)
    assert all(cell.status in ("saved", "unchanged") for cell in result.cells), result.cells


@pytest.fixture
def filled(submission, filler) -> Submission:
    fill_summary(submission, filler)
    return submission


@pytest.fixture
def report(submission, filler) -> DevelopmentReport:
    return DevelopmentReport.objects.create(
        submission=submission,
        overview=LONG_TEXT,
        highlights=[
            {"lead": "工程机械产业集群具有国际竞争力。", "content": LONG_TEXT[:200]},
            {"lead": "数字化转型走在全国前列。", "content": "建成“灯塔工厂”2家，" + LONG_TEXT[:150]},
            {"lead": "绿色低碳发展成效明显。", "content": "单位工业增加值能耗下降8.5%。"},
        ],
        practices=[
            {"lead": "围绕产业链开展协同创新。", "content": LONG_TEXT[:200]},
            {"lead": "打造一流营商环境。", "content": "推行“一件事一次办”。"},
            {"lead": "推动大中小企业融通发展。", "content": "龙头企业带动配套企业300余家。"},
        ],
        problems="高端核心零部件仍依赖进口。建议加大对关键基础件攻关的支持。",
        revision=1,
    )


@pytest.fixture
def short_report(submission) -> DevelopmentReport:
    """A report that prints on one page, so one photo of it is a complete scan."""
    return DevelopmentReport.objects.create(
        submission=submission, overview="示范基地发展概述。", problems="问题及建议。", revision=1
    )


# --- files ---------------------------------------------------------------------------------------


def pdf_bytes(text: str = "scan") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(100, 700, text)
    c.showPage()
    c.save()
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def scan_pdf() -> SimpleUploadedFile:
    return upload("汇总表盖章.pdf", pdf_bytes())


# --- reading PDFs back ---------------------------------------------------------------------------


def pdf_streams_text(data: bytes) -> str:
    """Every content stream, inflated, as Latin-1 text: enough to find ASCII drawn in a standard font."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        chunk = match.group(1).strip()
        if chunk.endswith(b"~>"):  # reportlab wraps compressed streams in ASCII85
            chunk = base64.a85decode(chunk, adobe=True)
        with contextlib.suppress(zlib.error):
            chunk = zlib.decompress(chunk)
        out.append(chunk.decode("latin-1"))
    return "\n".join(out)


def pdf_page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))
