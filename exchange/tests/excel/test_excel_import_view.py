"""Uploading a filled template: a preview of the differences first, saving only on confirmation."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchange.tests.conftest import pdf_bytes, save
from exchange.tests.excel.conftest import filled, ref_of, template_bytes
from submissions.models import Submission, Value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client, user, submission, data: bytes, name: str = "模板.xlsx"):
    client.force_login(user)
    upload = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(reverse("exchange:excel", args=[submission.pk]), {"file": upload})


def _with_sales(submission, template, value=500):
    return filled(template, {ref_of(submission, "summary", "1.1", 2020): value})


def _confirm(client, response, submission, overwrite=()):
    token = response.context["token"]
    return client.post(
        reverse("exchange:excel_confirm", args=[submission.pk]),
        {"token": token, "overwrite": list(overwrite)},
    )


def test_the_page_offers_download_and_upload_to_the_filler(client, filler, submission):
    client.force_login(filler)
    response = client.get(reverse("exchange:excel", args=[submission.pk]))
    assert response.status_code == 200
    assert reverse("exchange:excel_template", args=[submission.pk]) in response.content.decode()
    assert 'type="file"' in response.content.decode()


def test_the_material_tabs_link_to_the_excel_page(client, filler, submission):
    client.force_login(filler)
    page = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert reverse("exchange:excel", args=[submission.pk]) in page


def test_upload_shows_a_preview_and_saves_nothing(client, filler, submission, template):
    response = _post(client, filler, submission, _with_sales(submission, template))
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入预览" in page and "确认导入" in page and "2020年 1.1 销售收入" in page
    assert not submission.values.filter(code="1.1", year=2020).exists()


def test_confirming_saves_the_differences(client, filler, submission, template):
    response = _post(client, filler, submission, _with_sales(submission, template))
    confirmed = _confirm(client, response, submission)
    assert confirmed.status_code == 302
    saved = submission.values.get(code="1.1", year=2020)
    assert saved.value == "500" and saved.source == Value.Source.IMPORT


def test_a_conflict_is_kept_unless_the_user_chooses_the_file(client, filler, submission, template):
    save(submission, filler, "summary", "1.1", 2020, "999")
    response = _post(client, filler, submission, _with_sales(submission, template))
    assert "冲突" in response.content.decode() and "999" in response.content.decode()
    _confirm(client, response, submission)
    assert submission.values.get(code="1.1", year=2020).raw == "999"
    response = _post(client, filler, submission, _with_sales(submission, template))
    _confirm(client, response, submission, overwrite=["summary|1.1|2020"])
    assert submission.values.get(code="1.1", year=2020).value == "500"


def test_a_file_with_errors_lists_them_and_cannot_be_confirmed(client, filler, submission, template):
    sheet, ref = ref_of(submission, "summary", "1.4", 2021)
    response = _post(client, filler, submission, filled(template, {(sheet, ref): 2.5}))
    page = response.content.decode()
    assert ref in page and "整数" in page and "确认导入" not in page
    assert response.context["token"] == ""


def test_a_tampered_confirmation_is_refused(client, filler, submission, template):
    client.force_login(filler)
    response = client.post(reverse("exchange:excel_confirm", args=[submission.pk]), {"token": "forged"})
    assert response.status_code == 409
    assert not submission.values.filter(source=Value.Source.IMPORT).exists()


@pytest.mark.parametrize("who", ["reviewer", "ministry"])
def test_the_own_authority_and_the_ministry_may_import_for_the_base(
    request, client, submission, template, who
):
    response = _post(client, request.getfixturevalue(who), submission, _with_sales(submission, template))
    _confirm(client, response, submission)
    assert submission.values.get(code="1.1", year=2020).value == "500"


def test_an_expert_may_not_import(client, expert, submission, template):
    assert _post(client, expert, submission, _with_sales(submission, template)).status_code == 403
    assert not submission.values.filter(code="1.1", year=2020).exists()


@pytest.mark.parametrize("who", ["other_reviewer", "other_filler", "sysadmin"])
def test_it_refuses_other_authority_other_base_and_outsiders(request, client, submission, template, who):
    assert (
        _post(client, request.getfixturevalue(who), submission, _with_sales(submission, template)).status_code
        == 404
    )


def test_submitted_material_cannot_be_imported(client, filler, submission, template):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    assert _post(client, filler, submission, _with_sales(submission, template)).status_code == 403


def _xlsm(template: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def _broken_files(submission, template, other_submission):
    return {
        "corrupt": ("模板.xlsx", template[: len(template) // 2], "损坏"),
        "encrypted": ("模板.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "加密"),
        "macro_xlsm": ("模板.xlsm", template, "宏"),
        "macro_inside": ("模板.xlsx", _xlsm(template), "宏"),
        "not_excel": ("模板.xlsx", pdf_bytes(), "Excel"),
        "oversized": ("模板.xlsx", template + b"\x00" * (10 * 1024 * 1024), "上限"),
        "other_base": ("模板.xlsx", template_bytes(other_submission), "属于示范基地"),
    }


@pytest.mark.parametrize(
    "kind", ["corrupt", "encrypted", "macro_xlsm", "macro_inside", "not_excel", "oversized", "other_base"]
)
def test_a_broken_file_is_refused_with_its_reason_and_nothing_changes(
    client, filler, submission, template, other_submission, kind
):
    name, data, reason = _broken_files(submission, template, other_submission)[kind]
    before = list(submission.values.values_list("code", "year", "raw", "revision"))
    response = _post(client, filler, submission, data, name)
    assert response.status_code == 400
    assert reason in response.context["error"]
    assert "没有任何改动" in response.content.decode()
    assert list(submission.values.values_list("code", "year", "raw", "revision")) == before


def test_a_part_larger_than_its_whole_is_imported_and_shown_as_an_error_to_correct(
    client, filler, submission, template
):
    data = filled(
        template,
        {ref_of(submission, "summary", "1.1", 2020): 500, ref_of(submission, "summary", "1.1a", 2020): 900},
    )
    response = _post(client, filler, submission, data)
    assert response.status_code == 200 and not response.context["errors"]
    page = response.content.decode()
    row = next(line for line in page.splitlines() if "不能大于" in line)
    assert '<span class="badge err">错误</span>' in row
    assert "须在提交前改正" in page
    assert "未勾选的冲突项" not in page  # no conflict, nothing to tick
    assert _confirm(client, response, submission).status_code == 302
    assert submission.values.get(code="1.1a", year=2020).value == "900"
