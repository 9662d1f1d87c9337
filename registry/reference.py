"""Reference data every installation starts with: the authorities and the categories of bases.

Kept as plain data so the data migration, the demo loader and the tests share one list.
"""

from __future__ import annotations

from typing import Any

# (GB/T 2260 code, full name, short name)
PROVINCES: list[tuple[str, str, str]] = [
    ("110000", "北京市", "北京"),
    ("120000", "天津市", "天津"),
    ("130000", "河北省", "河北"),
    ("140000", "山西省", "山西"),
    ("150000", "内蒙古自治区", "内蒙古"),
    ("210000", "辽宁省", "辽宁"),
    ("220000", "吉林省", "吉林"),
    ("230000", "黑龙江省", "黑龙江"),
    ("310000", "上海市", "上海"),
    ("320000", "江苏省", "江苏"),
    ("330000", "浙江省", "浙江"),
    ("340000", "安徽省", "安徽"),
    ("350000", "福建省", "福建"),
    ("360000", "江西省", "江西"),
    ("370000", "山东省", "山东"),
    ("410000", "河南省", "河南"),
    ("420000", "湖北省", "湖北"),
    ("430000", "湖南省", "湖南"),
    ("440000", "广东省", "广东"),
    ("450000", "广西壮族自治区", "广西"),
    ("460000", "海南省", "海南"),
    ("500000", "重庆市", "重庆"),
    ("510000", "四川省", "四川"),
    ("520000", "贵州省", "贵州"),
    ("530000", "云南省", "云南"),
    ("540000", "西藏自治区", "西藏"),
    ("610000", "陕西省", "陕西"),
    ("620000", "甘肃省", "甘肃"),
    ("630000", "青海省", "青海"),
    ("640000", "宁夏回族自治区", "宁夏"),
    ("650000", "新疆维吾尔自治区", "新疆"),
]

PLAN_CITIES: list[tuple[str, str, str]] = [
    ("210200", "大连市", "大连"),
    ("370200", "青岛市", "青岛"),
    ("330200", "宁波市", "宁波"),
    ("350200", "厦门市", "厦门"),
    ("440300", "深圳市", "深圳"),
]


def authority_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    order = 0
    for code, name, short in PROVINCES:
        order += 1
        rows.append(
            {
                "code": f"miit-{code}",
                "name": f"{name}工业和信息化主管部门",
                "short_name": short,
                "kind": "province",
                "region_code": code,
                "sort_order": order,
            }
        )
    for code, name, short in PLAN_CITIES:
        order += 1
        rows.append(
            {
                "code": f"miit-{code}",
                "name": f"{name}工业和信息化主管部门",
                "short_name": short,
                "kind": "plan_city",
                "region_code": code,
                "sort_order": order,
            }
        )
    order += 1
    # The Corps has no GB/T 2260 code of its own.
    rows.append(
        {
            "code": "miit-corps",
            "name": "新疆生产建设兵团工业和信息化主管部门",
            "short_name": "兵团",
            "kind": "corps",
            "region_code": "",
            "sort_order": order,
        }
    )
    for code, name, short in PROVINCES:
        order += 1
        rows.append(
            {
                "code": f"comm-{code}",
                "name": f"{name}通信管理局",
                "short_name": f"{short}通信管理局",
                "kind": "comm",
                "region_code": code,
                "sort_order": order,
            }
        )
    return rows


# (code, name, annex code or "", sort order). Four industrial categories have no annex (附件1 注1).
CATEGORIES: list[tuple[str, str, str]] = [
    ("equipment", "装备制造", ""),
    ("materials", "原材料", ""),
    ("consumer", "消费品", ""),
    ("electronics", "电子信息", ""),
    ("software", "软件和信息服务", "annex1"),
    ("hightech", "高技术转化应用", "annex2"),
    ("industrial_internet", "工业互联网", "annex3"),
    ("bigdata", "大数据", "annex4"),
    ("transfer", "产业转移合作", "annex5"),
    ("datacenter", "数据中心", "annex6"),
]


def category_rows() -> list[dict[str, Any]]:
    return [
        {"code": code, "name": name, "annex": annex, "sort_order": i}
        for i, (code, name, annex) in enumerate(CATEGORIES, start=1)
    ]


def ensure_reference_data(authority_model: Any, category_model: Any) -> None:
    """Create or update the reference rows. Takes models so a migration can pass historical ones."""
    for row in authority_rows():
        authority_model.objects.update_or_create(code=row["code"], defaults=row)
    for row in category_rows():
        category_model.objects.update_or_create(code=row["code"], defaults=row)
