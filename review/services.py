"""The material's state machine: 草稿 → 已提交 → 已退回 / 初审通过 → 已受理 / 已退回, deadlines and reopening.

Each transition locks the submission, enforces its row of the transition table (review.transitions:
who may make it, from which states, what it needs) through `transition_require`, records a
Transition and an audit event, and notifies the people concerned by itself
(review.notifications: the messages go out once the transaction commits, never while rows are locked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from exchange.pdf import summary_pdf
from exchange.services import data_fingerprint
from lib import authz
from lib.authz import Ask
from lib.deadlines import day_label, deadline_open
from registry.campaigns import authority_window_open, base_window_open
from registry.models import Authority, Base, Campaign, ReopenRequest
from reports.services import REPORT_FORM, REPORT_SECTIONS
from review.models import FieldComment, Notification, Snapshot, Transition
from review.notifications import notify_authority_users, notify_base_users
from review.status import material_status
from review.transitions import BY_NAME, INPUT_NEEDS, TABLE, Action, Availability, Need
from submissions.models import Submission, ValueChange, WarningExplanation
from submissions.services import profile_for
from submissions.validation import field_name

S = Submission.Status


# --- what blocks a submission ----------------------------------------------------------------------


def submission_blockers(submission: Submission) -> list[str]:
    """Everything that keeps the material from being submitted, in Chinese, most important first:
    the material's status (review.status), the same answer its pages show."""
    return material_status(submission).blocker_texts()


# --- transitions -----------------------------------------------------------------------------------


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign", "base__authority", "base__category")
        .get(pk=submission.pk)
    )


def _move(
    submission: Submission, *, action: str, to: str, user: User, comment: str = "", late: bool = False
) -> Transition:
    now = timezone.now()
    t = Transition.objects.create(
        submission=submission, action=action, from_status=submission.status, to_status=to, actor=user, at=now,
        comment=comment, is_late=late,
    )  # fmt: skip
    submission.status = to
    submission.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if action == Transition.Action.SUBMIT:
        submission.submitted_at = now
        submission.is_late = submission.is_late or late
        fields += ["submitted_at", "is_late"]
    submission.save(update_fields=fields)
    _notifications_done(submission, now)
    event_record(
        actor=user,
        action=f"submission.{action}",
        summary=f"{submission.base.name}：{t.get_action_display()}"
        + (f"（{comment[:80]}）" if comment else ""),
        target=submission,
        base=submission.base,
        authority=submission.base.authority,
        data={"from": t.from_status, "to": to, "late": late},
    )
    return t


def _notifications_done(submission: Submission, now: dt.datetime) -> int:
    """Messages about this material that asked someone to act (待初审, 已退回, 催报 …) are read once
    the material moves on: the action they asked for has been taken. The message the move itself
    sends is posted after commit, so it stays unread."""
    links = {
        reverse(name, args=[submission.pk])
        for name in ("review:submit", "review:detail", "review:ministry_detail", "submissions:detail")
    }
    return Notification.objects.filter(link__in=links, read_at__isnull=True, created_at__lte=now).update(
        read_at=now
    )


def _require_reviewer(user: User, submission: Submission) -> None:
    authz.require(
        Ask.AUTHORITY_REVIEWER,
        user,
        submission,
        message="只有该示范基地所属省级主管部门的审核员可以进行初审。",
    )


def _require_ministry(user: User) -> None:
    authz.require(Ask.MINISTRY, user, None, message="只有部级管理员可以进行此操作。")


def _state_refusal(submission: Submission) -> str:
    return f"材料当前状态为“{submission.get_status_display()}”，不能进行此操作。"


def _require_state(submission: Submission, *allowed: str) -> None:
    if submission.status not in allowed:
        raise ValidationError(_state_refusal(submission))


# --- the transition table, enforced ----------------------------------------------------------------
# The table itself is review.transitions.TABLE; here each of its needs is checked, and every
# transition service below starts with `transition_require`. Pages call `transition_actions`.


