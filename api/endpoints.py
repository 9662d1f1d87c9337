"""The REST API, version 1 (/api/v1/): its operations, error handling and docs page.

The web layer of the API: every operation gets its objects through `permissions.access`
(`visible_*`, `access_*`: outside the caller's scope is a 404) and asks `permissions.checks` what
the caller may do; state changes go through `api.services`, which call the services the pages use.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Header, NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer

from accounts.models import User
from api import schemas as s
from api.auth import ApiError, TokenAuth
from api.models import ApiToken
from api.services import (
    ApiCell,
    CellsRefused,
    IdempotencyKeyReused,
    StaleRevision,
    api_values_save,
    idempotent_call,
    request_hash,
    submission_etag,
    transition_run,
)
from definitions.models import Definition
from permissions.access import (
    access_base,
    access_published_rating,
    access_submission,
    visible_authorities,
    visible_bases,
    visible_campaigns,
    visible_published_ratings,
    visible_submissions,
)
from permissions.checks import can_fill, can_see_contacts
from review.models import Transition
from review.services import FieldNote, transition_actions
from review.status import material_status
from review.transitions import TABLE
from submissions.models import Submission, Value, ValueChange
from submissions.sensitive import contacts_masked, is_sensitive, values_contacts_masked

MAX_ID = s.MAX_ID
ActionName = Literal["submit", "return", "approve", "accept", "ministry_return"]
assert set(ActionName.__args__) == {row.name for row in TABLE}  # type: ignore[attr-defined]


class ChineseJSONRenderer(JSONRenderer):
    """JSON with Chinese left readable (no \\uXXXX escapes)."""

    json_dumps_params = {"ensure_ascii": False}


class CspSwagger(DocsBase):
    """Ninja's Swagger UI from its own static files, with its settings in a data attribute and its
    start-up in static/js/api-docs.js: the page works under the site's strict CSP (no inline script)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": json.dumps(settings)})


api = NinjaAPI(
    title="示范基地发展质量评价信息管理系统 数据接口",
    version="1",
    description=(
        "供省级平台和工业和信息化部业务系统以程序方式交换数据。令牌在“数据接口令牌”页面创建"
        "（Authorization: Bearer <令牌>）。说明与完整示例见 docs/api.md。"
    ),
    auth=TokenAuth(),
    renderer=ChineseJSONRenderer(),
    urls_namespace="api-v1",
    docs=CspSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- errors --------------------------------------------------------------------------------------


def error_body(
    code: str, message: str, *, field: str | None = None, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field, "errors": errors or []}


def _error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    headers = extra.pop("headers", None) or {}
    response = api.create_response(request, error_body(code, message, **extra), status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(
        request, exc.status, exc.code, exc.message, field=exc.field, errors=exc.errors, headers=exc.headers
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", "请在 Authorization 请求头中提供令牌（Bearer）。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return _error(request, 400, "bad_request", "请求内容不是有效的 JSON。")
    return _error(request, exc.status_code, "http_error", str(exc))


def join_messages(messages: list[str]) -> str:
    return "；".join(m.rstrip("。；;") for m in messages) + "。"


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "未找到，或您无权查看。")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "您无权进行此操作。")


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    messages = exc.messages or ["操作未能完成。"]
    return _error(
        request,
        409,
        "refused",
        join_messages(messages),
        errors=[{"code": "refused", "field": None, "message": m} for m in messages],
    )


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    items = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "header", "payload")]
        items.append(
            {
                "code": "invalid_parameter",
                "field": ".".join(loc) or None,
                "message": f"参数{'“' + '.'.join(loc) + '”' if loc else ''}不正确：{e.get('msg', '')}",
            }
        )
    message = str(items[0]["message"]) if items else "请求格式不正确。"
    field = items[0]["field"] if items else None
    return _error(request, 422, "invalid_request", message, field=field, errors=items)


def _responses(ok: Any, *codes: int) -> dict[int, Any]:
    out: dict[int, Any] = {
        200: ok,
        400: s.ErrorOut,
        401: s.ErrorOut,
        403: s.ErrorOut,
        422: s.ErrorOut,
        429: s.ErrorOut,
    }
    out.update({code: s.ErrorOut for code in codes})
    return out


