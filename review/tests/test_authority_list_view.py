"""The authority's review list: its bases in the campaign, state, counts, filter, fixed queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from conftest import make_base, make_user
from registry.models import ReopenRequest
from review.services import explanation_decide, submission_submit
from review.tests.conftest import make_ready
from submissions.services import submission_start

pytestmark = pytest.mark.django_db
URL = reverse("review:authority_list")


def test_it_lists_only_its_own_bases_with_state_and_counts(
    client, reviewer, submitted, other_material, sibling_base
):
    client.force_login(reviewer)
    response = client.get(URL)
    html = response.content.decode()
    rows = {r.base.name: r for r in response.context["rows"]}
    assert set(rows) == {submitted.base.name, sibling_base.name}
    assert other_material.base.name not in html
    mine = rows[submitted.base.name]
    assert (mine.state, mine.missing, mine.errors, mine.warnings, mine.report_ok, mine.scans_ok) == (
        "submitted", 0, 0, 0, True, True,
    )  # fmt: skip
    assert rows[sibling_base.name].state == "not_started" and "基地尚未开始填报" in html
    assert reverse("review:detail", args=[submitted.pk]) in html


def test_counts_of_a_draft_with_problems(client, reviewer, material):
    client.force_login(reviewer)
    row = next(r for r in client.get(URL).context["rows"] if r.submission)
    assert row.missing == 5  # 1.1 ×2, 1.1a ×2, 13.1
    assert not row.report_ok and not row.scans_ok


def test_warning_verdicts_are_counted(client, reviewer, with_warning, filler):
    submission_submit(submission=with_warning, user=filler)
    client.force_login(reviewer)
    row = next(r for r in client.get(URL).context["rows"] if r.submission)
    assert (row.warnings, row.pending, row.accepted) == (1, 1, 0)
    explanation_decide(explanation=with_warning.explanations.get(), user=reviewer, accept=True)
    row = next(r for r in client.get(URL).context["rows"] if r.submission)
    assert (row.warnings, row.pending, row.accepted) == (1, 0, 1)


def test_filter_by_state(client, reviewer, submitted, sibling_base):
    client.force_login(reviewer)
    assert [r.base for r in client.get(URL + "?state=submitted").context["rows"]] == [submitted.base]
    assert [r.base for r in client.get(URL + "?state=not_started").context["rows"]] == [sibling_base]
    assert client.get(URL + "?state=approved").context["rows"] == []
    assert len(client.get(URL + "?state=nonsense").context["rows"]) == 2


def test_late_material_is_marked(client, reviewer, submitted):
    type(submitted).objects.filter(pk=submitted.pk).update(is_late=True)
    client.force_login(reviewer)
    assert "逾期" in client.get(URL).content.decode()


@pytest.mark.parametrize("who", ["filler", "ministry", "expert", "sysadmin"])
def test_other_roles_may_not_use_it(client, request, who, campaign):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_reopen_requests_of_its_bases_are_decided_here(
    client, reviewer, closed_campaign, base, hunan, filler
):
    req = ReopenRequest.objects.create(
        campaign=closed_campaign, authority=hunan, base=base, reason="盖章延误", status="pending_authority",
        requested_by=filler,
    )  # fmt: skip
    client.force_login(reviewer)
    html = client.get(URL).content.decode()
    assert "盖章延误" in html and "1 件待审核" in html
    decide = reverse("review:reopen_decide", args=[req.pk])
    response = client.post(decide, {"decision": "no", "comment": ""}, follow=True)
    assert "不支持补报时请填写理由" in response.content.decode()
    response = client.post(decide, {"decision": "yes", "next": "https://evil.example/"})
    assert response.url == URL + "#reopen"
    assert ReopenRequest.objects.get(pk=req.pk).status == "pending_ministry"


def test_another_authority_cannot_decide_a_reopen_request(
    client, other_reviewer, closed_campaign, base, hunan
):
    req = ReopenRequest.objects.create(
        campaign=closed_campaign, authority=hunan, base=base, reason="x", status="pending_authority"
    )
    client.force_login(other_reviewer)
    assert client.post(reverse("review:reopen_decide", args=[req.pk]), {"decision": "yes"}).status_code == 404
    assert ReopenRequest.objects.get(pk=req.pk).status == "pending_authority"


def test_a_fixed_number_of_queries_however_many_bases(
    client, reviewer, open_campaign, hunan, equipment, django_assert_max_num_queries
):
    filler = None
    for i in range(12):
        b = make_base(f"装备制造(测试{i})·示例园区{i}", hunan, equipment)
        open_campaign.bases.add(b)
        filler = make_user(f"f{i}", Role.BASE_FILLER, base=b)
        s = submission_start(campaign=open_campaign, base=b, user=filler)
        if i % 2:
            make_ready(s, filler)
            submission_submit(submission=s, user=filler)
    client.force_login(reviewer)
    client.get(URL)  # warm up the session
    with django_assert_max_num_queries(16) as ctx:
        response = client.get(URL)
    assert len(response.context["rows"]) == 14
    few = len(ctx.captured_queries)
    for i in range(12, 20):
        b = make_base(f"装备制造(测试{i})·示例园区{i}", hunan, equipment)
        open_campaign.bases.add(b)
        submission_start(campaign=open_campaign, base=b, user=None)
    with django_assert_max_num_queries(few) as ctx:
        assert len(client.get(URL).context["rows"]) == 22
