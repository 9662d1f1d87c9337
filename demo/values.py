"""Demo material: plausibly filled forms for every demo base, in both demo campaigns.

`build_values` is pure: a base (its name, category and industry) and a seed in, the same figures and
texts out every time. Figures come from one small economic model per base over 2018-2021, so every
campaign reports the same history, parts stay below their wholes (规上工业企业 ≤ 规上企业 ≤ 全部企业,
技术改造 ≤ 工业固投 ≤ 固投, 出口 ≤ 进出口, 已开发 ≤ 规划面积), cumulative investment grows by each
year's investment, and year-on-year changes stay inside the 50% warning band unless a jump is planted
on purpose (a base that then explains it). Texts name the same figures; their phrasings change from
year to year and from base to base (demo/texts.py), except the few copies `plan_copies` plants.

`demo_values_load` writes the material once:
- last year's campaign (2021, data year 2020) as accepted history for every participating base;
- this year's campaign (2022, data year 2021): every base started through `submission_start` (so 2020
  and 2019 are pre-filled from last year), then a mix of untouched, partly filled and complete drafts,
  and some tens of bases taken through the real path (report, printed and "sealed" scans, submit,
  return / approve / accept) by the review services, so every page has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role, User
from definitions.models import Definition
from definitions.schema import BaseProfile, Field, FormDefinition
from definitions.services import definition_freeze
from demo import texts
from demo.registry import CURRENT_CAMPAIGN_YEAR, PLACES, PREVIOUS_CAMPAIGN_YEAR, allocate
from exchange.models import SealedScan
from exchange.pdf import report_pdf, summary_pdf
from exchange.services import data_fingerprint, print_record, report_of, scan_upload_checked
from lib.deadlines import SHANGHAI
from lib.text import char_count
from registry.models import Base, Campaign, batch_label
from reports.models import DevelopmentReport, DevelopmentReportVersion
from reports.services import report_save
from review.models import Transition
from review.services import (
    FieldNote,
    explanation_decide,
    ministry_accept,
    review_approve,
    review_return,
    submission_submit,
)
from security.fields import seal
from submissions.models import NOT_YEARLY, Submission, Value, ValueChange
from submissions.sensitive import mark_sensitive
from submissions.services import (
    CellChange,
    _canonical,
    definitions_for,
    explanation_save,
    submission_findings,
    submission_start,
    values_save,
)
from submissions.status import material_checks, profile_for

MODEL_YEARS = (2018, 2019, 2020, 2021)
SHARED_FORM_VERSION = "2022"

# The current campaign's mix, as shares of its participating bases. The real path (report, scans,
# submit, review) is the slow part: it prints two PDFs per base, so it is kept to some tens of bases.
REAL_PATH_SHARE = 0.035
REAL_PATH_MIN = 6
UNTOUCHED_SHARE = 0.30
PARTIAL_SHARE = 0.30
# Of the bases on the real path: where their material ends up.
REAL_STATES: dict[str, float] = {"submitted": 35, "returned": 20, "approved": 30, "accepted": 15}
# Share of complete drafts and real-path bases whose 2021 foreign investment jumps (a 同比 warning
# they explain), so reviewers see explanations to judge.
JUMP_SHARE = 0.3
JUMP_FIELD = "1.6"
# Copied texts, for the data-quality check to find: the share of bases that copy some of last year's
# texts word for word this year, and the pairs of bases (one industry, both filled) where one copied
# a passage of the other's.
REUSE_SHARE = 0.04
REUSE_ITEMS = (4, 9)  # how many of the summary's text items a copying base leaves as they were
SHARED_PAIRS = 2
SHARED_ITEMS = 2
# What a copier takes from another base: items that name none of the form's figures, so the copy
# does not contradict the copier's own 汇总表 as well.
SHAREABLE = ("summary:15.1", "summary:17.2", "summary:17.3", "summary:22.1", "summary:24.1")

D = Decimal


def _q(value: float, places: int) -> Decimal:
    return D(str(value)).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _text(value: Decimal) -> str:
    return format(value, "f")


# --- names and words ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseWords:
    """What the texts say about a base: its zone, city, industry and a few (invented) companies."""

    name: str
    zone: str  # 青岚经济技术开发区
    city: str  # 青岚
    industry: str  # 工程机械, or the lead industry when the name has no detail
    category: str
    companies: tuple[str, ...]
    products: tuple[str, ...]
    text_seed: int = 0  # picks the phrasing of each text item, year by year (demo.texts.variant)
    # Texts decided elsewhere, by "form:code" (or "report:problems"): what a base copied this year,
    # from its own material of last year or from another base's (see `plan_copies`).
    given: tuple[tuple[str, str], ...] = ()


BRANDS = "恒瑞泰华宏鼎盛嘉信诚昊远航腾跃锦川峰达"
COMPANY_WORDS: dict[str, tuple[str, ...]] = {
    "equipment": ("重工", "机械", "智能装备", "精工", "动力", "传动"),
    "materials": ("新材料", "特钢", "铝业", "化学", "材料科技", "石化"),
    "consumer": ("食品", "纺织", "医药", "家居", "日化", "生物"),
    "electronics": ("微电子", "光电", "电子科技", "半导体", "智能终端", "精密电子"),
    "software": ("软件", "数字科技", "信息技术", "网络科技", "云计算", "数据科技"),
    "hightech": ("航天科技", "特种装备", "精密制造", "新材料", "电子科技", "动力"),
    "industrial_internet": ("工业互联", "智能制造", "数字科技", "物联科技", "网络科技", "软件"),
    "bigdata": ("大数据", "数据科技", "云计算", "信息技术", "数字科技", "智能科技"),
    "datacenter": ("云计算", "数据中心", "信息技术", "数字科技", "算力科技", "网络科技"),
    "transfer": ("智造", "机械", "电子科技", "纺织", "新材料", "科技"),
}
PRODUCTS: dict[str, tuple[str, ...]] = {
    "equipment": ("大型挖掘机", "数控龙门加工中心", "风电齿轮箱", "新能源汽车驱动电机", "工业机器人减速器",
                  "轨道交通牵引变流器", "智能农机", "高压开关设备"),
    "materials": ("高强汽车用钢", "高性能铝合金板带", "电子级硅材料", "精细化工中间体", "稀土永磁材料",
                  "特种工程塑料", "高纯铜箔", "锂电正极材料"),
    "consumer": ("功能性面料", "高端乳制品", "生物药制剂", "智能家电", "定制家具", "健康食品",
                 "中药饮片", "绿色包装纸"),
    "electronics": ("功率半导体器件", "柔性显示模组", "智能手机", "片式电容器", "光通信模块",
                    "服务器整机", "传感器芯片", "印制电路板"),
    "software": ("工业设计软件", "企业资源计划系统", "信息安全软件", "智慧城市平台", "集成电路设计工具",
                 "金融业务系统", "云服务平台", "数据库管理系统"),
    "hightech": ("卫星导航终端", "特种复合材料", "船用配套设备", "航天电子组件", "精密惯性器件",
                 "高温合金部件"),
    "industrial_internet": ("工业互联网平台", "设备联网网关", "工业APP", "边缘计算终端", "标识解析服务",
                            "工业安全监测系统"),
    "bigdata": ("数据治理平台", "行业大数据服务", "数据交易服务", "智能分析系统", "政务数据平台",
                "数据安全产品"),
    "datacenter": ("机柜租用服务", "云计算服务", "灾备服务", "算力服务", "边缘数据中心服务", "数据托管服务"),
    "transfer": ("专用设备整机", "电子元器件", "服装面料", "化工新材料", "汽车零部件", "智能家电"),
}  # fmt: skip
OUTPUT_UNITS: dict[str, str] = {
    "equipment": "台（套）",
    "materials": "万吨",
    "consumer": "万吨",
    "electronics": "万件",
    "software": "套",
    "hightech": "台（套）",
    "industrial_internet": "套",
    "bigdata": "项",
    "datacenter": "个机柜",
    "transfer": "万件",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华"
POSITIONS = (("管委会主任", "主任"), ("党工委书记", "经济发展局局长"), ("管委会副主任", "产业发展处处长"))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def base_words(base: Base, rng: random.Random) -> BaseWords:
    head_part, _, place_part = base.name.partition("·")
    detail = head_part[head_part.index("(") + 1 : -1] if "(" in head_part else ""
    place = PLACES.get(base.authority.code)
    zone = place_part[len(place.prefix) :] if place and place_part.startswith(place.prefix) else place_part
    category = base.category.code
    words = COMPANY_WORDS.get(category, COMPANY_WORDS["equipment"])
    brands = rng.sample(BRANDS, 6)
    companies = tuple(
        f"{zone[:2]}{brands[i]}{words[i % len(words)]}{'股份有限公司' if i % 2 else '集团有限公司'}"
        for i in range(6)
    )
    products = tuple(rng.sample(PRODUCTS.get(category, PRODUCTS["equipment"]), 5))
    return BaseWords(
        name=base.name,
        zone=zone or base.name,
        city=zone[:2],
        industry=detail or base.lead_industry,
        category=category,
        companies=companies,
        products=products,
        text_seed=rng.getrandbits(32),
    )


# --- the economic model -------------------------------------------------------------------------

# Sales revenue of the data year in 亿元, low and high, per category (log-uniform between them).
SALES_RANGE: dict[str, tuple[float, float]] = {
    "equipment": (180, 2600),
    "materials": (200, 3000),
    "consumer": (90, 1300),
    "electronics": (250, 3200),
    "software": (80, 1600),
    "hightech": (60, 700),
    "industrial_internet": (60, 900),
    "bigdata": (40, 600),
    "datacenter": (20, 260),
    "transfer": (60, 800),
}
SERVICE_CATEGORIES = frozenset({"software", "bigdata", "industrial_internet", "datacenter"})


class Model:
    """One base's figures for 2018-2021: every series follows the base's economy with its own noise."""

    def __init__(self, rng: random.Random, category: str, industry_flags: Iterable[str]) -> None:
        self.rng = rng
        self.category = category
        self.flags = frozenset(industry_flags)
        self.services = category in SERVICE_CATEGORIES
        self.economy: dict[int, float] = {}
        level = 1.0
        for year in MODEL_YEARS:
            self.economy[year] = level
            slump = rng.random() < 0.1
            level *= 1 + (rng.uniform(-0.04, 0.0) if slump else rng.uniform(0.02, 0.14))
        low, high = SALES_RANGE.get(category, (100, 1000))
        last = MODEL_YEARS[-1]
        self.scale = low * (high / low) ** rng.random() / self.economy[last]
        self.values: dict[tuple[str, int], Decimal] = {}

    # helpers ---------------------------------------------------------------------------------

    def follow(self, start: float, noise: float = 0.03) -> dict[int, float]:
        return {y: start * self.economy[y] * (1 + self.rng.uniform(-noise, noise)) for y in MODEL_YEARS}

    def share_of(self, whole: dict[int, float], low: float, high: float) -> dict[int, float]:
        share = self.rng.uniform(low, high)
        return {y: min(whole[y], whole[y] * share * (1 + self.rng.uniform(-0.02, 0.02))) for y in MODEL_YEARS}

    def set_amount(self, code: str, series: dict[int, float], places: int = 2) -> dict[int, float]:
        for y, v in series.items():
            self.values[(code, y)] = _q(max(v, 0.01), places)
        return {y: float(self.values[(code, y)]) for y in MODEL_YEARS}

    def set_count(
        self, code: str, series: dict[int, float], cap: dict[int, float] | None = None
    ) -> dict[int, float]:
        """Whole numbers that never drop to zero or jump by half from one year to the next."""
        previous: int | None = None
        out: dict[int, float] = {}
        for y in MODEL_YEARS:
            value = max(0, round(series[y]))
            if previous is not None and previous > 0:
                low, high = -(-previous // 2), previous * 3 // 2
                value = min(max(value, max(low, 1)), high)
            if cap is not None:
                value = min(value, int(cap[y]))
            self.values[(code, y)] = D(value)
            out[y] = value
            previous = value
        return out

    def set_small(self, code: str, start: int, step: float = 0.3) -> dict[int, float]:
        """A small count that stays or grows by one (never from one to two: that is +100%)."""
        value = start
        series: dict[int, float] = {}
        for y in MODEL_YEARS:
            series[y] = value
            if (value == 0 or value >= 2) and self.rng.random() < step:
                value += 1
        return self.set_count(code, series)

    def set_percent(self, code: str, start: float, trend: float, low: float = 0, high: float = 100) -> None:
        value = start
        for y in MODEL_YEARS:
            self.values[(code, y)] = _q(min(max(value, low), high), 1)
            value += trend + self.rng.uniform(-0.6, 0.6)

    def set_falling(self, code: str, start: float, places: int) -> None:
        drop = self.rng.uniform(0.01, 0.06)
        for i, y in enumerate(MODEL_YEARS):
            self.values[(code, y)] = _q(start * (1 - drop) ** i, places)

    # the summary form ------------------------------------------------------------------------

    def build(self) -> Model:
        r = self.rng
        sales = self.set_amount("1.1", self.follow(self.scale, 0.01))
        self.set_amount("1.1a", self.share_of(sales, 0.45, 0.8))
        if self.services:
            output = self.set_amount("1.2", self.share_of(sales, 0.12, 0.3))
        else:
            output = self.set_amount("1.2", self.share_of(sales, 0.9, 1.0))
        self.set_amount("1.2a", self.share_of(output, 0.5, 0.8))
        added = self.set_amount("1.3", self.share_of(sales, 0.22, 0.3))
        industrial_share = (0.1, 0.3) if self.services else (0.65, 0.9)
        industrial = self.share_of(added, *industrial_share)
        self.set_amount("1.3a", {y: min(industrial[y], output[y]) for y in MODEL_YEARS})
        firms = self.set_count("1.4", self.follow(r.uniform(300, 3000) * self.economy[2018]))
        large = self.set_count("1.4b", self.share_of(firms, 0.12, 0.3), cap=firms)
        industrial_firms = (0.15, 0.4) if self.services else (0.65, 0.95)
        self.set_count("1.4c", self.share_of(large, *industrial_firms), cap=large)
        self.set_count("1.4a", self.share_of(large, 0.06, 0.15), cap=firms)
        trade = self.set_amount("1.5", self.share_of(sales, 0.05, 0.35))
        self.set_amount("1.5a", self.share_of(trade, 0.5, 0.8))
        self.set_amount("1.6", self.share_of(sales, 0.006, 0.03))
        invest = self.set_amount("1.7", self.share_of(sales, 0.08, 0.22))
        industrial_invest = self.set_amount("1.7a", self.share_of(invest, 0.5, 0.85))
        self.set_amount("1.7b", self.share_of(industrial_invest, 0.2, 0.5))
        cumulative = invest[2018] * r.uniform(7, 14)
        for y in MODEL_YEARS:
            if y > 2018:
                cumulative += invest[y]
            self.values[("1.8", y)] = _q(cumulative, 2)
        self.set_amount("1.9", self.follow(self.scale * r.uniform(2.5, 6)))
        self.set_amount("2.1", self.share_of(sales, 0.03, 0.06))
        profit = self.set_amount("2.2", self.share_of(sales, 0.04, 0.09))
        self.set_amount("2.2a", self.share_of(profit, 0.55, 0.9))
        self.set_amount("3.1", self.share_of(sales, 0.015, 0.045))
        self.set_count("3.2", self.follow(self.scale * r.uniform(1.5, 5)))
        self.set_count("3.3", self.follow(r.uniform(12, 80)))
        self.set_small("3.4", r.randint(2, 12))
        self._land()
        self._environment()
        staff = self.set_count("6.1", self.follow(self.scale * r.uniform(60, 160)))
        self.set_count("6.1a", self.share_of(staff, 0.5, 0.8), cap=staff)
        self.set_count("6.2", self.share_of(staff, 0.06, 0.16), cap=staff)
        self.set_count("6.3", self.follow(r.uniform(6, 30)))
        self.set_count("7.1", self.share_of(large, 0.5, 0.9), cap=firms)
        self.set_count("7.2", self.follow(r.uniform(8, 60)))
        self.set_small("7.3", r.choice((0, 0, 2, 3, 4)))
        self._safety()
        self.set_percent("9.1", r.uniform(70, 92), r.uniform(0.5, 2.5))
        self.set_count("9.2", self.share_of(large, 0.3, 0.7), cap=large)
        self.set_percent("9.3", r.uniform(45, 62), r.uniform(0.8, 2.5))
        self.set_count("9.4", self.share_of(large, 0.1, 0.25), cap=firms)
        platforms = self.set_count("10.1", self.follow(r.uniform(12, 60)))
        self.set_count("10.1a", {y: platforms[y] * 0.12 for y in MODEL_YEARS}, cap=platforms)
        self.set_amount("11.1", self.follow(r.uniform(800, 20000), 0.04), places=0)
        self._annex_figures()
        return self

    def _land(self) -> None:
        r = self.rng
        planned = r.uniform(800, 9000)
        developed = r.uniform(0.5, 0.75)
        ratio = r.uniform(0.9, 1.4)
        for y in MODEL_YEARS:
            self.values[("4.1", y)] = _q(planned, 2)
            self.values[("4.1a", y)] = _q(planned * developed, 2)
            self.values[("4.2", y)] = _q(ratio, 2)
            developed = min(developed + r.uniform(0.01, 0.04), 0.95)
            ratio += r.uniform(0.0, 0.04)

    def _environment(self) -> None:
        r = self.rng
        heavy = self.category == "materials"
        if self.services:
            self.set_falling("5.1", r.uniform(0.01, 0.05), 3)
            self.set_falling("5.2", r.uniform(1.5, 6), 2)
        else:
            self.set_falling("5.1", r.uniform(0.6, 1.4) if heavy else r.uniform(0.15, 0.6), 3)
            self.set_falling("5.2", r.uniform(12, 35) if heavy else r.uniform(4, 15), 2)
        power = self.scale * (
            r.uniform(0.08, 0.2) if heavy or self.category == "datacenter" else r.uniform(0.02, 0.06)
        )
        self.set_amount("5.3", self.follow(power))
        self.set_percent("5.4", r.uniform(82, 96), r.uniform(0.2, 1.0), high=99.5)
        self.set_percent("5.5", r.uniform(55, 85), r.uniform(1, 4))
        for code in ("5.6", "5.7", "5.8", "5.9"):
            self.set_count(code, dict.fromkeys(MODEL_YEARS, 0))

    def _safety(self) -> None:
        r = self.rng
        self.set_count("8.1", dict.fromkeys(MODEL_YEARS, r.choice((0, 0, 0, 1, 2))))
        for code in ("8.2", "8.3", "8.4"):
            self.set_count(code, dict.fromkeys(MODEL_YEARS, 0))
        self.set_percent("8.5", r.uniform(82, 96), r.uniform(0.5, 2), high=100)

    def _annex_figures(self) -> None:
        """Numbers the annexes ask for, on the same scale as the base (the category decides which are used)."""
        r = self.rng
        counts = {
            # 附表1 软件和信息服务
            "top100_companies": r.randint(1, 6), "itss_companies": r.uniform(20, 90),
            "listed_companies": r.uniform(6, 30), "cmmi_companies": r.uniform(15, 70),
            "cloud_companies": r.uniform(300, 1500), "blockchain_companies": r.uniform(8, 40),
            "industrial_apps": r.uniform(300, 3000), "mobile_apps": r.uniform(500, 4000),
            "xc_companies": r.uniform(10, 50), "xc_platform_leads": r.randint(1, 5),
            "xc_patents": r.uniform(40, 400), "xc_projects_count": r.randint(2, 8),
            # 附表2 高技术转化应用
            "companies_over_20m": r.uniform(60, 200),
            "special_patents": r.uniform(30, 300), "special_software_copyrights": r.uniform(20, 200),
            # 附表3 工业互联网
            "quality_network_companies": r.uniform(200, 1500), "5g_projects": r.uniform(10, 80),
            "identifier_nodes": r.randint(2, 8), "identifier_registrations": r.uniform(2e6, 4e7),
            "platform_devices": r.uniform(5e4, 8e5), "platform_companies": r.uniform(500, 6000),
            "security_platform_companies": r.uniform(40, 300), "innovation_projects": r.uniform(5, 40),
            "labs_count": r.randint(2, 10), "centers_count": r.randint(1, 5), "platforms_count": r.randint(2, 12),
            # 附表4 大数据
            "leading_companies": r.uniform(8, 60), "patents": r.uniform(50, 600), "pilot_projects": r.randint(1, 6),
            "dcmm_units": r.uniform(5, 40), "labs": r.uniform(4, 30),
        }  # fmt: skip
        for code, start in counts.items():
            if isinstance(start, int):
                self.set_small(code, start)
            else:
                self.set_count(code, self.follow(start / self.economy[2021], 0.05))
        over_20m = {y: float(self.values[("companies_over_20m", y)]) for y in MODEL_YEARS}
        over_100m = self.set_count("companies_over_100m", self.share_of(over_20m, 0.3, 0.5), cap=over_20m)
        self.set_count("companies_over_1bn", self.share_of(over_100m, 0.1, 0.3), cap=over_100m)
        self.set_amount("total_assets", self.follow(self.scale * r.uniform(0.8, 1.6)))
        self.set_amount("investment", self.follow(r.uniform(5000, 80000)), places=0)
        self.set_percent("revenue_share", r.uniform(20, 55), r.uniform(0.5, 2))
        self.set_percent("gov_departments_share", r.uniform(60, 90), r.uniform(1, 3))
        self.set_amount("gov_data_volume", self.follow(r.uniform(0.5, 8)))
        # 附表5 产业转移合作: yearly flows rather than stocks.
        for y in MODEL_YEARS:
            self.values[("investment_growth", y)] = _q(r.uniform(-3, 18), 1)
            self.values[("labour_productivity", y)] = _q(r.uniform(2, 12), 1)
        self.set_amount("new_project_investment", self.follow(self.scale * r.uniform(0.05, 0.2), 0.1))
        new = self.set_count("new_companies", self.follow(r.uniform(30, 200), 0.1))
        self.set_count("new_large_companies", self.share_of(new, 0.1, 0.3), cap=new)
        self.set_count("new_employees", self.follow(r.uniform(2000, 15000), 0.1))
        self.set_amount("tech_contract_value", self.follow(self.scale * r.uniform(0.005, 0.02), 0.1))

    def plant_jump(self, code: str, year: int) -> None:
        """A 同比 change beyond the ±50% band in `year` (a big new project), for a warning to explain."""
        before = self.values[(code, year - 1)]
        self.values[(code, year)] = (before * D(str(self.rng.uniform(1.6, 2.2)))).quantize(D("0.01"))


def build_model(base: Base, seed: int) -> Model:
    rng = random.Random(f"{seed}:figures:{base.name}")
    return Model(rng, base.category.code, base.industry_flags or ()).build()


# --- texts --------------------------------------------------------------------------------------


COUNTRIES = (
    "德国",
    "意大利",
    "日本",
    "韩国",
    "法国",
    "瑞典",
    "芬兰",
    "新加坡",
    "英国",
    "奥地利",
    "荷兰",
    "瑞士",
)
UNIVERSITY_KINDS = ("大学", "理工大学", "科技大学", "工业大学", "工程职业技术学院", "师范大学")
BANKS = ("国家开发银行", "中国工商银行", "中国建设银行", "中国银行", "中国农业银行", "交通银行", "招商银行")
FAIRS = (
    "汉诺威工业博览会",
    "中国国际进口博览会",
    "中国进出口商品交易会",
    "中国国际工业博览会",
    "世界制造业大会",
)
PLAN_YEAR = 2020  # the base's plan to 2025 (25.1) was written on this year's figures
AWARDS = ("国家科技进步二等奖", "省科技进步一等奖", "中国专利金奖", "省技术发明一等奖")


def text_context(w: BaseWords, model: Model, year: int) -> dict[str, Any]:
    """What a base's texts of `year` can name: its words, its figures of that year (as the form gives
    them) and a few things only the texts tell (5G基站, 联盟会员 …), growing with the years."""
    v = model.values
    first = MODEL_YEARS[0]
    age = year - first

    def fig(code: str, y: int = year) -> Decimal:
        return v.get((code, y), D(0))

    def share(part: Decimal, whole: Decimal) -> str:
        return _text((part / whole * 100).quantize(D("0.1"))) if whole else "0"

    base = random.Random(f"{w.text_seed}:base")
    yr = random.Random(f"{w.text_seed}:{year}")
    c, p = w.companies, w.products
    sales, before = fig("1.1"), fig("1.1", year - 1)
    energy, energy_before = fig("5.1"), fig("5.1", year - 1)
    staff, rd_staff = fig("6.1"), fig("6.2")
    green_step, smart_step, workshop_step = base.randint(1, 2), base.randint(1, 3), base.randint(2, 6)
    first_stations = base.randint(60, 400)
    stations = [round(first_stations * 1.25**n) for n in (age - 1, age)]
    ctx: dict[str, Any] = {
        "zone": w.zone, "city": w.city, "industry": w.industry, "year": year,
        **{f"c{i}": name for i, name in enumerate(c)}, **{f"b{i}": name[2:4] for i, name in enumerate(c)},
        **{f"p{i}": name for i, name in enumerate(p)},
        # the form's figures of the year
        "sales": _text(sales), "lead_sales": _text(fig("1.1a")), "added": _text(fig("1.3a")),
        "firms": _text(fig("1.4")), "listed": _text(fig("1.4a")), "large": _text(fig("1.4b")),
        "trade": _text(fig("1.5")), "export": _text(fig("1.5a")), "fdi": _text(fig("1.6")),
        "reform": _text(fig("1.7b")), "tax": _text(fig("2.1")), "profit": _text(fig("2.2")),
        "rd": _text(fig("3.1")), "patents": _text(fig("3.2")), "prov_labs": _text(fig("3.3")),
        "nat_labs": _text(fig("3.4")), "area": _text(fig("4.1")), "developed": _text(fig("4.1a")),
        "plot": _text(fig("4.2")), "energy": _text(energy), "water": _text(fig("5.2")),
        "waste": _text(fig("5.4")), "clean": _text(fig("5.5")), "staff": _text(staff),
        "rd_staff": _text(rd_staff), "certified": _text(fig("7.1")),
        "standards": _text(fig("7.2")), "safety": _text(fig("8.5")),
        "fiber": _text(fig("9.1")), "digital": _text(fig("9.2")), "nc": _text(fig("9.3")),
        "fusion": _text(fig("9.4")), "platforms": _text(fig("10.1")),
        "fund": _text(fig("11.1")), "over_20m": _text(fig("companies_over_20m")),
        "over_100m": _text(fig("companies_over_100m")), "special_patents": _text(fig("special_patents")),
        "new_companies": _text(fig("new_companies")),
        # said only when there is something to say (国际标准0项 reads as nobody checked)
        "and_intl": f"、国际标准{_text(fig('7.3'))}项" if fig("7.3") else "",
        "of_national": f"，其中国家级{_text(fig('10.1a'))}个" if fig("10.1a") else "",
        "accidents_note": f"共发生一般事故{_text(accidents)}起，未发生较大及以上事故"
        if (accidents := sum((fig("8.1", y) for y in range(year - 2, year + 1)), D(0)))
        else "未发生一般及以上生产安全事故",
        # derived from them
        "growth": (growth := share(sales - before, before)),
        "change": f"下降{growth.removeprefix('-')}%" if growth.startswith("-") else f"增长{growth}%",
        "rd_share": share(fig("3.1"), sales),
        "energy_drop": share(energy_before - energy, energy_before),
        "target_sales": _text((fig("1.1", PLAN_YEAR) * D("1.6")).quantize(D(1))),
        "target_rd": _text(_q(float(fig("3.1", PLAN_YEAR) / fig("1.1", PLAN_YEAR) * 100) + base.uniform(0.5, 1.2), 1))
        if fig("1.1", PLAN_YEAR) else "3.0",  # the plan's targets stay what they were when it was written
        # what only the texts say: the base's own, growing with the years
        "partners": base.randint(3, 9), "chain_firms": base.randint(40, 160) + 3 * age,
        "members": base.randint(60, 220) + 6 * age,
        "brands": base.randint(6, 20) + age, "brand_firms": base.randint(20, 80) + 5 * age,
        "test_centers": base.randint(1, 4), "giants": (giants := base.randint(3, 12) + age // 2),
        "titles3": giants + 2, "award": base.choice(AWARDS),
        "uni1": w.city + (kinds := base.sample(UNIVERSITY_KINDS, 2))[0], "uni2": w.city + kinds[1],
        "joint_labs": base.randint(3, 10) + age // 2,
        "country1": (countries := base.sample(COUNTRIES, 2))[0], "country2": countries[1],
        "green": base.randint(1, 4) + green_step * age, "new_green": green_step,
        "stations": stations[1], "new_stations": stations[1] - stations[0],
        "devices": round(base.randint(5000, 80000) * 1.3**age), "racks": base.randint(500, 6000),
        "smart": base.randint(3, 12) + smart_step * age, "workshops": base.randint(10, 40) + workshop_step * age,
        "new_workshops": workshop_step, "service_share": _q(base.uniform(12, 30) + 0.8 * age, 1),
        "cloud_firms": round(base.randint(200, 1500) * 1.2**age), "bank": base.choice(BANKS),
        "talent": round(staff * D(str(round(base.uniform(0.25, 0.4), 3)))),
        "senior": round(rd_staff * D(str(round(base.uniform(0.08, 0.18), 3)))),
        "skilled": round(staff * D(str(round(base.uniform(0.08, 0.15), 3)))),
        "markets": base.randint(20, 80) + 2 * age, "fair": base.choice(FAIRS),
        # and what changes from one year to the next
        "supporting": yr.randint(18, 90), "cost_down": _q(yr.uniform(5, 15), 1), "projects": yr.randint(8, 40),
        "contracts": _q(float(sales) * yr.uniform(0.03, 0.1), 1), "yield_rate": _q(yr.uniform(98.5, 99.8), 1),
        "qc_teams": yr.randint(30, 200), "quality_awards": yr.randint(2, 9), "new_labs": yr.randint(2, 8),
        "key_projects": yr.randint(2, 9), "joint_projects": yr.randint(12, 45), "intl_projects": yr.randint(5, 24),
        "teams": yr.randint(2, 9), "solar": yr.randint(5, 60),
        "services": round(float(fig("1.4")) * yr.uniform(1.2, 2.5)),
        "trainings": yr.randint(40, 300), "loans": _q(float(sales) * yr.uniform(0.02, 0.06), 1),
        "loan_firms": yr.randint(80, 600), "leaders": yr.randint(8, 60), "doctors": yr.randint(20, 300),
        "talent_new": yr.randint(30, 300), "skilled_new": yr.randint(200, 1500), "issues": yr.randint(60, 400),
        "events": yr.randint(12, 60), "awards": yr.randint(1, 4), "solutions": yr.randint(120, 900),
        "scenes": yr.randint(5, 20), "intl_patents": yr.randint(5, 40),
        "open_firms": yr.randint(60, 400), "efficiency_up": _q(yr.uniform(4, 12), 1),
        "alliance_firms": yr.randint(40, 160), "chain_projects": yr.randint(6, 30),
        "smart_projects": yr.randint(5, 30), "ops_down": _q(yr.uniform(6, 18), 1),
        "expert_teams": yr.randint(2, 8), "green_projects": yr.randint(10, 45),
    }  # fmt: skip
    return ctx


def _texts(w: BaseWords, model: Model, year: int) -> dict[str, str]:
    """The summary's text items (13.1-25.1) of `year`, in the base's own terms and figures."""
    return texts.render(texts.SUMMARY, text_context(w, model, year), w.text_seed, year)


def _text_item(fld: Field, w: BaseWords, model: Model, year: int, form: str, ctx: dict[str, Any]) -> str:
    given = dict(w.given).get(f"{form}:{fld.code}")
    if given is not None:
        return given
    code = "management_body_name" if (form == "annex5" and fld.code == "management_body") else fld.code
    options = (texts.SUMMARY if form == "summary" else texts.ANNEX).get(code)
    if options is not None:
        return texts.pick(options, ctx, w.text_seed, code, year)
    if form == "annex6":
        subject = fld.label.removesuffix("情况").removesuffix("的")
        return texts.pick(texts.DATACENTER, {**ctx, "subject": subject}, w.text_seed, code, year)
    return texts.pick(texts.FALLBACK, {**ctx, "label": fld.label}, w.text_seed, code, year)


# --- the cells of a form ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    form: str
    code: str
    year: int
    raw: Any


def _phone(rng: random.Random, mobile: bool) -> str:
    if mobile:
        return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    return f"0{rng.randint(10, 999)}-{rng.randint(6000000, 8999999)}"


def _header(base: Base, w: BaseWords, rng: random.Random) -> dict[str, Any]:
    people = []
    for row, title in enumerate(rng.choice(POSITIONS)):
        people.append(
            {
                "name": _person(rng),
                "position": title,
                "landline": _phone(rng, False),
                "mobile": _phone(rng, True),
                "fax": _phone(rng, False) if row == 0 else "",
                "email": f"sfjd{rng.randint(100, 999)}{'ab'[row]}@example.com",
                "remark": "",
            }
        )
    yes, no = "是", "否"
    return {
        "base_name": base.name,
        "batch": batch_label(base.batch),
        "lead_industry": base.lead_industry,
        "sub_sectors": "、".join(base.sub_sectors or ()),
        "reporter_name": f"{w.zone}管理委员会",
        "reporter_kind": rng.choices(("政府", "国企", "私企"), weights=(85, 12, 3))[0],
        "steady_growth_city": yes if rng.random() < 0.3 else no,
        "hardship_area": yes if rng.random() < 0.08 else no,
        "strategic_emerging": yes if rng.random() < 0.6 else no,
        "high_tech_manufacturing": yes
        if base.category.code in ("electronics", "hightech") or rng.random() < 0.3
        else no,
        "is_high_tech_zone": yes if base.is_high_tech_zone else no,
        "high_tech_zone_name": base.high_tech_zone_name,
        "is_econ_zone": yes if base.is_econ_zone else no,
        "econ_zone_name": base.econ_zone_name,
        "contacts": people,
    }


def _table(
    fld: Field, w: BaseWords, rng: random.Random, model: Model, year: int, form: str
) -> list[dict[str, str]]:
    c, p = w.companies, w.products
    code = fld.code
    if form == "annex3" and code in ("labs", "centers", "platforms"):
        noun = {"labs": "联合实验室", "centers": "创新中心", "platforms": "公共服务平台"}[code]
        # As many rows as the count beside the list says (the list follows its count, issue 8).
        count = model.values.get((f"{code}_count", year))
        n = int(count) if count is not None else 2
        approvers = ("省工业和信息化厅", f"{w.city}市人民政府")
        return [
            {"name": f"{(c[i % len(c)][:4] if i % 2 == 0 else w.city)}工业互联网{noun}{'' if i < 2 else i + 1}",
             "owner": c[i % len(c)], "approver": approvers[i % 2]}
            for i in range(n)
        ]  # fmt: skip
    if code == "12.1":
        levels = ("国际先进", "国内领先", "国内领先", "国内先进")
        return [
            {
                "product": product,
                "output": _text(_q(rng.uniform(5, 500), 1)),
                "output_unit": OUTPUT_UNITS.get(w.category, "万件"),
                "producers": f"{c[i % 3]}、{c[3 + i % 3]}",
                "domestic_share": _text(_q(rng.uniform(3, 35), 1)),
                "world_share": _text(_q(rng.uniform(0.5, 12), 1)),
                "technology": f"{product}{rng.choice(('智能控制', '精密成型', '高效集成', '绿色制造'))}技术",
                "tech_level": rng.choice(levels),
            }
            for i, product in enumerate(p[:5])
        ]
    if code == "12.2":
        return [
            {
                "company": company,
                "operating_profit": _text(_q(rng.uniform(3000, 150000), 0)),
                "domestic_share": _text(_q(rng.uniform(2, 30), 1)),
                "world_share": _text(_q(rng.uniform(0.2, 8), 1)),
            }
            for company in c[: rng.randint(3, 5)]
        ]
    if code == "25.1t":
        # The targets the text of 25.1 names, fixed when the plan was made.
        ctx = text_context(w, model, year)
        return [
            {"indicator": "销售收入", "target": f"2025年达到{ctx['target_sales']}亿元",
             "progress": f"{year}年完成{ctx['sales']}亿元"},
            {"indicator": "研发投入占销售收入比重", "target": f"2025年达到{ctx['target_rd']}%",
             "progress": f"{year}年达到{ctx['rd_share']}%"},
            {"indicator": "国家级研发机构数量", "target": "2025年达到15个",
             "progress": f"{year}年已有{_text(model.values[('3.4', year)])}个"},
        ]  # fmt: skip
    if code == "xc_projects":
        return [
            {"project": f"{w.city}市政务办公系统信创改造项目", "user": f"{w.city}市大数据中心", "scale": "用户三千余人",
             "domain": "电子政务", "functions": "覆盖公文流转、视频会议等办公应用。",
             "innovations": "基于国产芯片和操作系统完成全栈适配。", "experience": "采取分批迁移、双轨运行方式平稳切换。"},
        ]  # fmt: skip
    if code == "xc_companies_info":
        return [
            {"company": company, "revenue": _text(_q(rng.uniform(20000, 300000), 0)),
             "xc_revenue": _text(_q(rng.uniform(2000, 15000), 0)), "rd_investment": _text(_q(rng.uniform(3000, 20000), 0)),
             "xc_rd_investment": _text(_q(rng.uniform(500, 2500), 0)), "rd_staff": str(rng.randint(200, 900)),
             "xc_rd_staff": str(rng.randint(30, 150))}
            for company in c[:3]
        ]  # fmt: skip
    if code == "main_companies":
        return [
            {"company": company, "registered_capital": _text(_q(rng.uniform(5000, 80000), 0)),
             "founded": f"{rng.randint(1995, 2015)}年", "industry": w.industry, "business": f"{p[i % len(p)]}研发制造",
             "revenue": _text(_q(rng.uniform(30000, 400000), 0)), "revenue_share": _text(_q(rng.uniform(3, 18), 1)),
             "lead_product_revenue": _text(_q(rng.uniform(10000, 200000), 0)), "employees": str(rng.randint(300, 5000)),
             "credit": "AA级（银行授信）", "listing": "否" if i else "2016年在深圳证券交易所上市"}
            for i, company in enumerate(c[:3])
        ]  # fmt: skip
    if code == "platforms":
        return [
            {"platform": f"{w.city}{w.industry}公共服务平台", "owner": f"{w.zone}管理委员会",
             "operation": "平台运行良好，年服务企业三百余家次。"},
            {"platform": f"{w.industry}协同创新中心", "owner": c[0], "operation": "联合高校开展关键技术攻关。"},
        ]  # fmt: skip
    if code == "applications":
        return [
            {
                "domain": domain,
                "companies": f"{c[i]}、{c[i + 1]}",
                "summary": f"在{domain}领域开展大数据应用，成效明显。",
            }
            for i, domain in enumerate(("工业制造", "政务服务", "智慧交通"))
        ]
    return []


def _value_for(
    fld: Field, w: BaseWords, rng: random.Random, model: Model, year: int, form: str,
    contexts: dict[int, dict[str, Any]],
) -> Any:  # fmt: skip
    """The raw input for one non-yearly item (or one yearly item of an annex without a model figure);
    `contexts` holds the texts' context per year, built once per form."""
    if fld.type == "table":
        return _table(fld, w, rng, model, year, form) or None
    if fld.type not in ("yesno", "text", "string"):
        return None
    if fld.type == "yesno" and fld.note is None:
        return "是"
    if year not in contexts:
        contexts[year] = text_context(w, model, year)
    ctx = contexts[year]
    if fld.type == "yesno":
        options = texts.YESNO_NOTES.get(fld.code, ("已按要求落实。",))
        return {"answer": "是", "note": texts.pick(options, ctx, w.text_seed, fld.code, year)}
    text = _text_item(fld, w, model, year, form, ctx)
    limit = fld.max_length
    if limit and char_count(text) > limit:
        text = text[:limit]
    return text