def _user(request: HttpRequest) -> User:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token.user


Id = Path(..., ge=1, le=MAX_ID)
OptionalId = Query(None, ge=1, le=MAX_ID)


# --- registry --------------------------------------------------------------------------------------


def _base_row(b: Any) -> dict[str, Any]:
    return {
        "id": b.pk, "name": b.name, "batch": b.batch, "batch_label": b.batch_label,
        "authority_id": b.authority_id, "authority": b.authority.name, "category": b.category.code,
        "category_name": b.category.name, "lead_industry": b.lead_industry, "location": b.location,
        "status": b.status, "revoked_on": b.revoked_on,
    }  # fmt: skip


@api.get("/authorities", response=_responses(list[s.AuthorityOut]), tags=["名录"], summary="省级主管部门")
def authorities(request: HttpRequest) -> Any:
    return list(visible_authorities(_user(request)).order_by("sort_order", "code"))


@api.get("/bases", response=_responses(s.BasePage), tags=["名录"], summary="示范基地（可筛选）")
def bases(
    request: HttpRequest,
    authority: int | None = OptionalId,
    category: str | None = Query(None, max_length=32, pattern=r"^[a-z0-9_-]+$"),
    batch: int | None = Query(None, ge=1, le=100),
    q: str | None = Query(None, max_length=100, pattern=r"^[^\x00]*$", description="名称包含"),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
) -> Any:
    qs = visible_bases(_user(request)).select_related("authority", "category")
    if authority is not None:
        qs = qs.filter(authority_id=authority)
    if category:
        qs = qs.filter(category__code=category)
    if batch is not None:
        qs = qs.filter(batch=batch)
    if q:
        qs = qs.filter(name__icontains=q)
    qs = qs.order_by("batch", "name", "pk")
    return {"count": qs.count(), "items": [_base_row(b) for b in qs[offset : offset + limit]]}


@api.get("/bases/{base_id}", response=_responses(s.BaseDetailOut, 404), tags=["名录"], summary="一个示范基地")
def base_detail(request: HttpRequest, base_id: int = Id) -> Any:
    b = access_base(_user(request), base_id)
    return {
        **_base_row(b), "series": b.series, "sub_sectors": b.sub_sectors or [],
        "industry_flags": b.industry_flags or [], "producer_services_led": b.producer_services_led,
        "is_high_tech_zone": b.is_high_tech_zone, "high_tech_zone_name": b.high_tech_zone_name,
        "is_econ_zone": b.is_econ_zone, "econ_zone_name": b.econ_zone_name,
    }  # fmt: skip


@api.get("/campaigns", response=_responses(list[s.CampaignOut]), tags=["名录"], summary="年度评价")
def campaigns(request: HttpRequest) -> Any:
    return list(visible_campaigns(_user(request)).order_by("-year"))


@api.get(
    "/definitions/{version}/{code}",
    response=_responses(s.DefinitionOut, 404),
    tags=["报表定义"],
    summary="一张报表的定义（数据形式）",
)
def definition(
    request: HttpRequest,
    version: str = Path(..., max_length=20, pattern=r"^[0-9A-Za-z_.-]+$"),
    code: str = Path(..., max_length=32, pattern=r"^[0-9A-Za-z_-]+$"),
) -> Any:
    # A form's shape is not secret: any token holder reads it (as any signed-in user on the site).
    found = Definition.objects.filter(version=version, code=code).first()
    if found is None:
        raise Http404("未找到该报表定义。")
    return {
        "version": found.version, "code": found.code, "title": found.title, "checksum": found.checksum,
        "frozen_at": found.frozen_at, "definition": found.content,
    }  # fmt: skip


# --- a base's material ---------------------------------------------------------------------------


