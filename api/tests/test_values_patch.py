"""PATCH /submissions/{id}/values: the base's own filler writes values (whole or partial) carrying the
ETag it read; a stale tag is a 409 and nothing changes; values the form refuses are 422 at their
field, with the entry page's Chinese messages, and nothing is saved; others are 403/404."""

from __future__ import annotations

import pytest

from audit.models import Event
from review.tests.conftest import cell
from submissions.models import Value, ValueChange


def _patch(api, submission, body, etag):
    headers = {"If-Match": etag} if etag is not None else {}
    return api.send("PATCH", f"/submissions/{submission.pk}/values", body, headers=headers)


def _etag(api, submission):
    return api.get(f"/submissions/{submission.pk}")["ETag"]


def test_the_filler_saves_values_with_the_etag_read(api_as, material, filler):
    api = api_as("filler")
    etag = _etag(api, material)
    response = _patch(
        api,
        material,
        {"values": {"summary": {"1.1": {"2021": "110", "2020": "100"}, "13.1": {"0": "坚持创新驱动。"}}}},
        etag,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["saved"] == 3 and body["etag"] == response["ETag"] != etag
    stored = {
        (v.code, v.year): (v.raw, v.source, v.updated_by_id)
        for v in Value.objects.filter(submission=material)
    }
    assert stored[("1.1", 2021)] == ("110", "api", filler.pk)
    assert stored[("13.1", 0)][0] == "坚持创新驱动。"
    # The same history as the entry page writes.
    assert ValueChange.objects.filter(submission=material, code="1.1", source="api").count() == 2


def test_a_partial_write_leaves_other_values_alone(api_as, material, filler):
    cell(material, filler, "1.1", 2020, "100")
    api = api_as("filler")
    response = _patch(
        api,
        material,
        {"cells": [{"form": "summary", "code": "1.1", "year": 2021, "raw": "120"}]},
        _etag(api, material),
    )
    assert response.status_code == 200
    assert Value.objects.get(submission=material, code="1.1", year=2020).raw == "100"
    assert Value.objects.get(submission=material, code="1.1", year=2021).raw == "120"


def test_a_stale_etag_is_a_409_and_nothing_changes(api_as, material, filler):
    api = api_as("filler")
    etag = _etag(api, material)
    cell(material, filler, "1.1", 2021, "110")  # someone saves on the entry page meanwhile
    before = list(Value.objects.filter(submission=material).values_list("code", "year", "raw", "revision"))
    response = _patch(
        api, material, {"values": {"summary": {"1.1": {"2021": "999"}, "1.1a": {"2021": "5"}}}}, etag
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_revision"
    assert "未保存任何内容" in response.json()["message"]
    assert response["ETag"] == _etag(api, material)
    assert (
        list(Value.objects.filter(submission=material).values_list("code", "year", "raw", "revision"))
        == before
    )


def test_without_if_match_it_is_a_428(api_as, material):
    response = _patch(api_as("filler"), material, {"values": {"summary": {"1.1": {"2021": "1"}}}}, None)
    assert response.status_code == 428
    assert response.json()["code"] == "if_match_required"


def test_a_value_that_does_not_parse_is_refused_at_its_field_and_nothing_is_saved(api_as, material):
    api = api_as("filler")
    response = _patch(
        api, material, {"values": {"summary": {"1.1": {"2021": "110", "2020": "一百"}}}}, _etag(api, material)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_value"
    assert body["field"] == "summary.1.1.2020"
    assert body["errors"] == [
        {"code": "invalid_value", "field": "summary.1.1.2020", "message": body["message"]}
    ]
    assert "数字" in body["message"]
    assert not Value.objects.filter(submission=material, code="1.1").exists()


@pytest.mark.parametrize(
    ("cells", "field", "says"),
    [
        ({"summary": {"9.9": {"2021": "1"}}}, "summary.9.9.2021", "没有指标 9.9"),
        ({"summary": {"1.1": {"2015": "1"}}}, "summary.1.1.2015", "不填报 2015 年"),
        ({"annex1": {"1.1": {"2021": "1"}}}, "annex1.1.1.2021", "没有指标"),
    ],
)
def test_cells_the_form_does_not_ask_for_are_refused(api_as, material, cells, field, says):
    api = api_as("filler")
    response = _patch(api, material, {"values": cells}, _etag(api, material))
    assert response.status_code == 422
    assert response.json()["field"] == field and says in response.json()["message"]


def test_a_bad_year_key_is_a_422(api_as, material):
    api = api_as("filler")
    response = _patch(api, material, {"values": {"summary": {"1.1": {"去年": "1"}}}}, _etag(api, material))
    assert response.status_code == 422 and response.json()["field"] == "summary.1.1.去年"


def test_an_empty_request_is_a_422(api_as, material):
    api = api_as("filler")
    assert _patch(api, material, {}, _etag(api, material)).status_code == 422


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert"])
def test_those_who_only_read_the_material_cannot_write_it(api_as, material, who):
    api = api_as(who)
    response = _patch(api, material, {"values": {"summary": {"1.1": {"2021": "1"}}}}, _etag(api, material))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Value.objects.filter(submission=material, code="1.1").exists()


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer"])
def test_another_bases_or_authoritys_material_is_a_404(api_as, material, who):
    response = _patch(api_as(who), material, {"values": {"summary": {"1.1": {"2021": "1"}}}}, '"x"')
    assert response.status_code == 404


def test_submitted_material_cannot_be_written(api_as, submitted):
    api = api_as("filler")
    response = _patch(api, submitted, {"values": {"summary": {"1.1": {"2021": "1"}}}}, _etag(api, submitted))
    assert response.status_code == 403
    assert "已提交" in response.json()["message"]


def test_a_write_is_an_audited_call(api_as, material):
    api = api_as("filler")
    _patch(api, material, {"values": {"summary": {"1.1": {"2021": "1"}}}}, _etag(api, material))
    assert Event.objects.filter(action="api.call", data__method="PATCH", data__status=200).count() == 1
