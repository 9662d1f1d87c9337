"""Saving values: history, revisions, conflicts, typed text kept, prefill, warning explanations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from conftest import make_user
from registry.models import Campaign
from submissions.models import Submission, Value, ValueChange, WarningExplanation
from submissions.services import (
    CellChange,
    explanation_save,
    submission_findings,
    submission_start,
    unexplained_warnings,
    values_save,
)


def save(submission, user, *changes: CellChange):
    return values_save(submission=submission, user=user, changes=list(changes))


def value(submission, code: str, year: int, form: str = "summary") -> Value:
    return Value.objects.get(submission=submission, form=form, code=code, year=year)


def test_first_save_creates_value_and_history_row(submission, filler):
    result = save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="1,250.5"))
    cell = result.cells[0]
    assert (cell.status, cell.revision, cell.error) == ("saved", 1, None)
    v = value(submission, "1.1", 2021)
    assert (v.raw, v.value, v.revision, v.updated_by) == ("1,250.5", "1250.5", 1, filler)
    change = ValueChange.objects.get(submission=submission, code="1.1", year=2021)
    assert (change.old_raw, change.new_raw, change.changed_by, change.revision) == (
        None,
        "1,250.5",
        filler,
        1,
    )


def test_each_change_appends_history_with_old_and_new(submission, filler):
    save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="100"))
    save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="120", base_revision=1))
    assert value(submission, "1.1", 2021).revision == 2
    rows = list(ValueChange.objects.filter(code="1.1").order_by("revision").values_list("old_raw", "new_raw"))
    assert rows == [(None, "100"), ("100", "120")]


def test_saving_the_same_text_again_changes_nothing(submission, filler):
    save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="100"))
    result = save(
        submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="100", base_revision=1)
    )
    assert result.cells[0].status == "unchanged"
    assert ValueChange.objects.filter(code="1.1").count() == 1


def test_stale_revision_is_a_conflict_and_does_not_overwrite(submission, filler):
    colleague = make_user("filler2", "base_filler", base=submission.base, full_name="陈同事")
    save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="100"))
    save(submission, colleague, CellChange(form="summary", code="1.1", year=2021, raw="130", base_revision=1))
    result = save(
        submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="120", base_revision=1)
    )
    cell = result.cells[0]
    assert cell.status == "conflict"
    assert (cell.theirs, cell.theirs_by, cell.revision) == ("130", "陈同事", 2)
    assert value(submission, "1.1", 2021).raw == "130"
    assert result.conflicts == [cell]


def test_a_new_cell_someone_else_filled_meanwhile_is_a_conflict(submission, filler):
    colleague = make_user("filler2", "base_filler", base=submission.base, full_name="陈同事")
    save(submission, colleague, CellChange(form="summary", code="1.2", year=2021, raw="5"))
    result = save(
        submission, filler, CellChange(form="summary", code="1.2", year=2021, raw="6", base_revision=0)
    )
    assert result.cells[0].status == "conflict"


def test_force_keeps_the_users_value_after_a_conflict(submission, filler):
    colleague = make_user("filler2", "base_filler", base=submission.base, full_name="陈同事")
    save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="100"))
    save(submission, colleague, CellChange(form="summary", code="1.1", year=2021, raw="130", base_revision=1))
    result = save(
        submission,
        filler,
        CellChange(form="summary", code="1.1", year=2021, raw="120", base_revision=2, force=True),
    )
    assert result.cells[0].status == "saved"
    v = value(submission, "1.1", 2021)
    assert (v.raw, v.revision, v.updated_by) == ("120", 3, filler)
    assert ValueChange.objects.filter(code="1.1").count() == 3


def test_unparseable_text_is_kept_as_typed_with_its_error(submission, filler):
    result = save(submission, filler, CellChange(form="summary", code="1.4", year=2021, raw="abc"))
    cell = result.cells[0]
    assert cell.status == "saved"
    assert cell.error == "请输入数字"
    v = value(submission, "1.4", 2021)
    assert (v.raw, v.value) == ("abc", None)
    messages = [f.message for f in submission_findings(submission)["summary"] if f.field == "1.4"]
    assert any("请输入数字" in m for m in messages)


def test_amount_in_usd_is_kept_and_converted(submission, filler):
    save(submission, filler, CellChange(form="summary", code="1.5", year=2021, raw="10", currency="USD"))
    v = value(submission, "1.5", 2021)
    assert (v.raw, v.entered_currency, v.value) == ("10", "USD", "64.5150")
    change = ValueChange.objects.get(code="1.5")
    assert change.new_currency == "USD"


def test_currency_not_offered_for_the_field_is_an_error(submission, filler):
    result = save(
        submission, filler, CellChange(form="summary", code="1.6", year=2021, raw="3", currency="USD")
    )
    assert result.cells[0].error


def test_cell_the_form_does_not_ask_is_rejected_without_blocking_others(submission, filler):
    result = save(
        submission,
        filler,
        CellChange(form="summary", code="no-such", year=2021, raw="1"),
        CellChange(form="summary", code="1.1", year=2030, raw="1"),
        CellChange(form="summary", code="5.5", year=2021, raw="50"),  # 有色/钢铁/化工 only
        CellChange(form="summary", code="1.1", year=2021, raw="7"),
    )
    assert [c.status for c in result.cells] == ["rejected", "rejected", "rejected", "saved"]
    assert "不适用" in result.cells[2].message
    assert value(submission, "1.1", 2021).raw == "7"


def test_submitted_material_cannot_be_changed(submission, filler):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="7"))
    assert "已提交" in exc.value.messages[0]


def test_tables_and_yes_no_items_are_saved_whole(submission, filler):
    rows = [{"product": "挖掘机", "output": "1200", "tech_level": "国际先进"}]
    save(
        submission,
        filler,
        CellChange(form="summary", code="12.1", year=0, raw=rows),
        CellChange(form="summary", code="18.3", year=0, raw={"answer": "是", "note": "完成目标。"}),
    )
    assert value(submission, "12.1", 0).value[0]["output"] == "1200"
    assert value(submission, "18.3", 0).value == {"answer": True, "note": "完成目标。"}


def test_start_prefills_history_years_from_last_campaign(definitions, campaign, base, filler):
    tz = dt.timezone(dt.timedelta(hours=8))
    last = Campaign.objects.create(
        year=2021,
        data_year=2020,
        history_years=[2019, 2018],
        title="2021年示范基地发展质量评价",
        form_version="2022",
        base_deadline=dt.datetime(2021, 8, 24, tzinfo=tz),
        authority_deadline=dt.datetime(2021, 8, 31, tzinfo=tz),
        status=Campaign.Status.CLOSED,
    )
    summary = next(d for d in definitions if d.code == "summary")
    old = Submission.objects.create(campaign=last, base=base, summary_definition=summary)
    for year, raw in ((2020, "900"), (2019, "800"), (2018, "700")):
        Value.objects.create(submission=old, form="summary", code="1.1", year=year, raw=raw, value=raw)
    Value.objects.create(submission=old, form="summary", code="13.1", year=0, raw="去年的文字")

    submission = submission_start(campaign=campaign, base=base, user=filler)

    got = dict(submission.values.filter(code="1.1").values_list("year", "raw"))
    assert got == {2020: "900", 2019: "800"}
    assert not submission.values.filter(code="13.1").exists()
    v = value(submission, "1.1", 2020)
    assert v.source == Value.Source.PREFILL
    assert ValueChange.objects.filter(submission=submission, source=Value.Source.PREFILL).count() == 2
    # Starting again returns the same material, without copying twice.
    assert submission_start(campaign=campaign, base=base, user=filler) == submission
    assert submission.values.exclude(source=Value.Source.REGISTRY).count() == 2


def _yoy_warning(submission):
    return next(
        f for f in submission_findings(submission)["summary"] if f.field == "1.1" and f.severity == "warning"
    )


def test_explanation_is_stored_with_the_values_and_lapses_when_they_change(submission, filler):
    save(
        submission,
        filler,
        CellChange(form="summary", code="1.1", year=2021, raw="300"),
        CellChange(form="summary", code="1.1", year=2020, raw="100"),
    )
    warning = _yoy_warning(submission)
    assert warning in unexplained_warnings(submission, submission_findings(submission))

    explanation = explanation_save(
        submission=submission, user=filler, form="summary", finding_key=warning.key, text="新项目投产。"
    )
    assert explanation.explained_values == warning.values
    assert explanation.verdict == WarningExplanation.Verdict.PENDING
    assert warning not in unexplained_warnings(submission, submission_findings(submission))

    save(submission, filler, CellChange(form="summary", code="1.1", year=2021, raw="320", base_revision=1))
    still = _yoy_warning(submission)
    assert still.key == warning.key
    assert still in unexplained_warnings(submission, submission_findings(submission))


def test_explanation_needs_text_and_a_current_warning(submission, filler):
    with pytest.raises(ValidationError):
        explanation_save(
            submission=submission, user=filler, form="summary", finding_key="yoy:1.1:2021", text="x"
        )
    save(
        submission,
        filler,
        CellChange(form="summary", code="1.1", year=2021, raw="300"),
        CellChange(form="summary", code="1.1", year=2020, raw="100"),
    )
    key = _yoy_warning(submission).key
    with pytest.raises(ValidationError) as exc:
        explanation_save(submission=submission, user=filler, form="summary", finding_key=key, text="  ")
    assert exc.value.messages == ["请填写情况说明。"]
    with pytest.raises(ValidationError):
        explanation_save(submission=submission, user=filler, form="summary", finding_key=key, text="字" * 501)


def test_start_fills_the_header_from_the_registry(submission, base):
    header = {v.code: v.raw for v in submission.values.filter(form="summary", year=0)}
    assert header["base_name"] == base.name
    assert header["batch"] == "第一批"
    assert header["is_high_tech_zone"] == "否"
    assert "high_tech_zone_name" not in header  # nothing known, nothing invented
    change = submission.changes.get(code="base_name")
    assert (change.old_raw, change.source) == (None, "registry")
