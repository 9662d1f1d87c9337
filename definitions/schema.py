"""The shape of a yearly form definition, parsed and checked from plain data (a YAML file).

Pure: no Django models. A definition is read once, checked here, stored with its campaign as JSON,
and rebuilt from that JSON whenever a page, an import or the API needs it. Everything that decides
what a base must fill (types, units, years, 其中 parts, applicability, label variants, rules) is
declared in the definition, so a new year's form needs a new file, not new code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

FIELD_TYPES = frozenset(
    {
        "amount",  # non-negative number with a unit (亿元, 公顷, 吨标煤/万元 …); allow_negative for profits
        "count",  # non-negative whole number (个, 人, 次, 起 …)
        "percent",  # 0-100
        "rate",  # a growth rate in %, any sign, may exceed 100
        "ratio",  # non-negative number without unit (建筑容积率)
        "yesno",  # 是/否, optionally with an explanation text (note)
        "choice",  # one of `choices`
        "text",  # long text, counted in characters, max_length (default 500)
        "string",  # short single-line text
        "email",
        "phone",
        "table",  # repeating rows of typed columns
    }
)
NUMERIC_TYPES = frozenset({"amount", "count", "percent", "rate", "ratio"})
STATUSES = ("mandatory", "optional", "hidden")
SEVERITIES = ("error", "warning")
RULE_KINDS = frozenset({"lte", "gte"})
DEFAULT_TEXT_LIMIT = 500

# Who asks for a check: the ministry's notice (填报要求) or this system (系统提示). The notice is
# the source of truth; a check the system adds is shown as ours, so a base can tell a rule it must
# follow from a plausibility hint, and the ministry can drop an addition by editing the file.
SOURCES = ("notice", "system")
SOURCE_LABELS = {"notice": "填报要求", "system": "系统提示"}

# Every check the validation engine runs, with the source it has unless a definition says otherwise.
# A definition names the source of each in `check_sources` (form level, overridable per field);
# tests require the 2022 files to name every one explicitly.
CHECKS: dict[str, str] = {
    "required": "notice",  # 必填 for the base's category (the notice's 必填/可选填 lists)
    "too_few_rows": "notice",  # fewer rows than the notice prints as required
    "too_many_rows": "notice",  # more rows than the notice prints (产品1-5, 不超过10个)
    "answer_missing": "notice",  # a 是/否 explanation without its 是/否
    "invalid": "notice",  # not a number / not the asked type
    "not_integer": "notice",  # a count (个, 人, 起) with decimals
    "out_of_range": "notice",  # a percentage outside 0-100
    "choice": "notice",  # not one of the printed options (技术水平, 填报单位属性)
    "too_long": "notice",  # over 每格不超过500字 (or the limit printed beside the cell)
    "currency": "notice",  # 1.5: 人民币, or 美元 converted at 6.4515
    "negative": "system",  # amounts and counts below zero
    "email": "system",  # e-mail format of the contacts
    "phone": "system",  # phone format of the contacts
    "row_incomplete": "system",  # a started row without its key column (名称)
    "unknown_column": "system",  # a pasted row wider than the table
    "rows_count": "system",  # a list's rows differ from the count beside it
    "part_of": "system",  # 其中 ≤ its whole
    "yoy": "system",  # 同比 change beyond the item's threshold
    "history": "system",  # an earlier year differs from what was reported last year
    "official_name": "notice",  # 示范基地名称 as MIIT published it, which the registry holds
    "too_many_items": "notice",  # more names in a cell than the notice allows (不超过3个)
}


class DefinitionError(ValueError):
    """A definition file is malformed. The message names the place, in Chinese, for the ministry's operators."""


@dataclass(frozen=True)
class Condition:
    """When a label variant applies: any listed category, or a base led by producer services."""

    categories: frozenset[str] = frozenset()
    producer_services_led: bool | None = None

    def matches(self, profile: BaseProfile) -> bool:
        if self.categories and profile.category in self.categories:
            return True
        return bool(
            self.producer_services_led is not None
            and profile.producer_services_led == self.producer_services_led
        )


