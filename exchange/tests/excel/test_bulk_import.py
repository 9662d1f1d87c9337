"""Bulk import on the task queue: each file matched to its base by its marker, refused alone with its reason."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from exchange.tests.conftest import save
from exchange.tests.excel.conftest import filled, ref_of, template_bytes
from jobs.models import Job
from submissions.models import Submission, Value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def sibling_submission(forms_2022, campaign, sibling_base, filler):
    from submissions.services import submission_start

    return submission_start(campaign=campaign, base=sibling_base, user=None)


def _sales(submission, value):
    return filled(template_bytes(submission), {ref_of(submission, "summary", "1.1", 2020): value})


def _run(client, django_capture_on_commit_callbacks, user, files):
    client.force_login(user)
    uploads = [SimpleUploadedFile(name, data, content_type=XLSX) for name, data in files]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:excel_bulk"), {"files": uploads})
    assert response.status_code == 302, response.content.decode()[:500]
    job = Job.objects.get(created_by=user)
    return job, {f["name"]: f for f in job.outcome.get("files", [])}


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_authority_imports_its_bases_and_each_file_is_listed(
    client, django_capture_on_commit_callbacks, reviewer, submission, sibling_submission
):
    job, outcomes = _run(
        client, django_capture_on_commit_callbacks, reviewer,
        [("长沙.xlsx", _sales(submission, 500)), ("株洲.xlsx", _sales(sibling_submission, 700))],
    )  # fmt: skip
    assert job.status == Job.Status.DONE, job.error
    assert (
        outcomes["长沙.xlsx"]["status"] == "imported"
        and outcomes["长沙.xlsx"]["base"] == submission.base.name
    )
    assert submission.values.get(code="1.1", year=2020).value == "500"
    assert sibling_submission.values.get(code="1.1", year=2020).value == "700"
    assert submission.values.get(code="1.1", year=2020).source == Value.Source.IMPORT
    assert job.result_file and job.result_name.endswith(".xlsx")
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "长沙.xlsx" in page and "已导入" in page


def test_broken_files_are_refused_with_reasons_and_never_stop_the_rest(
    client, django_capture_on_commit_callbacks, reviewer, submission, other_submission, settings
):
    template = template_bytes(submission)
    bomb = b"\x00" * (30 * 1024 * 1024)
    files = [
        ("好的.xlsx", _sales(submission, 500)),
        ("损坏.xlsx", template[:2000]),
        ("加密.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("含宏.xlsm", template),
        ("别省.xlsx", _sales(other_submission, 900)),
        (
            "压缩包.zip",
            _zip({"炸弹.xlsx": bomb, "套娃.zip": b"PK", "长沙/内层.xlsx": _sales(submission, 500)}),
        ),
    ]
    job, outcomes = _run(client, django_capture_on_commit_callbacks, reviewer, files)
    assert job.status == Job.Status.DONE, job.error
    assert outcomes["好的.xlsx"]["status"] == "imported"
    # A broken workbook is a workbook, whatever its bytes look like: not a damaged archive.
    assert "文件已损坏或不完整" in outcomes["损坏.xlsx"]["detail"]
    assert "压缩包" not in outcomes["损坏.xlsx"]["detail"]
    assert "加密" in outcomes["加密.xlsx"]["detail"]
    assert "宏" in outcomes["含宏.xlsm"]["detail"]
    assert "无权" in outcomes["别省.xlsx"]["detail"] and outcomes["别省.xlsx"]["base"]
    assert (
        "炸弹" in outcomes["压缩包.zip › 炸弹.xlsx"]["detail"]
        or "上限" in outcomes["压缩包.zip › 炸弹.xlsx"]["detail"]
    )
    assert "压缩包" in outcomes["压缩包.zip › 套娃.zip"]["detail"]
    assert outcomes["压缩包.zip › 长沙/内层.xlsx"]["status"] == "unchanged"
    assert not other_submission.values.filter(code="1.1", year=2020).exists()


def test_the_task_is_named_after_what_was_uploaded(
    client, django_capture_on_commit_callbacks, reviewer, submission, sibling_submission
):
    # One zip of two templates: named by the zip, not "1 个文件" (its templates are counted inside).
    data = _zip({"长沙.xlsx": _sales(submission, 500), "株洲.xlsx": _sales(sibling_submission, 700)})
    job, outcomes = _run(client, django_capture_on_commit_callbacks, reviewer, [("湖南八月.zip", data)])
    assert job.title == "批量导入填报模板（湖南八月.zip）" and len(outcomes) == 2
    assert "共 2 个文件" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    Job.objects.all().delete()
    job, _ = _run(
        client, django_capture_on_commit_callbacks, reviewer,
        [("长沙.xlsx", _sales(submission, 501)), ("株洲.xlsx", _sales(sibling_submission, 701))],
    )  # fmt: skip
    assert job.title == "批量导入填报模板（长沙.xlsx 等 2 个上传文件）"


def test_a_file_with_an_error_changes_nothing(
    client, django_capture_on_commit_callbacks, reviewer, submission
):
    bad = filled(
        template_bytes(submission),
        {ref_of(submission, "summary", "1.1", 2020): 500, ref_of(submission, "summary", "1.4", 2021): 1.5},
    )
    _job, outcomes = _run(client, django_capture_on_commit_callbacks, reviewer, [("错.xlsx", bad)])
    assert outcomes["错.xlsx"]["status"] == "refused" and any(
        "整数" in p for p in outcomes["错.xlsx"]["problems"]
    )
    assert not submission.values.filter(code="1.1", year=2020).exists()


def test_a_conflicting_cell_is_left_as_it_is_online_and_the_rest_imported(
    client, django_capture_on_commit_callbacks, reviewer, submission, sibling_submission, filler
):
    stale_sheet, stale_ref = ref_of(sibling_submission, "summary", "1.1", 2020)
    stale = filled(
        template_bytes(sibling_submission),
        {(stale_sheet, stale_ref): 700, ref_of(sibling_submission, "summary", "1.1", 2019): 600},
    )
    only_conflicts = _sales(submission, 800)
    save(sibling_submission, filler, "summary", "1.1", 2020, "650")  # changed online after the download
    save(submission, filler, "summary", "1.1", 2020, "444")
    job, outcomes = _run(
        client, django_capture_on_commit_callbacks, reviewer,
        [("旧.xlsx", stale), ("全冲突.xlsx", only_conflicts)],
    )  # fmt: skip
    assert job.status == Job.Status.DONE, job.error
    # Never overwritten; the file's other difference is imported.
    assert sibling_submission.values.get(code="1.1", year=2020).raw == "650"
    assert sibling_submission.values.get(code="1.1", year=2019).raw == "600"
    outcome = outcomes["旧.xlsx"]
    assert outcome["status"] == "partial" and outcome["status_display"] == "部分导入"
    assert "导入 1 项" in outcome["detail"] and "1 项在下载模板后已在系统中修改" in outcome["detail"]
    [left] = outcome["left"]
    assert left["place"] == f"{stale_sheet}!{stale_ref}" and "2020年" in left["item"]
    assert left["file_value"].replace(",", "").startswith("700") and left["online_value"].startswith("650")
    assert left["by"] == filler.display_name and left["at"]
    # A file whose every difference conflicts imports nothing and says so.
    assert outcomes["全冲突.xlsx"]["status"] == "conflict" and len(outcomes["全冲突.xlsx"]["left"]) == 1
    assert submission.values.get(code="1.1", year=2020).raw == "444"
    assert "部分导入 1 个" in job.summary and "2 个单元格因系统中已修改保留系统中的值" in job.summary
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "部分导入" in page and f"{stale_sheet}!{stale_ref}" in page and filler.display_name in page
    assert "保留在线值、未覆盖的单元格（1 个）" in page
    # The downloadable outcome lists the same cells on a sheet of their own.
    download = client.get(reverse("jobs:download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    files = {row[1]: row for row in book["导入结果"].iter_rows(min_row=2, values_only=True)}
    assert files["旧.xlsx"][3] == "部分导入" and "未覆盖" in files["旧.xlsx"][4]
    rows = list(book["保留系统中值的单元格"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[6]) for r in rows] == [
        ("旧.xlsx", f"{stale_sheet}!{stale_ref}", filler.display_name),
        ("全冲突.xlsx", "!".join(ref_of(submission, "summary", "1.1", 2020)), filler.display_name),
    ]


def test_submitted_material_is_refused(client, django_capture_on_commit_callbacks, reviewer, submission):
    data = _sales(submission, 500)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    _job, outcomes = _run(client, django_capture_on_commit_callbacks, reviewer, [("长沙.xlsx", data)])
    assert "已提交" in outcomes["长沙.xlsx"]["detail"]


def test_the_ministry_imports_any_base(
    client, django_capture_on_commit_callbacks, ministry, other_submission
):
    _job, outcomes = _run(
        client, django_capture_on_commit_callbacks, ministry, [("苏州.xlsx", _sales(other_submission, 9))]
    )
    assert outcomes["苏州.xlsx"]["status"] == "imported"


@pytest.mark.parametrize("who", ["filler", "other_filler", "expert", "sysadmin"])
def test_bases_experts_and_operators_may_not_bulk_import(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("exchange:excel_bulk")).status_code == 403
    assert client.post(reverse("exchange:excel_bulk"), {}).status_code == 403
    assert not Job.objects.exists()


def test_the_page_asks_for_files(client, reviewer):
    client.force_login(reviewer)
    assert 'name="files"' in client.get(reverse("exchange:excel_bulk")).content.decode()
    assert client.post(reverse("exchange:excel_bulk"), {}).status_code == 400
