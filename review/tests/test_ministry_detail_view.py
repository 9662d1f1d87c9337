"""The ministry's detail page: accept (a hashed snapshot with its frozen PDF), return with a comment and
field comments, earlier snapshots linked, timeline and explanation verdicts; the snapshot PDF."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from audit.models import Event
from review.models import FieldComment, Snapshot
from review.services import _digest, explanation_decide, review_approve, submission_submit
from review.tests.conftest import reload
from submissions.models import Submission

pytestmark = pytest.mark.django_db


def url(s: Submission) -> str:
    return reverse("review:ministry_detail", args=[s.pk])


def test_the_page_shows_the_material_timeline_and_the_actions(client, ministry, approved):
    client.force_login(ministry)
    html = client.get(url(approved)).content.decode()
    assert approved.base.name in html and "流转记录" in html and "初审通过" in html
    assert 'id="accept-button"' in html and 'id="return-button"' in html
    assert 'value="summary|1.1|2021"' in html
    assert "尚未受理，没有快照" in html


def test_accepting_makes_snapshot_version_1_with_a_stable_hash(client, ministry, approved, filler):
    filler.email = "filler@example.cn"
    filler.save(update_fields=["email"])
    client.force_login(ministry)
    response = client.post(url(approved), {"action": "accept", "comment": "材料完整"})
    assert response.status_code == 302
    s = reload(approved)
    snapshot = s.snapshots.get()
    assert (s.status, snapshot.version, snapshot.previous, snapshot.accepted_by) == (
        "accepted", 1, None, ministry,
    )  # fmt: skip
    assert snapshot.sha256 == _digest(Snapshot.objects.get(pk=snapshot.pk).data)
    assert snapshot.pdf_sha256 == hashlib.sha256(bytes(snapshot.pdf)).hexdigest()
    html = client.get(url(approved)).content.decode()
    assert snapshot.sha256 in html and "校验一致" in html and "第 1 版" in html
    assert reverse("review:snapshot_pdf", args=[snapshot.pk]) in html
    assert 'id="accept-button"' not in html and "退回更正" in html


def test_return_resubmit_approve_accept_makes_version_2_linked_to_1(
    client, ministry, approved, filler, reviewer
):
    client.force_login(ministry)
    client.post(url(approved), {"action": "accept"})
    first = Snapshot.objects.get()
    response = client.post(url(approved), {"action": "return", "comment": "请更正销售收入。"})
    assert response.status_code == 302 and reload(approved).status == "returned"
    submission_submit(submission=reload(approved), user=filler)
    review_approve(submission=reload(approved), user=reviewer)
    client.post(url(approved), {"action": "accept"})
    second = Snapshot.objects.order_by("-version").first()
    assert (second.version, second.previous) == (2, first)
    # Nothing changed in the data between the two acceptances: the same content, the same hash.
    assert second.sha256 == first.sha256 == _digest(first.data)
    html = client.get(url(approved)).content.decode()
    assert "替代第 1 版" in html and 'href="#snapshot-1"' in html
    assert html.count("校验一致") == 2


def test_a_tampered_snapshot_shows_as_inconsistent(client, ministry, approved):
    client.force_login(ministry)
    client.post(url(approved), {"action": "accept"})
    snapshot = Snapshot.objects.get()
    data = snapshot.data
    data["values"][0]["raw"] = "999"
    Snapshot.objects.filter(pk=snapshot.pk).update(data=data)
    assert "校验不一致" in client.get(url(approved)).content.decode()


def test_return_requires_a_comment(client, ministry, approved):
    client.force_login(ministry)
    response = client.post(
        url(approved),
        {"action": "return", "comment": " ", "note_field": "summary|1.1|2021", "note_text": "偏高"},
    )
    assert response.status_code == 400
    assert "退回时请填写退回意见" in response.content.decode()
    assert reload(approved).status == "approved"
    assert 'value="偏高"' in response.content.decode()  # what was typed is kept


def test_return_with_field_comments(client, ministry, approved):
    client.force_login(ministry)
    client.post(
        url(approved),
        {
            "action": "return",
            "comment": "请核实。",
            "note_field": ["summary|1.1|2021", "summary|13.1|0"],
            "note_text": ["与上年差异较大", "请补充发展思路"],
        },
    )
    s = reload(approved)
    assert s.status == "returned" and s.transitions.last().action == "ministry_return"
    assert sorted(FieldComment.objects.values_list("code", "text")) == [
        ("1.1", "与上年差异较大"),
        ("13.1", "请补充发展思路"),
    ]
    html = client.get(url(approved)).content.decode()
    assert "与上年差异较大" in html and "部级退回" in html


def test_submitted_material_cannot_be_accepted(client, ministry, submitted):
    client.force_login(ministry)
    response = client.post(url(submitted), {"action": "accept"})
    assert response.status_code == 400 and "不能进行此操作" in response.content.decode()
    assert reload(submitted).status == "submitted" and not Snapshot.objects.exists()


def test_explanation_verdicts_are_listed(client, ministry, with_warning, filler, reviewer):
    submission_submit(submission=with_warning, user=filler)
    explanation_decide(
        explanation=with_warning.explanations.get(), user=reviewer, accept=True, comment="属实"
    )
    review_approve(submission=reload(with_warning), user=reviewer)
    client.force_login(ministry)
    html = client.get(url(with_warning)).content.decode()
    assert "新项目投产带动增长" in html and "省级审核：已认可" in html and "属实" in html


def test_the_snapshot_pdf_downloads(client, ministry, approved):
    client.force_login(ministry)
    client.post(url(approved), {"action": "accept"})
    snapshot = Snapshot.objects.get()
    response = client.get(reverse("review:snapshot_pdf", args=[snapshot.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == bytes(snapshot.pdf) and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    event = Event.objects.get(action="review.snapshot_download")
    assert (event.actor, event.base, event.target_id) == (ministry, approved.base, str(snapshot.pk))


def test_unknown_objects_are_404(client, ministry, campaign):
    client.force_login(ministry)
    assert client.get(reverse("review:ministry_detail", args=[999999])).status_code == 404
    assert client.get(reverse("review:snapshot_pdf", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "who", ["filler", "other_filler", "reviewer", "other_reviewer", "expert", "sysadmin", "auditor"]
)
def test_other_roles_can_neither_see_nor_act(request, client, approved, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(approved)).status_code == 403
    assert client.post(url(approved), {"action": "accept"}).status_code == 403
    assert client.post(url(approved), {"action": "return", "comment": "x"}).status_code == 403
    assert reload(approved).status == "approved" and not Snapshot.objects.exists()


@pytest.mark.parametrize("who", ["filler", "reviewer", "other_reviewer", "expert"])
def test_other_roles_cannot_download_a_snapshot(request, client, ministry, approved, who):
    client.force_login(ministry)
    client.post(url(approved), {"action": "accept"})
    snapshot = Snapshot.objects.get()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("review:snapshot_pdf", args=[snapshot.pk])).status_code == 403
