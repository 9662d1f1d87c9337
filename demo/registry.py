"""Demo data: a deterministic, fictional national registry with two campaigns and one user per role.

`build_plan` is pure: a count and a seed in, the same bases and user assignments out every time.
`demo_load` writes a plan to the database once; when bases already exist it changes nothing and only
adds demo accounts that are missing, so it can run on every `make run`.

Place names are invented from syllables (青岚, 霁汀 …) so no demo base can be mistaken for a real one;
only the province and 计划单列市 names are real, as the authorities are.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from lib.deadlines import SHANGHAI
from registry.campaigns import campaign_close, campaign_create, campaign_open
from registry.models import Authority, Base, Campaign, Category, IndustryFlag, StarRating
from registry.reference import PLAN_CITIES, PROVINCES, ensure_reference_data

DEFAULT_COUNT = 450
DEFAULT_SEED = 2022
DEFAULT_PASSWORD = "Sfjd-Demo-2022!"

# The year each batch was approved, roughly as the ministry announced them.
BATCH_YEARS: dict[int, int] = {
    1: 2009,
    2: 2010,
    3: 2011,
    4: 2012,
    5: 2013,
    6: 2014,
    7: 2016,
    8: 2018,
    9: 2020,
    10: 2021,
}
BATCH_WEIGHTS: dict[int, float] = {1: 8, 2: 8, 3: 9, 4: 9, 5: 10, 6: 10, 7: 10, 8: 11, 9: 12, 10: 13}

CATEGORY_WEIGHTS: dict[str, float] = {
    "equipment": 30,
    "materials": 22,
    "consumer": 15,
    "electronics": 13,
    "software": 5,
    "transfer": 4,
    "industrial_internet": 3,
    "bigdata": 3,
    "datacenter": 3,
    "hightech": 2,
}
# The newer kinds of base were only designated from a later batch on.
CATEGORY_FIRST_BATCH: dict[str, int] = {
    "transfer": 5,
    "bigdata": 7,
    "datacenter": 8,
    "industrial_internet": 9,
}
# Share of a category's bases that a 通信管理局 supervises.
COMM_SHARE: dict[str, float] = {"datacenter": 0.8, "industrial_internet": 0.4}

BIG_PROVINCES = {
    "320000",
    "330000",
    "370000",
    "440000",
    "410000",
    "420000",
    "430000",
    "340000",
    "510000",
    "130000",
}
SMALL_PROVINCES = {"540000", "630000", "640000", "460000"}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

CITY_FIRST = "青霁岫澜枫棠蘅芷檀筠篁翠黛绮琅珂"
CITY_SECOND = "岚汀渚屿泮坞皋麓霏澈湄矶"

REVOKED_SHARE = 0.02
REVOKED_FROM = dt.date(2021, 1, 1)
REVOKED_TO = dt.date(2022, 6, 30)
RATING_YEARS = (2020, 2021)
STAR_WEIGHTS: dict[int, float] = {1: 1, 2: 5, 3: 44, 4: 38, 5: 12}

PREVIOUS_CAMPAIGN_YEAR = 2021
CURRENT_CAMPAIGN_YEAR = 2022
PREVIOUS_BASE_DEADLINE = dt.datetime(2021, 8, 20, 23, 59, 59, tzinfo=SHANGHAI)
PREVIOUS_AUTHORITY_DEADLINE = dt.datetime(2021, 8, 31, 23, 59, 59, tzinfo=SHANGHAI)
# The notice's deadlines; the demo moves them into the future so the campaign can be filled.
NOTICE_BASE_DEADLINE = dt.date(2022, 8, 24)
NOTICE_AUTHORITY_DEADLINE = dt.date(2022, 8, 31)
BASE_DEADLINE_DAYS = 30
AUTHORITY_DEADLINE_DAYS = 37
EXPERT_BASE_COUNT = 5


@dataclass(frozen=True)
class Industry:
    """One lead industry a base of a category may have, as it appears in the name and the 汇总表."""

    head: str  # the part of the name before the parenthesis
    detail: str  # 细分, in parentheses; may be empty
    lead_industry: str
    codes: tuple[str, ...]  # GB/T 4754-2017: the division, then the class
    flags: tuple[str, ...] = ()
    producer_services: bool = False


EQ = (IndustryFlag.EQUIPMENT.value,)
STEEL = (IndustryFlag.STEEL.value,)
NONFERROUS = (IndustryFlag.NONFERROUS.value,)
CHEMICAL = (IndustryFlag.CHEMICAL.value,)

INDUSTRIES: dict[str, list[Industry]] = {
    "equipment": [
        Industry("装备制造", "工程机械", "装备制造", ("C35", "C3514"), EQ),
        Industry("装备制造", "轨道交通", "装备制造", ("C37", "C3711"), EQ),
        Industry("装备制造", "汽车及零部件", "装备制造", ("C36", "C3670"), EQ),
        Industry("装备制造", "新能源汽车", "装备制造", ("C36", "C3612"), EQ),
        Industry("装备制造", "船舶与海洋工程", "装备制造", ("C37", "C3731"), EQ),
        Industry("装备制造", "航空", "装备制造", ("C37", "C3741"), EQ),
        Industry("装备制造", "数控机床", "装备制造", ("C34", "C3421"), EQ),
        Industry("装备制造", "电力装备", "装备制造", ("C38", "C3811"), EQ),
        Industry("装备制造", "工业机器人", "装备制造", ("C34", "C3491"), EQ),
        Industry("装备制造", "农机装备", "装备制造", ("C35", "C3571"), EQ),
        Industry("装备制造", "节能环保装备", "装备制造", ("C35", "C3591"), EQ),
    ],
    "materials": [
        Industry("钢铁", "精品钢材", "钢铁", ("C31", "C3120", "C3130"), STEEL),
        Industry("钢铁", "特殊钢", "钢铁", ("C31", "C3140"), STEEL),
        Industry("有色金属", "铝及铝合金", "有色金属", ("C32", "C3216", "C3252"), NONFERROUS),
        Industry("有色金属", "铜及铜加工", "有色金属", ("C32", "C3211", "C3251"), NONFERROUS),
        Industry("新材料", "稀土功能材料", "有色金属", ("C32", "C3232"), NONFERROUS),
        Industry("石化", "炼化一体化", "石化", ("C25", "C2511"), CHEMICAL),
        Industry("化工", "精细化工", "化工", ("C26", "C2661"), CHEMICAL),
        Industry("化工", "化工新材料", "化工", ("C26", "C2651"), CHEMICAL),
        Industry("化工", "现代煤化工", "化工", ("C25", "C2523"), CHEMICAL),
    ],
    "consumer": [
        Industry("纺织", "棉纺印染", "纺织", ("C17", "C1713")),
        Industry("纺织服装", "", "纺织服装", ("C18", "C1810")),
        Industry("食品", "粮油加工", "食品", ("C13", "C1331")),
        Industry("食品", "乳制品", "食品", ("C14", "C1441")),
        Industry("医药", "生物医药", "医药", ("C27", "C2761")),
        Industry("家电", "", "家用电器", ("C38", "C3851")),
        Industry("家具", "", "家具", ("C21", "C2110")),
        Industry("酒类", "白酒", "酒、饮料", ("C15", "C1512")),
        Industry("轻工", "造纸", "造纸", ("C22", "C2221")),
    ],
    "electronics": [
        Industry("电子信息", "集成电路", "电子信息", ("C39", "C3973")),
        Industry("电子信息", "新型显示", "电子信息", ("C39", "C3974")),
        Industry("电子信息", "智能终端", "电子信息", ("C39", "C3922")),
        Industry("电子信息", "电子元器件", "电子信息", ("C39", "C3981")),
        Industry("电子信息", "光电子", "电子信息", ("C39", "C3976")),
        Industry("电子信息", "计算机及外设", "电子信息", ("C39", "C3911")),
    ],
    "software": [
        Industry("软件和信息服务", "", "软件和信息服务", ("I65", "I6513"), producer_services=True),
        Industry("软件和信息服务", "工业软件", "软件和信息服务", ("I65", "I6513"), producer_services=True),
        Industry(
            "软件和信息服务", "信息技术服务", "软件和信息服务", ("I65", "I6531"), producer_services=True
        ),
        Industry(
            "软件和信息服务", "集成电路设计", "软件和信息服务", ("I65", "I6520"), producer_services=True
        ),
    ],
    "hightech": [
        Industry("高技术转化应用", "航天", "航天装备", ("C37", "C3742"), EQ),
        Industry("高技术转化应用", "船舶配套", "船舶配套", ("C37", "C3734"), EQ),
        Industry("高技术转化应用", "特种材料", "特种材料", ("C30", "C3091")),
    ],
    "industrial_internet": [
        Industry("工业互联网", "", "工业互联网", ("I64", "I6431"), producer_services=True),
        Industry("工业互联网", "平台应用", "工业互联网", ("I64", "I6431"), producer_services=True),
        Industry("工业互联网", "安全服务", "工业互联网", ("I64", "I6440"), producer_services=True),
    ],
    "bigdata": [
        Industry("大数据", "", "大数据", ("I64", "I6450"), producer_services=True),
        Industry("大数据", "数据服务", "大数据", ("I65", "I6550"), producer_services=True),
    ],
    "datacenter": [
        Industry("数据中心", "", "数据中心", ("I65", "I6550"), producer_services=True),
        Industry("数据中心", "云计算", "数据中心", ("I64", "I6450"), producer_services=True),
    ],
    "transfer": [
        Industry("产业转移合作", "装备制造", "装备制造", ("C34", "C3441"), EQ),
        Industry("产业转移合作", "电子信息", "电子信息", ("C39", "C3982")),
        Industry("产业转移合作", "纺织服装", "纺织服装", ("C18", "C1810")),
        Industry("产业转移合作", "化工", "化工", ("C26", "C2661"), CHEMICAL),
    ],
}

# Ordinary zone suffixes, with category-specific ones for the newer kinds of base.
ZONE_SUFFIXES: dict[str, list[str]] = {
    "default": ["工业园区", "经济开发区", "产业园区", "工业集中区", "产业集聚区"],
    "software": ["软件园", "软件产业园"],
    "bigdata": ["大数据产业园", "数字经济产业园"],
    "datacenter": ["数据中心集聚区", "云计算产业园"],
    "industrial_internet": ["工业互联网产业园", "数字经济产业园"],
    "transfer": ["承接产业转移示范区", "产业转移合作园区"],
}


@dataclass(frozen=True)
class BaseSpec:
    """One demo base, independent of the database."""

    name: str
    batch: int
    authority_code: str
    category_code: str
    series: str
    lead_industry: str
    sub_sectors: tuple[str, ...]
    location: str
    industry_flags: tuple[str, ...]
    producer_services_led: bool
    is_high_tech_zone: bool
    high_tech_zone_name: str
    is_econ_zone: bool
    econ_zone_name: str
    revoked_on: dt.date | None
    stars: tuple[tuple[int, int], ...]  # (evaluation year, stars)

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None

    def active_on(self, day: dt.date) -> bool:
        return self.revoked_on is None or self.revoked_on > day


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    bases: tuple[BaseSpec, ...]
    filler_base: str  # name of the base the demo filler fills for
    expert_bases: tuple[str, ...]  # names of the bases assigned to the demo expert


@dataclass(frozen=True)
class Place:
    prefix: str  # as it starts a base name: 湖南, 宁波, 兵团
    full: str  # as it starts a location: 湖南省, 宁波市, 新疆生产建设兵团
    inside_city: bool  # municipalities and 计划单列市 have districts, not cities


def _places() -> dict[str, Place]:
    places: dict[str, Place] = {}
    for code, name, short in PROVINCES:
        place = Place(short, name, code in MUNICIPALITIES)
        places[f"miit-{code}"] = place
        places[f"comm-{code}"] = place
    for code, name, short in PLAN_CITIES:
        places[f"miit-{code}"] = Place(short, name, True)
    places["miit-corps"] = Place("兵团", "新疆生产建设兵团", False)
    return places


PLACES = _places()


def _province_weight(region_code: str) -> float:
    if region_code in BIG_PROVINCES:
        return 3
    if region_code in SMALL_PROVINCES:
        return 1
    return 2


def _industrial_authority_weights() -> dict[str, float]:
    weights = {f"miit-{code}": _province_weight(code) for code, _, _ in PROVINCES}
    weights.update({f"miit-{code}": 1 for code, _, _ in PLAN_CITIES})
    weights["miit-corps"] = 1
    return weights


def _comm_authority_weights() -> dict[str, float]:
    return {f"comm-{code}": _province_weight(code) for code, _, _ in PROVINCES}


K = TypeVar("K")


def allocate(count: int, weights: dict[K, float]) -> list[K]:
    """Split `count` items over the keys in proportion to the weights (largest remainder).

    Every key gets at least one item when there are enough, so small demo sets still show every
    batch and every category. The result is in key order; callers shuffle with their own generator.
    """
    keys = list(weights)
    floor = 1 if count >= len(keys) else 0
    remaining = count - floor * len(keys)
    total = sum(weights.values())
    exact = {k: remaining * weights[k] / total for k in keys}
    shares = {k: floor + int(exact[k]) for k in keys}
    leftover = count - sum(shares.values())
    by_remainder = sorted(keys, key=lambda k: (-(exact[k] - int(exact[k])), keys.index(k)))
    for k in by_remainder[:leftover]:
        shares[k] += 1
    return [k for k in keys for _ in range(shares[k])]


def _weighted(rng: random.Random, weights: dict[K, float]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _pair_categories_with_batches(rng: random.Random, count: int) -> list[tuple[str, int]]:
    """Match categories to batches so the newer kinds only appear in the batches that had them."""
    batches = allocate(count, BATCH_WEIGHTS)
    categories = allocate(count, CATEGORY_WEIGHTS)
    rng.shuffle(batches)
    rng.shuffle(categories)
    # The most constrained categories pick their batch slots first.
    ordered = sorted(categories, key=lambda c: -CATEGORY_FIRST_BATCH.get(c, 0))
    pairs: list[tuple[str, int]] = []
    for category in ordered:
        first = CATEGORY_FIRST_BATCH.get(category, 1)
        index = next((i for i, b in enumerate(batches) if b >= first), 0)
        pairs.append((category, batches.pop(index)))
    rng.shuffle(pairs)
    return pairs


def _city(rng: random.Random) -> str:
    return rng.choice(CITY_FIRST) + rng.choice(CITY_SECOND)


def _make_name_and_place(
    rng: random.Random, industry: Industry, category: str, authority_code: str, seen: set[str]
) -> tuple[str, str, str, str]:
    """(name, location, high-tech zone name, econ zone name); the name is unique within `seen`."""
    place = PLACES[authority_code]
    head = f"{industry.head}({industry.detail})" if industry.detail else industry.head
    for _ in range(200):
        city = _city(rng)
        unit = rng.choice("区县") if place.inside_city else rng.choice("市市县")
        roll = rng.random()
        high_tech = econ = ""
        if roll < 0.30:
            econ = zone = f"{city}经济技术开发区"
        elif roll < 0.48:
            high_tech = zone = f"{city}高新技术产业开发区"
        elif roll < 0.60:
            zone = f"{city}{unit}"
        else:
            zone = city + rng.choice(ZONE_SUFFIXES.get(category, ZONE_SUFFIXES["default"]))
        name = f"{head}·{place.prefix}{zone}"
        if name not in seen:
            seen.add(name)
            return name, f"{place.full}{city}{unit}", high_tech, econ
    raise RuntimeError("示范基地名称组合已用尽，请减少数量。")


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _stars(rng: random.Random, revoked_on: dt.date | None) -> tuple[tuple[int, int], ...]:
    """Ratings for the evaluation years the base still held its title at the end of."""
    ratings: list[tuple[int, int]] = []
    stars = _weighted(rng, STAR_WEIGHTS)
    for year in RATING_YEARS:
        if ratings:
            stars = min(5, max(1, stars + rng.choices((-1, 0, 1), weights=(10, 75, 15))[0]))
        if revoked_on is None or revoked_on > dt.date(year, 12, 31):
            ratings.append((year, stars))
    return tuple(ratings)


def build_plan(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> DemoPlan:
    """The demo registry for `count` bases. Pure: the same arguments always give the same plan."""
    if count < 1:
        raise ValueError("count must be positive")
    rng = random.Random(seed)
    pairs = _pair_categories_with_batches(rng, count)

    comm_weights = _comm_authority_weights()
    industrial = [i for i, (category, _) in enumerate(pairs) if rng.random() >= COMM_SHARE.get(category, 0)]
    authority_codes: dict[int, str] = {}
    industrial_codes = allocate(len(industrial), _industrial_authority_weights())
    rng.shuffle(industrial_codes)
    authority_codes.update(zip(industrial, industrial_codes, strict=True))
    for i in range(count):
        authority_codes.setdefault(i, _weighted(rng, comm_weights))

    revoked_count = round(count * REVOKED_SHARE)
    older = [i for i, (_, batch) in enumerate(pairs) if batch <= 7] or list(range(count))
    revoked = set(rng.sample(older, min(revoked_count, len(older))))

    seen: set[str] = set()
    specs: list[BaseSpec] = []
    for i, (category, batch) in enumerate(pairs):
        industry = rng.choice(INDUSTRIES[category])
        name, location, high_tech, econ = _make_name_and_place(
            rng, industry, category, authority_codes[i], seen
        )
        revoked_on = _random_date(rng, REVOKED_FROM, REVOKED_TO) if i in revoked else None
        specs.append(
            BaseSpec(
                name=name,
                batch=batch,
                authority_code=authority_codes[i],
                category_code=category,
                series=Base.Series.SPECIAL if rng.random() < 0.25 else Base.Series.ADVANTAGE,
                lead_industry=industry.lead_industry,
                sub_sectors=industry.codes,
                location=location,
                industry_flags=industry.flags,
                producer_services_led=industry.producer_services,
                is_high_tech_zone=bool(high_tech),
                high_tech_zone_name=high_tech,
                is_econ_zone=bool(econ),
                econ_zone_name=econ,
                revoked_on=revoked_on,
                stars=_stars(rng, revoked_on),
            )
        )
    specs.sort(key=lambda s: (s.batch, s.name))

    active = [s for s in specs if s.is_active]
    per_authority = Counter(s.authority_code for s in active)
    # The demo filler's base is an ordinary equipment base whose reviewer has several bases to review.
    candidates = [
        s
        for s in active
        if s.category_code == "equipment"
        and s.authority_code.startswith("miit-")
        and per_authority[s.authority_code] >= 3
    ] or active
    filler_base = rng.choice(candidates)
    others = [s for s in active if s is not filler_base]
    expert_bases = rng.sample(others, min(EXPERT_BASE_COUNT, len(others)))
    return DemoPlan(
        seed=seed,
        bases=tuple(specs),
        filler_base=filler_base.name,
        expert_bases=tuple(sorted(s.name for s in expert_bases)),
    )


# --- Writing a plan to the database -----------------------------------------------------------


@dataclass(frozen=True)
class DemoAccountSpec:
    username: str
    role: str
    full_name: str
    is_staff: bool = False


DEMO_ACCOUNTS: tuple[DemoAccountSpec, ...] = (
    DemoAccountSpec("demo_ministry", Role.MINISTRY_ADMIN, "王规划", is_staff=True),
    DemoAccountSpec("demo_filler", Role.BASE_FILLER, "张填报"),
    DemoAccountSpec("demo_reviewer", Role.AUTHORITY_REVIEWER, "李审核"),
    DemoAccountSpec("demo_expert", Role.EXPERT, "孙专家"),
    DemoAccountSpec("demo_sysadmin", Role.SYSTEM_ADMIN, "周系统", is_staff=True),
    DemoAccountSpec("demo_secadmin", Role.SECURITY_ADMIN, "吴安全", is_staff=True),
    DemoAccountSpec("demo_auditor", Role.AUDIT_ADMIN, "郑审计", is_staff=True),
)


@dataclass
class DemoResult:
    created: bool  # False when bases already existed and nothing was generated
    base_count: int
    revoked_count: int
    campaigns: list[Campaign]
    accounts: list[User]
    created_accounts: list[str] = field(default_factory=list)
    # Existing accounts whose password is no longer the demo password (changed since loading).
    changed_passwords: list[str] = field(default_factory=list)


def demo_deadlines(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The current campaign's deadlines for the demo: 30 and 37 days ahead, at the end of the day."""
    local = now.astimezone(SHANGHAI)

    def end_of_day(days: int) -> dt.datetime:
        day = local.date() + dt.timedelta(days=days)
        return dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=SHANGHAI)

    return end_of_day(BASE_DEADLINE_DAYS), end_of_day(AUTHORITY_DEADLINE_DAYS)


