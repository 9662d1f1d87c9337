"""The API's request and response shapes (pydantic through django-ninja); the OpenAPI document is built
from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

# Ids are database keys: bounded so a tampered figure is a 404 or a 422, never a database overflow.
MAX_ID = 2_147_483_647


class ErrorItem(Schema):
    code: str
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """Every error: a machine code, the Chinese message the pages show, the field it is about, details."""

    code: str = Field(..., description="机器可读的错误代码，如 not_found、stale_revision、invalid_value")
    message: str = Field(..., description="中文说明，与页面上的提示相同")
    field: str | None = Field(None, description="出错的字段（如 summary.1.1.2021），没有则为 null")
    errors: list[ErrorItem] = Field(default_factory=list)


class AuthorityOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    region_code: str


class CategoryOut(Schema):
    code: str
    name: str
    annex: str


class BaseOut(Schema):
    id: int
    name: str
    batch: int
    batch_label: str
    authority_id: int
    authority: str
    category: str
    category_name: str
    lead_industry: str
    location: str
    status: str
    revoked_on: dt.date | None


class BaseDetailOut(BaseOut):
    series: str
    sub_sectors: list[Any]
    industry_flags: list[Any]
    producer_services_led: bool
    is_high_tech_zone: bool
    high_tech_zone_name: str
    is_econ_zone: bool
    econ_zone_name: str


class BasePage(Schema):
    count: int
    items: list[BaseOut]


class CampaignOut(Schema):
    id: int
    year: int
    data_year: int
    history_years: list[int]
    title: str
    form_version: str
    status: str
    base_deadline: dt.datetime
    authority_deadline: dt.datetime


class DefinitionOut(Schema):
    version: str
    code: str
    title: str
    checksum: str
    frozen_at: dt.datetime | None
    definition: dict[str, Any] = Field(..., description="报表定义（与 forms/<版本>/*.yaml 相同的结构）")


class SubmissionOut(Schema):
    id: int
    campaign_id: int
    campaign_year: int
    base_id: int
    base: str
    authority_id: int
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    is_late: bool
    updated_at: dt.datetime
    forms: list[str] = Field(..., description="材料包含的报表代码（汇总表、附表）")


class SubmissionPage(Schema):
    count: int
    items: list[SubmissionOut]


class ValueOut(Schema):
    form: str
    code: str
    year: int = Field(..., description="数据年度；不分年度的指标为 0")
    raw: Any = Field(None, description="填写内容（原样）")
    value: Any = Field(None, description="规范值（无法识别时为 null）")
    currency: str
    revision: int
    source: str
    updated_at: dt.datetime


class SubmissionDetailOut(SubmissionOut):
    etag: str = Field(..., description="当前修订标签；修改数值时放在 If-Match 请求头中")
    values: list[ValueOut]


class ChangeOut(Schema):
    form: str
    code: str
    year: int
    old_raw: Any = None
    new_raw: Any = None
    old_currency: str
    new_currency: str
    revision: int
    changed_at: dt.datetime
    changed_by: str
    source: str


class TransitionOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    comment: str
    is_late: bool


class HistoryOut(Schema):
    changes: list[ChangeOut]
    transitions: list[TransitionOut]


class FindingOut(Schema):
    key: str
    form: str
    code: str = Field(..., description="规则代码，如 required、yoy、part_of")
    field: str = Field(..., description="指标代码")
    section: str
    year: int
    severity: str = Field(..., description="error（须修改）或 warning（须说明）")
    message: str
    source: str = Field(..., description="notice（填报要求）或 system（系统提示）")
    explained: bool | None = Field(None, description="预警是否已有当前数值的情况说明（错误为 null）")


class CountsOut(Schema):
    missing: int = Field(..., description="未填写完整的必填项")
    errors: int = Field(..., description="其他错误（数值不正确、分项大于总数等）")
    warnings: int
    unexplained: int = Field(..., description="未填写情况说明的预警")


class ActionOut(Schema):
    name: str
    label: str
    allowed: bool
    reason: str


class StatusOut(Schema):
    id: int
    status: str
    status_label: str
    etag: str
    counts: CountsOut
    findings: list[FindingOut]
    blockers: list[str] = Field(..., description="不能提交的原因（与页面相同）；为空时可以提交")
    actions: list[ActionOut] = Field(..., description="当前用户可进行的操作（见流转表）")


class CellIn(Schema):
    form: str = Field(..., min_length=1, max_length=32)
    code: str = Field(..., min_length=1, max_length=32)
    year: int = Field(0, ge=0, le=9999)
    raw: Any = None
    currency: str = Field("", max_length=8)


class ValuesIn(Schema):
    values: dict[str, dict[str, dict[str, Any]]] | None = Field(
        None,
        description='按 报表 → 指标 → 年度 给出的数值，如 {"summary": {"1.1": {"2021": "110"}}}；'
        '不分年度的指标用年度 "0"',
    )
    cells: list[CellIn] | None = Field(None, description="逐格给出（可带币种 currency，如 USD）")


class CellOut(Schema):
    form: str
    code: str
    year: int
    status: str = Field(..., description="saved（已保存）或 unchanged（未变）")
    revision: int
    value: Any = None


class ValuesOut(Schema):
    etag: str
    saved: int
    cells: list[CellOut]
    counts: CountsOut


class FieldNoteIn(Schema):
    form: str = Field(..., min_length=1, max_length=32)
    code: str = Field(..., min_length=1, max_length=32)
    year: int = Field(0, ge=0, le=9999)
    text: str = Field(..., max_length=1000)


class TransitionIn(Schema):
    comment: str = Field("", max_length=2000, description="退回意见（退回时必填）或备注")
    field_notes: list[FieldNoteIn] = Field(default_factory=list, description="退回时针对具体指标的意见")


class TransitionResultOut(Schema):
    action: str
    submission: SubmissionOut
    replayed: bool = Field(..., description="true：同一幂等键的重复请求，返回的是第一次的结果，未再次执行")


class RatingOut(Schema):
    id: int
    campaign_id: int
    campaign_year: int
    base_id: int
    base: str
    authority_id: int
    stars: int
    computed_stars: int
    dimension_stars: dict[str, Any]
    total: float | None = Field(None, description="综合得分")
    category_rank: int | None = Field(None, description="在同类型示范基地中的名次")
    category_count: int = Field(..., description="同类型参评示范基地数")
    published_on: dt.date
