"""The page's JSON endpoints: autosave (with conflicts), a cell's history, a warning's explanation."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conftest import make_user
from permissions.access import access_submission
from submissions.models import Submission, Value, WarningExplanation
from submissions.services import CellChange, submission_findings, values_save
from submissions.views import Material, _findings_payload, _section


def post_json(client, url: str, data, **query):
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data=json.dumps(data, ensure_ascii=False), content_type="application/json")


def save_url(submission) -> str:
    return reverse("submissions:save", args=[submission.pk])


def change(code: str, year: int, raw, **extra) -> dict:
    return {"form": "summary", "code": code, "year": year, "raw": raw, **extra}


# --- save ----------------------------------------------------------------------------------------


def test_save_returns_revisions_findings_and_progress(client, submission, filler):
    client.force_login(filler)
    response = post_json(
        client,
        save_url(submission),
        {
            "changes": [
                change("1.1", 2021, "100", base_revision=0),
                change("1.1a", 2021, "150", base_revision=0),
            ]
        },
        form="summary",
        section="一",
    )
    assert response.status_code == 200
    data = response.json()
    assert [(c["code"], c["status"], c["revision"]) for c in data["cells"]] == [
        ("1.1", "saved", 1),
        ("1.1a", "saved", 1),
    ]
    assert "不能大于 1.1 销售收入（100）" in data["findings"]["html"]["1.1a"]
    assert {"severity": "error", "field": "1.1a", "year": 2021, "row": None, "column": None} in data[
        "findings"
    ]["marks"]
    assert data["progress"]["summary"]["一"] == [2, 54]
    assert Value.objects.get(submission=submission, code="1.1", year=2021).updated_by == filler


def test_save_answers_what_the_material_read_afresh_shows(client, submission, filler):
    """The response is built from the material the save locked (definitions already read): the
    same findings and progress as from the material fetched again, as the page would."""
    client.force_login(filler)
    for i, raws in enumerate([("100", "150", "约三十"), ("120", "", "8")]):
        data = post_json(
            client,
            save_url(submission),
            {
                "changes": [
                    change("1.1", 2021, raws[0], base_revision=i),
                    change("1.1a", 2021, raws[1], base_revision=i),
                    change("1.2", 2021, raws[2], base_revision=i),
                ]
            },
            form="summary",
            section="一",
        ).json()
        again = access_submission(filler, submission.pk)
        material = Material(again)
        section = _section(material.definitions[0], "一")
        assert data["progress"] == material.progress_json()
        assert data["findings"] == json.loads(
            json.dumps(_findings_payload(material, "summary", section, editable=True))
        )


def test_unparseable_text_is_saved_and_reported(client, submission, filler):
    client.force_login(filler)
    data = post_json(client, save_url(submission), {"changes": [change("1.4", 2021, "abc")]}).json()
    assert data["cells"][0]["status"] == "saved"
    assert data["cells"][0]["error"] == "请输入数字"
    assert Value.objects.get(submission=submission, code="1.4").raw == "abc"


def test_usd_amount_is_kept_with_its_currency(client, submission, filler):
    client.force_login(filler)
    data = post_json(
        client, save_url(submission), {"changes": [change("1.5", 2021, "10", currency="usd")]}
    ).json()
    assert data["cells"][0]["value"] == "64.5150"
    v = Value.objects.get(submission=submission, code="1.5")
    assert (v.raw, v.entered_currency) == ("10", "USD")


def test_conflict_then_force(client, submission, filler):
    colleague = make_user("filler2", "base_filler", base=submission.base, full_name="陈同事")
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="1.1", year=2021, raw="1")],
    )
    values_save(
        submission=submission,
        user=colleague,
        changes=[CellChange(form="summary", code="1.1", year=2021, raw="2", base_revision=1)],
    )
    client.force_login(filler)
    cell = post_json(
        client, save_url(submission), {"changes": [change("1.1", 2021, "3", base_revision=1)]}
    ).json()["cells"][0]
    assert cell["status"] == "conflict"
    assert (cell["theirs"], cell["theirs_by"], cell["revision"]) == ("2", "陈同事", 2)
    assert len(cell["theirs_at"]) == len("08-01 10:00")
    assert Value.objects.get(submission=submission, code="1.1").raw == "2"

    cell = post_json(
        client, save_url(submission), {"changes": [change("1.1", 2021, "3", base_revision=2, force=True)]}
    ).json()["cells"][0]
    assert (cell["status"], cell["revision"]) == ("saved", 3)
    assert Value.objects.get(submission=submission, code="1.1").raw == "3"


def test_tables_and_yes_no_are_saved_through_the_endpoint(client, submission, filler):
    client.force_login(filler)
    rows = [{"product": "挖掘机", "output": "1,200", "tech_level": "国际先进"}, {"product": "", "output": ""}]
    data = post_json(
        client,
        save_url(submission),
        {"changes": [change("12.1", 0, rows), change("18.3", 0, {"answer": "否", "note": "说明"})]},
        form="summary",
        section="十八",
    ).json()
    assert [c["status"] for c in data["cells"]] == ["saved", "saved"]
    assert Value.objects.get(code="18.3").value == {"answer": False, "note": "说明"}
    assert "18.3" in data["findings"]["html"]


def test_stale_cell_is_rejected_but_the_rest_saved(client, submission, filler):
    client.force_login(filler)
    data = post_json(
        client, save_url(submission), {"changes": [change("gone", 2021, "1"), change("1.1", 2021, "5")]}
    ).json()
    assert [c["status"] for c in data["cells"]] == ["rejected", "saved"]
    assert "没有指标 gone" in data["cells"][0]["message"]


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert"])
def test_readers_cannot_save(client, submission, who, request):
    client.force_login(request.getfixturevalue(who))
    response = post_json(client, save_url(submission), {"changes": [change("1.1", 2021, "5")]})
    assert response.status_code == 403
    assert "没有修改该材料的权限" in response.json()["message"]
    assert not Value.objects.filter(code="1.1").exists()


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin"])
def test_outsiders_get_404_from_every_endpoint(client, submission, who, request):
    client.force_login(request.getfixturevalue(who))
    assert post_json(client, save_url(submission), {"changes": [change("1.1", 2021, "5")]}).status_code == 404
    url = reverse("submissions:history", args=[submission.pk])
    assert client.get(url, {"form": "summary", "code": "1.1", "year": 2021}).status_code == 404
    url = reverse("submissions:explain", args=[submission.pk])
    assert post_json(client, url, {"form": "summary", "key": "x", "text": "y"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "格式不正确"),
        (b"{}", "没有要保存的内容"),
        (
            json.dumps({"changes": [{"form": "summary", "year": 2021, "raw": "1"}]}).encode(),
            "缺少报表或指标代码",
        ),
        (json.dumps({"changes": [change("1.1", "二〇二一", "1")]}).encode(), "年度或修订号不正确"),
        (json.dumps({"changes": [change("1.1", 2021, "1", currency=["USD"])]}).encode(), "币种不正确"),
    ],
)
def test_bad_payloads_are_400_with_a_chinese_message(client, submission, filler, body, message):
    client.force_login(filler)
    response = client.post(save_url(submission), data=body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_filler_of_submitted_material_gets_403(client, submission, filler):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    client.force_login(filler)
    response = post_json(client, save_url(submission), {"changes": [change("1.1", 2021, "5")]})
    assert response.status_code == 403


def test_service_validation_error_is_a_400_json(client, submission, filler, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError("材料当前状态为“已提交”，不能修改。")

    monkeypatch.setattr("submissions.views.values_save", refuse)
    client.force_login(filler)
    response = post_json(client, save_url(submission), {"changes": [change("1.1", 2021, "5")]})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "message": "材料当前状态为“已提交”，不能修改。"}


def test_save_needs_post(client, submission, filler):
    client.force_login(filler)
    assert client.get(save_url(submission)).status_code == 405


# --- history -------------------------------------------------------------------------------------


def test_history_lists_every_change_in_beijing_time(client, submission, filler, reviewer):
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="1.5", year=2021, raw="1")],
    )
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="1.5", year=2021, raw="2", base_revision=1, currency="USD")],
    )
    client.force_login(reviewer)  # readers see the history too
    response = client.get(
        reverse("submissions:history", args=[submission.pk]), {"form": "summary", "code": "1.5", "year": 2021}
    )
    assert response.status_code == 200
    rows = response.json()["changes"]
    assert [(r["old"], r["new"], r["by"], r["source"]) for r in rows] == [
        ("1", "2（美元）", "张填报", "网页填报"),
        ("", "1", "张填报", "网页填报"),
    ]
    assert len(rows[0]["at"]) == len("2022-08-01 10:00:00")


def test_history_of_an_unknown_item_is_400(client, submission, filler):
    client.force_login(filler)
    url = reverse("submissions:history", args=[submission.pk])
    assert client.get(url, {"form": "summary", "code": "nope", "year": 0}).status_code == 400
    assert client.get(url, {"form": "summary", "code": "1.1", "year": "x"}).status_code == 400


# --- explanations --------------------------------------------------------------------------------


def _warning_key(submission, filler) -> str:
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="300"),
            CellChange(form="summary", code="1.1", year=2020, raw="100"),
        ],
    )
    return next(
        f.key
        for f in submission_findings(submission)["summary"]
        if f.field == "1.1" and f.severity == "warning"
    )


def test_filler_explains_a_warning(client, submission, filler):
    key = _warning_key(submission, filler)
    client.force_login(filler)
    url = reverse("submissions:explain", args=[submission.pk])
    response = post_json(
        client, url, {"form": "summary", "key": key, "text": "新生产线投产，销售收入大幅增长。"}
    )
    assert response.status_code == 200
    assert "新生产线投产" in response.json()["findings"]["html"]["1.1"]
    explanation = WarningExplanation.objects.get(submission=submission, finding_key=key)
    assert explanation.written_by == filler
    assert explanation.explained_values["yoy"] == "200.00"
    # The section page shows the explanation at the warning.
    page = client.get(reverse("submissions:section", args=[submission.pk, "summary", "一"])).content.decode()
    assert "新生产线投产" in page


def test_explanation_errors_are_400_and_readers_403(client, submission, filler, reviewer):
    key = _warning_key(submission, filler)
    url = reverse("submissions:explain", args=[submission.pk])
    client.force_login(filler)
    response = post_json(client, url, {"form": "summary", "key": key, "text": ""})
    assert response.status_code == 400
    assert response.json()["message"] == "请填写情况说明。"
    assert post_json(client, url, {"form": "summary", "key": "yoy:9.9:2021", "text": "x"}).status_code == 400
    assert client.post(url, data=b"[", content_type="application/json").status_code == 400
    client.force_login(reviewer)
    assert post_json(client, url, {"form": "summary", "key": key, "text": "x"}).status_code == 403
