"""The review pages: the base's 提交 page, the authority's review list and review detail, reopening
requests, and the in-system inbox.

Views stay thin: the access helper fetches the object (404 outside the user's scope), a form checks
the input, a review.services function changes the state and checks the role again; its
ValidationError/PermissionDenied become a message on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from exchange.services import evidence_fields, evidence_missing
from lib.deadlines import countdown, deadline_open
from permissions.access import (
    access_explanation,
    access_notification,
    access_reopen_request,
    access_submission,
    visible_bases,
    visible_notifications,
    visible_reopen_requests,
)
from permissions.checks import (
    can_fill,
    can_fill_own_base,
    can_read_provincial_material,
    can_request_reopen,
    can_review_own_authority,
    is_authority_reviewer,
)
from registry.campaigns import base_window_open
from registry.models import ReopenRequest
from review.forms import (
    ApproveForm,
    ExplanationDecisionForm,
    ReopenDecisionForm,
    ReopenRequestForm,
    ReturnForm,
)
from review.models import Transition
from review.notifications import base_fillers_reach
from review.queries import (
    STATE_CHOICES,
    FieldIndex,
    blocker_items,
    comment_refs,
    current_campaign,
    explanation_views,
    grouped_changes,
    review_rows,
    state_counts,
    timeline,
)
from review.services import (
    changes_since_return,
    explanation_decide,
    last_return,
    notification_read,
    notifications_read_all,
    reopen_authority_decide,
    reopen_request,
    review_approve,
    review_return,
    submission_submit,
    transition_actions,
)
from review.transitions import Need
from submissions.models import Submission

S = Submission.Status
OPEN_REOPEN = (ReopenRequest.Status.PENDING_AUTHORITY, ReopenRequest.Status.PENDING_MINISTRY)


def _messages(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(exc) or "您无权进行此操作。")


def _return_context(submission: Submission, index: FieldIndex) -> dict[str, Any]:
    """The last return, its comments and its field comments (with links to the fields)."""
    ret = last_return(submission)
    if ret is None:
        return {"last_return": None, "return_comments": []}
    return {"last_return": ret, "return_comments": comment_refs(index, ret.field_comments.all())}


# --- the base: 提交 -------------------------------------------------------------------------------


@login_required
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    user: User = request.user
    if not can_fill_own_base(user):
        if can_read_provincial_material(user):
            return redirect("review:detail", pk=submission.pk)
        raise PermissionDenied("只有示范基地填报员可以提交材料。")
    if request.method == "POST":
        try:
            submission_submit(submission=submission, user=user, seen=request.POST.get("seen"))
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(request, "材料已提交，等待省级主管部门初审。提交后材料不能再修改。")
        return redirect("review:submit", pk=submission.pk)

    now = timezone.now()
    index = FieldIndex(submission)
    editable = can_fill(user, submission)
    window_open = base_window_open(campaign=submission.campaign, base=submission.base, now=now)
    # The button follows the transition table: offered to the own filler of a draft or returned
    # material, blocked by a closed window (a returned one may always be resubmitted) or by blockers.
    submit_action = transition_actions(user, submission)[Transition.Action.SUBMIT]
    may_submit_now = submit_action.offered and not submit_action.fails(Need.WINDOW)
    blockers = blocker_items(submission, index) if editable else []
    requests = list(
        visible_reopen_requests(user)
        .filter(campaign=submission.campaign, base=submission.base)
        .select_related("requested_by")
    )
    may_request = (
        submission.status == S.DRAFT
        and not window_open
        and not any(r.status in OPEN_REOPEN for r in requests)
    )
    granted = next(
        (
            r
            for r in requests
            if r.status == ReopenRequest.Status.GRANTED
            and r.window_until
            and deadline_open(r.window_until, now)
        ),
        None,
    )
    return render(
        request,
        "review/submit.html",
        {
            "submission": submission,
            "deadline": countdown(submission.campaign.base_deadline, now),
            "window_open": window_open,
            "granted": granted,
            "editable": editable,
            "blockers": blockers,
            "can_submit": submit_action.allowed,
            "submit_action": submit_action,
            "may_submit_now": may_submit_now,
            "timeline": timeline(submission),
            "requests": requests,
            "may_request": may_request,
            "reopen_form": ReopenRequestForm(),
            "evidence_missing": evidence_missing(submission),
            "unchanged_since_return": submission.status == S.RETURNED
            and not changes_since_return(submission),
            **_return_context(submission, index),
        },
    )


@login_required
@require_POST
def reopen_request_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    if not can_request_reopen(request.user, submission):
        raise PermissionDenied("只有示范基地填报员可以为本基地申请补报。")
    form = ReopenRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写补报理由（不超过2000字）。")
        return redirect("review:submit", pk=submission.pk)
    try:
        reopen_request(campaign=submission.campaign, user=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        _messages(request, exc)
    else:
        messages.success(request, "补报申请已提交，待省级主管部门审核后报规划司审批。")
    return redirect("review:submit", pk=submission.pk)


# --- the authority: review list and detail ---------------------------------------------------------


def _require_reviewer_role(user: User) -> None:
    if not can_review_own_authority(user):
        raise PermissionDenied("只有省级主管部门审核员可以使用初审页面。")


@login_required
def authority_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    _require_reviewer_role(user)
    campaign = current_campaign()
    rows = review_rows(campaign=campaign, bases=visible_bases(user)) if campaign else []
    counts = state_counts(rows)
    state = request.GET.get("state", "")
    if state not in {value for value, _ in STATE_CHOICES}:
        state = ""
    shown = [r for r in rows if r.state == state] if state else rows
    reopen = list(
        visible_reopen_requests(user)
        .filter(base__isnull=False)
        .select_related("base", "campaign", "requested_by")
        .order_by("status", "-requested_at")[:50]
    )
    return render(
        request,
        "review/authority_list.html",
        {
            "campaign": campaign,
            "rows": shown,
            "total": len(rows),
            "state": state,
            "states": [
                (value, label, counts.get(value, 0) if value else len(rows)) for value, label in STATE_CHOICES
            ],
            "counts": counts,
            "deadline": countdown(campaign.base_deadline, timezone.now()) if campaign else None,
            "reopen_requests": reopen,
            "pending_reopen": sum(1 for r in reopen if r.status == ReopenRequest.Status.PENDING_AUTHORITY),
        },
    )


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    submission = access_submission(request.user, pk)
    user: User = request.user
    if can_fill_own_base(user):
        return redirect("review:submit", pk=submission.pk)
    if not can_read_provincial_material(user):
        raise PermissionDenied("您无权查看初审页面。")
    index = FieldIndex(submission)
    reviewer = is_authority_reviewer(user, submission)
    return_form = ReturnForm(field_choices=index.choices())
    approve_form = ApproveForm()
    if request.method == "POST":
        if not reviewer:
            raise PermissionDenied("只有该示范基地所属省级主管部门的审核员可以进行初审。")
        action = request.POST.get("action")
        if action == "return":
            return_form = ReturnForm(request.POST, field_choices=index.choices())
            if return_form.is_valid():
                try:
                    review_return(
                        submission=submission,
                        user=user,
                        comment=return_form.cleaned_data["comment"],
                        field_notes=return_form.notes,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    _messages(request, exc)
                else:
                    messages.success(request, f"已退回{submission.base.name}的材料，已通知填报员修改。")
                    return redirect("review:detail", pk=submission.pk)
        elif action == "approve":
            approve_form = ApproveForm(request.POST)
            if approve_form.is_valid():
                try:
                    review_approve(
                        submission=submission, user=user, comment=approve_form.cleaned_data["comment"]
                    )
                except (ValidationError, PermissionDenied) as exc:
                    _messages(request, exc)
                else:
                    messages.success(request, f"{submission.base.name}的材料初审通过，已报送规划司。")
                    return redirect("review:detail", pk=submission.pk)
        else:
            messages.error(request, "未知的操作。")
        submission.refresh_from_db(fields=["status", "status_changed_at"])

    explanations = explanation_views(submission, index)
    live = [v for v in explanations if v.live]
    ret_context = _return_context(submission, index)
    changes = []
    if ret_context["last_return"] is not None and submission.status != S.RETURNED:
        changes = grouped_changes(changes_since_return(submission), index)
    actions = transition_actions(user, submission)
    # Deciding explanations belongs to the same hands and moment as returning or approving.
    acting = actions[Transition.Action.RETURN].offered or actions[Transition.Action.APPROVE].offered
    reopen = list(visible_reopen_requests(user).filter(campaign=submission.campaign, base=submission.base))
    return render(
        request,
        "review/detail.html",
        {
            "submission": submission,
            "evidence_slots": bool(evidence_fields(submission)),
            "evidence_missing": evidence_missing(submission),
            "deadline": countdown(submission.campaign.base_deadline, timezone.now()),
            "timeline": timeline(submission),
            "explanations": explanations,
            "live_count": len(live),
            "undecided": sum(1 for v in live if v.explanation.verdict != "accepted"),
            "changes": changes,
            "acting": acting,
            "return_action": actions[Transition.Action.RETURN],
            "approve_action": actions[Transition.Action.APPROVE],
            # The ministry decides on its own page (review:ministry_detail); this one links to it.
            "ministry_acting": actions[Transition.Action.ACCEPT].offered
            or actions[Transition.Action.MINISTRY_RETURN].offered,
            "reviewer": reviewer,
            "return_form": return_form,
            "filler_reach": base_fillers_reach(submission.base),
            "approve_form": approve_form,
            "field_choices": index.choices(),
            "note_rows": return_form.note_rows if return_form.is_bound else [("", "")],
            "blockers": blocker_items(submission, index)
            if submission.status in (S.DRAFT, S.RETURNED)
            else [],
            "reopen_requests": reopen,
            **ret_context,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def explanation_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    explanation = access_explanation(request.user, pk)
    submission = explanation.submission
    form = ExplanationDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
    else:
        try:
            explanation_decide(
                explanation=explanation,
                user=request.user,
                accept=form.yes,
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(
                request, "已认可该预警说明。" if form.yes else "已记录不认可意见，请退回材料修改。"
            )
    return HttpResponseRedirect(reverse("review:detail", args=[submission.pk]) + f"#expl-{explanation.pk}")


@login_required
@require_POST
def reopen_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    req = access_reopen_request(request.user, pk)
    form = ReopenDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
    else:
        try:
            reopen_authority_decide(
                request=req, user=request.user, support=form.yes, comment=form.cleaned_data["comment"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            messages.success(
                request,
                f"已支持{req.base}的补报申请，已报规划司审批。"
                if form.yes
                else f"已不支持{req.base}的补报申请。",
            )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("review:authority_list") + "#reopen"
    return HttpResponseRedirect(target)


# --- in-system messages ----------------------------------------------------------------------------


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = visible_notifications(request.user)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "review/inbox.html",
        {"page": page, "unread": notifications.filter(read_at__isnull=True).count()},
    )


@login_required
def inbox_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open a message: mark it read and follow its link when it points inside the system."""
    notification = access_notification(request.user, pk)
    notification_read(notification=notification, user=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(link)
    return redirect("review:inbox")


@login_required
@require_POST
def inbox_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    n = notifications_read_all(user=request.user)
    messages.success(request, f"已将 {n} 条消息标为已读。" if n else "没有未读消息。")
    return redirect("review:inbox")
