"""exchange.word: the .docx documents follow the notice's outlines (附件2, 附件3, 通知一(二)1), laid out
as official documents (A4, 仿宋 三号 text, 黑体 headings, page numbers)."""

from __future__ import annotations

import io
import shutil
import subprocess
from types import SimpleNamespace

from docx import Document
from docx.shared import Pt

from exchange.word import CaseDoc, ReportDoc, SummaryDoc, authority_docx, case_docx, report_docx, summary_docx

REPORT = SimpleNamespace(
    overview="示范基地以工程机械为主导产业。",
    highlights=[{"lead": "工程机械产业集群具有国际竞争力", "content": "主导产业销售收入突破千亿元。"}],
    practices=[{"lead": "围绕产业链开展协同创新。", "content": "成立联合实验室12个。"}],
    problems="高端零部件依赖进口。\n建议加大支持。",
)
CASE = SimpleNamespace(
    title="实施智能制造伙伴计划，加快园区数字化转型",
    background="为加快推动“智改数转”，示范基地创新推出“智能制造伙伴计划”。",
    practices=[
        {"lead": "构建“3+X”智能化改造数字化转型生态圈", "content": "汇聚园区各方资源。"},
        {"lead": "打造四大服务内容", "content": "持续赋能制造业企业。"},
        {"lead": "分三个阶段推进", "content": "精准对接服务与资源。"},
    ],
    results="推动各类智改数转项目50个。",
)
SUMMARY = SimpleNamespace(progress="组织开展材料报送。", difficulties="部分基地统计基础薄弱。", next_steps="")


def texts(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def test_the_report_follows_annex_2():
    data = report_docx(ReportDoc("长沙示范基地", 2021, REPORT))
    assert texts(data) == [
        "附件2",
        "长沙示范基地2021年发展情况报告",
        "一、示范基地发展概述",
        "示范基地以工程机械为主导产业。",
        "二、发展亮点和成效",
        "成效1：工程机械产业集群具有国际竞争力。主导产业销售收入突破千亿元。",
        "三、示范性做法和经验",
        "经验1：围绕产业链开展协同创新。成立联合实验室12个。",
        "四、存在的问题及建议",
        "高端零部件依赖进口。",
        "建议加大支持。",
    ]


def test_a_report_not_yet_written_keeps_the_outline_with_blanks_marked():
    lines = texts(report_docx(ReportDoc("长沙示范基地", 2021, None)))
    assert lines.count("（未填写）") == 4 and "四、存在的问题及建议" in lines


def test_the_case_follows_annex_3_with_its_practices_as_yishi_ershi():
    lines = texts(case_docx(CaseDoc("长沙示范基地", CASE, ["数字化转型"])))
    assert lines[:3] == ["附件3", CASE.title, "推荐示范基地：长沙示范基地　聚焦方面：数字化转型"]
    assert "一是构建“3+X”智能化改造数字化转型生态圈。汇聚园区各方资源。" in lines
    assert "三是分三个阶段推进。精准对接服务与资源。" in lines
    assert (
        lines.index("一、背景或亟待解决的突出问题")
        < lines.index("二、主要做法和举措")
        < lines.index("三、取得的成效")
    )


def test_the_summary_has_the_three_parts_the_notice_names():
    lines = texts(summary_docx(SummaryDoc("湖南省工业和信息化厅", 2021, SUMMARY)))
    assert lines == [
        "湖南省工业和信息化厅2021年开展示范基地工作情况总结",
        "一、主要工作进展及成效",
        "组织开展材料报送。",
        "二、存在的困难和问题",
        "部分基地统计基础薄弱。",
        "三、下一步工作思路及建议",
        "（未填写）",
    ]


def test_the_page_is_an_official_document_page():
    document = Document(io.BytesIO(report_docx(ReportDoc("长沙示范基地", 2021, REPORT))))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.paragraph_format.line_spacing == Pt(28)
    body = next(p for p in document.paragraphs if p.text == "示范基地以工程机械为主导产业。")
    assert (
        body.runs[0]._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "仿宋"
    )
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "— " in section.footer.paragraphs[0].text


def test_the_combined_document_puts_each_part_on_its_own_page():
    parts = []
    data = authority_docx(
        authority_name="湖南省工业和信息化厅",
        data_year=2021,
        summary=SummaryDoc("湖南省工业和信息化厅", 2021, SUMMARY),
        cases=[CaseDoc("长沙示范基地", CASE, ["数字化转型"])],
        reports=[ReportDoc("长沙示范基地", 2021, REPORT), ReportDoc("株洲示范基地", 2021, None)],
        on_part=parts.append,
    )
    document = Document(io.BytesIO(data))
    assert len(document.sections) == 5  # contents, summary, one case, two reports
    lines = texts(data)
    assert lines[0] == "湖南省工业和信息化厅2021年示范基地材料汇编"
    assert "三、示范基地发展情况报告（2份）" in lines
    assert "株洲示范基地2021年发展情况报告" in lines
    assert parts == [
        "工作情况总结",
        f"优秀案例：{CASE.title}",
        "发展情况报告：长沙示范基地",
        "发展情况报告：株洲示范基地",
    ]


def test_libreoffice_opens_the_document_and_prints_every_part(tmp_path):
    # LibreOffice Writer (Debian's libreoffice-writer-nogui) is a real client: .ci/run installs it.
    assert shutil.which("soffice"), "未找到 LibreOffice：apt-get install libreoffice-writer-nogui"
    path = tmp_path / "report.docx"
    path.write_bytes(report_docx(ReportDoc("长沙示范基地", 2021, REPORT)))
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    for heading in (
        "一、示范基地发展概述",
        "二、发展亮点和成效",
        "三、示范性做法和经验",
        "四、存在的问题及建议",
    ):
        assert heading in text.replace(" ", "")
