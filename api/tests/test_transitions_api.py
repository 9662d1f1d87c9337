"""POST /submissions/{id}/transitions/{action}: the transition table's actions through the review
services, each with an Idempotency-Key so that a retried call acts once and gets the same answer."""

from __future__ import annotations

import pytest

from api.services import TRANSITION_SERVICES
from audit.models import Event
from review.models import Transition
from review.tests.conftest import make_ready, reload
from review.transitions import TABLE


def _post(api, submission, action, body=None, key="key-1"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.send("POST", f"/submissions/{submission.pk}/transitions/{action}", body or {}, headers=headers)


def test_every_action_of_the_table_has_an_endpoint():
    assert set(TRANSITION_SERVICES) == {row.name for row in TABLE}


def test_the_filler_submits_ready_material(api_as, ready):
    response = _post(api_as("filler"), ready, "submit")
    assert response.status_code == 200, response.json()
    assert response.json()["submission"]["status"] == "submitted"
    assert response.json()["replayed"] is False
    assert reload(ready).status == "submitted"


def test_a_retry_with_the_same_key_acts_once_and_returns_the_same_answer(api_as, ready):
    api = api_as("filler")
    first = _post(api, ready, "submit", key="retry-me")
    again = _post(api, ready, "submit", key="retry-me")
    assert again.status_code == first.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert again["Idempotent-Replayed"] == "true"
    assert Transition.objects.filter(submission=ready).count() == 1
    assert Event.objects.filter(action="submission.submit").count() == 1


def test_a_key_reused_for_another_request_is_refused(api_as, submitted):
    api = api_as("reviewer")
    assert _post(api, submitted, "return", {"comment": "请核实。"}, key="k").status_code == 200
    response = _post(api, submitted, "return", {"comment": "另一条意见。"}, key="k")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"


def test_a_refused_action_keeps_no_key_so_it_can_be_retried(api_as, material, filler):
    api = api_as("filler")
    refused = _post(api, material, "submit", key="k")
    assert refused.status_code == 409
    assert refused.json()["code"] == "refused"
    assert refused.json()["errors"][0]["message"] == "报表中还有 5 项必填内容未填写完整。"
    make_ready(material, filler)
    assert _post(api, material, "submit", key="k").status_code == 200


def test_without_an_idempotency_key_it_is_a_400(api_as, ready):
    response = _post(api_as("filler"), ready, "submit", key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert reload(ready).status == "draft"


def test_a_return_needs_a_comment_with_the_pages_message(api_as, submitted):
    response = _post(api_as("reviewer"), submitted, "return", {"comment": "  "})
    assert response.status_code == 409
    assert response.json()["errors"][0]["message"] == "退回时请填写退回意见。"


def test_a_return_with_field_notes(api_as, submitted):
    body = {
        "comment": "",
        "field_notes": [{"form": "summary", "code": "1.1", "year": 2021, "text": "请核实。"}],
    }
    response = _post(api_as("reviewer"), submitted, "return", body)
    assert response.status_code == 200
    assert reload(submitted).status == "returned"
    assert submitted.field_comments.get().text == "请核实。"


def test_the_reviewer_approves_and_the_ministry_accepts(api_as, submitted):
    assert _post(api_as("reviewer"), submitted, "approve").json()["submission"]["status"] == "approved"
    assert _post(api_as("ministry"), submitted, "accept").json()["submission"]["status"] == "accepted"


def test_the_ministry_returns_approved_material_with_a_comment(api_as, approved):
    response = _post(api_as("ministry"), approved, "ministry_return", {"comment": "数据需复核。"})
    assert response.status_code == 200 and reload(approved).status == "returned"


# Who may not: 403 with the table's message when the material is visible, 404 when it is not.
REFUSALS = [
    ("ready", "submit", "reviewer", 403),
    ("ready", "submit", "ministry", 403),
    ("ready", "submit", "expert", 403),
    ("ready", "submit", "other_filler", 404),
    ("submitted", "approve", "filler", 403),
    ("submitted", "approve", "ministry", 403),
    ("submitted", "approve", "other_reviewer", 404),
    ("submitted", "return", "other_reviewer", 404),
    ("approved", "accept", "reviewer", 403),
    ("approved", "accept", "filler", 403),
    ("approved", "ministry_return", "reviewer", 403),
]


@pytest.mark.parametrize(("state", "action", "who", "status"), REFUSALS)
def test_it_refuses_who_the_table_does_not_name(request, api_as, state, action, who, status):
    submission = request.getfixturevalue(state)
    before = reload(submission).status
    response = _post(api_as(who), submission, action, {"comment": "意见"})
    assert response.status_code == status
    if status == 403:
        row = next(r for r in TABLE if r.name == action)
        assert response.json()["message"] == row.actor_refusal
    assert reload(submission).status == before


def test_an_action_from_the_wrong_state_is_a_409(api_as, ready):
    response = _post(api_as("reviewer"), ready, "approve")
    assert response.status_code == 409
    assert response.json()["message"] == "材料当前状态为“草稿”，不能进行此操作。"
    response = _post(api_as("filler"), ready, "approve")
    assert response.status_code == 403


def test_an_unknown_action_is_a_422(api_as, ready):
    assert _post(api_as("filler"), ready, "delete").status_code == 422