def _submission_row(sub: Submission) -> dict[str, Any]:
    return {
        "id": sub.pk, "campaign_id": sub.campaign_id, "campaign_year": sub.campaign.year,
        "base_id": sub.base_id, "base": sub.base.name, "authority_id": sub.base.authority_id,
        "status": sub.status, "status_label": sub.get_status_display(), "submitted_at": sub.submitted_at,
        "is_late": sub.is_late, "updated_at": sub.updated_at,
        "forms": [d.code for d in sub.definitions()],
    }  # fmt: skip


def _submissions(user: User) -> QuerySet[Submission]:
    return visible_submissions(user).select_related(
        "campaign", "base__authority", "summary_definition", "annex_definition"
    )


@api.get("/submissions", response=_responses(s.SubmissionPage), tags=["填报材料"], summary="可见的填报材料")
def submissions(
    request: HttpRequest,
    campaign: int | None = OptionalId,
    base: int | None = OptionalId,
    authority: int | None = OptionalId,
    status: Literal["draft", "submitted", "returned", "approved", "accepted"] | None = Query(None),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
) -> Any:
    qs = _submissions(_user(request))
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    if base is not None:
        qs = qs.filter(base_id=base)
    if authority is not None:
        qs = qs.filter(base__authority_id=authority)
    if status:
        qs = qs.filter(status=status)
    qs = qs.order_by("-campaign__year", "base__batch", "base__name", "pk")
    return {"count": qs.count(), "items": [_submission_row(x) for x in qs[offset : offset + limit]]}


def _material(request: HttpRequest, submission_id: int) -> Submission:
    return access_submission(_user(request), submission_id)


@api.get(
    "/submissions/{submission_id}",
    response=_responses(s.SubmissionDetailOut, 404),
    tags=["填报材料"],
    summary="一份材料：数值、状态、修订标签（ETag）",
)
def submission_detail(request: HttpRequest, response: HttpResponse, submission_id: int = Id) -> Any:
    sub = _material(request, submission_id)
    etag = submission_etag(sub)
    response["ETag"] = etag
    rows = list(Value.objects.filter(submission=sub).order_by("form", "code", "year"))
    if not can_see_contacts(_user(request), sub):
        # Experts read contacts masked, as on the pages (submissions.sensitive).
        rows = values_contacts_masked(sub, rows)
    values = [
        {
            "form": v.form, "code": v.code, "year": v.year, "raw": v.raw, "value": v.value,
            "currency": v.entered_currency, "revision": v.revision, "source": v.source, "updated_at": v.updated_at,
        }
        for v in rows
    ]  # fmt: skip
    return {**_submission_row(sub), "etag": etag, "values": values}


@api.get(
    "/submissions/{submission_id}/history",
    response=_responses(s.HistoryOut, 404),
    tags=["填报材料"],
    summary="修改记录与流转记录",
)
def submission_history(
    request: HttpRequest,
    submission_id: int = Id,
    form: str | None = Query(None, max_length=32, pattern=r"^[^\x00]*$"),
    code: str | None = Query(None, max_length=32, pattern=r"^[^\x00]*$"),
    year: int | None = Query(None, ge=0, le=9999),
) -> Any:
    sub = _material(request, submission_id)
    changes = ValueChange.objects.filter(submission=sub).select_related("changed_by")
    if form:
        changes = changes.filter(form=form)
    if code:
        changes = changes.filter(code=code)
    if year is not None:
        changes = changes.filter(year=year)
    transitions = Transition.objects.filter(submission=sub).select_related("actor").order_by("at", "id")
    sensitive = (
        {}
        if can_see_contacts(_user(request), sub)
        else {
            (d.code, fld.code): fld
            for d in (d.parsed() for d in sub.definitions())
            for fld in d.fields()
            if is_sensitive(fld)
        }
    )

    def shown(c: ValueChange, raw: Any) -> Any:
        fld = sensitive.get((c.form, c.code))
        return contacts_masked(fld, raw) if fld is not None else raw

    return {
        "changes": [
            {
                "form": c.form, "code": c.code, "year": c.year, "old_raw": shown(c, c.old_raw), "new_raw": shown(c, c.new_raw),
                "old_currency": c.old_currency, "new_currency": c.new_currency, "revision": c.revision,
                "changed_at": c.changed_at, "changed_by": c.changed_by.display_name if c.changed_by else "系统",
                "source": c.source,
            }
            for c in changes.order_by("changed_at", "id")[:5000]
        ],
        "transitions": [
            {
                "action": t.action, "action_label": t.get_action_display(), "from_status": t.from_status,
                "to_status": t.to_status, "actor": t.actor.display_name if t.actor else "", "at": t.at,
                "comment": t.comment, "is_late": t.is_late,
            }
            for t in transitions
        ],
    }  # fmt: skip