def transition_blockers(submission: Submission) -> list[str]:
    """What keeps the material from being submitted, as the table's NO_BLOCKERS need reads it: the
    stored status of the material (recomputed first if stale), as every page reads it."""
    return submission_blockers(submission)


def _undecided_explanations(submission: Submission) -> int:
    return sum(1 for e in live_explanations(submission) if e.verdict != WarningExplanation.Verdict.ACCEPTED)


def _unmet(
    need: Need, submission: Submission, *, comment: str | None, field_notes: Sequence[FieldNote]
) -> list[str]:
    """Why `need` is not met for `submission` (empty: met)."""
    match need:
        case Need.WINDOW:
            if submission.status == S.DRAFT and not base_window_open(
                campaign=submission.campaign, base=submission.base
            ):
                return ["报送截止时间已过，不能提交。如需补报，请提交补报申请。"]
        case Need.NO_BLOCKERS:
            return transition_blockers(submission)
        case Need.EXPLANATIONS_ACCEPTED:
            undecided = _undecided_explanations(submission)
            if undecided:
                return [f"还有 {undecided} 条预警说明未认可，请逐条审核；不认可的请退回修改。"]
        case Need.COMMENT_OR_FIELD_NOTE:
            if not (comment or "").strip() and not any(n.text.strip() for n in field_notes):
                return ["退回时请填写退回意见。"]
        case Need.COMMENT:
            if not (comment or "").strip():
                return ["退回时请填写退回意见。"]
    return []


def transition_check(
    action: str,
    *,
    user: User,
    submission: Submission,
    comment: str | None = None,
    field_notes: Sequence[FieldNote] = (),
) -> Availability:
    """Whether `user` may take `action` on `submission` now, and why not.

    The actor first, then the state, then the needs in the table's order; the first unmet need is
    the reason (each presupposes the ones before it: no blockers are computed past a closed window).
    With `comment=None` (a page, before anything is typed) the needs on the form's input are skipped."""
    row = BY_NAME[action]
    actor_ok = authz.allows(row.actor, user, submission)
    state_ok = submission.status in row.sources
    failed: tuple[Need, ...] = ()
    reasons: tuple[str, ...] = ()
    if actor_ok and state_ok:
        for need in row.needs:
            if comment is None and need in INPUT_NEEDS:
                continue
            problems = _unmet(need, submission, comment=comment, field_notes=field_notes)
            if problems:
                failed, reasons = (need,), tuple(problems)
                break
    elif not actor_ok:
        reasons = (row.actor_refusal,)
    else:
        reasons = (_state_refusal(submission),)
    return Availability(action=row, actor_ok=actor_ok, state_ok=state_ok, failed=failed, reasons=reasons)


def transition_require(
    action: str,
    *,
    user: User,
    submission: Submission,
    comment: str = "",
    field_notes: Sequence[FieldNote] = (),
) -> Action:
    """Raise PermissionDenied (not the actor) or ValidationError (state, needs) unless the table
    allows `action` now; return its row. Call it on the locked submission."""
    available = transition_check(
        action, user=user, submission=submission, comment=comment, field_notes=field_notes
    )
    if not available.actor_ok:
        raise PermissionDenied(available.reason)
    if not available.allowed:
        raise ValidationError(list(available.reasons))
    return available.action


def transition_actions(user: User, submission: Submission) -> dict[str, Availability]:
    """Every action of the table for this user and material, by name: a page shows the ones
    `offered`, enabled when `allowed`, with `reason` when not."""
    return {row.name: transition_check(row.name, user=user, submission=submission) for row in TABLE}