def _number(fld: Field, model: Model, year: int) -> str | None:
    value = model.values.get((fld.code, year))
    if value is None:
        return None
    return _text(value.quantize(D(1)) if fld.type == "count" else value)


def form_cells(
    *,
    definition: FormDefinition,
    base: Base,
    profile: BaseProfile,
    model: Model,
    words: BaseWords,
    data_year: int,
    years: Iterable[int] | None = None,
    with_texts: bool = True,
    seed: int,
) -> list[Cell]:
    """Every cell of one form a base fills, in definition order: the yearly figures for `years`
    (all the form's years when None) and, with `with_texts`, the header, texts, tables and 是/否 items."""
    wanted = set(years) if years is not None else None
    rng = random.Random(f"{seed}:{definition.code}:{data_year}:{base.name}")
    header = _header(base, words, rng) if definition.code == "summary" else {}
    contexts: dict[int, dict[str, Any]] = {}
    cells: list[Cell] = []
    for fld in definition.fields():
        if definition.status_for(fld, profile) == "hidden":
            continue
        if fld.is_yearly:
            for year in definition.years_for(fld, data_year):
                if wanted is not None and year not in wanted:
                    continue
                raw = (
                    _number(fld, model, year)
                    if fld.is_numeric
                    else _value_for(fld, words, rng, model, year, definition.code, contexts)
                )
                if raw not in (None, ""):
                    cells.append(Cell(definition.code, fld.code, year, raw))
            continue
        if not with_texts:
            continue
        if fld.code in header:
            raw = header[fld.code]
        elif fld.is_numeric:  # asked once (附表2 特种专利数量 …): the data year's figure
            raw = _number(fld, model, data_year)
        else:
            raw = _value_for(fld, words, rng, model, data_year, definition.code, contexts)
        if raw not in (None, "", []):
            cells.append(Cell(definition.code, fld.code, NOT_YEARLY, raw))
    return cells