@dataclass(frozen=True)
class LabelVariant:
    label: str
    when: Condition


@dataclass(frozen=True)
class Applicability:
    default: str | None = None  # None: the form's default for the category, else mandatory
    categories: dict[str, str] = field(default_factory=dict)
    industries: frozenset[str] = frozenset()  # non-empty: hidden unless the base has one of them


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    required: bool = False
    allow_negative: bool = False  # e.g. a key enterprise's 营业利润 may be a loss
    group: str = ""  # a spanning header above several columns (附表2: the 2021年 sub-columns)
    hint: str = ""  # the system's help for the column (shown as 系统提示)
    max_items: int | None = None  # names listed in the cell at most (主要企业名称不超过3个)


COLUMN_KEYS = frozenset(
    {
        "key", "label", "type", "unit", "choices", "max_length", "required", "allow_negative", "group", "hint",
        "max_items",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Note:
    """The free-text explanation attached to a 是/否 item (详细情况说明)."""

    label: str
    max_length: int = DEFAULT_TEXT_LIMIT
    example: str = ""


@dataclass(frozen=True)
class Currency:
    """An alternative currency a value may be entered in, converted at a fixed rate."""

    code: str
    label: str
    rate: float

    def unit_of(self, unit: str) -> str:
        """The unit of a figure typed in this currency for an item in `unit`, its magnitude kept:
        亿元人民币 → 亿美元 (a figure of 156.71 in 1.5 is 156.71 亿美元, not 156.71 美元)."""
        magnitude = unit.removesuffix("人民币").removesuffix("元")
        return f"{magnitude}{self.label}" if magnitude != unit else self.label


@dataclass(frozen=True)
class RowsFrom:
    """A list whose rows the count beside it announces (附表3: 数量 → 名称 list).

    Needed only when the count is above zero; `match` makes a differing number of rows a warning.
    """

    field: str
    match: bool = True


@dataclass(frozen=True)
class YoyThreshold:
    """When a 同比 change is worth a warning: beyond ±percent, or for small counts (accidents,
    incidents, a handful of national labs) by absolute change, since 0 → 1 has no percentage and
    1 → 2 is +100% without meaning much."""

    percent: float | None = None
    absolute: float | None = None


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    type: str
    section: str
    unit: str = ""
    years: tuple[int, ...] = ()  # offsets from the data year: 0 = data year, -1 = the year before
    yoy: bool = False
    part_of: str | None = None
    applicability: Applicability = Applicability()
    label_variants: tuple[LabelVariant, ...] = ()
    continues: str | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    row_labels: tuple[str, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    note: Note | None = None
    currency: Currency | None = None
    allow_negative: bool = False
    yoy_warning_threshold: float | None = None
    yoy_absolute_threshold: float | None = None
    hint: str = ""  # text the notice prints beside the item (填报要求)
    system_hint: str = ""  # our own help for the item, shown as 系统提示
    explanation: str = ""  # the notice's 指标说明 for this item
    group: str = ""  # a sub-heading inside the section (e.g. 绿色生产相应指标)
    rows_from: RowsFrom | None = None
    may_be_empty: bool = False  # a list with nothing to list is an answer (no 必填 row)
    check_sources: dict[str, str] = field(default_factory=dict)  # overrides of the form's
    evidence: str = ""  # what the notice asks to attach (证明材料); non-empty: an upload slot
    official_name: bool = False  # the base's name as the registry has it (名称以正式公布的为准)

    @property
    def is_yearly(self) -> bool:
        return bool(self.years)

    @property
    def layout(self) -> str:
        """How the item is laid out in a printout or a workbook: a row of years, a table, a 是/否
        with its note, a text block, or a single value."""
        if self.is_yearly:
            return "yearly"
        if self.type == "table":
            return "table"
        if self.type == "yesno" and self.note is not None:
            return "yesno"
        if self.type == "text":
            return "text"
        return "scalar"

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def label_for(self, profile: BaseProfile) -> str:
        for variant in self.label_variants:
            if variant.when.matches(profile):
                return variant.label
        return self.label

    def all_labels(self) -> list[str]:
        return [self.label, *(v.label for v in self.label_variants)]


_CHINESE_DIGITS = frozenset("一二三四五六七八九十百")


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    intro: str = ""
    fields: tuple[Field, ...] = ()

    @property
    def number(self) -> str:
        """The notice's own number of the section ("一" … "二十五"); "" where the notice numbers none
        (基本信息, every annex section), whose code is an identifier no one should read."""
        return self.code if self.code and all(c in _CHINESE_DIGITS for c in self.code) else ""

    @property
    def heading(self) -> str:
        """The section as the notice heads it: "一、总体发展情况", or the title alone."""
        return f"{self.number}、{self.title}" if self.number else self.title


@dataclass(frozen=True)
class Rule:
    """A comparison between two fields, per year, declared in the definition."""

    id: str
    kind: str
    left: str
    right: str
    severity: str
    message: str
    source: str = "system"  # none of the cross-checks is stated by the notice


@dataclass(frozen=True)
class BaseProfile:
    """What the definition needs to know about a base to decide what applies to it."""

    category: str
    industry_flags: frozenset[str] = frozenset()
    producer_services_led: bool = False
    official_name: str = ""  # the name MIIT published, from the registry ("" where not known)

    def industries(self, implied: dict[str, frozenset[str]]) -> frozenset[str]:
        """The base's own industry markers plus those its category implies (装备制造 → equipment)."""
        return self.industry_flags | implied.get(self.category, frozenset())


@dataclass(frozen=True)
class FormDefinition:
    code: str
    version: str
    title: str
    short_title: str
    categories: frozenset[str]  # empty: every base fills it
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...] = ()
    category_defaults: dict[str, str] = field(default_factory=dict)
    yoy_warning_threshold: float | None = None
    history_check: bool = False
    notes: tuple[str, ...] = ()  # the notice's general notes, shown at the top of the form
    alerts: tuple[str, ...] = ()  # the notice's warnings, shown prominently on every page of the form
    check_sources: dict[str, str] = field(default_factory=dict)
    # Industries a category implies: every 装备制造 base answers 8.5 from its category alone.
    category_industries: dict[str, frozenset[str]] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def fields(self) -> Iterator[Field]:
        for section in self.sections:
            yield from section.fields

    def field_map(self) -> dict[str, Field]:
        return {f.code: f for f in self.fields()}

    def applies_to(self, profile: BaseProfile) -> bool:
        return not self.categories or profile.category in self.categories

    def status_for(self, fld: Field, profile: BaseProfile) -> str:
        """mandatory, optional or hidden for this base, by the notice's category and industry notes."""
        industries = profile.industries(self.category_industries)
        if fld.applicability.industries and not (fld.applicability.industries & industries):
            return "hidden"
        if profile.category in fld.applicability.categories:
            return fld.applicability.categories[profile.category]
        if profile.category in self.category_defaults:
            return self.category_defaults[profile.category]
        return fld.applicability.default or "mandatory"

    def source_of(self, check: str, fld: Field | None = None) -> str:
        """notice or system: who asks for `check` on `fld` (field override, form, engine default)."""
        if fld is not None and check in fld.check_sources:
            return fld.check_sources[check]
        return self.check_sources.get(check, CHECKS.get(check, "system"))

    def years_for(self, fld: Field, data_year: int) -> list[int]:
        return [data_year + offset for offset in fld.years]

    def to_json(self) -> dict[str, Any]:
        """The source dict: the canonical, storable form of the definition."""
        return self.source


# --- parsing ---------------------------------------------------------------------------------


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] in (None, ""):
        raise DefinitionError(f"{where}：缺少“{key}”")
    return data[key]


def _condition(raw: dict[str, Any], where: str) -> Condition:
    unknown = set(raw) - {"categories", "producer_services_led"}
    if unknown:
        raise DefinitionError(f"{where}：未知条件 {sorted(unknown)}")
    return Condition(
        categories=frozenset(raw.get("categories") or ()),
        producer_services_led=raw.get("producer_services_led"),
    )


def _applicability(raw: dict[str, Any] | None, where: str) -> Applicability:
    raw = raw or {}
    unknown = set(raw) - {"default", "categories", "industries"}
    if unknown:
        raise DefinitionError(f"{where}：applicability 中有未知键 {sorted(unknown)}")
    default = raw.get("default")
    if default is not None and default not in STATUSES:
        raise DefinitionError(f"{where}：applicability.default 必须是 {STATUSES} 之一")
    categories = dict(raw.get("categories") or {})
    for cat, status in categories.items():
        if status not in STATUSES:
            raise DefinitionError(f"{where}：类型 {cat} 的适用性“{status}”无效")
    return Applicability(
        default=default, categories=categories, industries=frozenset(raw.get("industries") or ())
    )


def _column(raw: dict[str, Any], where: str) -> Column:
    unknown = set(raw) - COLUMN_KEYS
    if unknown:
        raise DefinitionError(f"{where}：未知键 {sorted(unknown)}")
    ctype = raw.get("type", "string")
    if ctype not in FIELD_TYPES - {"table", "yesno"}:
        raise DefinitionError(f"{where}：列类型“{ctype}”无效")
    if ctype == "choice" and not raw.get("choices"):
        raise DefinitionError(f"{where}：选择列必须给出 choices")
    max_items = raw.get("max_items")
    if max_items is not None and (ctype != "string" or not isinstance(max_items, int) or max_items < 1):
        raise DefinitionError(f"{where}：max_items 只能用于文字列，且为正整数")
    return Column(
        key=str(_require(raw, "key", where)),
        label=str(_require(raw, "label", where)),
        type=ctype,
        unit=str(raw.get("unit") or ""),
        choices=tuple(raw.get("choices") or ()),
        max_length=raw.get("max_length"),
        required=bool(raw.get("required", False)),
        allow_negative=bool(raw.get("allow_negative", False)),
        group=str(raw.get("group") or ""),
        hint=str(raw.get("hint") or ""),
        max_items=max_items,
    )


def _sources(raw: Any, where: str) -> dict[str, str]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}：check_sources 必须是映射")
    for check, source in raw.items():
        if check not in CHECKS:
            raise DefinitionError(f"{where}：check_sources 中有未知检查“{check}”")
        if source not in SOURCES:
            raise DefinitionError(f"{where}：检查“{check}”的来源“{source}”无效，应为 notice 或 system")
    return dict(raw)