@transaction.atomic
def submission_submit(*, submission: Submission, user: User, seen: str | None = None) -> Submission:
    """`seen` is the `state_token` of the page the filler clicked on: a second click, or the same
    request replayed, finds the state moved and is refused without a second transition."""
    submission = _lock(submission)
    if seen is not None and seen != submission.state_token:
        raise ValidationError(
            f"该页面已过期：材料当前状态为“{submission.get_status_display()}”，刚才的操作没有重复执行。"
        )
    # Returned material is always resubmittable (the return itself asked for it); a first submission
    # after the deadline needs a reopening window the ministry granted: the table's WINDOW need.
    row = transition_require(Transition.Action.SUBMIT, user=user, submission=submission)
    # Answering a return is not late: the base submitted once in time and was asked to correct.
    # Only a first submission after the deadline (inside a granted reopening window) is late.
    late = submission.status == S.DRAFT and not deadline_open(
        submission.campaign.base_deadline, timezone.now()
    )
    _move(submission, action=row.name, to=row.target, user=user, late=late)
    _notify_reviewers(
        submission,
        "材料待初审",
        f"{submission.base.name}已{'重新' if submission.transitions.count() > 1 else ''}提交"
        f"{submission.campaign.title}材料，请进行初审。",
    )
    return submission


@dataclass(frozen=True)
class FieldNote:
    form: str
    code: str
    year: int
    text: str


def _field_comments(submission: Submission, transition: Transition, notes: Sequence[FieldNote]) -> None:
    known = {(d.parsed().code, f.code) for d in submission.definitions() for f in d.parsed().fields()}
    known |= {(REPORT_FORM, code) for code in REPORT_SECTIONS}
    rows = []
    for note in notes:
        text = note.text.strip()
        if not text:
            continue
        if (note.form, note.code) not in known:
            raise ValidationError(f"指标 {note.code} 不存在，无法添加意见。")
        rows.append(
            FieldComment(
                transition=transition, submission=submission, form=note.form, code=note.code, year=note.year,
                text=text[:1000],
            )
        )  # fmt: skip
    FieldComment.objects.bulk_create(rows)


def _notify(submission: Submission, subject: str, body: str, link: str = "") -> None:
    notify_base_users(base=submission.base, subject=subject, body=body, submission=submission, link=link)


def _return_body(submission: Submission, *, by: str, comment: str, notes: Sequence[FieldNote]) -> str:
    """The return message: who returned it, the comment, and each field comment under its field's name."""
    profile = profile_for(submission.base)
    fields = {}
    for d in submission.definitions():
        parsed = d.parsed()
        for f in parsed.fields():
            fields[(parsed.code, f.code)] = (parsed, f)
    lines = [f"{submission.base.name}的{submission.campaign.title}材料已被{by}退回，请按意见修改后重新提交。"]
    if comment.strip():
        lines += ["", f"退回意见：{comment.strip()}"]
    notes = [n for n in notes if n.text.strip()]
    if notes:
        lines += ["", f"对 {len(notes)} 个指标的意见："]
        for n in notes:
            parsed, fld = fields.get((n.form, n.code), (None, None))
            if n.form == REPORT_FORM:
                name = f"发展情况报告 · {REPORT_SECTIONS.get(n.code, n.code)}"
            else:
                name = f"{parsed.short_title} · {field_name(fld, profile)}" if parsed and fld else n.code
            year = f"（{n.year}年）" if n.year else ""
            lines.append(f"- {name}{year}：{n.text.strip()}")
    return "\n".join(lines)


def _notify_reviewers(submission: Submission, subject: str, body: str) -> None:
    notify_authority_users(
        authority=submission.base.authority,
        subject=subject,
        body=body,
        link=reverse("review:detail", args=[submission.pk]),
    )


def live_explanations(submission: Submission) -> list[WarningExplanation]:
    """Explanations of warnings the material still raises, for the values they were written for.

    An explanation whose warning went away (the base corrected the value after a return) no longer
    needs a verdict, so it must neither block nor be counted."""
    return material_status(submission).live_explanations


@transaction.atomic
def review_return(
    *, submission: Submission, user: User, comment: str, field_notes: Sequence[FieldNote] = ()
) -> Submission:
    submission = _lock(submission)
    row = transition_require(
        Transition.Action.RETURN, user=user, submission=submission, comment=comment, field_notes=field_notes
    )
    t = _move(submission, action=row.name, to=row.target, user=user, comment=comment.strip())
    _field_comments(submission, t, field_notes)
    _notify(
        submission,
        "材料已被退回",
        _return_body(submission, by=submission.base.authority.name, comment=comment, notes=field_notes),
        link=reverse("submissions:detail", args=[submission.pk]),
    )
    return submission


