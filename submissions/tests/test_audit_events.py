"""What the filler does to the values is in the audit trail: one event per save (an autosave request
carries a batch of cells), one per warning explanation, committed together with the change."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audit.models import Event
from submissions.services import CellChange, explanation_save, submission_findings, values_save


def autosave(client, submission, *changes):
    url = reverse("submissions:save", args=[submission.pk]) + "?form=summary&section=一"
    body = {"changes": [{"form": "summary", "base_revision": 0, **c} for c in changes]}
    return client.post(url, data=json.dumps(body), content_type="application/json", REMOTE_ADDR="10.3.3.3")


def test_an_autosave_of_several_cells_is_one_event_naming_them(client, submission, filler):
    client.force_login(filler)
    response = autosave(
        client,
        submission,
        {"code": "1.1", "year": 2021, "raw": "100"},
        {"code": "1.1a", "year": 2021, "raw": "50"},
    )
    assert response.status_code == 200
    event = Event.objects.get(action="values.save")
    assert (event.actor, event.ip, event.base, event.outcome) == (
        filler,
        "10.3.3.3",
        submission.base,
        "success",
    )
    assert (event.target_type, event.target_id) == ("submissions.submission", str(submission.pk))
    assert event.data["count"] == 2
    assert sorted(c[1] for c in event.data["cells"]) == ["1.1", "1.1a"]


def test_a_save_that_changes_nothing_records_nothing(submission, filler):
    change = CellChange(form="summary", code="1.1", year=2021, raw="100")
    values_save(submission=submission, user=filler, changes=[change])
    again = CellChange(form="summary", code="1.1", year=2021, raw="100", base_revision=1)
    values_save(submission=submission, user=filler, changes=[again])
    assert Event.objects.filter(action="values.save").count() == 1


def test_a_save_that_fails_leaves_neither_values_nor_event(submission, filler, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    before = submission.values.count()
    monkeypatch.setattr("submissions.services.event_record", broken)
    with pytest.raises(RuntimeError):
        values_save(
            submission=submission,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="1")],
        )
    assert submission.values.count() == before
    assert not submission.values.filter(code="1.1").exists()


def test_an_explanation_is_recorded(submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="300"),
            CellChange(form="summary", code="1.1", year=2020, raw="100"),
        ],
    )
    key = next(
        f.key
        for f in submission_findings(submission)["summary"]
        if f.field == "1.1" and f.severity == "warning"
    )
    explanation = explanation_save(
        submission=submission, user=filler, form="summary", finding_key=key, text="新项目投产。"
    )
    event = Event.objects.get(action="explanation.write")
    assert (event.actor, event.base, event.target_id) == (filler, submission.base, str(explanation.pk))
    assert event.data["finding"] == key