def _rows_from(raw: Any, where: str) -> RowsFrom | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return RowsFrom(field=raw)
    if not isinstance(raw, dict) or "field" not in raw:
        raise DefinitionError(f"{where}：rows_from 应为指标代码或 {{field, match}}")
    return RowsFrom(field=str(raw["field"]), match=bool(raw.get("match", True)))


FIELD_KEYS = frozenset(
    {
        "code", "label", "type", "unit", "years", "yoy", "part_of", "applicability", "label_variants",
        "continues", "max_length", "choices", "columns", "row_labels", "min_rows", "max_rows", "note",
        "currency", "allow_negative", "yoy_warning_threshold", "hint", "explanation", "group",
        "yoy_absolute_threshold", "system_hint", "rows_from", "may_be_empty", "check_sources", "evidence",
        "official_name",
    }
)  # fmt: skip


def _field(raw: dict[str, Any], section: str, defaults: dict[str, Any]) -> Field:
    merged = {**defaults, **raw}
    code = str(_require(merged, "code", f"第{section}部分的指标"))
    where = f"指标 {code}"
    unknown = set(merged) - FIELD_KEYS
    if unknown:
        raise DefinitionError(f"{where}：未知键 {sorted(unknown)}")
    ftype = merged.get("type", "string")
    if ftype not in FIELD_TYPES:
        raise DefinitionError(f"{where}：类型“{ftype}”无效")
    years = tuple(int(y) for y in (merged.get("years") or ()))
    if any(y > 0 for y in years) or len(set(years)) != len(years):
        raise DefinitionError(f"{where}：years 必须是不重复的非正偏移量（0 为数据年度）")
    if merged.get("yoy") and ftype not in NUMERIC_TYPES:
        raise DefinitionError(f"{where}：只有数值指标可以计算同比")
    if ftype == "choice" and not merged.get("choices"):
        raise DefinitionError(f"{where}：选择题必须给出 choices")
    if merged.get("official_name") and (ftype != "string" or merged.get("years")):
        raise DefinitionError(f"{where}：official_name 只能用于不分年度的文字指标")
    columns = tuple(_column(c, f"{where} 的列") for c in (merged.get("columns") or ()))
    if ftype == "table" and not columns:
        raise DefinitionError(f"{where}：表格必须给出 columns")
    if len({c.key for c in columns}) != len(columns):
        raise DefinitionError(f"{where}：列代码重复")
    note = merged.get("note")
    currency = merged.get("currency")
    max_length = merged.get("max_length")
    if ftype == "text" and max_length is None:
        max_length = DEFAULT_TEXT_LIMIT
    return Field(
        code=code,
        label=str(_require(merged, "label", where)),
        type=ftype,
        section=section,
        unit=str(merged.get("unit") or ""),
        years=years,
        yoy=bool(merged.get("yoy", False)),
        part_of=merged.get("part_of"),
        applicability=_applicability(merged.get("applicability"), where),
        label_variants=tuple(
            LabelVariant(
                label=str(_require(v, "label", where)), when=_condition(_require(v, "when", where), where)
            )
            for v in (merged.get("label_variants") or ())
        ),
        continues=merged.get("continues"),
        max_length=max_length,
        choices=tuple(merged.get("choices") or ()),
        columns=columns,
        row_labels=tuple(merged.get("row_labels") or ()),
        min_rows=int(merged.get("min_rows") or 0),
        max_rows=merged.get("max_rows"),
        note=Note(
            label=str(note.get("label", "详细情况说明")),
            max_length=int(note.get("max_length", DEFAULT_TEXT_LIMIT)),
            example=str(note.get("example", "")),
        )
        if note
        else None,
        currency=Currency(
            code=str(currency["code"]), label=str(currency["label"]), rate=float(currency["rate"])
        )
        if currency
        else None,
        allow_negative=bool(merged.get("allow_negative", False)),
        yoy_warning_threshold=merged.get("yoy_warning_threshold"),
        yoy_absolute_threshold=merged.get("yoy_absolute_threshold"),
        hint=str(merged.get("hint") or ""),
        system_hint=str(merged.get("system_hint") or ""),
        explanation=str(merged.get("explanation") or ""),
        group=str(merged.get("group") or ""),
        rows_from=_rows_from(merged.get("rows_from"), where),
        may_be_empty=bool(merged.get("may_be_empty", False)),
        check_sources=_sources(merged.get("check_sources"), where),
        evidence=str(merged.get("evidence") or ""),
        official_name=bool(merged.get("official_name", False)),
    )