def report_content(words: BaseWords, model: Model, year: int) -> dict[str, Any]:
    """附件2 for a base: a ~300字 overview, four highlights, three practices (lead + content), problems;
    the themes and phrasings change from year to year (demo.texts), the figures are the form's."""
    ctx = text_context(words, model, year)
    salt = words.text_seed
    given = dict(words.given)
    practices = texts.themed(texts.REPORT_PRACTICES, 3, ctx, salt, "report:practices", year)
    problems = given.get("report:problems") or texts.pick(
        texts.REPORT_PROBLEMS, ctx, salt, "report:problems", year
    )
    return {
        "overview": texts.pick(texts.REPORT_OVERVIEW, ctx, salt, "report:overview", year),
        "highlights": texts.themed(texts.REPORT_HIGHLIGHTS, 4, ctx, salt, "report:highlights", year),
        "practices": practices,
        "problems": problems,
    }


# --- writing ------------------------------------------------------------------------------------


@dataclass
class ValuesResult:
    filled: bool
    reason: str = ""
    shared_definitions: bool = False  # the previous campaign was given the 2022 forms
    previous_accepted: int = 0
    current_states: dict[str, int] = field(default_factory=dict)
    draft_kinds: dict[str, int] = field(default_factory=dict)
    explained: int = 0
    value_rows: int = 0


