"""report_save: the filler's draft saves, with revisions, history and events."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Event
from reports.models import DevelopmentReport, DevelopmentReportVersion
from reports.services import OVERVIEW_MAX, StaleRevisionError, report_problems, report_save
from reports.tests.conftest import filled_items
from submissions.models import Submission


def test_the_first_save_creates_revision_one_with_history_and_event(submission, filler, report_texts):
    report = report_save(submission=submission, user=filler, revision=0, **report_texts)
    assert report.revision == 1
    assert report.updated_by == filler
    assert report.highlights == report_texts["highlights"]
    version = DevelopmentReportVersion.objects.get(report=report)
    assert (version.revision, version.saved_by, version.overview) == (1, filler, report_texts["overview"])
    event = Event.objects.get(action="report.save")
    assert event.base_id == submission.base_id
    assert event.data["changed"] == ["overview", "highlights", "practices", "problems"]


def test_each_save_increments_the_revision_and_keeps_older_versions(submission, filler, report_texts):
    report_save(submission=submission, user=filler, revision=0, **report_texts)
    report = report_save(
        submission=submission, user=filler, revision=1, **{**report_texts, "problems": "新的问题"}
    )
    assert report.revision == 2
    assert list(report.versions.values_list("revision", "problems")) == [
        (2, "新的问题"),
        (1, report_texts["problems"]),
    ]
    assert Event.objects.filter(action="report.save").latest("id").data["changed"] == ["problems"]


def test_saving_unchanged_text_makes_no_new_revision(submission, filler, report_texts):
    report_save(submission=submission, user=filler, revision=0, **report_texts)
    report = report_save(submission=submission, user=filler, revision=1, **report_texts)
    assert report.revision == 1
    assert Event.objects.filter(action="report.save").count() == 1


def test_a_stale_revision_is_refused_and_names_who_changed_it(submission, filler, report_texts):
    report_save(submission=submission, user=filler, revision=0, **report_texts)
    report_save(submission=submission, user=filler, revision=1, **{**report_texts, "overview": "第二版"})
    with pytest.raises(StaleRevisionError) as caught:
        report_save(submission=submission, user=filler, revision=1, **{**report_texts, "overview": "旧页面"})
    assert "张填报" in caught.value.messages[0]
    assert "第2版" in caught.value.messages[0]
    assert caught.value.current.overview == "第二版"
    assert DevelopmentReport.objects.get().overview == "第二版"


def test_two_first_saves_from_blank_pages_do_not_both_win(submission, filler, report_texts):
    report_save(submission=submission, user=filler, revision=0, **report_texts)
    with pytest.raises(StaleRevisionError):
        report_save(submission=submission, user=filler, revision=0, **report_texts)


def test_an_incomplete_draft_is_saved(submission, filler):
    report = report_save(
        submission=submission,
        user=filler,
        revision=0,
        overview="",
        highlights=filled_items(1),
        practices=[],
        problems="",
    )
    assert report.revision == 1


def test_over_the_hard_limit_is_refused_at_the_field(submission, filler, report_texts):
    with pytest.raises(ValidationError) as caught:
        report_save(
            submission=submission,
            user=filler,
            revision=0,
            **{**report_texts, "overview": "字" * (OVERVIEW_MAX + 1)},
        )
    assert set(caught.value.message_dict) == {"overview"}
    assert not DevelopmentReport.objects.exists()


def test_more_than_five_items_are_kept_while_writing(submission, filler, report_texts):
    # “3-5个方面” is checked at submission, not on a draft save (issue 8).
    report = report_save(
        submission=submission, user=filler, revision=0, **{**report_texts, "practices": filled_items(6)}
    )
    assert len(report.practices) == 6
    assert "“三、示范性做法和经验”最多总结5个方面，目前有6个。" in report_problems(report)


def test_empty_rows_are_dropped_and_text_trimmed(submission, filler, report_texts):
    rows = [{"lead": " 领句 ", "content": " 内容 "}, {"lead": "", "content": ""}]
    report = report_save(
        submission=submission, user=filler, revision=0, **{**report_texts, "highlights": rows}
    )
    assert report.highlights == [{"lead": "领句", "content": "内容"}]


def test_a_submitted_report_cannot_be_changed(submission, filler, report_texts):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="已提交"):
        report_save(submission=submission, user=filler, revision=0, **report_texts)


def test_a_returned_report_can_be_changed(submission, filler, report_texts):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)
    assert report_save(submission=submission, user=filler, revision=0, **report_texts).revision == 1


@pytest.mark.parametrize("who", ["reviewer", "other_filler", "ministry", "expert"])
def test_only_the_bases_filler_may_save(request, submission, report_texts, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        report_save(submission=submission, user=user, revision=0, **report_texts)
    assert not DevelopmentReport.objects.exists()


def test_browser_line_breaks_are_stored_as_lf(submission, filler, report_texts):
    report = report_save(
        submission=submission, user=filler, revision=0, **{**report_texts, "problems": "一\r\n二\r三"}
    )
    assert report.problems == "一\n二\n三"