def parse_definition(data: dict[str, Any]) -> FormDefinition:
    """Build and check a definition from plain data. Raises DefinitionError naming the place."""
    if not isinstance(data, dict):
        raise DefinitionError("定义文件的顶层必须是映射")
    code = str(_require(data, "code", "定义"))
    where = f"报表 {code}"
    sections: list[Section] = []
    for raw_section in _require(data, "sections", where):
        scode = str(_require(raw_section, "code", f"{where} 的部分"))
        defaults = dict(raw_section.get("defaults") or {})
        fields = tuple(_field(f, scode, defaults) for f in (raw_section.get("fields") or ()))
        sections.append(
            Section(code=scode, title=str(_require(raw_section, "title", f"{where} 第{scode}部分")),
                    intro=str(raw_section.get("intro") or ""), fields=fields)
        )  # fmt: skip
    rules = tuple(
        Rule(
            id=str(_require(r, "id", f"{where} 的规则")),
            kind=str(_require(r, "kind", f"{where} 的规则")),
            left=str(_require(r, "left", f"{where} 的规则")),
            right=str(_require(r, "right", f"{where} 的规则")),
            severity=str(r.get("severity", "error")),
            message=str(_require(r, "message", f"{where} 的规则")),
            source=str(r.get("source", "system")),
        )
        for r in (data.get("rules") or ())
    )
    category_defaults = dict(data.get("category_defaults") or {})
    definition = FormDefinition(
        code=code,
        version=str(_require(data, "version", where)),
        title=str(_require(data, "title", where)),
        short_title=str(data.get("short_title") or data["title"]),
        categories=frozenset(data.get("categories") or ()),
        sections=tuple(sections),
        rules=rules,
        category_defaults=category_defaults,
        yoy_warning_threshold=data.get("yoy_warning_threshold"),
        history_check=bool(data.get("history_check", False)),
        notes=tuple(data.get("notes") or ()),
        alerts=tuple(data.get("alerts") or ()),
        check_sources=_sources(data.get("check_sources"), where),
        category_industries={
            str(cat): frozenset(flags or ()) for cat, flags in (data.get("category_industries") or {}).items()
        },
        source=data,
    )
    check_definition(definition)
    return definition