def _definitions(version: str) -> dict[str, Definition]:
    return {d.code: d for d in Definition.objects.filter(version=version)}


class _Rows:
    """Value and ValueChange rows written straight to the table, exactly as `values_save` (new cells:
    raw as typed, its canonical value, revision 1, one ValueChange each) and `submission_start`'s
    pre-fill write them. Several hundred thousand rows through `bulk_create` cost most of a minute in
    model instances and per-field preparation; plain parameter tuples keep `load_demo` fast. JSON and
    datetimes are adapted by the database backend, so the stored form is the ORM's."""

    VALUE_COLUMNS = ("submission", "form", "code", "year", "raw", "value", "entered_currency", "revision",
                     "updated_at", "updated_by", "source")  # fmt: skip
    CHANGE_COLUMNS = ("submission", "form", "code", "year", "old_raw", "new_raw", "old_currency",
                      "new_currency", "revision", "changed_at", "changed_by", "source")  # fmt: skip

    def __init__(self) -> None:
        self.values: list[tuple[Any, ...]] = []
        self.changes: list[tuple[Any, ...]] = []
        self.count = 0
        ops = connection.ops
        # As SealedJSONField stores them: phones and e-mails marked Sensitive become tokens.
        self._json = lambda v: None if v is None else ops.adapt_json_value(seal(v), None)
        self._moment = ops.adapt_datetimefield_value
        self._moments: dict[dt.datetime, Any] = {}

    def add(
        self, submission_id: int, form: str, code: str, year: int, raw: Any, value: Any, *,
        at: dt.datetime, user_id: int | None, source: str, currency: str = "",
    ) -> None:  # fmt: skip
        j = self._json
        moment = self._moments.get(at)
        if moment is None:
            moment = self._moments[at] = self._moment(at)
        self.values.append(
            (submission_id, form, code, year, j(raw), j(value), currency, 1, moment, user_id, source)
        )
        self.changes.append(
            (submission_id, form, code, year, None, j(raw), "", currency, 1, moment, user_id, source)
        )

    def add_cells(
        self, submission_id: int, cells: Iterable[Cell], fields: dict[str, dict[str, Field]], *,
        at: dt.datetime, user_id: int | None = None,
    ) -> dict[tuple[str, str, int], tuple[Any, Any]]:  # fmt: skip
        """Typed cells; returns {(form, code, year): (raw, canonical value)} of what was written."""
        written = {}
        for cell in cells:
            # The exact canonical form `values_save` stores, so demo rows equal typed ones.
            fld = fields[cell.form][cell.code]
            value, error = _canonical(fld, cell.raw, "")
            if error:
                raise ValueError(f"demo value {cell.form}:{cell.code}:{cell.year} is invalid: {error}")
            raw, value = mark_sensitive(fld, cell.raw), mark_sensitive(fld, value)
            self.add(submission_id, cell.form, cell.code, cell.year, raw, value, at=at, user_id=user_id,
                     source=Value.Source.DEMO)  # fmt: skip
            written[(cell.form, cell.code, cell.year)] = (raw, value)
        return written

    @staticmethod
    def _insert(model: type[Any], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        meta, qn = model._meta, connection.ops.quote_name
        names = ", ".join(qn(meta.get_field(c).column) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({marks})"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])

    def flush(self) -> None:
        self._insert(Value, self.VALUE_COLUMNS, self.values)
        self._insert(ValueChange, self.CHANGE_COLUMNS, self.changes)
        # Written around values_save, so bump the revision it would have: a stored check of these
        # materials (submissions.status) is then stale and recomputed.
        touched = {row[0] for row in self.values}
        for start in range(0, len(touched), 500):
            chunk = sorted(touched)[start : start + 500]
            Submission.objects.filter(pk__in=chunk).update(revision=F("revision") + 1)
        self.count += len(self.values)
        self.values, self.changes = [], []


def _history_moment(rng: random.Random, day: dt.date, hour_from: int = 9) -> dt.datetime:
    return dt.datetime(
        day.year, day.month, day.day, rng.randint(hour_from, 17), rng.randint(0, 59), tzinfo=SHANGHAI
    )


class _Writer:
    """Everything one `demo_values_load` run writes, with the shared lookups it needs."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.models: dict[int, Model] = {}
        self.words: dict[int, BaseWords] = {}
        self.rows = _Rows()
        self.definitions: dict[int, FormDefinition] = {}
        # base pk → last year's cells {(form, code, year): (raw, value)}, the source of this year's pre-fill
        self.history: dict[int, dict[tuple[str, str, int], tuple[Any, Any]]] = {}

    def model(self, base: Base) -> Model:
        if base.pk not in self.models:
            self.models[base.pk] = build_model(base, self.seed)
        return self.models[base.pk]

    def parsed(self, definition: Definition) -> FormDefinition:
        """Each definition parsed once, however many submissions' instances of it are loaded."""
        if definition.pk not in self.definitions:
            self.definitions[definition.pk] = definition.parsed()
        return self.definitions[definition.pk]

    def word(self, base: Base) -> BaseWords:
        if base.pk not in self.words:
            self.words[base.pk] = base_words(base, random.Random(f"{self.seed}:words:{base.name}"))
        return self.words[base.pk]

    def cells(
        self, submission: Submission, *, years: Iterable[int] | None = None, with_texts: bool = True
    ) -> list[Cell]:
        base, campaign = submission.base, submission.campaign
        profile = profile_for(base)
        out: list[Cell] = []
        for definition in submission.definitions():
            parsed = self.parsed(definition)
            if not parsed.applies_to(profile):
                continue
            out.extend(
                form_cells(
                    definition=parsed, base=base, profile=profile, model=self.model(base), words=self.word(base),
                    data_year=campaign.data_year, years=years, with_texts=with_texts, seed=self.seed,
                )
            )  # fmt: skip
        return out

    # the previous campaign: accepted history ---------------------------------------------------

    def previous(self, campaign: Campaign, definitions: dict[str, Definition]) -> int:
        """Last year's material, imported directly in the accepted state.

        It is historical data, not a user action: no filler or reviewer of 2021 has an account, and
        printing and sealing 450 sets of scans would add nothing a user of this year can see. So each
        submission is created accepted, with the three Transitions (submit, approve, accept) it went
        through, dated in August and September 2021. It has no sign-off Snapshot: the 2021 material
        predates the system. Values and their history rows are written like `values_save` writes them.
        """
        summary = definitions["summary"]
        bases = list(campaign.bases.select_related("category", "authority").order_by("batch", "name"))
        rng = random.Random(f"{self.seed}:previous")
        plans: dict[int, tuple[dt.datetime, dt.datetime, dt.datetime]] = {}
        submissions = []
        for base in bases:
            submitted = _history_moment(rng, dt.date(2021, 8, rng.randint(2, 19)))
            approved = submitted + dt.timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 5))
            accepted = dt.datetime(
                2021, 9, rng.randint(6, 28), rng.randint(9, 17), rng.randint(0, 59), tzinfo=SHANGHAI
            )
            plans[base.pk] = (submitted, approved, accepted)
            annex = definitions.get(base.category.annex) if base.category.annex else None
            submissions.append(
                Submission(
                    campaign=campaign, base=base, summary_definition=summary, annex_definition=annex,
                    status=Submission.Status.ACCEPTED, submitted_at=submitted, status_changed_at=accepted,
                    created_at=submitted - dt.timedelta(days=20), updated_at=submitted,
                )
            )  # fmt: skip
        Submission.objects.bulk_create(submissions, batch_size=500)
        for definition in {summary, *(s.annex_definition for s in submissions if s.annex_definition)}:
            definition_freeze(definition=definition)
        created = {
            s.base_id: s
            for s in Submission.objects.filter(campaign=campaign).select_related(
                "campaign", "base__category", "base__authority", "summary_definition", "annex_definition"
            )
        }
        fields = {code: d.parsed().field_map() for code, d in definitions.items()}
        reports, transitions = [], []
        for base in bases:
            submission = created[base.pk]
            submitted, approved, accepted = plans[base.pk]
            self.history[base.pk] = self.rows.add_cells(
                submission.pk, self.cells(submission), fields, at=submitted - dt.timedelta(days=3)
            )
            content = report_content(self.word(base), self.model(base), campaign.data_year)
            reports.append(
                DevelopmentReport(submission=submission, revision=1, updated_at=submitted, **content)
            )
            note = "历史数据导入（2021年度评价材料）"
            for action, before, after, at in (
                (Transition.Action.SUBMIT, "draft", "submitted", submitted),
                (Transition.Action.APPROVE, "submitted", "approved", approved),
                (Transition.Action.ACCEPT, "approved", "accepted", accepted),
            ):
                transitions.append(
                    Transition(submission=submission, action=action, from_status=before, to_status=after, at=at, comment=note)
                )  # fmt: skip
        self.rows.flush()
        DevelopmentReport.objects.bulk_create(reports, batch_size=500)
        DevelopmentReportVersion.objects.bulk_create(
            [
                DevelopmentReportVersion(
                    report=r, revision=1, overview=r.overview, highlights=r.highlights, practices=r.practices,
                    problems=r.problems, saved_at=r.updated_at,
                )
                for r in DevelopmentReport.objects.filter(submission__campaign=campaign)
            ],
            batch_size=500,
        )  # fmt: skip
        Transition.objects.bulk_create(transitions, batch_size=1000)
        return len(bases)


