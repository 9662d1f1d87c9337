"""What a user may see: the `visible_*` querysets and the `access_*` lookups.

Every page, export and API call fetches protected objects through the `visible_*` querysets or the
`access_*` helpers below. An object outside a user's scope is reported as not found (404), never as
forbidden, so an id changed in a URL reveals nothing about what exists. What a user may *do* with
an object it sees is decided in `permissions.checks`.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from api.models import ApiToken
from evaluation.models import Rating
from exchange.models import Evidence, Printout, SealedScan
from jobs.models import Job
from registry.models import Authority, Base, Campaign, ReopenRequest
from reports.models import CaseRecommendation, ProvincialSummary
from review.models import Notification, Reminder, Snapshot
from submissions.models import DEFINITION_CONTENT, Submission, WarningExplanation

M = TypeVar("M", bound=Model)


def _one(qs: QuerySet[M], what: str, **lookup: object) -> M:
    """The single object of `qs` matching `lookup`, or a 404 that does not tell "absent" from "not yours"."""
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"未找到该{what}，或您无权查看。") from None


def visible_bases(user: User) -> QuerySet[Base]:
    """The bases whose registry entry and material the user may read."""
    qs = Base.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER:
            return qs.filter(authority_id=user.authority_id) if user.authority_id else qs.none()
        case Role.BASE_FILLER:
            return qs.filter(pk=user.base_id) if user.base_id else qs.none()
        case Role.EXPERT:
            return qs.filter(assigned_experts=user)
        case _:
            return qs.none()


def visible_authorities(user: User) -> QuerySet[Authority]:
    qs = Authority.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER:
            return qs.filter(pk=user.authority_id) if user.authority_id else qs.none()
        case Role.BASE_FILLER:
            return qs.filter(bases__pk=user.base_id) if user.base_id else qs.none()
        case _:
            return qs.none()


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns as the API lists them: the ministry every one, drafts included; the roles that read
    the registry the campaigns that were opened."""
    qs = Campaign.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER | Role.BASE_FILLER | Role.EXPERT:
            return qs.exclude(status=Campaign.Status.DRAFT)
        case _:
            return qs.none()


def access_base(user: User, pk: int | str) -> Base:
    return _one(visible_bases(user).select_related("authority", "category"), "示范基地", pk=pk)


def access_authority(user: User, pk: int | str) -> Authority:
    return _one(visible_authorities(user), "省级主管部门", pk=pk)


# --- submissions -------------------------------------------------------------------------------


def visible_submissions(user: User) -> QuerySet[Submission]:
    """A base's material is visible to whoever may see the base. Experts' access follows assignment."""
    return Submission.objects.filter(base__in=visible_bases(user))


def access_submission(user: User, pk: int | str, *, with_definitions: bool = False) -> Submission:
    """The material, with its campaign and base; `with_definitions` also its forms' definitions, in
    the same query, for a page that reads them (submission.definitions()) anyway. Without their
    content: a definition is parsed once per process and content (Definition.parsed), so decoding
    its JSON on every page was spent for nothing; a process that has not parsed it yet reads it then."""
    related = ["campaign", "base__category", "base__authority"]
    if with_definitions:
        related += ["summary_definition", "annex_definition"]
        return _one(
            visible_submissions(user).select_related(*related).defer(*DEFINITION_CONTENT), "填报材料", pk=pk
        )
    return _one(visible_submissions(user).select_related(*related), "填报材料", pk=pk)


# --- reports: provincial summaries and excellent cases ----------------------------------------
# A base's development report hangs off its Submission and follows `access_submission`/`can_fill`.


def visible_authority_material(user: User) -> QuerySet[Authority]:
    """Authorities whose provincial summary and recommended cases the user may read: the ministry
    reads every authority's, a reviewer only their own. Bases and experts read none."""
    qs = Authority.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER:
            return qs.filter(pk=user.authority_id) if user.authority_id else qs.none()
        case _:
            return qs.none()


