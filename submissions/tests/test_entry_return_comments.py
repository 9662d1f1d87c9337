"""A return's field comments appear at the fields they are about, while the base fixes them."""

from __future__ import annotations

from django.urls import reverse

from review.models import FieldComment, Transition
from submissions.models import Submission


def returned_with_comments(submission: Submission, reviewer) -> None:
    t = Transition.objects.create(
        submission=submission, action=Transition.Action.RETURN, from_status="submitted", to_status="returned",
        actor=reviewer, comment="请核实",
    )  # fmt: skip
    FieldComment.objects.create(
        transition=t,
        submission=submission,
        form="summary",
        code="1.1",
        year=2021,
        text="销售收入与统计局口径不符",
    )
    FieldComment.objects.create(
        transition=t, submission=submission, form="summary", code="13.1", year=0, text="请补充具体数据"
    )
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)


def test_comments_show_at_the_grid_row_and_the_text_item(client, submission, filler, reviewer):
    returned_with_comments(submission, reviewer)
    client.force_login(filler)
    grid = client.get(reverse("submissions:section", args=[submission.pk, "summary", "一"])).content.decode()
    assert "退回意见（2021年）：" in grid and "销售收入与统计局口径不符" in grid
    assert "请补充具体数据" not in grid
    text = client.get(
        reverse("submissions:section", args=[submission.pk, "summary", "十三"])
    ).content.decode()
    assert "请补充具体数据" in text


def test_comments_are_not_shown_once_resubmitted(client, submission, filler, reviewer):
    returned_with_comments(submission, reviewer)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    client.force_login(filler)
    grid = client.get(reverse("submissions:section", args=[submission.pk, "summary", "一"])).content.decode()
    assert "销售收入与统计局口径不符" not in grid


def test_material_tabs_lead_to_report_scans_and_the_role_s_action(
    client, submission, filler, reviewer, ministry
):
    for user, action in (
        (filler, "review:submit"),
        (reviewer, "review:detail"),
        (ministry, "review:ministry_detail"),
    ):
        client.force_login(user)
        html = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
        assert reverse("reports:report_edit", args=[submission.pk]) in html
        assert reverse("exchange:scans", args=[submission.pk]) in html
        assert reverse(action, args=[submission.pk]) in html