# --- the current campaign -----------------------------------------------------------------------


def _split(count: int, weights: dict[str, float]) -> list[str]:
    """`count` labels in proportion to the weights, each label at least once when there is room."""
    return allocate(count, weights)


@dataclass
class CurrentPlan:
    untouched: list[Base]
    partial: list[Base]
    complete: list[Base]
    real: list[tuple[Base, str]]  # (base, the state it ends in)
    jumps: set[int]  # base pks whose 2021 figure jumps (a warning they explain)


def plan_current(
    bases: Sequence[Base], *, seed: int, filler_base_id: int | None, reviewer_authority_id: int | None
) -> CurrentPlan:
    """Which base ends in which state: pure, deterministic for a seed and a list of bases."""
    rng = random.Random(f"{seed}:current")
    ordered = sorted(bases, key=lambda b: (b.batch, b.name))
    others = [b for b in ordered if b.pk != filler_base_id]
    rng.shuffle(others)
    n = len(ordered)
    n_real = min(len(others), max(REAL_PATH_MIN, round(n * REAL_PATH_SHARE)))
    # The demo reviewer must have material to review: two of their authority's bases go first.
    mine = [b for b in others if b.authority_id == reviewer_authority_id][:2]
    rest = [b for b in others if b not in mine]
    real_bases = mine + rest[: n_real - len(mine)]
    remaining = rest[n_real - len(mine) :]
    states = _split(len(real_bases), REAL_STATES)
    rng.shuffle(states)
    if mine:
        # the first of the reviewer's own bases waits for their review
        first = states.index("submitted")
        states[0], states[first] = states[first], states[0]
    real = list(zip(real_bases, states, strict=True))
    n_untouched = round(n * UNTOUCHED_SHARE)
    n_partial = max(0, round(n * PARTIAL_SHARE) - (1 if filler_base_id else 0))
    untouched = remaining[:n_untouched]
    partial = remaining[n_untouched : n_untouched + n_partial]
    complete = remaining[n_untouched + n_partial :]
    if filler_base_id is not None:
        partial = [b for b in ordered if b.pk == filler_base_id] + partial
    jump_pool = complete + [b for b, s in real if s in ("approved", "accepted", "submitted")]
    jumps = {b.pk for b in jump_pool if rng.random() < JUMP_SHARE}
    return CurrentPlan(untouched=untouched, partial=partial, complete=complete, real=real, jumps=jumps)


