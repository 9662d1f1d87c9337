"""The pure reader and validator of registry files: no database, every error class with its row."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.importing import (
    HEADERS,
    ImportFileError,
    Reference,
    build_reference,
    detect_format,
    parse_batch,
    parse_date,
    parse_records,
    plan_changes,
    read_table,
    template_workbook,
    validate_file,
    validate_records,
)
from registry.tests.conftest import csv_bytes, row, xlsx_bytes

REFERENCE: Reference = build_reference(
    [
        (1, "miit-430000", "湖南省工业和信息化主管部门", "湖南", "province"),
        (2, "comm-430000", "湖南省通信管理局", "湖南通信管理局", "comm"),
        (3, "miit-320000", "江苏省工业和信息化主管部门", "江苏", "province"),
    ],
    [(10, "equipment", "装备制造"), (11, "software", "软件和信息服务")],
)


def records(*rows: list[str]) -> list[tuple[int, dict[str, str]]]:
    return parse_records([(1, HEADERS), *((i, r) for i, r in enumerate(rows, start=2))])


def errors_of(report, row_number: int) -> list[str]:
    return next(r.errors for r in report.rows if r.row_number == row_number)


class TestParseBatch:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("3", 3),
            ("3.0", 3),
            ("第三批", 3),
            ("三", 3),
            ("第十批", 10),
            ("第十一批", 11),
            ("二十", 20),
            (" 第 9 批", 9),
        ],
    )
    def test_it_reads_digits_and_chinese_numerals(self, text, expected):
        assert parse_batch(text) == expected

    @pytest.mark.parametrize("text", ["0", "第零批", "abc", "3.5", "三十十", "100", "-1", "三批次"])
    def test_it_rejects_what_is_not_a_batch(self, text):
        assert parse_batch(text) is None

    def test_it_accepts_a_missing_suffix(self):
        assert parse_batch("第三") == 3


class TestParseDate:
    @pytest.mark.parametrize("text", ["2021-05-01", "2021/5/1", "2021.5.1", "2021年5月1日"])
    def test_it_reads_common_date_forms(self, text):
        assert parse_date(text) == dt.date(2021, 5, 1)

    @pytest.mark.parametrize("text", ["2021-02-30", "20210501", "五月一日", "2021-13-01"])
    def test_it_rejects_impossible_or_unknown_dates(self, text):
        assert parse_date(text) is None


class TestReference:
    def test_authority_found_by_full_name_short_name_code_and_region(self):
        for key in ["湖南省工业和信息化主管部门", "湖南", "miit-430000", "MIIT-430000", "湖南省"]:
            assert REFERENCE.authorities[key.lower()] == 1

    def test_comm_authority_is_not_taken_for_the_province(self):
        assert REFERENCE.authorities["湖南通信管理局"] == 2
        assert REFERENCE.authorities["湖南省"] == 1

    def test_category_found_by_name_or_code(self):
        assert REFERENCE.categories["装备制造"] == 10
        assert REFERENCE.categories["software"] == 11


class TestValidRow:
    def test_a_complete_row_becomes_base_data(self):
        report = validate_records(records(row("甲基地", 批次="第三批", 系列="特色系列")), REFERENCE)
        data = report.rows[0].data
        assert report.rows[0].ok
        assert data.batch == 3
        assert data.authority_id == 1
        assert data.category_id == 10
        assert data.series == "special"
        assert data.sub_sectors == ["3511", "3513"]
        assert data.industry_flags == ["equipment"]
        assert data.is_econ_zone is True
        assert data.econ_zone_name == "长沙经济技术开发区"
        assert data.is_high_tech_zone is False
        assert data.status == "active"
        assert data.revoked_on is None

    def test_sub_sector_codes_accept_every_separator_and_letters(self):
        report = validate_records(records(row("甲", 细分领域代码="C, 3511；3513;39 6511,c")), REFERENCE)
        assert report.rows[0].data.sub_sectors == ["C", "3511", "3513", "39", "6511"]

    def test_sub_sector_codes_may_carry_their_section_letter(self):
        report = validate_records(records(row("甲", 细分领域代码="C36、c3612、I6511")), REFERENCE)
        assert report.rows[0].data.sub_sectors == ["C36", "C3612", "I6511"]

    def test_sub_sector_section_must_match_the_division(self):
        report = validate_records(records(row("甲", 细分领域代码="I3612、9912")), REFERENCE)
        assert report.rows[0].errors == [
            "细分领域代码“I3612”的门类字母与大类 36 不符，应为 C。",
            "细分领域代码“9912”中的大类 99 在 GB/T 4754-2017 中不存在。",
        ]

    def test_several_industry_flags_and_producer_services(self):
        report = validate_records(
            records(row("甲", 行业标记="钢铁、化工 有色金属", 生产性服务业主导="是")), REFERENCE
        )
        data = report.rows[0].data
        assert data.industry_flags == ["steel", "chemical", "nonferrous"]
        assert data.producer_services_led is True

    def test_optional_cells_default_to_advantage_active_and_no(self):
        report = validate_records(
            records(
                row(
                    "甲",
                    系列="",
                    状态="",
                    生产性服务业主导="",
                    行业标记="",
                    细分领域代码="",
                    主导产业="新型显示",
                )
            ),
            REFERENCE,
        )
        data = report.rows[0].data
        assert (data.series, data.status, data.producer_services_led) == ("advantage", "active", False)
        assert data.industry_flags == [] and data.sub_sectors == []

    def test_revoked_row_with_date(self):
        report = validate_records(
            records(row("甲", 状态="已取消称号", 取消称号日期="2021年6月30日")), REFERENCE
        )
        assert report.rows[0].data.status == "revoked"
        assert report.rows[0].data.revoked_on == dt.date(2021, 6, 30)


class TestErrors:
    def test_each_error_class_is_reported_at_its_row(self):
        report = validate_records(
            records(
                row("好基地"),
                row("", 主导产业=""),
                row("乙", 省级主管部门="火星省"),
                row("丙", 类型="航天"),
                row("丁", 批次="第三"),  # valid: the suffix 批 may be left out
                row("戊", 批次="三批次"),
                row("好基地"),
                row("己", 状态="已取消称号", 取消称号日期="2021-02-30"),
                row("庚", 状态="已取消称号"),
                row("辛", 细分领域代码="35110、AB、3"),
                row("壬", 行业标记="纺织"),
                row("癸", 系列="普通", 状态="暂停", 生产性服务业主导="也许"),
                row("子", 取消称号日期="2021-01-01"),
            ),
            REFERENCE,
        )
        assert [r.row_number for r in report.good_rows] == [2, 6]
        assert errors_of(report, 3) == ["示范基地名称不能为空。", "主导产业不能为空。"]
        assert errors_of(report, 4) == ["未知的省级主管部门“火星省”，请填写全称、简称或代码。"]
        assert errors_of(report, 5) == ["未知的类型“航天”。"]
        assert errors_of(report, 7) == ["批次“三批次”无法识别，应填写数字（如 3）或“第三批”。"]
        assert errors_of(report, 8) == ["示范基地名称与第 2 行重复。"]
        assert errors_of(report, 9) == ["取消称号日期“2021-02-30”不是有效日期，应写作 2022-08-31。"]
        assert errors_of(report, 10) == ["状态为“已取消称号”时必须填写取消称号日期。"]
        assert len(errors_of(report, 11)) == 3
        assert all("细分领域代码" in e for e in errors_of(report, 11))
        assert errors_of(report, 12) == ["行业标记“纺织”无法识别，只能填写有色金属、钢铁、化工、装备制造。"]
        assert [e[:5] for e in errors_of(report, 13)] == ["系列“普通", "生产性服务", "状态“暂停"]
        assert errors_of(report, 14) == ["状态为“正常”时不应填写取消称号日期。"]

    def test_missing_batch_authority_and_category_are_named(self):
        report = validate_records(records(row("甲", 批次="", 省级主管部门="", 类型="")), REFERENCE)
        assert report.rows[0].errors == ["批次不能为空。", "省级主管部门不能为空。", "类型不能为空。"]

    def test_too_long_values_are_refused(self):
        report = validate_records(records(row("名" * 121, 主导产业="产" * 61)), REFERENCE)
        assert report.rows[0].errors == [
            "示范基地名称超过 120 个字符（当前 121 个）。",
            "主导产业超过 60 个字符（当前 61 个）。",
        ]

    def test_duplicate_names_ignore_spaces(self):
        report = validate_records(records(row("甲 基地"), row("甲基地")), REFERENCE)
        assert report.rows[1].errors == ["示范基地名称与第 2 行重复。"]
        assert report.rows[1].data is None


class TestReading:
    def test_xlsx_rows_keep_excel_row_numbers_and_skip_blank_rows(self):
        content = xlsx_bytes([row("甲"), [None] * len(HEADERS), row("乙", 批次=3)])
        report = validate_file(content, "xlsx", REFERENCE)
        assert [(r.row_number, r.name, r.ok) for r in report.rows] == [(2, "甲", True), (4, "乙", True)]

    def test_xlsx_numbers_and_dates_become_text(self):
        content = xlsx_bytes([row("甲", 批次=3.0, 状态="已取消称号", 取消称号日期=dt.datetime(2021, 6, 30))])
        data = validate_file(content, "xlsx", REFERENCE).rows[0].data
        assert data.batch == 3
        assert data.revoked_on == dt.date(2021, 6, 30)

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
    def test_csv_in_every_encoding_excel_writes(self, encoding):
        content = csv_bytes([row("装备制造·长沙示范基地", 细分领域代码="3511, 3513")], encoding=encoding)
        report = validate_file(content, "csv", REFERENCE)
        assert report.rows[0].ok
        assert report.rows[0].name == "装备制造·长沙示范基地"
        assert report.rows[0].data.sub_sectors == ["3511", "3513"]

    def test_headers_may_be_reordered_and_marked_required(self):
        headers = ["类型", "示范基地名称*", "省级主管部门（必填）", "主导产业", " 批次 "]
        content = csv_bytes([["装备制造", "甲", "湖南", "工程机械", "1"]], headers=headers)
        report = validate_file(content, "csv", REFERENCE)
        assert report.rows[0].ok and report.rows[0].data.batch == 1

    def test_missing_required_headers_are_named(self):
        content = csv_bytes([["甲"]], headers=["示范基地名称", "备注"])
        with pytest.raises(ImportFileError, match="缺少以下列：批次、省级主管部门、类型、主导产业"):
            validate_file(content, "csv", REFERENCE)

    def test_header_only_file_is_refused(self):
        with pytest.raises(ImportFileError, match="没有数据行"):
            validate_file(csv_bytes([]), "csv", REFERENCE)

    def test_empty_file_is_refused(self):
        with pytest.raises(ImportFileError, match="文件为空"):
            read_table(b"", "csv")

    def test_damaged_xlsx_is_refused(self):
        with pytest.raises(ImportFileError, match="无法读取该 Excel 文件"):
            read_table(b"PK\x03\x04 not really a zip", "xlsx")


class TestDetectFormat:
    def test_xlsx_and_csv_by_extension(self):
        assert detect_format("名录.XLSX", b"PK\x03\x04") == "xlsx"
        assert detect_format("名录.csv", b"a,b") == "csv"

    def test_old_excel_gets_a_save_as_hint(self):
        with pytest.raises(ImportFileError, match="另存为"):
            detect_format("名录.xls", b"\xd0\xcf\x11\xe0")

    def test_renamed_file_is_refused(self):
        with pytest.raises(ImportFileError, match="不是有效的 Excel 文件"):
            detect_format("名录.xlsx", b"%PDF-1.7")

    def test_other_types_are_refused(self):
        with pytest.raises(ImportFileError, match="仅支持"):
            detect_format("名录.pdf", b"%PDF")


class TestPlanChanges:
    def test_new_names_are_created_and_existing_ones_updated_by_changed_fields(self):
        report = validate_records(records(row("新"), row("旧"), row("同")), REFERENCE)
        same = report.rows[2].data.field_values()
        old = dict(same, batch=1, location="别处")
        planned = plan_changes(report, {"旧": old, "同": same})
        assert [(p.action, p.changed_labels) for p in planned] == [
            ("create", []),
            ("update", ["批次", "所在地"]),
            ("unchanged", []),
        ]


def test_template_reads_back_as_a_valid_file():
    content = template_workbook([("miit-430000", "湖南省工业和信息化主管部门", "湖南")], ["装备制造"])
    report = validate_file(content, "xlsx", REFERENCE)
    assert [(r.row_number, r.ok) for r in report.rows] == [(2, True)]


class TestIndustryFromLeadIndustry:
    """Issue 8: without a 行业标记 the import reads the industry from 主导产业 where it names one."""

    @pytest.mark.parametrize(
        ("lead", "flags"),
        [
            ("钢铁", ["steel"]),
            ("石化化工", ["chemical"]),
            ("有色金属（铝精深加工）", ["nonferrous"]),
            ("钢铁及有色金属", ["nonferrous", "steel"]),
            ("工程机械装备", ["equipment"]),
            ("新型显示", []),
        ],
    )
    def test_an_empty_marker_is_taken_from_the_lead_industry(self, lead, flags):
        report = validate_records(records(row("甲", 主导产业=lead, 行业标记="")), REFERENCE)
        assert report.rows[0].data.industry_flags == flags

    def test_a_given_marker_wins(self):
        report = validate_records(records(row("甲", 主导产业="钢铁", 行业标记="化工")), REFERENCE)
        assert report.rows[0].data.industry_flags == ["chemical"]
