"""Pages of the written material: a base's development report, an authority's provincial summary and
its recommended excellent cases, and the ministry's national views of both."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from lib.deadlines import SHANGHAI, countdown
from permissions.access import (
    access_authority_material,
    access_case,
    access_material_campaign,
    access_submission,
    visible_authority_material,
    visible_cases,
    visible_submissions,
)
from permissions.checks import (
    can_fill,
    can_oversee,
    can_read_base_reports,
    can_read_provincial_material,
    can_review_own_authority,
    can_write_authority_material,
    is_own_filler,
)
from registry.models import Authority, Campaign
from reports.forms import CaseFilterForm, CaseForm, ReportForm, SummaryForm, items_from_post
from reports.models import OTHER_PREFIX, CaseAspect, CaseRecommendation, DevelopmentReport, ProvincialSummary
from reports.services import (
    CASE_BACKGROUND_MAX,
    CASE_PRACTICE_CONTENT_MAX,
    CASE_RESULTS_MAX,
    CASE_TITLE_MAX,
    CONTENT_TARGET,
    ITEMS_MAX,
    ITEMS_MIN,
    LEAD_MAX,
    OVERVIEW_TARGET,
    REPORT_FORM,
    SUMMARY_FIELDS,
    SUMMARY_TEXT_MAX,
    StaleRevisionError,
    authority_deadline_open,
    case_create,
    case_create_refusal,
    case_delete,
    case_quota_for,
    case_quota_split_set,
    case_update,
    clean_items,
    province_quotas,
    report_guidance,
    report_problems,
    report_save,
    summary_problems,
    summary_save,
    summary_submit,
)
from review.queries import field_comments_for
from submissions.models import Submission

# The notice's guidance (附件2) shown next to each section of the report editor.
REPORT_GUIDE = {
    "overview": "重点介绍示范基地的总体特点、发展实力、在地区和行业发展中的地位及做出的贡献等，300字左右。",
    "highlights": "示范基地突出的亮点和成效，总结3-5个方面，每个方面200字左右。",
    "highlights_sample": "（样例）成效1：xx领域具有国际竞争力，成功研制xx（技术产品），达到国际先进水平，……",
    "practices": "推动示范基地高质量发展、具有示范性的有关做法和经验，总结3-5个方面，每个方面200字左右。",
    "practices_sample": (
        "（样例）经验1：围绕xx领域开展产学研用协同创新合作模式，示范基地企业围绕xx产业发展，"
        "与xx大学、xx机构等成立联合实验室，……"
    ),
    "lead_content": (
        "发展亮点和成效、示范性做法和经验，以“领句+具体内容”的形式表述，领句为概况性的一句话，"
        "具体内容尽量包含关键词、数字、典型案例等。"
    ),
    # 附件2 prints only the heading “四、存在的问题及建议”: no guidance text of ours in its name.
    "problems": "",
}

# 附件3's outline and example, shown on the case editor.
CASE_GUIDE = {
    "title": "聚焦重点方向概况案例示范内容",
    "title_sample": "（示例）实施智能制造伙伴计划，加快园区数字化转型",
    "background": "第一部分：开展有关工作的背景或亟待解决的突出问题",
    "practices": "第二部分：从3-5方面介绍有关做法和举措",
    "practices_sample": "（示例）一是构建“3+X”智能化改造数字化转型生态圈。二是打造四大服务内容，持续赋能制造业企业。",
    "results": "第三部分：通过上述做法取得的明显成效",
    "aspects": (
        "重点推荐在稳定产业链供应链、提升协同创新能力、数字化转型、绿色低碳发展、大中小企业融通发展、"
        "质量品牌建设、优化营商环境、跨区域合作及高水平开放等方面的典型经验，聚焦1-2个方面总结做法和成效。"
    ),
}


def _error_messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _split_errors(exc: ValidationError) -> tuple[dict[str, str], list[str]]:
    """Field errors keyed as the service keyed them, and the messages for the top of the page: the
    field errors may be far down a long page, so the top says how many there are."""
    if hasattr(exc, "error_dict"):
        fields = {
            key: " ".join(m for err in errs for m in err.messages) for key, errs in exc.error_dict.items()
        }
        return fields, [f"未能保存，请修改下方标出的{len(fields)}处内容，已输入的文字均已保留。"]
    return {}, _error_messages(exc)


def _items_with_errors(items: list[dict[str, str]], key: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **item,
            "lead_error": errors.get(f"{key}.{index}.lead", ""),
            "content_error": errors.get(f"{key}.{index}.content", ""),
        }
        for index, item in enumerate(items)
    ]


def _padded(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At least three rows so the page works without JavaScript, as the notice asks for three."""
    return items + [{"lead": "", "content": ""} for _ in range(ITEMS_MIN - len(items))]