@dataclass
class CopyPlan:
    reuse: dict[
        int, tuple[str, ...]
    ]  # base pk → keys ("summary:13.1", "report:problems") copied from last year
    shared: list[tuple[Base, Base, tuple[str, ...]]]  # (source, copier, keys the copier took from the source)


def plan_copies(bases: Sequence[Base], *, seed: int, filled: Sequence[Base]) -> CopyPlan:
    """Which bases copy texts this year: pure, deterministic for a seed and the lists of bases.
    `filled` are the bases whose texts this year are complete (the pairs are taken among them)."""
    rng = random.Random(f"{seed}:copies")
    codes = [f"summary:{code}" for code in texts.SUMMARY]
    reuse = {}
    for base in sorted(bases, key=lambda b: (b.batch, b.name)):
        if rng.random() < REUSE_SHARE:
            keys = rng.sample(codes, rng.randint(*REUSE_ITEMS))
            if rng.random() < 0.5:
                keys.append("report:problems")
            reuse[base.pk] = tuple(keys)
    by_category: dict[str, list[Base]] = {}
    for base in sorted(filled, key=lambda b: (b.batch, b.name)):
        if base.pk not in reuse:
            by_category.setdefault(base.category.code, []).append(base)
    groups = [g for _, g in sorted(by_category.items()) if len(g) >= 2]
    rng.shuffle(groups)
    shared = []
    for group in groups[:SHARED_PAIRS]:
        source, copier = rng.sample(group, 2)
        shared.append((source, copier, tuple(rng.sample(SHAREABLE, SHARED_ITEMS))))
    return CopyPlan(reuse=reuse, shared=shared)