def _status(user: User, sub: Submission) -> dict[str, Any]:
    """The material's stored status (review.status), as the entry, submit and review pages read it."""
    status = material_status(sub)
    rows = [
        {
            "key": c.finding.key, "form": c.form, "code": c.finding.code, "field": c.finding.field,
            "section": c.finding.section, "year": c.finding.year, "severity": c.finding.severity,
            "message": c.finding.message, "source": c.finding.source,
            "explained": c.explained if c.finding.severity == "warning" else None,
        }
        for c in status.findings()
    ]  # fmt: skip
    counts = status.counts
    actions = [
        {"name": a.name, "label": a.action.label, "allowed": a.allowed, "reason": a.reason}
        for a in transition_actions(user, sub).values()
        if a.offered
    ]
    return {
        "id": sub.pk, "status": sub.status, "status_label": sub.get_status_display(),
        "etag": submission_etag(sub),
        "counts": {"missing": counts.missing, "errors": counts.errors, "warnings": counts.warnings,
                   "unexplained": counts.unexplained},
        "findings": rows, "blockers": status.blocker_texts() if sub.is_editable else [], "actions": actions,
    }  # fmt: skip


@api.get(
    "/submissions/{submission_id}/status",
    response=_responses(s.StatusOut, 404),
    tags=["填报材料"],
    summary="校验结果：错误、预警、不能提交的原因、可进行的操作",
)
def submission_status(request: HttpRequest, response: HttpResponse, submission_id: int = Id) -> Any:
    sub = _material(request, submission_id)
    out = _status(_user(request), sub)
    response["ETag"] = out["etag"]
    return out


def _cells(payload: s.ValuesIn) -> list[ApiCell]:
    cells: list[ApiCell] = []
    for form, items in (payload.values or {}).items():
        for code, years in items.items():
            for year, raw in years.items():
                if not str(year).isdigit() or len(str(year)) > 4:
                    raise ApiError(
                        422,
                        "invalid_request",
                        f"指标 {code} 的年度“{year}”不正确（不分年度的指标用 0）。",
                        field=f"{form}.{code}.{year}",
                    )
                cells.append(ApiCell(form=form, code=code, year=int(year), raw=raw))
    cells.extend(
        ApiCell(form=c.form, code=c.code, year=c.year, raw=c.raw, currency=c.currency)
        for c in payload.cells or []
    )
    if not cells:
        raise ApiError(422, "invalid_request", "请求中没有要保存的内容。")
    if len(cells) > 500:
        raise ApiError(422, "invalid_request", "一次最多保存 500 项，请分批保存。")
    return cells


