"""Exports on the task queue: a row per base with a column per item and year and 同比%, annexes on
their own sheets, an authority's own bases only; per-base workbooks in the official layout as a zip."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from exchange import excel_export
from exchange.tests.conftest import fill_summary
from jobs.models import Job
from submissions.services import submission_start


@pytest.fixture
def material(forms_2022, campaign, base, sibling_base, other_base, filler, other_filler):
    mine = submission_start(campaign=campaign, base=base, user=filler)
    fill_summary(mine, filler)
    submission_start(campaign=campaign, base=sibling_base, user=None)
    submission_start(campaign=campaign, base=other_base, user=other_filler)
    return mine


def _export(client, django_capture_on_commit_callbacks, user, campaign, **filters):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:excel_export"), {"campaign": campaign.pk, **filters})
    assert response.status_code == 302, response.content.decode()[:800]
    job = Job.objects.filter(created_by=user).first()
    assert job.status == Job.Status.DONE, job.error
    with job.result_file.open("rb") as handle:
        return job, handle.read()


def _rows(data: bytes, sheet: str = "汇总表"):
    ws = load_workbook(io.BytesIO(data), read_only=True)[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_ministry_exports_every_base_with_years_and_yoy(
    client, django_capture_on_commit_callbacks, ministry, campaign, material
):
    _job, data = _export(client, django_capture_on_commit_callbacks, ministry, campaign)
    rows = _rows(data)
    head = rows[0]
    assert {"示范基地名称（名录）", "省级主管部门", "批次（名录）", "材料状态"} <= set(head)
    # The registry's facts are told from the form's own 示范基地名称 and 批次, as the base typed them.
    assert len(head) == len(set(head))
    book = load_workbook(io.BytesIO(data))
    for ws in (book["汇总表"], book["附表1"]):
        # It prints as a table is read: landscape, the header row and the base on every page.
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 8
        assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"
    by_name = {r[1]: dict(zip(head, r, strict=False)) for r in rows[1:]}
    assert len(by_name) == 3
    mine = by_name[material.base.name]
    assert mine["1.1 销售收入（亿元） 2021年"] == pytest.approx(1234.56)
    assert mine["1.1 销售收入 2021年同比%"] == pytest.approx(12.23)
    assert mine["1.5 进出口总额（亿元人民币） 2021年"] == pytest.approx(129.03)  # typed in 美元, converted
    assert "附表1" in load_workbook(io.BytesIO(data), read_only=True).sheetnames
    annex = _rows(data, "附表1")
    assert [r[1] for r in annex[1:]] == ["软件和信息服务·苏州示例软件园"]


def test_each_small_table_has_a_sheet_with_a_row_per_table_row(
    client, django_capture_on_commit_callbacks, ministry, campaign, material
):
    _job, data = _export(client, django_capture_on_commit_callbacks, ministry, campaign)
    names = load_workbook(io.BytesIO(data), read_only=True).sheetnames
    assert "汇总表·联系信息" in names and all(len(n) <= 31 for n in names)
    rows = _rows(data, "汇总表·联系信息")
    head = rows[0]
    assert head[:5] == ["序号", "示范基地名称", "省级主管部门", "类型", "行"]
    assert {"姓名", "移动电话"} <= set(head)
    mine = [dict(zip(head, r, strict=False)) for r in rows[1:] if r[1] == material.base.name]
    assert [r["行"] for r in mine] == ["示范基地负责人", "联系人"][: len(mine)] and mine
    assert mine[0]["姓名"] == "张三" and mine[0]["移动电话"] == "13800000000"  # decrypted for the ministry
    assert all(r[1] == material.base.name for r in rows[1:])  # the empty tables of the others: no rows


def test_an_authority_exports_only_its_own_bases(
    client, django_capture_on_commit_callbacks, reviewer, campaign, material
):
    _job, data = _export(client, django_capture_on_commit_callbacks, reviewer, campaign)
    names = {r[1] for r in _rows(data)[1:]}
    assert names == {material.base.name, "装备制造(轨道交通)·株洲示例高新技术产业开发区"}


def test_an_authority_cannot_ask_for_another(client, reviewer, campaign, material, jiangsu):
    client.force_login(reviewer)
    response = client.post(
        reverse("exchange:excel_export"), {"campaign": campaign.pk, "authority": jiangsu.pk}
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_filters_narrow_the_rows(client, django_capture_on_commit_callbacks, ministry, campaign, material):
    _job, data = _export(client, django_capture_on_commit_callbacks, ministry, campaign, category="software")
    assert [r[1] for r in _rows(data)[1:]] == ["软件和信息服务·苏州示例软件园"]
    Job.objects.all().delete()
    _job, data = _export(client, django_capture_on_commit_callbacks, ministry, campaign, batch="2")
    assert [r[1] for r in _rows(data)[1:]] == ["装备制造(轨道交通)·株洲示例高新技术产业开发区"]


def test_nothing_matching_is_said_so(client, ministry, campaign, material):
    client.force_login(ministry)
    response = client.post(reverse("exchange:excel_export"), {"campaign": campaign.pk, "status": "accepted"})
    assert response.status_code == 400 and "没有符合条件" in response.content.decode()


def test_per_base_workbooks_come_as_a_zip_per_authority(
    client, django_capture_on_commit_callbacks, ministry, campaign, material, hunan
):
    job, data = _export(
        client, django_capture_on_commit_callbacks, ministry, campaign, authority=hunan.pk, format="zip"
    )
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 2 and all(n.startswith(f"{hunan.name}/") and n.endswith(".xlsx") for n in names)
    assert job.result_name.endswith(".zip")


def test_a_zip_needs_an_authority_for_the_ministry(client, ministry, campaign, material):
    client.force_login(ministry)
    response = client.post(reverse("exchange:excel_export"), {"campaign": campaign.pk, "format": "zip"})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["filler", "expert", "sysadmin", "auditor"])
def test_bases_experts_and_operators_may_not_export(request, client, campaign, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("exchange:excel_export")).status_code == 403
    assert client.post(reverse("exchange:excel_export"), {"campaign": campaign.pk}).status_code == 403


def test_the_page_offers_the_filters(client, reviewer, campaign):
    client.force_login(reviewer)
    page = client.get(reverse("exchange:excel_export")).content.decode()
    assert 'name="category"' in page and 'name="batch"' in page and 'name="status"' in page
    assert "江苏" not in page


def test_the_national_export_reads_in_fixed_queries_per_slice(
    forms_2022, campaign, material, base, sibling_base, other_base, tmp_path, monkeypatch
):
    """The export reads its bases a slice (CHUNK) at a time: the same queries for one base as for
    a full slice, and each further slice costs the same two queries, whatever the slice holds."""
    bases = [base.pk, sibling_base.pk, other_base.pk]

    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            written = excel_export.national_export(
                campaign=campaign, base_ids=bases[:count], path=str(tmp_path / f"{count}.xlsx")
            )
        assert written == count
        return len(ctx.captured_queries)

    assert queries(1) == queries(3)  # one slice
    monkeypatch.setattr(excel_export, "CHUNK", 1)
    one, two, three = queries(1), queries(2), queries(3)
    assert three - two == two - one == 2  # the bases' facts, and every cell (the small tables' too)
