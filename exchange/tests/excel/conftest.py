"""Templates downloaded, filled like a user would (openpyxl, as Excel keeps the file) and read back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone

from exchange.excel_layout import Input
from exchange.excel_template import layouts_for, submission_template
from lib.cells import cell_ref
from submissions.models import Submission
from submissions.services import profile_for


def template_bytes(submission: Submission) -> bytes:
    return submission_template(
        submission=submission, profile=profile_for(submission.base), now=timezone.now()
    )[0]


def layout_cells(
    submission: Submission, data: bytes | None = None
) -> dict[tuple[str, str, int, int | None, str | None], tuple[str, Input]]:
    """(form, code, year, table row, column) → (sheet name, input) of the template's layout."""
    from exchange.excel_import import book_marker, read_book

    marker = book_marker(read_book(data or template_bytes(submission)))
    definitions = [d.parsed() for d in submission.definitions()]
    out = {}
    for layout in layouts_for(submission, definitions, profile_for(submission.base), marker.rows):
        for item in layout.inputs:
            out[(item.form, item.code, item.year, item.table_row, item.column)] = (layout.name, item)
    return out


def ref_of(
    submission: Submission,
    form: str,
    code: str,
    year: int = 0,
    row: int | None = None,
    column: str | None = None,
) -> tuple[str, str]:
    sheet, item = layout_cells(submission)[(form, code, year, row, column)]
    return sheet, cell_ref(item.row, item.col)


def filled(
    data: bytes,
    cells: dict[tuple[str, str], Any],
    *,
    number_formats: dict[tuple[str, str], str] | None = None,
) -> bytes:
    """The template with `cells` ((sheet, ref) → value) typed in, saved as Excel would keep it."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    for (sheet, ref), value in cells.items():
        workbook[sheet][ref] = value
    for (sheet, ref), fmt in (number_formats or {}).items():
        workbook[sheet][ref].number_format = fmt
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def template(submission) -> bytes:
    return template_bytes(submission)
