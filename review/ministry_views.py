"""The ministry's pages: national progress and its drill-down to one authority, acceptance or return of
forwarded material (with its signed-off snapshots), reopening decisions and 催报; and the authority
reviewer's own small 催报 page.

Every ministry page refuses other roles with 403 before touching an object; objects come through the
access helpers (404 outside the user's scope). State changes go through review.services and
review.reminders, whose ValidationError/PermissionDenied become messages on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from audit.services import event_record
from lib.deadlines import SHANGHAI, countdown, day_label, deadline_open
from lib.text import MaxCharsValidator
from permissions.access import (
    access_authority,
    access_reopen_request,
    access_snapshot,
    access_submission,
    reminder_authorities,
    visible_reminders,
    visible_reopen_requests,
)
from permissions.checks import can_oversee, can_review_own_authority
from registry.models import Authority, ReopenRequest
from review.forms import COMMENT_MAX, ReturnForm
from review.models import Reminder, Snapshot, Transition
from review.notifications import base_fillers_reach
from review.queries import FieldIndex, comment_refs, current_campaign, explanation_views, timeline
from review.reminders import (
    StateCounts,
    base_progress,
    min_interval,
    national_progress,
    reminder_audience,
    reminder_send,
)
from review.services import (
    _digest,
    last_return,
    ministry_accept,
    ministry_return,
    reopen_ministry_decide,
    transition_actions,
)
from submissions.models import Submission

S = Submission.Status


def _require_ministry(user: User) -> None:
    if not can_oversee(user):
        raise PermissionDenied("只有部级管理员可以使用该页面。")


def _messages(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, str(text))
    else:
        messages.error(request, str(exc) or "您无权进行此操作。")


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, str(text))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- forms -----------------------------------------------------------------------------------------


class ReminderForm(forms.Form):
    targets = forms.ChoiceField(
        label="催报对象",
        choices=[("bases", "未提交材料的示范基地（填报员）"), ("authorities", "省级主管部门（审核员）")],
        initial="bases",
        widget=forms.RadioSelect,
    )
    # The scope is chosen, never assumed: "" asks the sender to choose, "all" is 全国 (for those who
    # may remind nationally), otherwise one authority's pk.
    authority = forms.ChoiceField(
        label="范围", error_messages={"required": "请选择催报范围（全国或某一省级主管部门）。"}
    )
    note = forms.CharField(
        label="附言（可选）",
        required=False,
        validators=[MaxCharsValidator(500)],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the authorities the user may remind can be chosen: another one is "not a valid choice".
        self._authorities = {str(a.pk): a for a in reminder_authorities(user).order_by("sort_order", "code")}
        choices = [("", "请选择范围")]
        if can_oversee(user):
            choices.append(("all", "全国"))
        choices += [(pk, a.name) for pk, a in self._authorities.items()]
        cast(forms.ChoiceField, self.fields["authority"]).choices = choices

    def clean_authority(self) -> Authority | None:
        value = self.cleaned_data["authority"]
        return None if value == "all" else self._authorities[value]


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label="受理意见（可选）", required=False, validators=[MaxCharsValidator(COMMENT_MAX)]
    )


class MinistryReturnForm(ReturnForm):
    """The ministry's return always states why: its comment is required, field comments optional."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("comment") or "").strip():
            self.add_error("comment", "退回时请填写退回意见。")
        return data


class ReopenGrantForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", "批准"), ("reject", "不批准")])
    until = forms.DateTimeField(
        label="补报截止时间", required=False, input_formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    comment = forms.CharField(label="审批意见", required=False, validators=[MaxCharsValidator(COMMENT_MAX)])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        until = data.get("until")
        if until is not None:
            # datetime-local carries no zone: it is Beijing time, whatever the server runs in.
            until = timezone.make_aware(until.replace(tzinfo=None), SHANGHAI)
            data["until"] = until
        if data.get("decision") == "grant":
            if until is None and "until" not in self.errors:
                self.add_error("until", "批准补报时请设定补报截止时间。")
            elif until is not None and not deadline_open(until, timezone.now()):
                self.add_error("until", "补报截止日期不能早于今天。")
        elif data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "不批准时请填写理由。")
        return data


# --- national progress and drill-down --------------------------------------------------------------


def _recent_reminders(user: User, **filters: Any) -> list[Reminder]:
    return list(
        visible_reminders(user)
        .filter(**filters)
        .select_related("recipient", "base", "authority", "sent_by", "campaign")
        .order_by("-sent_at", "-id")[:20]
    )


