"""Reading a filled template: cells as the user meant them, the online checks at their cells, refusals."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from exchange.excel_import import ImportRefused, excel_import_apply, import_read
from exchange.tests.conftest import save
from exchange.tests.excel.conftest import filled, ref_of, template_bytes
from submissions.models import Value


def _cells(submission, *items):
    return {ref_of(submission, "summary", code, year): value for code, year, value in items}


def _diffs(reading):
    return {(d.code, d.year): d for d in reading.differences}


def test_an_untouched_template_changes_nothing(filled, template):
    reading = import_read(data=template, submission=filled)
    assert reading.differences == [] and reading.ok
    assert reading.unchanged > 0


def test_typed_values_are_read_as_a_user_expects(submission, template):
    data = filled(
        template,
        _cells(
            submission,
            ("1.1", 2021, "1,234.5"),  # thousands separator
            ("1.1", 2020, "１２００"),  # full-width digits
            ("1.1", 2019, "12.5亿元"),  # the field's own unit typed after the figure
            ("1.1a", 2021, "1250万元"),  # another money unit: converted
            ("1.2", 2021, "=100+23.4"),  # a formula (openpyxl leaves no cached value)
        ),
    )
    reading = import_read(data=data, submission=submission)
    diffs = _diffs(reading)
    assert diffs[("1.1", 2021)].raw == "1,234.5"
    assert diffs[("1.1", 2020)].raw == "1200"
    assert diffs[("1.1", 2019)].raw == "12.5亿元"
    assert diffs[("1.1a", 2021)].raw == "0.125" and "万元" in diffs[("1.1a", 2021)].notes[0]
    formula = next(p for p in reading.problems if "公式" in p.message)
    assert formula.severity == "error" and formula.ref == ref_of(submission, "summary", "1.2", 2021)[1]


def test_a_percentage_formatted_cell_is_read_as_the_percentage(submission, template):
    sheet, ref = ref_of(submission, "summary", "9.1", 2021)
    data = filled(template, {(sheet, ref): 0.855}, number_formats={(sheet, ref): "0.0%"})
    assert _diffs(import_read(data=data, submission=submission))[("9.1", 2021)].raw == "85.5"


def test_every_problem_names_sheet_cell_and_the_online_message(submission, template):
    sheet, ref = ref_of(submission, "summary", "1.4", 2021)
    text_sheet, text_ref = ref_of(submission, "summary", "13.1")
    data = filled(template, {(sheet, ref): "12.5", (text_sheet, text_ref): "字" * 501})
    reading = import_read(data=data, submission=submission)
    errors = {(p.sheet, p.ref): p.message for p in reading.blocking}
    assert "整数" in errors[(sheet, ref)]
    assert "500" in errors[(text_sheet, text_ref)]
    assert not reading.ok


def test_a_part_larger_than_its_whole_is_shown_but_does_not_refuse(submission, template):
    data = filled(template, _cells(submission, ("1.1", 2021, 100), ("1.1a", 2021, 200)))
    reading = import_read(data=data, submission=submission)
    assert reading.ok
    # An error of the notice's rules, kept as online entry keeps it: to correct before submitting.
    kept = [p for p in reading.problems if p.code == "part_of"]
    assert kept and all(p.severity == "kept" and p.text().startswith("【错误】") for p in kept)


def test_merged_input_cells_are_reported(submission, template):
    workbook = load_workbook(io.BytesIO(template))
    sheet, ref = ref_of(submission, "summary", "1.1", 2021)
    _, last = ref_of(submission, "summary", "1.1", 2019)
    workbook[sheet][ref] = 5
    workbook[sheet].merge_cells(f"{ref}:{last}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    reading = import_read(data=buffer.getvalue(), submission=submission)
    assert any("合并" in p.message and p.ref == f"{ref}:{last}" for p in reading.blocking)


def test_tables_and_yesno_items_come_back_whole(submission, template):
    product = {
        ref_of(submission, "summary", "12.1", 0, 0, "product"): "混凝土泵车",
        ref_of(submission, "summary", "12.1", 0, 0, "output"): 12000,
        ref_of(submission, "summary", "12.1", 0, 0, "tech_level"): "国际先进",
        ref_of(submission, "summary", "18.2", 0, None, "answer"): "是",
        ref_of(submission, "summary", "18.2", 0, None, "note"): "严格执行。",
    }
    diffs = _diffs(import_read(data=filled(template, product), submission=submission))
    row = diffs[("12.1", 0)].raw[0]
    assert row["product"] == "混凝土泵车" and row["output"] == "12000" and row["tech_level"] == "国际先进"
    assert diffs[("18.2", 0)].raw == {"answer": "是", "note": "严格执行。"}


def test_a_change_made_online_since_the_download_is_a_conflict(submission, template, filler):
    save(submission, filler, "summary", "1.1", 2021, "999")
    data = filled(template, _cells(submission, ("1.1", 2021, 500), ("1.1", 2020, 400)))
    diffs = _diffs(import_read(data=data, submission=submission))
    assert diffs[("1.1", 2021)].conflict and diffs[("1.1", 2021)].old == "999"
    assert not diffs[("1.1", 2020)].conflict


def test_a_cell_left_as_downloaded_does_not_undo_an_online_change(submission, template, filler):
    save(submission, filler, "summary", "1.1", 2021, "999")
    reading = import_read(data=template, submission=submission)
    assert ("1.1", 2021) not in _diffs(reading)


def test_applying_saves_through_the_values_service_and_keeps_conflicts(submission, template, filler):
    save(submission, filler, "summary", "1.1", 2021, "999")
    data = filled(template, _cells(submission, ("1.1", 2021, 500), ("1.1", 2020, 400)))
    reading = import_read(data=data, submission=submission)
    rows = [
        [d.form, d.code, d.year, d.raw, d.seen_revision, d.current_revision, d.conflict]
        for d in reading.differences
    ]
    excel_import_apply(submission=submission, user=filler, differences=rows)
    assert submission.values.get(code="1.1", year=2021).raw == "999"
    saved = submission.values.get(code="1.1", year=2020)
    assert saved.value == "400" and saved.source == Value.Source.IMPORT
    assert submission.changes.filter(code="1.1", year=2020, source=Value.Source.IMPORT).exists()


def test_a_change_after_the_preview_refuses_the_whole_import(submission, template, filler):
    data = filled(template, _cells(submission, ("1.1", 2021, 500), ("1.1", 2020, 400)))
    reading = import_read(data=data, submission=submission)
    rows = [
        [d.form, d.code, d.year, d.raw, d.seen_revision, d.current_revision, d.conflict]
        for d in reading.differences
    ]
    save(submission, filler, "summary", "1.1", 2021, "777")
    with pytest.raises(Exception, match="未保存任何内容"):
        excel_import_apply(submission=submission, user=filler, differences=rows)
    assert not submission.values.filter(code="1.1", year=2020).exists()


def test_another_bases_template_is_refused_with_its_name(submission, other_submission):
    with pytest.raises(ImportRefused, match="属于示范基地"):
        import_read(data=template_bytes(other_submission), submission=submission)


def test_a_template_of_a_material_no_longer_there_is_refused_with_its_base(submission, template):
    """The bulk import finds the material by the marker: one that is gone is refused, not an error."""
    from submissions.models import Submission

    name = submission.base.name
    Submission.objects.filter(pk=submission.pk).delete()
    with pytest.raises(ImportRefused, match=re.escape(f"未找到模板对应的填报材料（示范基地“{name}”）")):
        import_read(data=template)


def test_an_edited_layout_is_refused(submission, template):
    workbook = load_workbook(io.BytesIO(template))
    workbook["汇总表"].insert_rows(20)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused, match="表格结构已被修改"):
        import_read(data=buffer.getvalue(), submission=submission)


def test_an_edited_marker_is_refused(submission, template):
    workbook = load_workbook(io.BytesIO(template))
    ws = workbook["模板标记"]
    ws["A2"] = ws["A2"].value[:-3] + "abc"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportRefused, match="模板标记已被修改"):
        import_read(data=buffer.getvalue(), submission=submission)


def test_a_template_handed_out_before_a_key_rotation_still_imports(submission, template, settings):
    data = filled(template, _cells(submission, ("1.1", 2021, "1200")))
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-after-a-planned-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    reading = import_read(data=data, submission=submission)
    assert reading.ok and _diffs(reading)[("1.1", 2021)].raw == "1200"
    # Once the old key is dropped, the same file is refused with the reason, not misread.
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ImportRefused, match="请重新下载模板"):
        import_read(data=data, submission=submission)


def test_another_form_version_is_refused(submission, template, campaign):
    campaign.form_version = "2023"
    campaign.save(update_fields=["form_version"])
    with pytest.raises(ImportRefused, match="2022 年版"):
        import_read(data=template, submission=submission)


def test_a_workbook_without_marker_is_refused(submission):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(ImportRefused, match="缺少模板标记"):
        import_read(data=buffer.getvalue(), submission=submission)


def test_decimal_noise_from_excel_is_not_a_change(submission, template, filler):
    save(submission, filler, "summary", "1.1", 2021, "0.3")
    data = filled(template_bytes(submission), _cells(submission, ("1.1", 2021, 0.1 + 0.2)))
    assert ("1.1", 2021) not in _diffs(import_read(data=data, submission=submission))
    assert Decimal("0.3") == Decimal(submission.values.get(code="1.1", year=2021).value)


def _uncached_every_cell(xml: bytes) -> set[str]:
    """The reading before only the cells around formulas were parsed: every cell of the sheet."""
    from exchange.excel_import import _CACHED, _CELL

    out = set()
    for cell in _CELL.finditer(xml):
        body = cell.group(3) or b""
        if b"<f" in body and not _CACHED.search(body):
            out.add(cell.group(1).decode())
    return out


def test_formulas_without_a_cached_value_are_found_as_when_every_cell_was_read(submission, template):
    from exchange.excel_import import _uncached_formulas

    xml = (
        b'<sheetData><row r="1"><c r="A1" s="2"/><c r="B1"><f>A1+1</f></c><c r="C1"><f>A1</f><v>3</v></c>'
        b'<c r="D1" t="str"><f t="shared" si="0"/><v></v></c><c r="E1"><f t="shared" ref="E1:E2" si="1">A1'
        b'</f></c><c r="F1" t="inlineStr"><is><t>text</t></is></c></row><row r="2"><c r="E2"><f t="shared"'
        b' si="1"/><v>4</v></c><c r="G2"><v>5</v></c></row></sheetData><dataValidations count="1">'
        b'<dataValidation type="decimal" sqref="G2"><formula1>0</formula1></dataValidation></dataValidations>'
    )
    assert _uncached_formulas(xml) == _uncached_every_cell(xml) == {"B1", "D1", "E1"}
    typed = filled(template, _cells(submission, ("1.2", 2021, "=100+23.4"), ("1.1", 2021, 5)))
    with zipfile.ZipFile(io.BytesIO(typed)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert any(_uncached_formulas(x) for x in sheets)
    for sheet in sheets:
        assert _uncached_formulas(sheet) == _uncached_every_cell(sheet)


def test_more_companies_than_the_notice_allows_are_refused_at_their_cell(campaign, hunan, forms_2022):
    from conftest import make_base
    from registry.models import Category
    from submissions.services import submission_start

    base = make_base("大数据·长沙示例大数据产业园", hunan, Category.objects.get(code="bigdata"), batch=9)
    campaign.bases.add(base)
    submission = submission_start(campaign=campaign, base=base, user=None)
    data = template_bytes(submission)
    domain = ref_of(submission, "annex4", "applications", 0, row=0, column="domain")
    companies = ref_of(submission, "annex4", "applications", 0, row=0, column="companies")
    reading = import_read(
        data=filled(data, {domain: "工业互联网", companies: "甲公司、乙公司、丙公司、丁公司"}),
        submission=submission,
    )
    errors = {(p.sheet, p.ref): p.message for p in reading.blocking}
    assert "最多填写 3 个（现有 4 个" in errors[companies]
    assert not reading.ok