# --- index -------------------------------------------------------------------------------------


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where each role finds its written material."""
    user: User = request.user
    if can_read_base_reports(user):
        submissions = (
            visible_submissions(user)
            .select_related("campaign", "base", "report__updated_by")
            .order_by("-campaign__year", "base__name")
        )
        rows = []
        for submission in submissions:
            report = getattr(submission, "report", None)
            rows.append({"submission": submission, "report": report, "problems": report_problems(report)})
        return render(request, "reports/index_base.html", {"rows": rows})
    if can_read_provincial_material(user):
        campaigns = list(Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("-year"))
        return render(
            request,
            "reports/index_authority.html",
            {"campaigns": campaigns, "is_ministry": can_oversee(user)},
        )
    raise PermissionDenied("您的角色无权查看总结材料。")


# --- development report ------------------------------------------------------------------------


def _report_sections(
    highlights: list[dict[str, str]], practices: list[dict[str, str]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "key": "highlights",
            "title": "二、发展亮点和成效",
            "noun": "成效",
            "guide": REPORT_GUIDE["highlights"],
            "sample": REPORT_GUIDE["highlights_sample"],
            "items": _padded(_items_with_errors(highlights, "highlights", errors)),
            "error": errors.get("highlights", ""),
        },
        {
            "key": "practices",
            "title": "三、示范性做法和经验",
            "noun": "经验",
            "guide": REPORT_GUIDE["practices"],
            "sample": REPORT_GUIDE["practices_sample"],
            "items": _padded(_items_with_errors(practices, "practices", errors)),
            "error": errors.get("practices", ""),
        },
    ]


def _report_comments(submission: Any) -> dict[str, list[str]]:
    """While returned: the last return's comments on each part of the report, shown at the part."""
    if submission.status != Submission.Status.RETURNED:
        return {}
    out: dict[str, list[str]] = {}
    for key, rows in field_comments_for(submission).items():
        if key[0] == REPORT_FORM:
            out.setdefault(key[1], []).extend(c.text for c in rows)
    return out


def _report_autosave(request: AuthenticatedHttpRequest, submission: Any) -> JsonResponse:
    """The editor's autosave: the same save as the button, answered in JSON for static/js/report.js."""
    form = ReportForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": "页面已过期，请刷新后重试。"}, status=400)
    try:
        report = report_save(
            submission=submission,
            user=request.user,
            revision=form.cleaned_data["revision"],
            overview=form.cleaned_data["overview"],
            highlights=items_from_post(request.POST, "highlights"),
            practices=items_from_post(request.POST, "practices"),
            problems=form.cleaned_data["problems"],
        )
    except StaleRevisionError as exc:
        # Never overwrite someone else's version silently: the page reloads to show both.
        return JsonResponse(
            {"ok": False, "stale": True, "message": " ".join(_error_messages(exc))}, status=409
        )
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": " ".join(_error_messages(exc))}, status=400)
    saved_at = (report.updated_at or timezone.now()).astimezone(SHANGHAI).strftime("%H:%M:%S")
    return JsonResponse(
        {
            "ok": True,
            "revision": report.revision,
            "saved_at": saved_at,
            "problems": len(report_problems(report)),
        }
    )