def check_definition(definition: FormDefinition) -> None:
    """Cross-field checks: unique codes, 其中 parts pointing at a same-typed whole, rules on known fields."""
    seen: dict[str, Field] = {}
    for fld in definition.fields():
        if fld.code in seen:
            raise DefinitionError(f"报表 {definition.code}：指标代码 {fld.code} 重复")
        seen[fld.code] = fld
    for fld in seen.values():
        if fld.part_of is not None:
            whole = seen.get(fld.part_of)
            if whole is None:
                raise DefinitionError(f"指标 {fld.code}：所属总量 {fld.part_of} 不存在")
            if whole.type != fld.type or whole.unit != fld.unit:
                raise DefinitionError(f"指标 {fld.code}：与所属总量 {fld.part_of} 的类型或单位不一致")
            if not set(fld.years) <= set(whole.years):
                raise DefinitionError(f"指标 {fld.code}：填报年度超出所属总量 {fld.part_of}")
        if fld.rows_from is not None:
            counter = seen.get(fld.rows_from.field)
            if fld.type != "table":
                raise DefinitionError(f"指标 {fld.code}：只有表格可以按数量填写行（rows_from）")
            if counter is None or counter.type != "count":
                raise DefinitionError(f"指标 {fld.code}：rows_from 指向的 {fld.rows_from.field} 不是数量指标")
    for status in definition.category_defaults.values():
        if status not in STATUSES:
            raise DefinitionError(f"报表 {definition.code}：category_defaults 中的“{status}”无效")
    rule_ids: set[str] = set()
    for rule in definition.rules:
        if rule.id in rule_ids:
            raise DefinitionError(f"规则 {rule.id} 重复")
        rule_ids.add(rule.id)
        if rule.kind not in RULE_KINDS:
            raise DefinitionError(f"规则 {rule.id}：类型“{rule.kind}”无效")
        if rule.severity not in SEVERITIES:
            raise DefinitionError(f"规则 {rule.id}：严重程度“{rule.severity}”无效")
        if rule.source not in SOURCES:
            raise DefinitionError(f"规则 {rule.id}：来源“{rule.source}”无效，应为 notice 或 system")
        for side in (rule.left, rule.right):
            target = seen.get(side)
            if target is None:
                raise DefinitionError(f"规则 {rule.id}：指标 {side} 不存在")
            if not target.is_numeric:
                raise DefinitionError(f"规则 {rule.id}：指标 {side} 不是数值指标")


def all_labels(definitions: Iterable[FormDefinition]) -> set[str]:
    """Every label a user may see: field labels, their variants, table columns and row labels."""
    labels: set[str] = set()
    for definition in definitions:
        for fld in definition.fields():
            labels.update(fld.all_labels())
            labels.update(c.label for c in fld.columns)
            labels.update(fld.row_labels)
    return labels