def access_material_campaign(user: User, pk: int | str) -> Campaign:
    """A campaign, for someone who reads provincial material at all (the ministry, a reviewer)."""
    if user.role not in (Role.MINISTRY_ADMIN, Role.AUTHORITY_REVIEWER) or not user.is_active:
        raise Http404("未找到该年度评价，或您无权查看。")
    return _one(Campaign.objects.all(), "年度评价", pk=pk)


def access_authority_material(
    user: User, *, campaign_pk: int | str, authority_pk: int | str
) -> tuple[Campaign, Authority]:
    """The campaign and the authority whose summary or cases are asked for, or 404."""
    authority = _one(visible_authority_material(user), "省级材料", pk=authority_pk)
    return access_material_campaign(user, campaign_pk), authority


def visible_provincial_summaries(user: User) -> QuerySet[ProvincialSummary]:
    return ProvincialSummary.objects.filter(authority__in=visible_authority_material(user))


def visible_cases(user: User) -> QuerySet[CaseRecommendation]:
    return CaseRecommendation.objects.filter(authority__in=visible_authority_material(user))


def access_case(user: User, pk: int | str) -> CaseRecommendation:
    return _one(
        visible_cases(user).select_related("campaign", "authority", "base", "created_by", "updated_by"),
        "优秀案例",
        pk=pk,
    )


# --- sealed scans (exchange) -------------------------------------------------------------------


def visible_sealed_scans(user: User) -> QuerySet[SealedScan]:
    """A sealed scan is visible to whoever may see its submission."""
    return SealedScan.objects.filter(submission__in=visible_submissions(user))


def access_sealed_scan(user: User, submission_pk: int | str, pk: int | str) -> SealedScan:
    return _one(
        visible_sealed_scans(user).select_related("submission__base"),
        "扫描件",
        pk=pk,
        submission_id=submission_pk,
    )


def visible_printouts(user: User) -> QuerySet[Printout]:
    """A printout is visible to whoever may see its submission (a page shows only its progress)."""
    return Printout.objects.filter(submission__in=visible_submissions(user))


def access_printout(user: User, submission_pk: int | str, pk: int | str) -> Printout:
    return _one(
        visible_printouts(user).select_related("job", "submission__base"),
        "打印件",
        pk=pk,
        submission_id=submission_pk,
    )


def visible_evidence(user: User) -> QuerySet[Evidence]:
    """Supporting documents (附表6 证明材料) are seen by whoever may see their submission."""
    return Evidence.objects.filter(submission__in=visible_submissions(user), removed_at__isnull=True)


def access_evidence(user: User, submission_pk: int | str, pk: int | str) -> Evidence:
    return _one(
        visible_evidence(user).select_related("submission__base"),
        "证明材料",
        pk=pk,
        submission_id=submission_pk,
    )


# --- review: reopening requests, warning explanations, in-system messages ------------------------


def visible_reopen_requests(user: User) -> QuerySet[ReopenRequest]:
    """A base's request is seen by whoever sees the base; an authority's own request (base empty)
    by its reviewers and the ministry."""
    qs = ReopenRequest.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER:
            return qs.filter(authority_id=user.authority_id) if user.authority_id else qs.none()
        case Role.BASE_FILLER:
            return qs.filter(base_id=user.base_id) if user.base_id else qs.none()
        case _:
            return qs.none()


def access_reopen_request(user: User, pk: int | str) -> ReopenRequest:
    return _one(
        visible_reopen_requests(user).select_related("campaign", "authority", "base", "requested_by"),
        "补报申请",
        pk=pk,
    )


def visible_explanations(user: User) -> QuerySet[WarningExplanation]:
    return WarningExplanation.objects.filter(submission__in=visible_submissions(user))


def access_explanation(user: User, pk: int | str) -> WarningExplanation:
    return _one(
        visible_explanations(user).select_related("submission__base__authority", "submission__campaign"),
        "预警说明",
        pk=pk,
    )