@api.patch(
    "/submissions/{submission_id}/values",
    response=_responses(s.ValuesOut, 404, 409, 428),
    tags=["填报材料"],
    summary="修改数值（整体或部分），须带 If-Match",
)
def submission_values(
    request: HttpRequest,
    response: HttpResponse,
    payload: s.ValuesIn,
    submission_id: int = Id,
    if_match: str | None = Header(None, alias="If-Match", description="读取材料时得到的 ETag"),
) -> Any:
    user = _user(request)
    sub = _material(request, submission_id)
    if not can_fill(user, sub):
        raise ApiError(403, "forbidden", "您没有修改该材料的权限，或材料已提交、不能修改。")
    if not if_match:
        raise ApiError(428, "if_match_required", "请在 If-Match 请求头中给出读取材料时得到的 ETag。")
    cells = _cells(payload)
    try:
        result = api_values_save(submission=sub, user=user, if_match=if_match, cells=cells)
    except StaleRevision as exc:
        raise ApiError(
            409,
            "stale_revision",
            "材料在您读取之后已被修改，未保存任何内容。请重新读取材料（取得新的 ETag）后再提交。",
            headers={"ETag": exc.current},
        ) from None
    except CellsRefused as exc:
        errors = [
            {
                "code": "invalid_value",
                "field": f"{c['form']}.{c['code']}.{c['year']}",
                "message": c["message"],
            }
            for c in exc.cells
        ]
        raise ApiError(
            422, "invalid_value", errors[0]["message"], field=errors[0]["field"], errors=errors
        ) from None
    sub = _material(request, submission_id)
    status = _status(user, sub)
    response["ETag"] = status["etag"]
    return {
        "etag": status["etag"],
        "saved": sum(1 for c in result.cells if c.status == "saved"),
        "cells": [
            {
                "form": c.form,
                "code": c.code,
                "year": c.year,
                "status": c.status,
                "revision": c.revision,
                "value": c.value,
            }
            for c in result.cells
        ],
        "counts": status["counts"],
    }


@api.post(
    "/submissions/{submission_id}/transitions/{action}",
    response=_responses(s.TransitionResultOut, 404, 409),
    tags=["填报材料"],
    summary="流转操作（提交、退回、初审通过、受理、部级退回），须带 Idempotency-Key",
)
def submission_transition(
    request: HttpRequest,
    response: HttpResponse,
    payload: s.TransitionIn,
    submission_id: int = Id,
    action: ActionName = Path(...),
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=200, description="每个操作一个新的随机值；重试时用同一个值"
    ),
) -> Any:
    user = _user(request)
    sub = _material(request, submission_id)
    key = (idempotency_key or "").strip()
    if not key:
        raise ApiError(400, "idempotency_key_required", "请在 Idempotency-Key 请求头中给出本次操作的唯一值。")
    notes = [FieldNote(form=n.form, code=n.code, year=n.year, text=n.text) for n in payload.field_notes]

    def run() -> tuple[int, dict[str, Any]]:
        moved = transition_run(
            action=action, submission=sub, user=user, comment=payload.comment, field_notes=notes
        )
        return 200, {
            "action": action,
            "submission": json.loads(json.dumps(_submission_row(moved), default=str)),
        }

    fingerprint = request_hash(
        "POST", sub.pk, action, payload.comment, [n.model_dump() for n in payload.field_notes]
    )
    try:
        outcome = idempotent_call(user=user, key=key, fingerprint=fingerprint, run=run)
    except IdempotencyKeyReused:
        raise ApiError(
            409, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求，请为新的操作使用新的值。"
        ) from None
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(outcome.status_code, {**outcome.body, "replayed": outcome.replayed})


# --- evaluation results --------------------------------------------------------------------------


def _rating_row(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk, "campaign_id": r.campaign_id, "campaign_year": r.campaign.year, "base_id": r.base_id,
        "base": r.base.name, "authority_id": r.base.authority_id, "stars": r.stars,
        "computed_stars": r.computed_stars, "dimension_stars": r.dimension_stars, "total": r.score.total,
        "category_rank": r.score.category_rank, "category_count": r.score.category_count,
        "published_on": r.campaign.rating_publication.publish_on,
    }  # fmt: skip


@api.get("/ratings", response=_responses(list[s.RatingOut]), tags=["评价结果"], summary="已发布的星级评定")
def ratings(request: HttpRequest, campaign: int | None = OptionalId) -> Any:
    qs = visible_published_ratings(_user(request)).select_related(
        "campaign__rating_publication", "base", "score"
    )
    if campaign is not None:
        qs = qs.filter(campaign_id=campaign)
    return [_rating_row(r) for r in qs.order_by("-campaign__year", "base__name")]


@api.get(
    "/ratings/{rating_id}", response=_responses(s.RatingOut, 404), tags=["评价结果"], summary="一个星级评定"
)
def rating_detail(request: HttpRequest, rating_id: int = Id) -> Any:
    r = access_published_rating(_user(request), rating_id)
    return _rating_row(r)