@transaction.atomic
def explanation_decide(
    *, explanation: WarningExplanation, user: User, accept: bool, comment: str = ""
) -> None:
    explanation = (
        WarningExplanation.objects.select_for_update(of=("self",))
        .select_related("submission__base")
        .get(pk=explanation.pk)
    )
    submission = explanation.submission
    if authz.allows(Ask.MINISTRY, user, submission):
        _require_state(submission, S.APPROVED)
    else:
        _require_reviewer(user, submission)
        _require_state(submission, S.SUBMITTED)
    if not accept and not comment.strip():
        raise ValidationError("不认可情况说明时请填写理由。")
    explanation.verdict = (
        WarningExplanation.Verdict.ACCEPTED if accept else WarningExplanation.Verdict.REJECTED
    )
    explanation.verdict_comment = comment.strip()
    explanation.verdict_at = timezone.now()
    explanation.verdict_by = user
    explanation.save(update_fields=["verdict", "verdict_comment", "verdict_at", "verdict_by"])
    event_record(
        actor=user, action="explanation.decide", summary=f"{submission.base.name}：{explanation.get_verdict_display()}预警说明",
        target=explanation, base=submission.base, authority=submission.base.authority,
        data={"finding": explanation.finding_key, "accept": accept},
    )  # fmt: skip


@transaction.atomic
def review_approve(*, submission: Submission, user: User, comment: str = "") -> Submission:
    submission = _lock(submission)
    row = transition_require(Transition.Action.APPROVE, user=user, submission=submission, comment=comment)
    _move(submission, action=row.name, to=row.target, user=user, comment=comment.strip())
    return submission


def snapshot_data(submission: Submission) -> dict[str, Any]:
    """The complete signed-off record: every value as typed and as understood, the report, explanations."""
    report = getattr(submission, "report", None) if hasattr(submission, "report") else None
    return {
        "base": {"id": submission.base_id, "name": submission.base.name},
        "campaign": submission.campaign.year,
        "definitions": {
            d.code: {"version": d.version, "checksum": d.checksum} for d in submission.definitions()
        },
        "values": [
            {
                "form": v.form,
                "code": v.code,
                "year": v.year,
                "raw": v.raw,
                "value": v.value,
                "currency": v.entered_currency,
            }
            for v in submission.values.order_by("form", "code", "year")
        ],
        "report": {
            "overview": report.overview,
            "highlights": report.highlights,
            "practices": report.practices,
            "problems": report.problems,
        }
        if report
        else None,
        "explanations": [
            {
                "form": e.form,
                "finding": e.finding_key,
                "text": e.text,
                "values": e.explained_values,
                "verdict": e.verdict,
            }
            for e in submission.explanations.order_by("form", "finding_key")
        ],
    }


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def ministry_accept(*, submission: Submission, user: User, comment: str = "") -> Snapshot:
    submission = _lock(submission)
    row = transition_require(Transition.Action.ACCEPT, user=user, submission=submission, comment=comment)
    data = snapshot_data(submission)
    values = list(submission.values.all())
    pdf = summary_pdf(
        submission=submission,
        values=values,
        profile=profile_for(submission.base),
        fingerprint=data_fingerprint(submission_values=values, report=None),
        generated_at=timezone.now(),
    )
    previous = submission.snapshots.order_by("-version").first()
    snapshot = Snapshot.objects.create(
        submission=submission, version=(previous.version + 1) if previous else 1, data=data, sha256=_digest(data),
        pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), previous=previous, accepted_by=user,
    )  # fmt: skip
    _move(submission, action=row.name, to=row.target, user=user, comment=comment.strip())
    _notify(
        submission,
        "材料已受理",
        f"{submission.base.name}的{submission.campaign.title}材料已被工业和信息化部规划司受理。",
    )
    return snapshot


