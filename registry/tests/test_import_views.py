"""The registry import pages: upload, validation report, confirm, discard, template; ministry only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.importing import HEADERS
from registry.models import Base, RegistryImport
from registry.services import registry_import_create
from registry.tests.conftest import csv_bytes, row, xlsx_bytes

UPLOAD = reverse("registry:import")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, name: str, content: bytes):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def pending(ministry, hunan) -> RegistryImport:
    content = xlsx_bytes(
        [row("好基地甲"), row("坏基地", 省级主管部门="火星省", 批次="第X批"), row("好基地乙")]
    )
    return registry_import_create(file_name="名录.xlsx", file_format="xlsx", content=content, user=ministry)


class TestUpload:
    @pytest.fixture(autouse=True)
    def login(self, client, ministry):
        client.force_login(ministry)

    def test_page_offers_the_form_and_the_template(self, client):
        html = client.get(UPLOAD).content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert reverse("registry:import_template") in html

    def test_good_xlsx_is_stored_and_leads_to_its_report(self, client, hunan):
        response = upload(client, "名录.xlsx", xlsx_bytes([row("甲基地")]))
        registry_import = RegistryImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("registry:import_report", args=[registry_import.pk])
        assert registry_import.file_name == "名录.xlsx"
        assert registry_import.status == RegistryImport.Status.PENDING
        assert not Base.objects.filter(name="甲基地").exists()

    def test_good_gbk_csv_is_stored(self, client, hunan):
        response = upload(client, "名录.csv", csv_bytes([row("甲基地")], encoding="gbk"))
        assert response.status_code == 302
        assert RegistryImport.objects.get().file_format == "csv"

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("名录.pdf", b"%PDF-1.7", "仅支持 Excel（.xlsx）或 CSV（.csv）文件。"),
            ("名录.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 Excel（.xls）文件"),
            ("名录.xlsx", b"not a zip at all", "不是有效的 Excel 文件"),
            (
                "名录.csv",
                "示范基地名称,备注\r\n甲,乙\r\n".encode(),
                "缺少以下列：批次、省级主管部门、类型、主导产业",
            ),
        ],
    )
    def test_unreadable_files_are_refused_at_the_field(self, client, name, content, message):
        response = upload(client, name, content)
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors["file"])
        assert not RegistryImport.objects.exists()

    def test_file_over_five_megabytes_is_refused_at_the_field(self, client):
        response = upload(client, "名录.csv", b"a" * (5 * 1024 * 1024 + 1))
        assert response.context["form"].errors["file"] == ["文件超过 5 MB，请拆分后分批导入。"]
        assert not RegistryImport.objects.exists()

    def test_missing_file_is_refused_at_the_field(self, client):
        response = client.post(UPLOAD, {})
        assert response.context["form"].errors["file"]

    def test_recent_imports_are_listed(self, client, pending):
        html = client.get(UPLOAD).content.decode()
        assert reverse("registry:import_report", args=[pending.pk]) in html
        assert "待确认" in html


class TestReport:
    def test_report_shows_counts_errors_with_row_numbers_and_preview(self, client, ministry, pending, base):
        client.force_login(ministry)
        response = client.get(reverse("registry:import_report", args=[pending.pk]))
        assert response.context["counts"]["good"] == 2
        assert response.context["counts"]["bad"] == 1
        assert [r.row_number for r in response.context["bad_rows"]] == [3]
        html = response.content.decode()
        assert "第 3 行" in html
        assert "未知的省级主管部门“火星省”" in html
        assert "批次“第X批”无法识别" in html
        assert "好基地甲" in html and "新建" in html
        assert "仅导入无误的行" in html

    def test_preview_names_the_fields_an_update_changes(self, client, ministry, base):
        content = xlsx_bytes(
            [row(base.name, 批次="1", 所在地="长沙县", 行业标记="装备制造", 国家级经开区名称="")]
        )
        registry_import = registry_import_create(
            file_name="x.xlsx", file_format="xlsx", content=content, user=ministry
        )
        client.force_login(ministry)
        response = client.get(reverse("registry:import_report", args=[registry_import.pk]))
        change = response.context["planned"][0]["change"]
        assert change.action == "update"
        assert change.changed_labels == ["主导产业", "细分领域代码", "所在地"]
        assert "所在地" in response.content.decode()


class TestApply:
    @pytest.fixture(autouse=True)
    def login(self, client, ministry):
        client.force_login(ministry)

    def test_file_with_errors_is_not_applied_without_the_explicit_choice(self, client, pending):
        response = client.post(reverse("registry:import_apply", args=[pending.pk]))
        assert response.status_code == 302
        assert any("未导入任何数据" in m for m in messages_of(response))
        assert not Base.objects.filter(name__startswith="好基地").exists()

    def test_only_valid_rows_imports_the_good_rows(self, client, pending):
        response = client.post(reverse("registry:import_apply", args=[pending.pk]), {"only_valid_rows": "on"})
        assert messages_of(response) == ["导入完成：新建 2 个示范基地，更新 0 个，跳过有错误的 1 行。"]
        assert set(Base.objects.values_list("name", flat=True)) == {"好基地甲", "好基地乙"}
        html = client.get(reverse("registry:import_report", args=[pending.pk])).content.decode()
        assert "已导入" in html and "确认导入" not in html

    def test_second_apply_is_refused_with_a_message(self, client, pending):
        url = reverse("registry:import_apply", args=[pending.pk])
        client.post(url, {"only_valid_rows": "on"})
        response = client.post(url, {"only_valid_rows": "on"})
        assert any("不能重复导入" in m for m in messages_of(response))
        assert Base.objects.filter(name="好基地甲").count() == 1

    def test_apply_accepts_only_post(self, client, pending):
        assert client.get(reverse("registry:import_apply", args=[pending.pk])).status_code == 405

    def test_discard_leaves_the_registry_alone(self, client, pending):
        response = client.post(reverse("registry:import_discard", args=[pending.pk]))
        assert response["Location"] == UPLOAD
        pending.refresh_from_db()
        assert pending.status == RegistryImport.Status.DISCARDED
        assert not Base.objects.filter(name__startswith="好基地").exists()

    def test_unknown_import_is_not_found(self, client):
        assert client.get(reverse("registry:import_report", args=[999999])).status_code == 404


def test_template_is_an_xlsx_with_the_chinese_header_and_an_example(client, ministry):
    client.force_login(ministry)
    response = client.get(reverse("registry:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][0] and len(rows) == 2
    assert "省级主管部门" in workbook.sheetnames and "填写说明" in workbook.sheetnames


@pytest.mark.parametrize(
    "role_fixture", ["filler", "reviewer", "other_reviewer", "expert", "sysadmin", "secadmin", "auditor"]
)
class TestOnlyTheMinistry:
    def test_upload_page_and_template_are_refused(self, client, request, role_fixture):
        client.force_login(request.getfixturevalue(role_fixture))
        assert client.get(UPLOAD).status_code == 403
        assert upload(client, "名录.xlsx", xlsx_bytes([row("甲")])).status_code == 403
        assert client.get(reverse("registry:import_template")).status_code == 403
        assert not RegistryImport.objects.exists()

    def test_report_apply_and_discard_are_refused(self, client, request, role_fixture, pending):
        client.force_login(request.getfixturevalue(role_fixture))
        assert client.get(reverse("registry:import_report", args=[pending.pk])).status_code == 403
        assert (
            client.post(
                reverse("registry:import_apply", args=[pending.pk]), {"only_valid_rows": "on"}
            ).status_code
            == 403
        )
        assert client.post(reverse("registry:import_discard", args=[pending.pk])).status_code == 403
        pending.refresh_from_db()
        assert pending.status == RegistryImport.Status.PENDING
        assert not Base.objects.filter(name__startswith="好基地").exists()