def visible_notifications(user: User) -> QuerySet[Notification]:
    """Messages are private: everyone reads only their own."""
    if not user.is_authenticated or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def access_notification(user: User, pk: int | str) -> Notification:
    return _one(visible_notifications(user), "消息", pk=pk)


# --- ministry oversight: national progress, snapshots, reminders (催报) ------------------------


def visible_snapshots(user: User) -> QuerySet[Snapshot]:
    """An accepted snapshot is seen by whoever may see its material."""
    return Snapshot.objects.filter(submission__in=visible_submissions(user))


def access_snapshot(user: User, pk: int | str) -> Snapshot:
    return _one(
        visible_snapshots(user).select_related("submission__base", "submission__campaign", "accepted_by"),
        "受理快照",
        pk=pk,
    )


def reminder_authorities(user: User) -> QuerySet[Authority]:
    """Whose bases the user may remind: the same scope as provincial material (the ministry any
    authority's, a reviewer only their own)."""
    return visible_authority_material(user)


def visible_reminders(user: User) -> QuerySet[Reminder]:
    """The ministry reads every reminder; a reviewer those about its authority or its bases."""
    qs = Reminder.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER if user.authority_id:
            return qs.filter(Q(authority_id=user.authority_id) | Q(base__authority_id=user.authority_id))
        case _:
            return qs.none()


# --- background jobs -----------------------------------------------------------------------------


def visible_jobs(user: User) -> QuerySet[Job]:
    """A background job (its progress, outcome and result file) is seen only by who started it: the
    result was built within that user's scope when it ran."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(created_by=user)


def access_job(user: User, pk: int | str) -> Job:
    return _one(visible_jobs(user), "后台任务", pk=pk)


# --- evaluation: scores, data-quality flags, expert review, ratings --------------------------------


def access_evaluation_campaign(user: User, pk: int | str) -> Campaign:
    """A campaign whose evaluation the user manages (the ministry), or 404."""
    if not (user.is_authenticated and user.is_active and user.role == Role.MINISTRY_ADMIN):
        raise Http404("未找到该年度评价，或您无权查看。")
    return _one(Campaign.objects.all(), "年度评价", pk=pk)


def access_expert_campaign(user: User, pk: int | str) -> Campaign:
    """A campaign for an expert entering review scores, or 404."""
    if not (user.is_authenticated and user.is_active and user.role == Role.EXPERT):
        raise Http404("未找到该年度评价，或您无权查看。")
    return _one(Campaign.objects.all(), "年度评价", pk=pk)


def expert_roster() -> QuerySet[User]:
    """The active experts the ministry may assign to bases."""
    return User.objects.filter(role=Role.EXPERT, is_active=True)


def visible_published_ratings(user: User) -> QuerySet[Rating]:
    """Ratings whose publication date has come, of the bases the user may see: a base its own, an
    authority its bases', the ministry all. Experts and the three operators see none here."""
    if not (
        user.is_authenticated
        and user.is_active
        and user.role in (Role.BASE_FILLER, Role.AUTHORITY_REVIEWER, Role.MINISTRY_ADMIN)
    ):
        return Rating.objects.none()
    return Rating.objects.filter(
        campaign__rating_publication__publish_on__lte=timezone.localdate(), base__in=visible_bases(user)
    )


def access_published_rating(user: User, pk: int | str) -> Rating:
    return _one(
        visible_published_ratings(user).select_related(
            "campaign", "base__authority", "base__category", "score", "run"
        ),
        "星级评定",
        pk=pk,
    )


# --- API tokens ------------------------------------------------------------------------------------


def visible_api_tokens(user: User) -> QuerySet[ApiToken]:
    """Everyone sees their own tokens; the security administrator sees everyone's."""
    qs = ApiToken.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.SECURITY_ADMIN:
        return qs
    return qs.filter(user=user)


def access_api_token(user: User, pk: int | str) -> ApiToken:
    return _one(visible_api_tokens(user).select_related("user"), "接口令牌", pk=pk)