@transaction.atomic
def ministry_return(
    *, submission: Submission, user: User, comment: str, field_notes: Sequence[FieldNote] = ()
) -> Submission:
    """Return forwarded material, or accepted material that needs a correction (its snapshot stays)."""
    submission = _lock(submission)
    row = transition_require(
        Transition.Action.MINISTRY_RETURN,
        user=user,
        submission=submission,
        comment=comment,
        field_notes=field_notes,
    )
    t = _move(submission, action=row.name, to=row.target, user=user, comment=comment.strip())
    _field_comments(submission, t, field_notes)
    _notify(
        submission,
        "材料已被部级退回",
        _return_body(submission, by="工业和信息化部规划司", comment=comment, notes=field_notes),
        link=reverse("submissions:detail", args=[submission.pk]),
    )
    return submission


def last_return(submission: Submission) -> Transition | None:
    return (
        submission.transitions.filter(
            action__in=[Transition.Action.RETURN, Transition.Action.MINISTRY_RETURN]
        )
        .order_by("-at", "-id")
        .first()
    )


def changes_since_return(submission: Submission) -> list[ValueChange]:
    """What the base changed after the last return: the reviewer looks at only these."""
    ret = last_return(submission)
    if ret is None:
        return []
    return list(
        ValueChange.objects.filter(submission=submission, changed_at__gte=ret.at)
        .select_related("changed_by")
        .order_by("form", "code", "year", "changed_at")
    )


# --- reopening after a deadline -------------------------------------------------------------------


@transaction.atomic
def reopen_request(*, campaign: Campaign, user: User, reason: str) -> ReopenRequest:
    reason = reason.strip()
    if not reason:
        raise ValidationError("请填写补报理由。")
    open_statuses = [ReopenRequest.Status.PENDING_AUTHORITY, ReopenRequest.Status.PENDING_MINISTRY]
    if user.base_id is not None and authz.allows(Ask.FILLS_OWN_BASE, user):
        base = Base.objects.select_related("authority").get(pk=user.base_id)
        if base_window_open(campaign=campaign, base=base):
            raise ValidationError("当前仍可提交，无需申请补报。")
        if ReopenRequest.objects.filter(campaign=campaign, base=base, status__in=open_statuses).exists():
            raise ValidationError("已有一份补报申请正在审核中，请等待审核结果。")
        req = ReopenRequest.objects.create(
            campaign=campaign, authority=base.authority, base=base, reason=reason,
            status=ReopenRequest.Status.PENDING_AUTHORITY, requested_by=user,
        )  # fmt: skip
    elif user.authority_id is not None and authz.allows(Ask.REVIEWS_OWN_AUTHORITY, user):
        authority = Authority.objects.get(pk=user.authority_id)
        if authority_window_open(campaign=campaign, authority=authority):
            raise ValidationError("当前仍可报送，无需申请补报。")
        if ReopenRequest.objects.filter(
            campaign=campaign, base__isnull=True, authority=authority, status__in=open_statuses
        ).exists():
            raise ValidationError("已有一份补报申请正在审核中，请等待审核结果。")
        req = ReopenRequest.objects.create(
            campaign=campaign, authority=authority, base=None, reason=reason,
            status=ReopenRequest.Status.PENDING_MINISTRY, requested_by=user,
        )  # fmt: skip
    else:
        raise PermissionDenied("只有示范基地填报员或省级审核员可以申请补报。")
    event_record(
        actor=user, action="reopen.request", summary=f"{req.base or req.authority}申请补报：{reason[:80]}",
        target=req, base=req.base, authority=req.authority,
    )  # fmt: skip
    if req.base is not None:
        notify_authority_users(
            authority=req.authority,
            subject="补报申请待审核",
            body=f"{req.base.name}申请在{campaign.title}截止后补报：{reason[:200]}",
            link=reverse("review:authority_list") + "#reopen",
        )
    return req


