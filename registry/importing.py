"""Reading and validating a registry file (.xlsx or .csv): pure functions, no database.

The service layer passes in the reference data (authorities, categories, existing bases) as plain
values, so the same validation serves the upload page, the confirmation and any future API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.models import CHINESE_NUMERALS, Base, IndustryFlag, batch_label

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 5000

# (header, key). The order is the template's column order.
COLUMNS: list[tuple[str, str]] = [
    ("示范基地名称", "name"),
    ("批次", "batch"),
    ("省级主管部门", "authority"),
    ("类型", "category"),
    ("系列", "series"),
    ("主导产业", "lead_industry"),
    ("细分领域代码", "sub_sectors"),
    ("所在地", "location"),
    ("行业标记", "industry_flags"),
    ("生产性服务业主导", "producer_services_led"),
    ("国家高新区名称", "high_tech_zone_name"),
    ("国家级经开区名称", "econ_zone_name"),
    ("状态", "status"),
    ("取消称号日期", "revoked_on"),
]
HEADERS = [header for header, _ in COLUMNS]
REQUIRED_HEADERS = ["示范基地名称", "批次", "省级主管部门", "类型", "主导产业"]

EXAMPLE_ROW: list[str] = [
    "装备制造(工程机械)·长沙经济技术开发区",
    "第三批",
    "湖南省工业和信息化主管部门",
    "装备制造",
    "优势",
    "工程机械",
    "3511、3513、3514",
    "湖南省长沙市",
    "装备制造",
    "否",
    "",
    "长沙经济技术开发区",
    "正常",
    "",
]

# Labels for the preview of what an update changes; keys are `BaseData` field names.
FIELD_LABELS: dict[str, str] = {
    "batch": "批次",
    "authority_id": "省级主管部门",
    "category_id": "类型",
    "series": "系列",
    "lead_industry": "主导产业",
    "sub_sectors": "细分领域代码",
    "location": "所在地",
    "industry_flags": "行业标记",
    "producer_services_led": "生产性服务业主导",
    "is_high_tech_zone": "国家高新区",
    "high_tech_zone_name": "国家高新区名称",
    "is_econ_zone": "国家级经开区",
    "econ_zone_name": "国家级经开区名称",
    "status": "状态",
    "revoked_on": "取消称号日期",
}

_SEPARATORS = re.compile(r"[、,，;；\s]+")
# GB/T 4754-2017: sections are the letters A to T; divisions, groups and classes are 2-4 digits,
# optionally written after their section letter (C3612).
_SUB_SECTOR = re.compile(r"^(?:(?P<section>[A-T])|(?P<prefix>[A-T])?(?P<digits>\d{2,4}))$")
# The divisions (first two digits) each section holds, per GB/T 4754-2017.
SECTION_DIVISIONS: dict[str, range] = {
    "A": range(1, 6),
    "B": range(6, 13),
    "C": range(13, 44),
    "D": range(44, 47),
    "E": range(47, 51),
    "F": range(51, 53),
    "G": range(53, 61),
    "H": range(61, 63),
    "I": range(63, 66),
    "J": range(66, 70),
    "K": range(70, 71),
    "L": range(71, 73),
    "M": range(73, 76),
    "N": range(76, 80),
    "O": range(80, 83),
    "P": range(83, 84),
    "Q": range(84, 86),
    "R": range(86, 91),
    "S": range(91, 98),
    "T": range(98, 99),
}


def section_of_division(division: int) -> str | None:
    return next((letter for letter, divisions in SECTION_DIVISIONS.items() if division in divisions), None)


def sub_sector_error(code: str) -> str | None:
    """Why a GB/T 4754-2017 code is wrong, or None when it is well formed."""
    match = _SUB_SECTOR.match(code)
    if match is None:
        return (
            f"细分领域代码“{code}”格式不正确，应为 GB/T 4754-2017 门类字母（A-T）"
            "或 2-4 位数字代码（可带门类字母，如 C3612）。"
        )
    if match["digits"]:
        section = section_of_division(int(match["digits"][:2]))
        if section is None:
            return f"细分领域代码“{code}”中的大类 {match['digits'][:2]} 在 GB/T 4754-2017 中不存在。"
        if match["prefix"] and match["prefix"] != section:
            return f"细分领域代码“{code}”的门类字母与大类 {match['digits'][:2]} 不符，应为 {section}。"
    return None


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]
_SERIES = {"优势": Base.Series.ADVANTAGE, "特色": Base.Series.SPECIAL}
_STATUS = {"正常": Base.Status.ACTIVE, "已取消称号": Base.Status.REVOKED, "已取消": Base.Status.REVOKED}
_YES = {"是", "Y", "YES", "TRUE", "1"}
_NO = {"否", "N", "NO", "FALSE", "0", ""}
_FLAGS = {label: value for value, label in IndustryFlag.choices}
# 主导产业 words that name an industry the notice singles out (5.5, 8.5, 18.10), in the order tried.
_LEAD_INDUSTRY_WORDS: tuple[tuple[str, str], ...] = (
    ("有色", IndustryFlag.NONFERROUS),
    ("铝", IndustryFlag.NONFERROUS),
    ("铜", IndustryFlag.NONFERROUS),
    ("稀土", IndustryFlag.NONFERROUS),
    ("钢", IndustryFlag.STEEL),
    ("化工", IndustryFlag.CHEMICAL),
    ("石化", IndustryFlag.CHEMICAL),
    ("化学", IndustryFlag.CHEMICAL),
    ("装备", IndustryFlag.EQUIPMENT),
)


def industry_flags_from_lead(lead_industry: str) -> list[str]:
    """The industry markers a 主导产业 names (“钢铁” → steel, “石化化工” → chemical), in IndustryFlag order.

    Used when an import row leaves 行业标记 empty, so a 原材料 base answers 5.5/8.5/18.10 as the
    notice asks without someone setting the marker by hand.
    """
    found = {flag for word, flag in _LEAD_INDUSTRY_WORDS if word in lead_industry}
    return [flag for flag in IndustryFlag.values if flag in found]


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, too large)."""