@login_required
@require_GET
def progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    _require_ministry(user)
    campaign = current_campaign()
    context: dict[str, Any] = {"campaign": campaign}
    if campaign is not None:
        context.update(
            progress=national_progress(campaign=campaign),
            reminder_form=ReminderForm(user=user),
            reminder_audience=reminder_audience(campaign=campaign).as_json(),
            pending_reopen=visible_reopen_requests(user)
            .filter(status=ReopenRequest.Status.PENDING_MINISTRY)
            .count(),
            reminders=_recent_reminders(user, campaign=campaign)[:8],
            interval_hours=int(min_interval().total_seconds() // 3600),
        )
    return render(request, "review/ministry_progress.html", context)


@login_required
@require_GET
def authority_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    _require_ministry(user)
    authority = access_authority(user, pk)
    campaign = current_campaign()
    rows = base_progress(campaign=campaign, authority=authority) if campaign else []
    counts = StateCounts(participating=len(rows))
    for row in rows:
        counts.not_started += row.state == "not_started"
        counts.draft += row.state == S.DRAFT
        counts.submitted += row.state == S.SUBMITTED
        counts.returned += row.state == S.RETURNED
        counts.approved += row.state == S.APPROVED
        counts.accepted += row.state == S.ACCEPTED
        counts.late += row.is_late
    if campaign is not None:
        counts.deadline_passed = not deadline_open(campaign.base_deadline, timezone.now())
    return render(
        request,
        "review/ministry_authority.html",
        {
            "campaign": campaign,
            "authority": authority,
            "rows": rows,
            "counts": counts,
            "deadline": countdown(campaign.base_deadline, timezone.now()) if campaign else None,
            "audience": _audience_of(campaign, authority),
        },
    )


# --- reminders -------------------------------------------------------------------------------------


def _audience_of(campaign: Any, authority: Authority) -> dict[str, tuple[int, int, int]]:
    """(people, units, without e-mail) a 催报 of this authority's bases / of its reviewers would reach."""
    none = (0, 0, 0)
    if campaign is None:
        return {"bases": none, "authorities": none}
    audience = reminder_audience(campaign=campaign)
    key = str(authority.pk)
    return {"bases": audience.bases.get(key, none), "authorities": audience.authorities.get(key, none)}


def _send(request: AuthenticatedHttpRequest, form: ReminderForm) -> None:
    campaign = current_campaign()
    if campaign is None:
        messages.error(request, "当前没有年度评价。")
        return
    try:
        result = reminder_send(
            campaign=campaign,
            sender=request.user,
            targets=form.cleaned_data["targets"],
            authority=form.cleaned_data["authority"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _messages(request, exc)
    else:
        (messages.success if result.sent else messages.warning)(request, result.message)


@login_required
@require_POST
def remind(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_ministry(request.user)
    form = ReminderForm(request.POST, user=request.user)
    if form.is_valid():
        _send(request, form)
    else:
        _form_errors(request, form)
    return HttpResponseRedirect(_safe_next(request, reverse("review:ministry_progress")))


@login_required
@require_GET
def reminder_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_ministry(request.user)
    kind = request.GET.get("kind", "")
    qs = visible_reminders(request.user).select_related(
        "recipient", "base", "authority", "sent_by", "campaign"
    )
    if kind in Reminder.Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(qs.order_by("-sent_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "review/reminder_history.html",
        {"page": page, "kind": kind, "kinds": Reminder.Kind.choices},
    )


@login_required
def authority_reminders(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reviewer's 催报 page: its bases that have not submitted, a send button, the history."""
    user: User = request.user
    if not can_review_own_authority(user) or user.authority_id is None:
        raise PermissionDenied("只有省级主管部门审核员可以使用该页面。")
    authority = access_authority(user, user.authority_id)
    campaign = current_campaign()
    if request.method == "POST":
        form = ReminderForm(
            {"targets": "bases", "authority": authority.pk, "note": request.POST.get("note", "")}, user=user
        )
        if form.is_valid():
            _send(request, form)
        else:
            _form_errors(request, form)
        return redirect("review:authority_reminders")
    rows = base_progress(campaign=campaign, authority=authority, only_behind=True) if campaign else []
    return render(
        request,
        "review/reminder_authority.html",
        {
            "campaign": campaign,
            "authority": authority,
            "rows": rows,
            "deadline": countdown(campaign.base_deadline, timezone.now()) if campaign else None,
            "audience": reminder_audience(campaign=campaign).bases.get(str(authority.pk), (0, 0, 0))
            if campaign
            else (0, 0, 0),
            "reminders": _recent_reminders(user, campaign=campaign) if campaign else [],
            "interval_hours": int(min_interval().total_seconds() // 3600),
        },
    )


# --- acceptance and return -------------------------------------------------------------------------


def _snapshots(submission: Submission) -> list[Snapshot]:
    snapshots = list(
        submission.snapshots.select_related("accepted_by", "previous").defer("pdf").order_by("-version")
    )
    for s in snapshots:
        # Recomputed from the stored data: a snapshot altered in the database no longer matches.
        s.intact = _digest(s.data) == s.sha256  # type: ignore[attr-defined]  # read by the template
    return snapshots


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    _require_ministry(user)
    submission = access_submission(user, pk)
    index = FieldIndex(submission)
    accept_form = AcceptForm()
    return_form = MinistryReturnForm(field_choices=index.choices())
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "accept":
            accept_form = AcceptForm(request.POST)
            if accept_form.is_valid():
                try:
                    snapshot = ministry_accept(
                        submission=submission, user=user, comment=accept_form.cleaned_data["comment"]
                    )
                except (ValidationError, PermissionDenied) as exc:
                    _messages(request, exc)
                else:
                    messages.success(
                        request,
                        f"已受理{submission.base.name}的材料，生成受理快照第 {snapshot.version} 版。",
                    )
                    return HttpResponseRedirect(reverse("review:ministry_detail", args=[pk]) + "#snapshots")
        elif action == "return":
            return_form = MinistryReturnForm(request.POST, field_choices=index.choices())
            if return_form.is_valid():
                try:
                    ministry_return(
                        submission=submission,
                        user=user,
                        comment=return_form.cleaned_data["comment"],
                        field_notes=return_form.notes,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    _messages(request, exc)
                else:
                    messages.success(request, f"已退回{submission.base.name}的材料，已通知填报员修改。")
                    return redirect("review:ministry_detail", pk=pk)
        else:
            messages.error(request, "未知的操作。")
        submission.refresh_from_db(fields=["status", "status_changed_at"])

    ret = last_return(submission)
    actions = transition_actions(user, submission)
    return render(
        request,
        "review/ministry_detail.html",
        {
            "submission": submission,
            "deadline": countdown(submission.campaign.base_deadline, timezone.now()),
            "snapshots": _snapshots(submission),
            "timeline": timeline(submission),
            "explanations": explanation_views(submission, index),
            "last_return": ret,
            "return_comments": comment_refs(index, ret.field_comments.all()) if ret else [],
            # The buttons follow the transition table (the ministry's rows).
            "can_accept": actions[Transition.Action.ACCEPT].offered,
            "can_return": actions[Transition.Action.MINISTRY_RETURN].offered,
            "accept_form": accept_form,
            "return_form": return_form,
            "filler_reach": base_fillers_reach(submission.base),
            "field_choices": index.choices(),
            "note_rows": return_form.note_rows if return_form.is_bound else [("", "")],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def snapshot_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_ministry(request.user)
    snapshot = access_snapshot(request.user, pk)
    if not snapshot.pdf:
        messages.error(request, "该受理快照没有保存 PDF。")
        return redirect("review:ministry_detail", pk=snapshot.submission_id)
    submission = snapshot.submission
    filename = f"{submission.base.name}-{submission.campaign.year}年汇总表-受理快照第{snapshot.version}版.pdf"
    event_record(
        actor=request.user,
        action="review.snapshot_download",
        summary=f"{submission.base.name}：下载受理快照第{snapshot.version}版 PDF",
        target=snapshot,
        base=submission.base,
        authority=submission.base.authority,
    )
    response = HttpResponse(bytes(snapshot.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- reopening after a deadline ----------------------------------------------------------------------


@login_required
@require_GET
def reopen_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    _require_ministry(user)
    qs = visible_reopen_requests(user).select_related(
        "campaign", "authority", "base", "requested_by", "authority_by", "ministry_by"
    )
    pending = list(qs.filter(status=ReopenRequest.Status.PENDING_MINISTRY).order_by("requested_at"))
    decided = Paginator(
        qs.filter(status__in=[ReopenRequest.Status.GRANTED, ReopenRequest.Status.REJECTED]).order_by(
            "-ministry_at", "-id"
        ),
        30,
    ).get_page(request.GET.get("page"))
    default_until = timezone.localtime(timezone.now(), SHANGHAI).date() + dt.timedelta(days=7)
    return render(
        request,
        "review/ministry_reopen.html",
        {
            "pending": pending,
            "decided": decided,
            "default_until": default_until.isoformat(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def reopen_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user: User = request.user
    _require_ministry(user)
    req = access_reopen_request(user, pk)
    form = ReopenGrantForm(request.POST)
    who = req.base or req.authority
    if not form.is_valid():
        _form_errors(request, form)
    else:
        grant = form.cleaned_data["decision"] == "grant"
        try:
            decided = reopen_ministry_decide(
                request=req,
                user=user,
                grant=grant,
                until=form.cleaned_data["until"] if grant else None,
                comment=form.cleaned_data["comment"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _messages(request, exc)
        else:
            if grant and decided.window_until is not None:  # a grant always sets the window
                messages.success(request, f"已批准{who}补报，补报截止 {day_label(decided.window_until)}。")
            else:
                messages.success(request, f"已不批准{who}的补报申请。")
    return HttpResponseRedirect(reverse("review:ministry_reopen") + f"#reopen-{req.pk}")
