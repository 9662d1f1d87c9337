"""registry_import_apply: creates and updates bases from a stored file, once, all or valid rows only."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import Event
from registry.models import Base, RegistryImport
from registry.services import (
    RegistryImportError,
    registry_import_apply,
    registry_import_create,
    registry_import_discard,
)
from registry.tests.conftest import csv_bytes, row, xlsx_bytes


def stored(user, content: bytes, file_format: str = "xlsx") -> RegistryImport:
    return registry_import_create(
        file_name=f"名录.{file_format}", file_format=file_format, content=content, user=user
    )


class TestGoodFiles:
    def test_good_xlsx_creates_new_and_updates_existing_bases(self, ministry, base, hunan, software):
        content = xlsx_bytes(
            [
                row("软件和信息服务·长沙示例软件园", 类型="软件和信息服务", 批次="第五批", 系列="特色"),
                row(base.name, 批次=2, 所在地="长沙县", 行业标记="装备制造、钢铁"),
            ]
        )
        registry_import = stored(ministry, content)
        result = registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)

        assert result == {"created": 1, "updated": 1, "unchanged": 0, "skipped": 0}
        created = Base.objects.get(name="软件和信息服务·长沙示例软件园")
        assert (created.batch, created.category, created.authority, created.series) == (
            5,
            software,
            hunan,
            "special",
        )
        assert created.sub_sectors == ["3511", "3513"]
        assert created.is_econ_zone and created.econ_zone_name == "长沙经济技术开发区"
        base.refresh_from_db()
        assert (base.batch, base.location, base.industry_flags) == (2, "长沙县", ["equipment", "steel"])
        registry_import.refresh_from_db()
        assert registry_import.status == RegistryImport.Status.APPLIED
        assert registry_import.applied_by == ministry
        assert registry_import.result["created"] == 1
        # The registry keeps its history in the audit trail: before and after of every changed field.
        update = Event.objects.get(action="base.update")
        assert (update.base, update.actor) == (base, ministry)
        assert update.data["changes"]["batch"] == [1, 2]
        assert Event.objects.filter(action="base.create", base=created).exists()
        assert Event.objects.get(action="registry.import").data == result

    def test_good_gbk_csv_is_imported(self, ministry, jiangsu):
        content = csv_bytes(
            [
                row(
                    "电子信息·无锡示例高新区",
                    省级主管部门="江苏省",
                    类型="电子信息",
                    细分领域代码="3971 3972",
                ),
                row(
                    "原材料·示例化工园",
                    省级主管部门="miit-320000",
                    类型="原材料",
                    状态="已取消称号",
                    取消称号日期="2021/6/30",
                ),
            ],
            encoding="gbk",
        )
        registry_import = stored(ministry, content, "csv")
        result = registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)

        assert result["created"] == 2
        wuxi = Base.objects.get(name="电子信息·无锡示例高新区")
        assert wuxi.authority == jiangsu
        assert wuxi.sub_sectors == ["3971", "3972"]
        revoked = Base.objects.get(name="原材料·示例化工园")
        assert revoked.status == Base.Status.REVOKED
        assert revoked.revoked_on == dt.date(2021, 6, 30)

    def test_identical_row_changes_nothing(self, ministry, hunan, equipment):
        first = stored(ministry, xlsx_bytes([row("甲基地")]))
        registry_import_apply(registry_import=first, user=ministry, only_valid_rows=False)
        before = Base.objects.get(name="甲基地").updated_at
        second = stored(ministry, xlsx_bytes([row("甲基地")]))
        result = registry_import_apply(registry_import=second, user=ministry, only_valid_rows=False)
        assert result == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
        assert Base.objects.get(name="甲基地").updated_at == before


class TestBadFiles:
    def content(self) -> bytes:
        return xlsx_bytes([row("好基地甲"), row("坏基地", 省级主管部门="火星省"), row("好基地乙")])

    def test_file_with_errors_saves_nothing_unless_asked(self, ministry, hunan):
        registry_import = stored(ministry, self.content())
        with pytest.raises(RegistryImportError, match="有 1 行存在错误，未导入任何数据"):
            registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)
        assert not Base.objects.filter(name__startswith="好基地").exists()
        registry_import.refresh_from_db()
        assert registry_import.status == RegistryImport.Status.PENDING

    def test_only_valid_rows_imports_the_good_rows(self, ministry, hunan):
        registry_import = stored(ministry, self.content())
        result = registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=True)
        assert result == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1}
        assert set(Base.objects.values_list("name", flat=True)) == {"好基地甲", "好基地乙"}
        registry_import.refresh_from_db()
        assert registry_import.only_valid_rows is True

    def test_file_without_any_good_row_is_refused(self, ministry):
        registry_import = stored(ministry, xlsx_bytes([row("坏", 类型="航天")]))
        with pytest.raises(RegistryImportError, match="没有无误的行"):
            registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=True)

    def test_summary_counts_good_and_bad_rows_at_upload(self, ministry, hunan):
        registry_import = stored(ministry, self.content())
        assert registry_import.summary == {"total": 3, "good": 2, "bad": 1}
        upload = Event.objects.get(action="registry.import_upload")
        assert (upload.actor, upload.target_id, upload.data["bad"]) == (ministry, str(registry_import.pk), 1)


class TestOnce:
    def test_second_apply_is_refused(self, ministry, hunan):
        registry_import = stored(ministry, xlsx_bytes([row("甲基地")]))
        registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)
        with pytest.raises(RegistryImportError, match="不能重复导入"):
            registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)
        assert Base.objects.filter(name="甲基地").count() == 1

    def test_stale_copy_of_the_import_cannot_apply_again(self, ministry, hunan):
        registry_import = stored(ministry, xlsx_bytes([row("甲基地", 所在地="一")]))
        stale = RegistryImport.objects.get(pk=registry_import.pk)
        registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)
        # The status is read again under the lock, not taken from the caller's copy.
        assert stale.status == RegistryImport.Status.PENDING
        with pytest.raises(RegistryImportError):
            registry_import_apply(registry_import=stale, user=ministry, only_valid_rows=False)

    def test_discarded_import_cannot_be_applied(self, ministry, hunan):
        registry_import = stored(ministry, xlsx_bytes([row("甲基地")]))
        registry_import_discard(registry_import=registry_import, user=ministry)
        assert Event.objects.get(action="registry.import_discard").actor == ministry
        with pytest.raises(RegistryImportError, match="已放弃"):
            registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)
        assert not Base.objects.filter(name="甲基地").exists()


def test_base_created_after_upload_is_updated_not_duplicated(ministry, hunan, equipment):
    """The plan is made again at apply time, against the registry as it is then."""
    registry_import = stored(ministry, xlsx_bytes([row("甲基地", 批次="3")]))
    Base.objects.create(name="甲基地", batch=1, authority=hunan, category=equipment, lead_industry="x")
    result = registry_import_apply(registry_import=registry_import, user=ministry, only_valid_rows=False)
    assert result["updated"] == 1
    assert Base.objects.get(name="甲基地").batch == 3