@dataclass(frozen=True)
class Reference:
    """What a row's names are matched against: lookup keys (normalised) to ids, and labels."""

    authorities: Mapping[str, int]
    categories: Mapping[str, int]
    authority_labels: Mapping[int, str] = field(default_factory=dict)
    category_labels: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BaseData:
    """One base as the file describes it, ready to be written to `Base`."""

    name: str
    batch: int
    authority_id: int
    category_id: int
    series: str
    lead_industry: str
    sub_sectors: list[str]
    location: str
    industry_flags: list[str]
    producer_services_led: bool
    is_high_tech_zone: bool
    high_tech_zone_name: str
    is_econ_zone: bool
    econ_zone_name: str
    status: str
    revoked_on: dt.date | None

    def field_values(self) -> dict[str, Any]:
        """Every field but the name, as keyword arguments for `Base`."""
        return {key: getattr(self, key) for key in FIELD_LABELS}


@dataclass
class RowResult:
    row_number: int
    name: str
    data: BaseData | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ValidationReport:
    rows: list[RowResult]

    @property
    def good_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.ok]

    @property
    def bad_rows(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]


@dataclass(frozen=True)
class PlannedChange:
    row_number: int
    data: BaseData
    action: str  # "create", "update" or "unchanged"
    changed_fields: list[str]

    @property
    def changed_labels(self) -> list[str]:
        return [FIELD_LABELS[name] for name in self.changed_fields]


# --- reading -----------------------------------------------------------------------------------


