"""Fixtures for the registry tests: files to import and a registry of many bases."""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import pytest

from conftest import make_base
from registry.importing import HEADERS
from registry.models import Authority, Base, Category


def xlsx_bytes(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers if headers is not None else HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", headers: list[str] | None = None) -> bytes:
    lines = [headers if headers is not None else HEADERS, *rows]
    text = "\r\n".join(",".join(f'"{cell}"' if "," in cell else cell for cell in line) for line in lines)
    return text.encode(encoding) + b"\r\n"


def row(name: str, **overrides: str) -> list[str]:
    """A complete valid row in header order; keyword arguments replace cells by header."""
    values = {
        "示范基地名称": name,
        "批次": "3",
        "省级主管部门": "湖南",
        "类型": "装备制造",
        "系列": "优势",
        "主导产业": "工程机械",
        "细分领域代码": "3511、3513",
        "所在地": "湖南省长沙市",
        "行业标记": "装备制造",
        "生产性服务业主导": "否",
        "国家高新区名称": "",
        "国家级经开区名称": "长沙经济技术开发区",
        "状态": "正常",
        "取消称号日期": "",
    }
    values.update({key: value for key, value in overrides.items()})
    return [values[header] for header in HEADERS]


@pytest.fixture
def make_xlsx() -> Callable[..., bytes]:
    return xlsx_bytes


@pytest.fixture
def make_csv() -> Callable[..., bytes]:
    return csv_bytes


@pytest.fixture
def many_bases(hunan: Authority, jiangsu: Authority, equipment: Category, software: Category) -> list[Base]:
    """120 bases over two authorities, two categories and several batches."""
    bases = []
    for i in range(120):
        authority = hunan if i % 2 else jiangsu
        category = equipment if i % 3 else software
        bases.append(
            make_base(
                f"批量示范基地{i:03d}",
                authority,
                category,
                batch=1 + i % 10,
                lead_industry="电子信息" if i % 5 == 0 else "装备制造",
                location="湘潭" if i % 7 == 0 else "示例",
                series=Base.Series.SPECIAL if i % 4 == 0 else Base.Series.ADVANTAGE,
            )
        )
    return bases