def _background_filler(base: Base, password: str) -> User:
    """A base's own filler, for the actions only a filler may take. Not a demo login: no usable password."""
    rng = random.Random(f"filler:{base.name}")
    user, _ = User.objects.get_or_create(
        username=f"bg_filler_{base.pk}",
        defaults={"role": Role.BASE_FILLER, "base": base, "full_name": _person(rng), "password": password},
    )
    return user


def _background_reviewer(base: Base, password: str) -> User:
    authority = base.authority
    rng = random.Random(f"reviewer:{authority.code}")
    user, _ = User.objects.get_or_create(
        username=f"bg_reviewer_{authority.code}",
        defaults={
            "role": Role.AUTHORITY_REVIEWER,
            "authority": authority,
            "full_name": _person(rng),
            "password": password,
        },
    )
    return user


RETURN_NOTES: tuple[tuple[str, str], ...] = (
    ("1.7b", "技术改造投资占工业固定资产投资比重与往年差异较大，请核实统计口径。"),
    ("3.2", "有效发明专利数请以知识产权部门统计为准，核实后重新填报。"),
    ("6.2", "研发人数请与统计年报口径保持一致。"),
)


class _Current:
    def __init__(self, writer: _Writer, campaign: Campaign, plan: CurrentPlan) -> None:
        self.w = writer
        self.campaign = campaign
        self.plan = plan
        self.unusable = make_password(None)
        self.explained = 0

    def start_all(self, service_bases: set[int]) -> dict[int, Submission]:
        """Every participating base's material, pre-filled with last year's 2020 and 2019 figures.

        The bases a user acts on (the demo filler's, the real path's) start through `submission_start`.
        The others are started in bulk the same way: the same definitions, frozen, and the same pre-fill
        rows `_prefill_history` writes (source 上年度数据预填, revision 1, one history row each),
        copied from last year's cells already in memory.
        """
        bases = list(self.campaign.bases.select_related("category", "authority").order_by("batch", "name"))
        out = {}
        for base in bases:
            if base.pk in service_bases:
                out[base.pk] = submission_start(campaign=self.campaign, base=base, user=None)
        now = timezone.now()
        new = []
        for base in bases:
            if base.pk in service_bases:
                continue
            summary, annex = definitions_for(self.campaign, base)
            new.append(
                Submission(campaign=self.campaign, base=base, summary_definition=summary, annex_definition=annex,
                           created_at=now, updated_at=now)
            )  # fmt: skip
        Submission.objects.bulk_create(new, batch_size=500)
        for definition in {d for s in new for d in s.definitions()}:
            definition_freeze(definition=definition)
        history_years = set(self.campaign.history_years)
        for submission in Submission.objects.filter(campaign=self.campaign, base__in=[s.base for s in new]).select_related(
            "campaign", "base__category", "base__authority", "summary_definition", "annex_definition"
        ):  # fmt: skip
            out[submission.base_id] = submission
            old = self.w.history.get(submission.base_id, {})
            for definition in submission.definitions():
                parsed = self.w.parsed(definition)
                for fld in parsed.fields():
                    for year in parsed.years_for(fld, self.campaign.data_year):
                        if year not in history_years:
                            continue
                        source = old.get((parsed.code, fld.code, year)) or (
                            old.get((parsed.code, fld.continues, year)) if fld.continues else None
                        )
                        if source is None or source[0] in (None, ""):
                            continue
                        self.w.rows.add(submission.pk, parsed.code, fld.code, year, source[0], source[1], at=now,
                                        user_id=None, source=Value.Source.PREFILL)  # fmt: skip
        self.w.rows.flush()
        return out

    def plant_copies(self, copies: CopyPlan) -> None:
        """The copied texts of `copies`, given to the bases' words before any of this year's cells."""
        year = self.campaign.data_year
        bases = {b.pk: b for b in self.campaign.bases.select_related("category", "authority")}
        for pk, keys in copies.reuse.items():
            base = bases[pk]
            words, model = self.w.word(base), self.w.model(base)
            last = {f"summary:{code}": text for code, text in _texts(words, model, year - 1).items()}
            last["report:problems"] = report_content(words, model, year - 1)["problems"]
            self.w.words[pk] = replace(words, given=tuple((k, last[k]) for k in keys))
        for source, copier, keys in copies.shared:
            words = self.w.word(source)
            theirs = _texts(words, self.w.model(source), year)
            own = self.w.word(copier)
            taken = tuple((k, theirs[k.removeprefix("summary:")].replace(words.zone, own.zone)) for k in keys)
            self.w.words[copier.pk] = replace(own, given=own.given + taken)

    def figures_for(self, base: Base) -> Model:
        model = self.w.model(base)
        if base.pk in self.plan.jumps and (JUMP_FIELD, self.campaign.data_year) in model.values:
            key = (JUMP_FIELD, self.campaign.data_year)
            if model.values[key] < model.values[(JUMP_FIELD, self.campaign.data_year - 1)] * D("1.5"):
                model.plant_jump(JUMP_FIELD, self.campaign.data_year)
        return model

    def data_cells(self, submission: Submission) -> list[Cell]:
        self.figures_for(submission.base)
        return self.w.cells(submission, years=[self.campaign.data_year])

    def bulk(
        self, pairs: Sequence[tuple[Submission, list[Cell]]], fields: dict[str, dict[str, Field]]
    ) -> None:
        now = timezone.now()
        for submission, cells in pairs:
            self.w.rows.add_cells(submission.pk, cells, fields, at=now)
        self.w.rows.flush()
        Submission.objects.filter(pk__in=[s.pk for s, _ in pairs]).update(updated_at=now)

    def partial_cells(self, submission: Submission) -> list[Cell]:
        """What a base has typed so far: the header and the figures from the top down, a text or two."""
        rng = random.Random(f"{self.w.seed}:partial:{submission.base.name}")
        cells = [c for c in self.data_cells(submission) if c.form == "summary"]
        numbers = [c for c in cells if c.year]
        header_codes = {
            "base_name",
            "batch",
            "lead_industry",
            "sub_sectors",
            "reporter_name",
            "reporter_kind",
            "contacts",
        }
        header = [c for c in cells if c.code in header_codes]
        texts = [c for c in cells if c.code in ("13.1", "13.2")]
        return header + numbers[: int(len(numbers) * rng.uniform(0.3, 0.7))] + texts[: rng.randint(0, 2)]

    def report_direct(self, submission: Submission) -> None:
        content = report_content(
            self.w.word(submission.base), self.w.model(submission.base), self.campaign.data_year
        )
        report = DevelopmentReport.objects.create(submission=submission, revision=1, **content)
        DevelopmentReportVersion.objects.create(
            report=report, revision=1, saved_at=report.updated_at, **content
        )

    def explain(self, submission: Submission, user: User) -> None:
        for form, findings in submission_findings(submission).items():
            for finding in findings:
                if finding.severity != "warning" or finding.code != "yoy":
                    continue
                words = self.w.word(submission.base)
                explanation_save(
                    submission=submission, user=user, form=form, finding_key=finding.key,
                    text=f"{self.campaign.data_year}年{words.companies[0]}与外方合资的{words.products[0]}项目投产，"
                    "新增外资到位资金较多，实际使用外资金额大幅增长，数据已与商务部门核对一致。",
                )  # fmt: skip
                self.explained += 1

    def drafts(
        self, submissions: dict[int, Submission], fields: dict[str, dict[str, Field]], filler: User | None
    ) -> None:
        pairs = []
        for base in self.plan.partial:
            submission = submissions[base.pk]
            cells = self.partial_cells(submission)
            if filler is not None and base.pk == filler.base_id:
                # The demo filler's own base goes through the real services, as if typed on the page.
                values_save(
                    submission=submission, user=filler, source=Value.Source.DEMO,
                    changes=[CellChange(form=c.form, code=c.code, year=c.year, raw=c.raw, force=True) for c in cells],
                )  # fmt: skip
                content = report_content(self.w.word(base), self.w.model(base), self.campaign.data_year)
                report_save(
                    submission=submission, user=filler, revision=0, overview=content["overview"],
                    highlights=content["highlights"][:2], practices=[], problems="",
                )  # fmt: skip
                continue
            pairs.append((submission, cells))
        for base in self.plan.complete:
            pairs.append((submissions[base.pk], self.data_cells(submissions[base.pk])))
        self.bulk(pairs, fields)
        for base in self.plan.complete:
            submission = submissions[base.pk]
            self.report_direct(submission)
            if base.pk in self.plan.jumps:
                self.explain(submission, _background_filler(base, self.unusable))

    def real_path(
        self, submissions: dict[int, Submission], reviewer: User | None, ministry: User | None
    ) -> None:
        for index, (base, state) in enumerate(self.plan.real):
            submission = submissions[base.pk]
            filler = _background_filler(base, self.unusable)
            cells = self.data_cells(submission)
            values_save(
                submission=submission, user=filler, source=Value.Source.DEMO,
                changes=[CellChange(form=c.form, code=c.code, year=c.year, raw=c.raw, force=True) for c in cells],
            )  # fmt: skip
            if base.pk in self.plan.jumps:
                self.explain(submission, filler)
            content = report_content(self.w.word(base), self.w.model(base), self.campaign.data_year)
            report_save(submission=submission, user=filler, revision=0, **content)
            profile = profile_for(base)
            for kind in (SealedScan.Kind.SUMMARY, SealedScan.Kind.REPORT):
                # Printed exactly as the print pages do, then "sealed" and uploaded as the scan.
                now = timezone.now()
                if kind == SealedScan.Kind.SUMMARY:
                    values = list(submission.values.all())
                    fingerprint = data_fingerprint(submission_values=values, report=None)
                    pdf = summary_pdf(
                        submission=submission, values=values, profile=profile,
                        fingerprint=fingerprint, generated_at=now,
                    )  # fmt: skip
                else:
                    report = report_of(submission)
                    fingerprint = data_fingerprint(submission_values=(), report=report)
                    pdf = report_pdf(
                        submission=submission, report=report, fingerprint=fingerprint,
                        generated_at=now,
                    )  # fmt: skip
                print_record(submission=submission, user=filler, kind=kind, fingerprint=fingerprint)
                label = SealedScan.Kind(kind).label
                upload = SimpleUploadedFile(f"{label}（盖章）.pdf", pdf, content_type="application/pdf")
                scan = scan_upload_checked(submission=submission, user=filler, kind=kind, upload=upload)
                if not scan.is_verified:
                    raise RuntimeError(f"demo scan refused: {scan.check_message}")
            submission_submit(submission=submission, user=filler)
            if state == "submitted":
                continue
            authority_reviewer = (
                reviewer if reviewer is not None and reviewer.authority_id == base.authority_id
                else _background_reviewer(base, self.unusable)
            )  # fmt: skip
            if state == "returned":
                code, text = RETURN_NOTES[index % len(RETURN_NOTES)]
                review_return(
                    submission=submission, user=authority_reviewer,
                    comment="材料总体完整，个别指标需核实后重新报送。",
                    field_notes=[FieldNote(form="summary", code=code, year=self.campaign.data_year, text=text)],
                )  # fmt: skip
                continue
            for explanation in submission.explanations.all():
                explanation_decide(
                    explanation=explanation, user=authority_reviewer, accept=True,
                    comment="说明合理，与商务部门数据一致。",
                )  # fmt: skip
            review_approve(
                submission=submission, user=authority_reviewer, comment="经初审，材料完整，数据基本准确。"
            )
            if state == "accepted" and ministry is not None:
                ministry_accept(submission=submission, user=ministry, comment="材料齐全，予以受理。")