def detect_format(file_name: str, head: bytes) -> str:
    """'xlsx' or 'csv', judged by the extension and, for xlsx, the zip signature."""
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        if not head.startswith(b"PK"):
            raise ImportFileError("文件扩展名为 .xlsx，但内容不是有效的 Excel 文件，请重新另存后上传。")
        return "xlsx"
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".xls", ".et", ".wps")):
        raise ImportFileError("不支持旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后上传。")
    raise ImportFileError("仅支持 Excel（.xlsx）或 CSV（.csv）文件。")


def read_table(content: bytes, file_format: str) -> list[tuple[int, list[str]]]:
    """All non-empty rows as (row number as Excel shows it, cell texts), header row included."""
    if not content:
        raise ImportFileError("文件为空。")
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError("文件超过 5 MB，请拆分后分批导入。")
    if file_format == "xlsx":
        rows = _read_xlsx(content)
    elif file_format == "csv":
        rows = _read_csv(content)
    else:
        raise ImportFileError("仅支持 Excel（.xlsx）或 CSV（.csv）文件。")
    return [(number, cells) for number, cells in rows if any(cells)]


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl  # imported here: only imports need it, and it is slow to import

    unreadable = "无法读取该 Excel 文件，请确认文件未损坏并为 .xlsx 格式。"
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise ImportFileError(unreadable) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_DATA_ROWS + 1:
                raise ImportFileError(f"数据行超过 {MAX_DATA_ROWS} 行，请拆分后分批导入。")
            rows.append((number, [_cell_text(value) for value in values]))
        return rows
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(unreadable) from exc
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    # Chinese Excel saves CSV in the ANSI code page (GBK); GB18030 is its superset.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        raise ImportFileError("无法识别 CSV 文件编码，请保存为 UTF-8 或 GBK 编码。")
    if "\x00" in text:
        raise ImportFileError("CSV 文件内容无法识别，请确认上传的是文本格式的 CSV 文件。")
    # Excel writes commas; a tab-separated export (copied from a sheet) is accepted as well.
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "," not in first_line and "\t" in first_line else ","
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if number > MAX_DATA_ROWS + 1:
                raise ImportFileError(f"数据行超过 {MAX_DATA_ROWS} 行，请拆分后分批导入。")
            rows.append((number, [_clean(value) for value in values]))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 文件格式有误：{exc}") from exc
    return rows


def _clean(text: str) -> str:
    return text.replace("\u3000", " ").replace("\ufeff", "").strip()


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s*＊]|（必填）|\(必填\)", "", text)


def parse_records(table: list[tuple[int, list[str]]]) -> list[tuple[int, dict[str, str]]]:
    """Map each data row to {key: text} using the header row (the first non-empty row)."""
    if not table:
        raise ImportFileError("文件中没有数据。")
    _, header_cells = table[0]
    positions: dict[str, int] = {}
    by_header = dict(COLUMNS)
    for index, cell in enumerate(header_cells):
        key = by_header.get(_normalise_header(cell))
        if key and key not in positions:
            positions[key] = index
    missing = [header for header in REQUIRED_HEADERS if by_header[header] not in positions]
    if missing:
        raise ImportFileError(
            "第一行须为表头，缺少以下列：" + "、".join(missing) + "。请使用系统提供的导入模板。"
        )
    records: list[tuple[int, dict[str, str]]] = []
    for number, cells in table[1:]:
        record = {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}
        records.append((number, record))
    if not records:
        raise ImportFileError("文件中只有表头，没有数据行。")
    return records


# --- validation --------------------------------------------------------------------------------


def normalise_key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def parse_batch(text: str) -> int | None:
    """3, 3.0, 三, 第三批, 第十一批 → int; None when it is not a batch."""
    value = re.sub(r"\s+", "", text)
    value = value.removeprefix("第").removesuffix("批")
    is_digits = re.fullmatch(r"\d+(?:\.0+)?", value)
    number = int(float(value)) if is_digits else _chinese_number(value)
    if number is None or not 1 <= number <= 99:
        return None
    return number