def _write_bases(plan: DemoPlan) -> dict[str, Base]:
    authorities = {a.code: a for a in Authority.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    # Created holding their title; revocations are applied as the campaigns pass (see demo_load).
    objs = [
        Base(
            name=s.name,
            batch=s.batch,
            authority=authorities[s.authority_code],
            category=categories[s.category_code],
            series=s.series,
            lead_industry=s.lead_industry,
            sub_sectors=list(s.sub_sectors),
            location=s.location,
            industry_flags=list(s.industry_flags),
            producer_services_led=s.producer_services_led,
            is_high_tech_zone=s.is_high_tech_zone,
            high_tech_zone_name=s.high_tech_zone_name,
            is_econ_zone=s.is_econ_zone,
            econ_zone_name=s.econ_zone_name,
        )
        for s in plan.bases
    ]
    Base.objects.bulk_create(objs, batch_size=500)
    by_name = {b.name: b for b in Base.objects.all()}
    StarRating.objects.bulk_create(
        [
            StarRating(base=by_name[s.name], year=year, stars=stars)
            for s in plan.bases
            for year, stars in s.stars
        ],
        batch_size=1000,
    )
    return by_name


def _revoke(plan: DemoPlan, by_name: dict[str, Base], *, before: dt.date | None) -> None:
    """Apply the plan's revocations dated before `before` (all remaining ones when None)."""
    for spec in plan.bases:
        if spec.revoked_on is None or (before is not None and spec.revoked_on >= before):
            continue
        base = by_name[spec.name]
        if base.status == Base.Status.REVOKED:
            continue
        base.status = Base.Status.REVOKED
        base.revoked_on = spec.revoked_on
        base.save(update_fields=["status", "revoked_on", "updated_at"])


def _write_campaigns(plan: DemoPlan, by_name: dict[str, Base], now: dt.datetime) -> list[Campaign]:
    # Bases revoked before last year's campaign never took part in it; those revoked since did,
    # and keep that history while being left out of this year's campaign.
    _revoke(plan, by_name, before=PREVIOUS_BASE_DEADLINE.date())
    previous = campaign_create(
        year=PREVIOUS_CAMPAIGN_YEAR,
        data_year=2020,
        history_years=[2019, 2018],
        title="2021年示范基地发展质量评价",
        # The 2022 notice's forms are the only ones the system has; last year's history uses them.
        form_version="2022",
        base_deadline=PREVIOUS_BASE_DEADLINE,
        authority_deadline=PREVIOUS_AUTHORITY_DEADLINE,
    )
    campaign_open(campaign=previous)
    campaign_close(campaign=previous)
    _revoke(plan, by_name, before=None)
    base_deadline, authority_deadline = demo_deadlines(now)
    current = campaign_create(
        year=CURRENT_CAMPAIGN_YEAR,
        data_year=2021,
        history_years=[2020, 2019],
        title="2022年示范基地发展质量评价",
        form_version="2022",
        base_deadline=base_deadline,
        authority_deadline=authority_deadline,
    )
    campaign_open(campaign=current)
    return [current, previous]


def _ensure_accounts(plan: DemoPlan, password: str) -> tuple[list[User], list[str]]:
    """Create the demo accounts that do not exist yet; leave existing ones exactly as they are."""
    existing = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    missing = [a for a in DEMO_ACCOUNTS if a.username not in existing]
    if not missing:
        return [existing[a.username] for a in DEMO_ACCOUNTS], []

    names = [plan.filler_base, *plan.expert_bases]
    planned = {b.name: b for b in Base.objects.filter(name__in=names, status=Base.Status.ACTIVE)}
    # Bases loaded by hand or with another seed: fall back to the first active bases.
    fallback = list(
        Base.objects.filter(status=Base.Status.ACTIVE).order_by("batch", "name")[: EXPERT_BASE_COUNT + 1]
    )
    if "demo_filler" in existing and existing["demo_filler"].base_id:
        filler_base = existing["demo_filler"].base
    else:
        filler_base = planned.get(plan.filler_base) or (fallback[0] if fallback else None)
    expert_bases = [planned[n] for n in plan.expert_bases if n in planned] or fallback[1:]

    hashed = make_password(password)  # hashed once: the slow part of creating seven accounts
    created: list[str] = []
    for spec in missing:
        user = User(
            username=spec.username,
            role=spec.role,
            full_name=spec.full_name,
            is_staff=spec.is_staff,
            password=hashed,
            # A reserved example domain: the console mail backend shows what each role would be sent.
            email=f"{spec.username}@example.com",
        )
        if spec.role == Role.BASE_FILLER:
            if filler_base is None:
                continue
            user.base = filler_base
        elif spec.role == Role.AUTHORITY_REVIEWER:
            if filler_base is None:
                continue
            user.authority_id = filler_base.authority_id
        user.save()
        if spec.role == Role.EXPERT:
            user.assigned_bases.set(expert_bases)
        existing[spec.username] = user
        created.append(spec.username)
    return [existing[a.username] for a in DEMO_ACCOUNTS if a.username in existing], created


def _changed_passwords(accounts: Sequence[User], password: str, created: list[str]) -> list[str]:
    """Existing accounts whose password differs from `password`; each distinct hash is checked once."""
    verdict: dict[str, bool] = {}
    changed: list[str] = []
    for user in accounts:
        if user.username in created:
            continue
        if user.password not in verdict:
            verdict[user.password] = check_password(password, user.password)
        if not verdict[user.password]:
            changed.append(user.username)
    return changed


def demo_load(
    *,
    count: int = DEFAULT_COUNT,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    now: dt.datetime | None = None,
) -> DemoResult:
    """Load the demo once. With bases already present, only missing demo accounts are added."""
    now = now or timezone.now()
    plan = build_plan(count, seed)
    with transaction.atomic():
        ensure_reference_data(Authority, Category)
        created = not Base.objects.exists()
        if created:
            by_name = _write_bases(plan)
            _write_campaigns(plan, by_name, now)
        accounts, created_accounts = _ensure_accounts(plan, password)
    return DemoResult(
        created=created,
        base_count=Base.objects.count(),
        revoked_count=Base.objects.filter(status=Base.Status.REVOKED).count(),
        campaigns=list(Campaign.objects.order_by("-year")),
        accounts=[User.objects.select_related("base", "authority").get(pk=u.pk) for u in accounts],
        created_accounts=created_accounts,
        changed_passwords=_changed_passwords(accounts, password, created_accounts),
    )
