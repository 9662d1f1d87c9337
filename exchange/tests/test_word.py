"""exchange.word: the .docx documents follow the notice's outlines (附件2, 附件3, 通知一(二)1), laid out
as official documents (A4, 仿宋 三号 text, 黑体 headings, page numbers), every page's header naming
whose material it is and its data version."""

from __future__ import annotations

import io
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from docx import Document
from docx.shared import Pt

from exchange.word import (
    CaseDoc,
    ReportDoc,
    SummaryDoc,
    authority_docx,
    case_docx,
    report_docx,
    summary_docx,
    title_lines,
)
from lib.fingerprints import (
    case_fingerprint,
    combined_fingerprint,
    data_fingerprint,
    short_fingerprint,
    summary_fingerprint,
)

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
    """Each paragraph's text; a title's lines (each ends with a line break, title_lines) as one."""
    return [p.text.replace("\n", "") for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


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


def writer_pages(tmp_path, data: bytes) -> list[str]:
    """The document as LibreOffice Writer (Debian's libreoffice-writer-nogui, a real client that
    .ci/run installs) lays it out: the text of each page of its PDF, without spaces."""
    assert shutil.which("soffice"), "未找到 LibreOffice：apt-get install libreoffice-writer-nogui"
    path = tmp_path / "document.docx"
    path.write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    from pypdf import PdfReader

    return ["".join(page.extract_text().split()) for page in PdfReader(tmp_path / "document.pdf").pages]


def test_libreoffice_opens_the_document_and_prints_every_part(tmp_path):
    text = "".join(writer_pages(tmp_path, report_docx(ReportDoc("长沙示范基地", 2021, REPORT))))
    for heading in (
        "一、示范基地发展概述",
        "二、发展亮点和成效",
        "三、示范性做法和经验",
        "四、存在的问题及建议",
    ):
        assert heading in text


# --- titles: broken between words, and only where this document breaks them -------------------------


@pytest.mark.parametrize(
    "name, rest, expected",
    [
        ("长沙示范基地", "2021年发展情况报告", ["长沙示范基地2021年发展情况报告"]),
        # Too long for a line: after the name, not 年开 / 展示范 (BudouX reads 开 + 展示范).
        ("新疆维吾尔自治区工业和信息化厅", "2021年开展示范基地工作情况总结",
         ["新疆维吾尔自治区工业和信息化厅", "2021年开展示范基地工作情况总结"]),
        ("湖南省工业和信息化厅", "2021年示范基地材料汇编", ["湖南省工业和信息化厅", "2021年示范基地材料汇编"]),
        # A name longer than a line breaks between its own words (技术 / 开发区), never 开发 / 区.
        ("装备制造(数控机床)·江苏澜坞经济技术开发区", "2021年发展情况报告",
         ["装备制造(数控机床)·江苏澜坞经济技术", "开发区2021年发展情况报告"]),
    ],
)  # fmt: skip
def test_a_title_breaks_between_its_words(name, rest, expected):
    assert title_lines(name + rest, (name, rest)) == expected


def test_each_line_of_a_title_ends_with_its_own_break():
    name = "新疆维吾尔自治区工业和信息化厅"
    data = summary_docx(SummaryDoc(name, 2021, SUMMARY))
    title = next(p for p in Document(io.BytesIO(data)).paragraphs if p.text.startswith(name))
    assert title.text == f"{name}\n2021年开展示范基地工作情况总结"
    assert title._p.xml.count("<w:br/>") == 1


@pytest.mark.parametrize(
    "name",
    [
        "装备制造(数控机床)·江苏澜坞经济技术开发区",
        "长沙示范基地",
        "内蒙古自治区鄂尔多斯市准格尔旗大路工业园区",
    ],
)
def test_writer_sets_the_title_in_the_lines_the_document_gives(tmp_path, name):
    """Writer (a real word processor) keeps each line of the title as it is: none is too long for
    the page, so none is broken again inside a word."""
    import pypdfium2

    writer_pages(tmp_path, report_docx(ReportDoc(name, 2021, REPORT)))
    page = pypdfium2.PdfDocument(tmp_path / "document.pdf")[0]
    printed = [line.replace(" ", "") for line in page.get_textpage().get_text_range().splitlines()]
    expected = title_lines(f"{name}2021年发展情况报告", (name, "2021年发展情况报告"))
    at = printed.index(expected[0])
    assert printed[at : at + len(expected)] == expected, printed[:8]


# --- every page: whose material, which data version, which page -----------------------------------


def headers(data: bytes) -> list[str]:
    """Each section's header as read back by python-docx."""
    return [section.header.paragraphs[0].text for section in Document(io.BytesIO(data)).sections]


LONG = SimpleNamespace(
    overview="示范基地以工程机械为主导产业，形成了从关键零部件到整机制造的完整产业链。" * 40,
    highlights=[{"lead": "产业集群具有国际竞争力", "content": "主导产业销售收入突破千亿元。" * 30}],
    practices=[],
    problems="高端零部件依赖进口。",
)


def test_every_page_of_a_report_names_the_base_and_the_version_of_the_printed_report():
    data = report_docx(ReportDoc("长沙示范基地", 2021, REPORT))
    version = short_fingerprint(data_fingerprint(submission_values=(), report=REPORT))
    assert headers(data) == [f"长沙示范基地\t数据版本 {version}"]
    document = Document(io.BytesIO(data))
    assert not document.sections[0].different_first_page_header_footer  # the first page too
    assert document.core_properties.subject == f"长沙示范基地 数据版本 {version}"


def test_the_version_changes_with_what_the_report_says():
    edited = SimpleNamespace(**{**vars(REPORT), "problems": "高端零部件依赖进口。建议加大支持。"})
    assert headers(report_docx(ReportDoc("长沙示范基地", 2021, REPORT))) != headers(
        report_docx(ReportDoc("长沙示范基地", 2021, edited))
    )


def test_the_summary_names_the_authority_and_the_case_its_base():
    version = short_fingerprint(summary_fingerprint(SUMMARY))
    assert headers(summary_docx(SummaryDoc("湖南省工业和信息化厅", 2021, SUMMARY))) == [
        f"湖南省工业和信息化厅\t数据版本 {version}"
    ]
    version = short_fingerprint(case_fingerprint(CASE, ["数字化转型"]))
    assert headers(case_docx(CaseDoc("长沙示范基地", CASE, ["数字化转型"]))) == [
        f"长沙示范基地\t数据版本 {version}"
    ]


def test_each_part_of_the_combined_document_shows_its_own_base_and_version():
    reports = [ReportDoc("长沙示范基地", 2021, REPORT), ReportDoc("株洲示范基地", 2021, None)]
    summary, case = (
        SummaryDoc("湖南省工业和信息化厅", 2021, SUMMARY),
        CaseDoc("长沙示范基地", CASE, ["数字化转型"]),
    )
    data = authority_docx(
        authority_name="湖南省工业和信息化厅", data_year=2021, summary=summary, cases=[case], reports=reports
    )
    parts = [summary.fingerprint, case.fingerprint, *(r.fingerprint for r in reports)]
    expected = [
        ("湖南省工业和信息化厅", combined_fingerprint(parts)),
        ("湖南省工业和信息化厅", summary_fingerprint(SUMMARY)),
        ("长沙示范基地", case_fingerprint(CASE, ["数字化转型"])),
        ("长沙示范基地", data_fingerprint(submission_values=(), report=REPORT)),
        ("株洲示范基地", data_fingerprint(submission_values=(), report=None)),
    ]
    assert headers(data) == [f"{name}\t数据版本 {short_fingerprint(fp)}" for name, fp in expected]
    document = Document(io.BytesIO(data))
    # One footer for all: its PAGE field numbers the pages on through every part.
    assert [s.footer.is_linked_to_previous for s in document.sections] == [False, True, True, True, True]
    assert "PAGE" in document.sections[0].footer.paragraphs[0]._p.xml


def test_writer_shows_the_base_the_version_and_the_page_number_on_every_page(tmp_path):
    data = report_docx(ReportDoc("长沙示范基地", 2021, LONG))
    version = short_fingerprint(data_fingerprint(submission_values=(), report=LONG))
    pages = writer_pages(tmp_path, data)
    assert len(pages) >= 3  # a report that runs over pages
    for number, text in enumerate(pages, start=1):
        assert text.startswith(f"长沙示范基地数据版本{version}"), (number, text[:60])
        assert text.endswith(f"—{number}—"), (number, text[-20:])


@pytest.mark.parametrize("name", ["长沙示范基地", "装备制造(数控机床)·江苏澜坞经济技术开发区"])
def test_writer_sets_the_version_at_the_right_edge_apart_from_the_name(tmp_path, name):
    """A short name once tabbed to the Header style's centre stop, a long one ran into the version
    ("…开发区数据版本 26E0-…"): the version ends at the text's right edge (26 mm from the paper's)."""
    import pypdfium2

    data = report_docx(ReportDoc(name, 2021, REPORT))
    version = short_fingerprint(data_fingerprint(submission_values=(), report=REPORT))
    writer_pages(tmp_path, data)
    page = pypdfium2.PdfDocument(tmp_path / "document.pdf")[0]
    text = page.get_textpage()

    def found(needle: str) -> tuple[int, int]:
        searcher = text.search(needle)
        match = searcher.get_next()
        assert match is not None, needle
        return match  # (index of its first character, how many)

    mm = 72 / 25.4
    name_at, name_len = found(name[-4:])
    name_end = text.get_charbox(name_at + name_len - 1)[2]
    version_start = text.get_charbox(found("数据版本")[0])[0]
    at, count = found(version)
    right = text.get_charbox(at + count - 1)[2]
    assert abs(right - (page.get_width() - 26 * mm)) < 3 * mm, (right / mm, page.get_width() / mm)
    assert version_start - name_end > 10 * mm, (name_end / mm, version_start / mm)


def test_writer_shows_each_parts_own_base_and_version_on_its_pages(tmp_path):
    reports = [ReportDoc("长沙示范基地", 2021, LONG), ReportDoc("株洲示范基地", 2021, None)]
    summary, case = SummaryDoc("湖南省工业和信息化厅", 2021, SUMMARY), CaseDoc("长沙示范基地", CASE, [])
    data = authority_docx(
        authority_name="湖南省工业和信息化厅", data_year=2021, summary=summary, cases=[case], reports=reports
    )
    pages = writer_pages(tmp_path, data)
    assert len(pages) >= 6

    def head(name, fingerprint):
        return f"{name}数据版本{short_fingerprint(fingerprint)}"

    expected_by_title = {
        "湖南省工业和信息化厅2021年开展示范基地工作情况总结": head(
            "湖南省工业和信息化厅", summary.fingerprint
        ),
        CASE.title: head("长沙示范基地", case.fingerprint),
        "长沙示范基地2021年发展情况报告": head("长沙示范基地", reports[0].fingerprint),
        "株洲示范基地2021年发展情况报告": head("株洲示范基地", reports[1].fingerprint),
    }
    current = head("湖南省工业和信息化厅", combined_fingerprint(
        [summary.fingerprint, case.fingerprint, *(r.fingerprint for r in reports)]
    ))  # fmt: skip
    seen = set()
    for number, text in enumerate(pages, start=1):
        for title, expected in expected_by_title.items():
            if title in text:  # a part starts on this page; its pages follow until the next part's
                current = expected
                seen.add(title)
        assert text.startswith(current), (number, text[:60])
        assert text.endswith(f"—{number}—"), (number, text[-20:])
    assert seen == set(expected_by_title)