@login_required
def report_edit(request: AuthenticatedHttpRequest, submission_pk: int) -> HttpResponse:
    """The filler writes the report here; everyone else who may see the base reads it."""
    submission = access_submission(request.user, submission_pk)
    report = DevelopmentReport.objects.select_related("updated_by").filter(submission=submission).first()
    editable = can_fill(request.user, submission)
    if not editable:
        if request.method == "POST":
            if is_own_filler(request.user, submission):
                messages.error(
                    request, f"材料当前状态为“{submission.get_status_display()}”，不能修改发展情况报告。"
                )
                return redirect("reports:report_edit", submission_pk=submission.pk)
            raise PermissionDenied("只有本示范基地的填报员可以编写发展情况报告。")
        return render(
            request,
            "reports/report_detail.html",
            {
                "submission": submission,
                "editable": False,
                "deadline": countdown(submission.campaign.base_deadline, timezone.now()),
                "report": report,
                "problems": report_problems(report),
                "guide": REPORT_GUIDE,
            },
        )

    errors: dict[str, str] = {}
    general_errors: list[str] = []
    current: DevelopmentReport | None = None
    if request.method == "POST" and request.headers.get("X-Requested-With") == "fetch":
        return _report_autosave(request, submission)
    if request.method == "POST":
        form = ReportForm(request.POST)
        highlights = items_from_post(request.POST, "highlights")
        practices = items_from_post(request.POST, "practices")
        if form.is_valid():
            try:
                report = report_save(
                    submission=submission,
                    user=request.user,
                    revision=form.cleaned_data["revision"],
                    overview=form.cleaned_data["overview"],
                    highlights=highlights,
                    practices=practices,
                    problems=form.cleaned_data["problems"],
                )
            except StaleRevisionError as exc:
                current = exc.current
                general_errors = _error_messages(exc)
                # The next save is made knowingly over the other person's version, which is shown.
                data = request.POST.copy()
                data["revision"] = str(current.revision)
                form = ReportForm(data)
                form.is_valid()
            except ValidationError as exc:
                errors, general_errors = _split_errors(exc)
            else:
                problems = report_problems(report)
                if problems:
                    messages.warning(
                        request,
                        f"已保存（第{report.revision}版）。报告尚未完成，还有{len(problems)}处待补充。",
                    )
                else:
                    messages.success(request, f"已保存（第{report.revision}版）。报告内容已完整。")
                return redirect("reports:report_edit", submission_pk=submission.pk)
        else:
            general_errors = ["页面已过期，请刷新后重试。"]
        for name in ("overview", "problems"):
            if name in errors:
                form.add_error(name, errors[name])
    else:
        form = ReportForm(
            initial={
                "revision": report.revision if report else 0,
                "overview": report.overview if report else "",
                "problems": report.problems if report else "",
            }
        )
        highlights = list(report.highlights) if report else []
        practices = list(report.practices) if report else []

    comments = _report_comments(submission)
    sections = _report_sections(highlights, practices, errors)
    for section in sections:
        section["comments"] = comments.get(section["key"], [])
    return render(
        request,
        "reports/report_edit.html",
        {
            "submission": submission,
            "overview_comments": comments.get("overview", []),
            "problems_comments": comments.get("problems", []),
            "editable": True,
            "deadline": countdown(submission.campaign.base_deadline, timezone.now()),
            "report": report,
            "form": form,
            "sections": sections,
            "general_errors": general_errors,
            "current": current,
            "autosave_paused": current is not None,
            "problems": report_problems(report),
            "guidance": report_guidance(
                overview=form["overview"].value() or "",
                highlights=clean_items(highlights),
                practices=clean_items(practices),
            ),
            "guide": REPORT_GUIDE,
            # The notice's “约N字” are targets, not limits: the counters show them and warn beyond
            # them; the sanity limit (系统提示) is only enforced on save.
            "limits": {
                "overview_target": OVERVIEW_TARGET,
                "overview_max": "",
                "lead_max": "",
                "content_target": CONTENT_TARGET,
                "content_max": "",
                "problems_max": "",
                "items_min": ITEMS_MIN,
                "items_max": ITEMS_MAX,
                "soft_max": True,
            },
        },
    )


# --- provincial summary ------------------------------------------------------------------------


