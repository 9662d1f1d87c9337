"""The base's 提交 page: status, deadline, blockers with links, the submit button, reopening, timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import ReopenRequest
from review.services import FieldNote, review_return
from review.tests.conftest import reload, set_deadline

pytestmark = pytest.mark.django_db


def url(s) -> str:
    return reverse("review:submit", args=[s.pk])


def test_a_draft_lists_what_blocks_it_with_links_and_no_button(client, filler, material):
    client.force_login(filler)
    html = client.get(url(material)).content.decode()
    assert "提交前检查" in html
    assert (
        "必填内容未填写完整" in html
        and reverse("submissions:section", args=[material.pk, "summary", "一"]) in html
    )
    assert reverse("reports:report_edit", args=[material.pk]) in html
    assert reverse("exchange:scans", args=[material.pk]) in html
    assert 'id="submit-button"' not in html
    assert "还剩" in html  # the countdown


def test_a_ready_material_shows_the_button_and_submits(client, filler, ready):
    client.force_login(filler)
    html = client.get(url(ready)).content.decode()
    assert 'id="submit-button"' in html and "检查通过" in html
    response = client.post(url(ready), follow=True)
    assert reload(ready).status == "submitted"
    html = response.content.decode()
    assert "材料已提交" in html and "等待省级主管部门初审" in html
    assert "流转记录" in html and "张填报" in html


def test_a_refused_submit_is_a_message_not_an_error_page(client, filler, material):
    client.force_login(filler)
    response = client.post(url(material), follow=True)
    assert response.status_code == 200
    assert "报表中还有" in response.content.decode()
    assert reload(material).status == "draft"


def test_a_returned_material_shows_the_comments_linking_to_the_fields(client, filler, submitted, reviewer):
    review_return(
        submission=submitted, user=reviewer, comment="请核实销售收入。",
        field_notes=[FieldNote("summary", "1.1", 2021, "与统计数据不一致")],
    )  # fmt: skip
    client.force_login(filler)
    html = client.get(url(submitted)).content.decode()
    assert "请核实销售收入。" in html and "与统计数据不一致" in html
    section = reverse("submissions:section", args=[submitted.pk, "summary", "一"])
    assert f"{section}#c-summary-1_1-2021" in html
    assert "重新提交" in html


def test_after_the_deadline_the_base_asks_to_reopen(client, filler, ready, open_campaign, reviewer):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=1))
    client.force_login(filler)
    html = client.get(url(ready)).content.decode()
    assert "报送截止时间已过" in html and 'id="submit-button"' not in html
    assert "提交补报申请" in html
    response = client.post(
        reverse("review:reopen_request", args=[ready.pk]), {"reason": "盖章延误"}, follow=True
    )
    assert "补报申请已提交" in response.content.decode()
    req = ReopenRequest.objects.get()
    assert req.base == ready.base and req.status == "pending_authority"
    html = client.get(url(ready)).content.decode()
    assert "待省级主管部门审核" in html and "提交补报申请" not in html


def test_a_granted_window_shows_the_button_again(client, filler, ready, open_campaign, hunan, base):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=1))
    ReopenRequest.objects.create(
        campaign=open_campaign, authority=hunan, base=base, reason="x", status="granted",
        window_until=timezone.now() + dt.timedelta(days=2),
    )  # fmt: skip
    client.force_login(filler)
    html = client.get(url(ready)).content.decode()
    assert "规划司已批准补报" in html and 'id="submit-button"' in html


def test_an_empty_reason_is_refused(client, filler, ready, closed_campaign):
    client.force_login(filler)
    response = client.post(reverse("review:reopen_request", args=[ready.pk]), {"reason": ""}, follow=True)
    assert "请填写补报理由" in response.content.decode()
    assert not ReopenRequest.objects.exists()


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "expert"])
def test_outsiders_get_404(client, request, ready, who, other_material):
    client.force_login(request.getfixturevalue(who))
    if who == "expert":
        ready.base.assigned_experts.remove(request.getfixturevalue("expert"))
    assert client.get(url(ready)).status_code == 404
    assert client.post(url(ready)).status_code == 404
    assert client.post(reverse("review:reopen_request", args=[ready.pk]), {"reason": "x"}).status_code == 404
    assert reload(ready).status == "draft"


def test_an_assigned_expert_may_not_submit(client, expert, ready):
    client.force_login(expert)
    assert client.post(url(ready)).status_code == 403
    assert reload(ready).status == "draft"


@pytest.mark.parametrize("who", ["reviewer", "ministry"])
def test_reviewers_and_the_ministry_are_sent_to_the_review_page(client, request, ready, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(ready))
    assert response.status_code == 302 and response.url == reverse("review:detail", args=[ready.pk])
    client.post(url(ready))
    assert reload(ready).status == "draft"


def test_a_reviewer_cannot_ask_to_reopen_for_a_base(client, reviewer, ready, closed_campaign):
    client.force_login(reviewer)
    assert client.post(reverse("review:reopen_request", args=[ready.pk]), {"reason": "x"}).status_code == 403


def test_anonymous_users_are_sent_to_login(client, ready):
    response = client.get(url(ready))
    assert response.status_code == 302 and "login" in response.url


def test_on_the_last_day_half_a_second_before_midnight_the_page_still_submits(
    client, filler, ready, open_campaign, monkeypatch
):
    bj = dt.timezone(dt.timedelta(hours=8))
    set_deadline(open_campaign, base=dt.datetime(2030, 8, 24, 23, 59, 59, tzinfo=bj))
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 8, 24, 23, 59, 59, 500000, tzinfo=bj))
    client.force_login(filler)
    html = client.get(url(ready)).content.decode()
    assert "2030年8月24日（含）" in html and "今天截止" in html
    assert 'id="submit-button"' in html
    client.post(url(ready))
    assert reload(ready).status == "submitted"