def demo_values_load(*, seed: int) -> ValuesResult:
    """Fill both demo campaigns once. Does nothing when either campaign already has material."""
    previous = Campaign.objects.filter(year=PREVIOUS_CAMPAIGN_YEAR).first()
    current = Campaign.objects.filter(year=CURRENT_CAMPAIGN_YEAR).first()
    if previous is None or current is None:
        return ValuesResult(filled=False, reason="未找到演示用的2021和2022年度评价，未生成填报数据。")
    if Submission.objects.filter(campaign__in=[previous, current]).exists():
        return ValuesResult(filled=False, reason="填报数据已存在，未重复生成，也未作修改。")
    if not Definition.objects.filter(version=current.form_version, code="summary").exists():
        return ValuesResult(
            filled=False, reason=f"未找到{current.form_version}版汇总表定义，未生成填报数据。"
        )

    with transaction.atomic():
        shared = previous.form_version == current.form_version
        if not Definition.objects.filter(version=previous.form_version, code="summary").exists():
            # Only the 2022 notice's forms exist; last year's history is filled against them.
            previous.form_version = SHARED_FORM_VERSION
            previous.save(update_fields=["form_version"])
            shared = True
        writer = _Writer(seed)
        accepted = writer.previous(previous, _definitions(previous.form_version))

        filler = User.objects.filter(username="demo_filler", role=Role.BASE_FILLER).first()
        reviewer = User.objects.filter(username="demo_reviewer", role=Role.AUTHORITY_REVIEWER).first()
        ministry = User.objects.filter(username="demo_ministry", role=Role.MINISTRY_ADMIN).first()
        bases = list(current.bases.select_related("category", "authority"))
        plan = plan_current(
            bases,
            seed=seed,
            filler_base_id=filler.base_id if filler and filler.base_id in {b.pk for b in bases} else None,
            reviewer_authority_id=reviewer.authority_id if reviewer else None,
        )
        job = _Current(writer, current, plan)
        job.plant_copies(plan_copies(bases, seed=seed, filled=plan.complete + [b for b, _ in plan.real]))
        service_bases = {b.pk for b, _ in plan.real} | (
            {filler.base_id} if filler and filler.base_id else set()
        )
        submissions = job.start_all(service_bases)
        fields = {code: d.parsed().field_map() for code, d in _definitions(current.form_version).items()}
        job.drafts(submissions, fields, filler)
        job.real_path(submissions, reviewer, ministry)
        # Every material's status computed once now, as the save services would have, so the first
        # page that lists them reads stored rows.
        material_checks(
            list(
                Submission.objects.filter(campaign=current).select_related(
                    "campaign", "base__category", "summary_definition", "annex_definition"
                )
            )
        )

    states = Counter(Submission.objects.filter(campaign=current).values_list("status", flat=True))
    return ValuesResult(
        filled=True,
        shared_definitions=shared,
        previous_accepted=accepted,
        current_states={s: states.get(s, 0) for s in Submission.Status.values},
        draft_kinds={
            "untouched": len(plan.untouched),
            "partial": len(plan.partial),
            "complete": len(plan.complete),
        },
        explained=job.explained,
        value_rows=Value.objects.filter(submission__campaign__in=[previous, current]).count(),
    )