def _chinese_number(text: str) -> int | None:
    if not text or any(char not in CHINESE_NUMERALS for char in text):
        return None
    digits = {char: i for i, char in enumerate(CHINESE_NUMERALS)}
    if "十" not in text:
        return digits[text] if len(text) == 1 else None
    tens_text, _, ones_text = text.partition("十")
    if len(tens_text) > 1 or len(ones_text) > 1 or "十" in ones_text:
        return None
    tens = digits[tens_text] if tens_text else 1
    ones = digits[ones_text] if ones_text else 0
    return tens * 10 + ones


def parse_date(text: str) -> dt.date | None:
    value = re.sub(r"\s+", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def split_list(text: str) -> list[str]:
    return [part for part in _SEPARATORS.split(text) if part]


def _check_length(errors: list[str], label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.append(f"{label}超过 {limit} 个字符（当前 {len(value)} 个）。")


def validate_record(number: int, record: Mapping[str, str], reference: Reference) -> RowResult:
    """Check one row; every problem gets its own Chinese reason."""
    name = record.get("name", "")
    result = RowResult(row_number=number, name=name)
    errors = result.errors

    if not name:
        errors.append("示范基地名称不能为空。")
    _check_length(errors, "示范基地名称", name, 120)

    batch_text = record.get("batch", "")
    batch = parse_batch(batch_text)
    if not batch_text:
        errors.append("批次不能为空。")
    elif batch is None:
        errors.append(f"批次“{batch_text}”无法识别，应填写数字（如 3）或“第三批”。")

    authority_text = record.get("authority", "")
    authority_id = reference.authorities.get(normalise_key(authority_text))
    if not authority_text:
        errors.append("省级主管部门不能为空。")
    elif authority_id is None:
        errors.append(f"未知的省级主管部门“{authority_text}”，请填写全称、简称或代码。")

    category_text = record.get("category", "")
    category_id = reference.categories.get(normalise_key(category_text))
    if not category_text:
        errors.append("类型不能为空。")
    elif category_id is None:
        errors.append(f"未知的类型“{category_text}”。")

    series_text = record.get("series", "").removesuffix("系列")
    series = _SERIES.get(series_text) if series_text else Base.Series.ADVANTAGE
    if series is None:
        errors.append(f"系列“{record.get('series', '')}”无法识别，应为“优势”或“特色”。")

    lead_industry = record.get("lead_industry", "")
    if not lead_industry:
        errors.append("主导产业不能为空。")
    _check_length(errors, "主导产业", lead_industry, 60)

    sub_sectors: list[str] = []
    for code in split_list(record.get("sub_sectors", "")):
        code = code.upper()
        if problem := sub_sector_error(code):
            errors.append(problem)
        elif code not in sub_sectors:
            sub_sectors.append(code)

    location = record.get("location", "")
    _check_length(errors, "所在地", location, 60)

    industry_flags: list[str] = []
    for label in split_list(record.get("industry_flags", "")):
        flag = _FLAGS.get(label)
        if flag is None:
            errors.append(f"行业标记“{label}”无法识别，只能填写有色金属、钢铁、化工、装备制造。")
        elif flag not in industry_flags:
            industry_flags.append(flag)
    if not record.get("industry_flags", "").strip():
        industry_flags = industry_flags_from_lead(lead_industry)

    producer_text = record.get("producer_services_led", "")
    producer_services_led = False
    if producer_text.upper() in _YES:
        producer_services_led = True
    elif producer_text.upper() not in _NO:
        errors.append(f"生产性服务业主导“{producer_text}”无法识别，应填写“是”或“否”。")

    high_tech_zone_name = record.get("high_tech_zone_name", "")
    _check_length(errors, "国家高新区名称", high_tech_zone_name, 100)
    econ_zone_name = record.get("econ_zone_name", "")
    _check_length(errors, "国家级经开区名称", econ_zone_name, 100)

    status_text = record.get("status", "")
    status = _STATUS.get(status_text) if status_text else Base.Status.ACTIVE
    if status is None:
        errors.append(f"状态“{status_text}”无法识别，应为“正常”或“已取消称号”。")

    revoked_text = record.get("revoked_on", "")
    revoked_on = parse_date(revoked_text) if revoked_text else None
    if revoked_text and revoked_on is None:
        errors.append(f"取消称号日期“{revoked_text}”不是有效日期，应写作 2022-08-31。")
    elif status == Base.Status.REVOKED and not revoked_text:
        errors.append("状态为“已取消称号”时必须填写取消称号日期。")
    elif status == Base.Status.ACTIVE and revoked_on is not None:
        errors.append("状态为“正常”时不应填写取消称号日期。")

    if not errors:
        assert batch is not None and authority_id is not None and category_id is not None
        assert series is not None and status is not None
        result.data = BaseData(
            name=name,
            batch=batch,
            authority_id=authority_id,
            category_id=category_id,
            series=series,
            lead_industry=lead_industry,
            sub_sectors=sub_sectors,
            location=location,
            industry_flags=industry_flags,
            producer_services_led=producer_services_led,
            is_high_tech_zone=bool(high_tech_zone_name),
            high_tech_zone_name=high_tech_zone_name,
            is_econ_zone=bool(econ_zone_name),
            econ_zone_name=econ_zone_name,
            status=status,
            revoked_on=revoked_on,
        )
    return result


def validate_records(
    records: Iterable[tuple[int, Mapping[str, str]]], reference: Reference
) -> ValidationReport:
    """Validate every row, and flag names that appear more than once in the file."""
    rows: list[RowResult] = []
    first_seen: dict[str, int] = {}
    for number, record in records:
        row = validate_record(number, record, reference)
        if row.name:
            key = normalise_key(row.name)
            if key in first_seen:
                row.errors.append(f"示范基地名称与第 {first_seen[key]} 行重复。")
                row.data = None
            else:
                first_seen[key] = number
        rows.append(row)
    return ValidationReport(rows=rows)


def validate_file(content: bytes, file_format: str, reference: Reference) -> ValidationReport:
    """Read and validate a whole file. Raises ImportFileError when the file cannot be read at all."""
    return validate_records(parse_records(read_table(content, file_format)), reference)


def plan_changes(report: ValidationReport, existing: Mapping[str, Mapping[str, Any]]) -> list[PlannedChange]:
    """What applying the good rows would do, given existing bases' field values keyed by name."""
    planned: list[PlannedChange] = []
    for row in report.good_rows:
        assert row.data is not None
        current = existing.get(row.data.name)
        if current is None:
            planned.append(PlannedChange(row.row_number, row.data, "create", []))
            continue
        changed = [key for key, value in row.data.field_values().items() if current.get(key) != value]
        planned.append(PlannedChange(row.row_number, row.data, "update" if changed else "unchanged", changed))
    return planned


def build_reference(
    authorities: Iterable[tuple[int, str, str, str, str]], categories: Iterable[tuple[int, str, str]]
) -> Reference:
    """Lookup tables from (id, code, name, short_name, kind) and (id, code, name) tuples.

    An authority is found by its code, full name or short name; a provincial 工信 authority also
    by the bare region name (湖南省), since that is how provinces usually write themselves.
    """
    authority_keys: dict[str, int] = {}
    authority_labels: dict[int, str] = {}
    suffix = "工业和信息化主管部门"
    for pk, code, name, short_name, kind in authorities:
        authority_labels[pk] = name
        keys = [code, name, short_name]
        if kind != "comm" and name.endswith(suffix):
            keys.append(name.removesuffix(suffix))
        for key in keys:
            authority_keys.setdefault(normalise_key(key), pk)
    category_keys: dict[str, int] = {}
    category_labels: dict[int, str] = {}
    for pk, code, name in categories:
        category_labels[pk] = name
        category_keys.setdefault(normalise_key(name), pk)
        category_keys.setdefault(normalise_key(code), pk)
    return Reference(authority_keys, category_keys, authority_labels, category_labels)


def describe(data: BaseData, reference: Reference) -> dict[str, str]:
    """Chinese display values of a row for the preview table."""
    flags = dict(IndustryFlag.choices)
    return {
        "batch": batch_label(data.batch),
        "authority": reference.authority_labels.get(data.authority_id, ""),
        "category": reference.category_labels.get(data.category_id, ""),
        "series": Base.Series(data.series).label,
        "status": Base.Status(data.status).label,
        "industry_flags": "、".join(flags[flag] for flag in data.industry_flags),
        "sub_sectors": "、".join(data.sub_sectors),
    }


# --- template ----------------------------------------------------------------------------------

COLUMN_NOTES: dict[str, str] = {
    "示范基地名称": "必填。以工业和信息化部正式公布的名称为准；系统中已有同名基地的将被更新，否则新建。",
    "批次": "必填。填写数字（如 3）或“第三批”。",
    "省级主管部门": "必填。填写全称、简称或代码，见“省级主管部门”工作表。",
    "类型": "必填。见“类型”工作表。",
    "系列": "优势 或 特色；不填视为优势。",
    "主导产业": "必填。不超过 60 个字符。",
    "细分领域代码": "GB/T 4754-2017 代码：门类字母（A-T）或 2-4 位数字（可带门类字母，如 C3612），多个用顿号、逗号、分号或空格分隔。",
    "所在地": "如：湖南省长沙市。",
    "行业标记": "有色金属、钢铁、化工、装备制造，可填多个；决定 5.5、8.5、18.10 等项目是否适用。",
    "生产性服务业主导": "是 或 否；不填视为否。",
    "国家高新区名称": "基地主体为国家高新技术产业开发区的，填写其名称；否则留空。",
    "国家级经开区名称": "基地主体为国家级经济技术开发区的，填写其名称；否则留空。",
    "状态": "正常 或 已取消称号；不填视为正常。",
    "取消称号日期": "状态为已取消称号时必填，如 2022-08-31。",
}


def template_workbook(authorities: list[tuple[str, str, str]], categories: list[str]) -> bytes:
    """The import template: header and one example row, notes, and the names a row may use.

    `authorities` holds (code, full name, short name).
    """
    import openpyxl  # heavy (see _read_xlsx): loaded only when a template is asked for
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one worksheet
    sheet.title = "示范基地名录"
    sheet.append(HEADERS)
    sheet.append(EXAMPLE_ROW)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE2E1")
    header_fill = PatternFill("solid", fgColor="E8EEF5")
    for index, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = required_fill if header in REQUIRED_HEADERS else header_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 40 if header == "示范基地名称" else 18
        # Codes such as 0511 must stay text, or Excel drops the leading zero.
        if header == "细分领域代码":
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "填写说明"])
    for header in HEADERS:
        notes.append([header, COLUMN_NOTES[header]])
    notes.append([])
    notes.append(
        [
            "说明",
            "第一行为表头，请勿修改；示例行请删除或改为实际数据。也可另存为 CSV（UTF-8 或 GBK 编码）上传。",
        ]
    )
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 100
    for cell in notes[1]:
        cell.font = bold
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True)

    authority_sheet = workbook.create_sheet("省级主管部门")
    authority_sheet.append(["代码", "全称", "简称"])
    for row in authorities:
        authority_sheet.append(list(row))
    authority_sheet.column_dimensions["A"].width = 16
    authority_sheet.column_dimensions["B"].width = 44
    authority_sheet.column_dimensions["C"].width = 20

    category_sheet = workbook.create_sheet("类型")
    category_sheet.append(["类型"])
    for name in categories:
        category_sheet.append([name])
    category_sheet.column_dimensions["A"].width = 20

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