@login_required
def summary_list(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """The ministry's national view: every authority's summary status and case count."""
    user: User = request.user
    if can_review_own_authority(user):
        return redirect("reports:summary_edit", campaign_pk=campaign_pk, authority_pk=user.authority_id)
    if not can_oversee(user):
        raise PermissionDenied("仅部级管理员可以查看全国省级工作总结。")
    campaign = access_material_campaign(user, campaign_pk)
    authorities = (
        visible_authority_material(user)
        .annotate(
            base_count=Count("bases", filter=Q(bases__campaigns=campaign), distinct=True),
            case_count=Count("cases", filter=Q(cases__campaign=campaign), distinct=True),
        )
        .filter(base_count__gt=0)
        .prefetch_related(
            Prefetch(
                "provincial_summaries",
                queryset=ProvincialSummary.objects.filter(campaign=campaign).select_related("submitted_by"),
                to_attr="campaign_summaries",
            )
        )
        .order_by("sort_order", "code")
    )
    quotas = province_quotas(campaign=campaign)
    rows: list[dict[str, Any]] = [
        {
            "authority": a,
            "summary": a.campaign_summaries[0] if a.campaign_summaries else None,
            "quota": quotas[a.pk].own_limit if a.pk in quotas else 0,
            "province_quota": quotas.get(a.pk),
            "five_star": a.pk in quotas and quotas[a.pk].has_five_star,
        }
        for a in authorities
    ]
    submitted = sum(1 for row in rows if row["summary"] and row["summary"].is_submitted)
    return render(
        request,
        "reports/summary_list.html",
        {"campaign": campaign, "rows": rows, "submitted": submitted},
    )


@login_required
def summary_edit(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    user: User = request.user
    campaign, authority = access_authority_material(user, campaign_pk=campaign_pk, authority_pk=authority_pk)
    summary = (
        ProvincialSummary.objects.select_related("updated_by", "submitted_by")
        .filter(campaign=campaign, authority=authority)
        .first()
    )
    writer = can_write_authority_material(user, authority)
    editable = writer and campaign.status == Campaign.Status.OPEN and not (summary and summary.is_submitted)
    now = timezone.now()
    deadline_open = authority_deadline_open(campaign, authority, now)
    general_errors: list[str] = []
    current: ProvincialSummary | None = None

    if request.method == "POST":
        if not writer:
            raise PermissionDenied("只有本省级主管部门的审核员可以编写工作总结。")
        form = SummaryForm(request.POST)
        if not form.is_valid():
            general_errors = ["页面已过期，请刷新后重试。"]
        else:
            try:
                summary = summary_save(
                    campaign=campaign,
                    authority=authority,
                    user=user,
                    revision=form.cleaned_data["revision"],
                    texts=form.texts(),
                )
            except StaleRevisionError as exc:
                current = exc.current
                general_errors = _error_messages(exc)
                data = request.POST.copy()
                data["revision"] = str(current.revision)
                form = SummaryForm(data)
                form.is_valid()
            except ValidationError as exc:
                errors, general_errors = _split_errors(exc)
                for name, message in errors.items():
                    form.add_error(name if name in SUMMARY_FIELDS else None, message)
            else:
                if request.POST.get("action") != "submit":
                    messages.success(request, f"工作总结已保存（第{summary.revision}版）。")
                    return redirect(
                        "reports:summary_edit", campaign_pk=campaign.pk, authority_pk=authority.pk
                    )
                try:
                    summary_submit(campaign=campaign, authority=authority, user=user, now=now)
                except ValidationError as exc:
                    messages.error(request, "工作总结已保存，但未能报送：" + " ".join(_error_messages(exc)))
                else:
                    messages.success(request, "本省工作总结及优秀案例已报送工业和信息化部规划司。")
                return redirect("reports:summary_edit", campaign_pk=campaign.pk, authority_pk=authority.pk)
    else:
        form = SummaryForm(
            initial={
                "revision": summary.revision if summary else 0,
                **{name: getattr(summary, name) if summary else "" for name in SUMMARY_FIELDS},
            }
        )

    quota = case_quota_for(campaign=campaign, authority=authority)
    return render(
        request,
        "reports/summary_edit.html",
        {
            "campaign": campaign,
            "authority": authority,
            "summary": summary,
            "form": form,
            "fields": [(form[name], label) for name, label in SUMMARY_FIELDS.items()],
            "editable": editable,
            "writer": writer,
            "deadline_open": deadline_open,
            "general_errors": general_errors,
            "current": current,
            "problems": summary_problems(summary),
            "quota": quota,
            "text_max": SUMMARY_TEXT_MAX,
        },
    )


# --- excellent cases ---------------------------------------------------------------------------


def _case_writable(user: User, campaign: Campaign, authority: Authority) -> bool:
    if not can_write_authority_material(user, authority) or campaign.status != Campaign.Status.OPEN:
        return False
    return not ProvincialSummary.objects.filter(
        campaign=campaign, authority=authority, status=ProvincialSummary.Status.SUBMITTED
    ).exists()


@login_required
def case_list(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    user: User = request.user
    campaign, authority = access_authority_material(user, campaign_pk=campaign_pk, authority_pk=authority_pk)
    cases = list(
        visible_cases(user)
        .filter(campaign=campaign, authority=authority)
        .select_related("base", "updated_by")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "reports/case_list.html",
        {
            "campaign": campaign,
            "authority": authority,
            "cases": cases,
            "quota": case_quota_for(campaign=campaign, authority=authority),
            "may_split": can_oversee(user),
            "writable": _case_writable(user, campaign, authority),
        },
    )


def _case_form_context(
    *,
    campaign: Campaign,
    authority: Authority,
    form: CaseForm,
    practices: list[dict[str, str]],
    errors: dict[str, str],
    general_errors: list[str],
    case: CaseRecommendation | None = None,
    current: CaseRecommendation | None = None,
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "authority": authority,
        "case": case,
        "form": form,
        "practices": {
            "key": "practices",
            "noun": "做法",
            "items": _padded(_items_with_errors(practices, "practices", errors)),
            "error": errors.get("practices", ""),
        },
        "general_errors": general_errors,
        "current": current,
        "quota": case_quota_for(campaign=campaign, authority=authority),
        "guide": CASE_GUIDE,
        "limits": {
            "title_max": CASE_TITLE_MAX,
            "background_max": CASE_BACKGROUND_MAX,
            "lead_max": LEAD_MAX,
            "content_max": CASE_PRACTICE_CONTENT_MAX,
            "results_max": CASE_RESULTS_MAX,
            "items_min": ITEMS_MIN,
            "items_max": ITEMS_MAX,
        },
    }


def _apply_case_errors(form: CaseForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if name in form.fields:
            form.add_error(name, message)


def _case_values(form: CaseForm, practices: list[dict[str, str]]) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data.get("title") or "",
        "background": data.get("background") or "",
        "practices": practices,
        "results": data.get("results") or "",
        "aspects": _aspects(data),
    }


def _aspects(data: dict[str, Any]) -> list[str]:
    """The chosen aspects, with “其他” stored as "other:<名称>" (the notice says 等方面)."""
    other = (data.get("aspect_other") or "").strip()
    return [
        f"{OTHER_PREFIX}{other}" if code == CaseAspect.OTHER else code for code in data.get("aspects") or []
    ]


@login_required
def case_create_view(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    user: User = request.user
    campaign, authority = access_authority_material(user, campaign_pk=campaign_pk, authority_pk=authority_pk)
    if not can_write_authority_material(user, authority):
        raise PermissionDenied("只有本省级主管部门的审核员可以推荐优秀案例。")
    bases = (
        campaign.bases.filter(authority=authority).exclude(cases__campaign=campaign).order_by("batch", "name")
    )
    refusal = case_create_refusal(campaign=campaign, authority=authority, available_bases=bases.count())
    if refusal and request.method != "POST":
        return render(
            request,
            "reports/case_refused.html",
            {
                "campaign": campaign,
                "authority": authority,
                "refusal": refusal,
                "quota": case_quota_for(campaign=campaign, authority=authority),
            },
        )
    errors: dict[str, str] = {}
    general_errors: list[str] = []
    practices: list[dict[str, str]] = []
    if request.method == "POST":
        form = CaseForm(request.POST, bases=bases)
        practices = items_from_post(request.POST, "practices")
        if form.is_valid():
            try:
                case = case_create(
                    campaign=campaign,
                    authority=authority,
                    base=form.cleaned_data["base"],
                    user=user,
                    **_case_values(form, practices),
                )
            except ValidationError as exc:
                errors, general_errors = _split_errors(exc)
                _apply_case_errors(form, errors)
            else:
                messages.success(request, f"已推荐优秀案例“{case.title}”。")
                return redirect("reports:case_list", campaign_pk=campaign.pk, authority_pk=authority.pk)
        else:
            general_errors = ["未能保存，请修改下方标出的内容，已输入的文字均已保留。"]
    else:
        form = CaseForm(bases=bases)
    return render(
        request,
        "reports/case_form.html",
        _case_form_context(
            campaign=campaign,
            authority=authority,
            form=form,
            practices=practices,
            errors=errors,
            general_errors=general_errors,
        ),
    )


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    return render(
        request,
        "reports/case_detail.html",
        {
            "case": case,
            "writable": _case_writable(request.user, case.campaign, case.authority),
        },
    )


@login_required
def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    case = access_case(user, pk)
    if not can_write_authority_material(user, case.authority):
        raise PermissionDenied("只有本省级主管部门的审核员可以修改优秀案例。")
    errors: dict[str, str] = {}
    general_errors: list[str] = []
    current: CaseRecommendation | None = None
    if request.method == "POST":
        form = CaseForm(request.POST)
        practices = items_from_post(request.POST, "practices")
        if form.is_valid():
            try:
                case = case_update(
                    case=case,
                    user=user,
                    revision=form.cleaned_data.get("revision") or 0,
                    **_case_values(form, practices),
                )
            except StaleRevisionError as exc:
                current = exc.current
                general_errors = _error_messages(exc)
                data = request.POST.copy()
                data["revision"] = str(current.revision)
                form = CaseForm(data)
                form.is_valid()
            except ValidationError as exc:
                errors, general_errors = _split_errors(exc)
                _apply_case_errors(form, errors)
            else:
                messages.success(request, f"已保存优秀案例“{case.title}”。")
                return redirect("reports:case_detail", pk=case.pk)
        else:
            general_errors = ["未能保存，请修改下方标出的内容，已输入的文字均已保留。"]
    else:
        form = CaseForm(
            initial={
                "title": case.title,
                "background": case.background,
                "results": case.results,
                "aspects": [CaseAspect.OTHER if a.startswith(OTHER_PREFIX) else a for a in case.aspects],
                "aspect_other": next(
                    (a.removeprefix(OTHER_PREFIX) for a in case.aspects if a.startswith(OTHER_PREFIX)), ""
                ),
                "revision": case.revision,
            }
        )
        practices = list(case.practices)
    return render(
        request,
        "reports/case_form.html",
        _case_form_context(
            campaign=case.campaign,
            authority=case.authority,
            form=form,
            practices=practices,
            errors=errors,
            general_errors=general_errors,
            case=case,
            current=current,
        ),
    )


@login_required
def case_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    case = access_case(user, pk)
    if not can_write_authority_material(user, case.authority):
        raise PermissionDenied("只有本省级主管部门的审核员可以撤回优秀案例。")
    if request.method == "POST":
        try:
            case_delete(case=case, user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(_error_messages(exc)))
            return redirect("reports:case_detail", pk=case.pk)
        messages.success(request, f"已撤回优秀案例“{case.title}”。")
        return redirect("reports:case_list", campaign_pk=case.campaign_id, authority_pk=case.authority_id)
    return render(request, "reports/case_confirm_delete.html", {"case": case})


@login_required
def case_national(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    """The ministry reads every recommended case, filtered by authority and aspect."""
    user: User = request.user
    if can_review_own_authority(user):
        return redirect("reports:case_list", campaign_pk=campaign_pk, authority_pk=user.authority_id)
    if not can_oversee(user):
        raise PermissionDenied("仅部级管理员可以查看全国优秀案例。")
    campaign = access_material_campaign(user, campaign_pk)
    cases = (
        visible_cases(user)
        .filter(campaign=campaign)
        .select_related("authority", "base")
        .order_by("authority__sort_order", "authority__code", "created_at", "pk")
    )
    with_cases = visible_authority_material(user).filter(cases__campaign=campaign).distinct()
    form = CaseFilterForm(request.GET or None, authorities=with_cases.order_by("sort_order", "code"))
    if form.is_valid():
        if form.cleaned_data.get("authority"):
            cases = cases.filter(authority=form.cleaned_data["authority"])
        if aspect := form.cleaned_data.get("aspect"):
            # Aspects are stored as a JSON list of codes; a quoted code matches one element exactly.
            cases = cases.filter(aspects__icontains=f'"{aspect}"')
    shown = list(cases)
    aspect_counts = [
        (label, sum(1 for c in shown if code in c.aspects)) for code, label in CaseAspect.choices
    ]
    return render(
        request,
        "reports/case_national.html",
        {
            "campaign": campaign,
            "cases": shown,
            "form": form,
            "aspect_counts": aspect_counts,
            "authority_count": len({c.authority_id for c in shown}),
            "list_url": reverse("reports:case_national", kwargs={"campaign_pk": campaign.pk}),
        },
    )


@login_required
@require_POST
def quota_split(request: AuthenticatedHttpRequest, campaign_pk: int, authority_pk: int) -> HttpResponse:
    """The ministry sets how many of the province's cases one of its authorities may recommend."""
    user: User = request.user
    campaign, authority = access_authority_material(user, campaign_pk=campaign_pk, authority_pk=authority_pk)
    text = (request.POST.get("quota") or "").strip()
    try:
        quota = None if text == "" else int(text)
    except ValueError:
        messages.error(request, "分配数量请填写整数，留空表示与本省其他单位共享配额。")
    else:
        try:
            case_quota_split_set(campaign=campaign, authority=authority, user=user, quota=quota)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(
                request, " ".join(_error_messages(exc)) if isinstance(exc, ValidationError) else str(exc)
            )
        else:
            shown = "与本省其他单位共享" if quota is None else f"{quota} 个"
            messages.success(request, f"已将{authority.name}的优秀案例配额设为{shown}。")
    back = request.POST.get("back") or ""
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("reports:case_list", campaign_pk=campaign.pk, authority_pk=authority.pk)