@transaction.atomic
def reopen_authority_decide(
    *, request: ReopenRequest, user: User, support: bool, comment: str = ""
) -> ReopenRequest:
    request = ReopenRequest.objects.select_for_update().get(pk=request.pk)
    authz.require(
        Ask.DECIDE_REOPEN_AUTHORITY, user, request, message="只有所属省级主管部门可以审核该补报申请。"
    )
    if request.status != ReopenRequest.Status.PENDING_AUTHORITY:
        raise ValidationError("该申请已处理。")
    if not support and not comment.strip():
        raise ValidationError("不支持补报时请填写理由。")
    request.status = ReopenRequest.Status.PENDING_MINISTRY if support else ReopenRequest.Status.REFUSED
    request.authority_comment, request.authority_by, request.authority_at = (
        comment.strip(),
        user,
        timezone.now(),
    )
    request.save(update_fields=["status", "authority_comment", "authority_by", "authority_at"])
    event_record(
        actor=user, action="reopen.authority", summary=f"{request.base}补报申请：{request.get_status_display()}",
        target=request, base=request.base, authority=request.authority,
    )  # fmt: skip
    if request.base is not None:
        verdict = "支持，已报规划司审批" if support else f"不支持：{comment.strip()}"
        notify_base_users(
            base=request.base,
            subject="补报申请省级审核结果",
            body=f"省级主管部门对{request.base.name}的补报申请意见：{verdict}",
        )
    return request


@transaction.atomic
def reopen_ministry_decide(
    *, request: ReopenRequest, user: User, grant: bool, until: dt.datetime | None = None, comment: str = ""
) -> ReopenRequest:
    request = ReopenRequest.objects.select_for_update().get(pk=request.pk)
    _require_ministry(user)
    if request.status != ReopenRequest.Status.PENDING_MINISTRY:
        raise ValidationError("该申请不在待部级审批状态。")
    if grant:
        if until is None or timezone.is_naive(until):
            raise ValidationError("请设定补报截止时间。")
        if not deadline_open(until, timezone.now()):
            raise ValidationError("补报截止日期不能早于今天。")
        request.window_until = until
    elif not comment.strip():
        raise ValidationError("不批准时请填写理由。")
    request.status = ReopenRequest.Status.GRANTED if grant else ReopenRequest.Status.REJECTED
    request.ministry_comment, request.ministry_by, request.ministry_at = comment.strip(), user, timezone.now()
    request.save(update_fields=["status", "window_until", "ministry_comment", "ministry_by", "ministry_at"])
    event_record(
        actor=user, action="reopen.ministry", summary=f"{request.base or request.authority}补报申请：{request.get_status_display()}",
        target=request, base=request.base, authority=request.authority,
        data={"until": until.isoformat() if until else None},
    )  # fmt: skip
    _notify_reopen_decision(request)
    return request


def _notify_reopen_decision(request: ReopenRequest) -> int:
    """Tell the base (and its authority) or the requesting authority what the ministry decided."""
    granted = request.status == ReopenRequest.Status.GRANTED
    if granted:
        until = f"，补报截止{day_label(request.window_until)}" if request.window_until is not None else ""
        verdict = f"已批准补报{until}，请在当天结束前完成报送。"
    else:
        verdict = f"未获批准：{request.ministry_comment}"
    who = request.base.name if request.base else request.authority.name
    subject = "补报申请已批准" if granted else "补报申请未获批准"
    body = f"{who}关于{request.campaign.title}的补报申请经规划司审批，{verdict}"
    n = notify_authority_users(
        authority=request.authority,
        subject=subject,
        body=body,
        link=reverse("review:authority_list") + "#reopen",
    )
    if request.base is not None:
        n += notify_base_users(base=request.base, subject=subject, body=body)
    return n


# --- in-system messages ----------------------------------------------------------------------------


def notification_read(*, notification: Notification, user: User) -> None:
    """Mark one of the user's own messages read (the first reading time is kept)."""
    if notification.user_id != user.pk:
        raise PermissionDenied("只能阅读自己的消息。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
