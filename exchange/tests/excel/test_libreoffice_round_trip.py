"""A real client: templates filled and saved by LibreOffice Calc import back to exactly the values.

Every category's template (each annex, and a base without one) is filled in every input cell, then
opened and saved by Calc (`soffice --headless --convert-to xlsx`, Debian's libreoffice-calc-nogui),
which rewrites the whole package its own way: shared strings, styles, merged ranges, validations,
the hidden marker sheet, cached results of the 同比 formulas. The saved file must import to the very
values the program-filled file imports to, and those must be the values typed.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import make_base
from exchange.excel_import import excel_import_apply, import_read
from exchange.excel_template import comparable
from exchange.tests.excel.conftest import filled, layout_cells, template_bytes
from lib.cells import cell_ref
from registry.models import Category
from submissions.services import submission_start

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SAMPLE = {
    "amount": 12.5, "count": 3, "percent": 45.5, "rate": -3.25, "ratio": 1.2, "text": "第一段文字。\n第二段文字。",
    "string": "示例名称", "email": "lianxi@example.cn", "phone": "0731-88886666", "yesno": "是",
}  # fmt: skip


def _value(item) -> object:
    if item.column == "note":
        return "详细情况说明文字。"
    if item.type == "choice":
        return item.choices[0]
    return SAMPLE[item.type]


def _calc_saved(files: dict[str, bytes], workdir: Path) -> dict[str, bytes]:
    assert SOFFICE, (
        "未找到 LibreOffice（soffice）：请安装 Debian 的 libreoffice-calc-nogui 软件包（make browser 会安装）。"
    )
    source, out = workdir / "in", workdir / "out"
    source.mkdir()
    out.mkdir()
    for name, data in files.items():
        (source / name).write_bytes(data)
    profile = f"file://{workdir / f'profile-{uuid.uuid4().hex}'}"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *(str(source / n) for n in files)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return {name: (out / name).read_bytes() for name in files}


@pytest.fixture
def every_category(forms_2022, campaign, hunan, filler):
    submissions = {}
    for category in Category.objects.order_by("sort_order"):
        if category.annex or category.code == "equipment":
            base = make_base(f"{category.name}·往返示例基地", hunan, category, industry_flags=["steel"])
            campaign.bases.add(base)
            submissions[category.code] = submission_start(campaign=campaign, base=base, user=None)
    assert {s.annex_definition.code for s in submissions.values() if s.annex_definition} == {
        f"annex{i}" for i in range(1, 7)
    }
    return submissions


def test_templates_filled_and_saved_in_libreoffice_import_to_exactly_the_values(
    every_category, ministry, tmp_path
):
    typed, program = {}, {}
    for code, submission in every_category.items():
        refs = {
            (sheet, cell_ref(item.row, item.col)): _value(item)
            for sheet, item in layout_cells(submission).values()
        }
        typed[code] = refs
        program[f"{code}.xlsx"] = filled(template_bytes(submission), refs)
    saved_by_calc = _calc_saved(program, tmp_path)
    for code, submission in every_category.items():
        by_program = import_read(data=program[f"{code}.xlsx"], submission=submission)
        by_calc = import_read(data=saved_by_calc[f"{code}.xlsx"], submission=submission)
        assert not by_calc.blocking, [p.text() for p in by_calc.blocking][:5]
        assert not by_program.blocking, [p.text() for p in by_program.blocking][:5]
        program_values = {d.key: d.raw for d in by_program.differences}
        calc_values = {d.key: d.raw for d in by_calc.differences}
        assert calc_values.keys() == program_values.keys(), code
        definitions = {d.parsed().code: d.parsed() for d in submission.definitions()}
        for key, raw in calc_values.items():
            form, field_code, _year = key.split("|")
            fld = definitions[form].field_map()[field_code]
            assert comparable(fld, raw) == comparable(fld, program_values[key]), (
                code,
                key,
                raw,
                program_values[key],
            )
            if fld.is_numeric:  # exactly the number typed, whatever Calc did to the cell
                assert Decimal(comparable(fld, raw)) == Decimal(str(SAMPLE[fld.type])), (code, key, raw)
            elif fld.type == "text":
                assert comparable(fld, raw) == SAMPLE["text"], (code, key, raw)
        assert len(calc_values) == len(
            {(i.form, i.code, i.year) for _s, i in layout_cells(submission).values()}
        )
        rows = [
            [d.form, d.code, d.year, d.raw, d.seen_revision, d.current_revision, d.conflict]
            for d in by_calc.differences
        ]
        excel_import_apply(submission=submission, user=ministry, differences=rows)
        again = import_read(data=saved_by_calc[f"{code}.xlsx"], submission=submission)
        assert again.differences == [], (code, [d.key for d in again.differences][:5])
