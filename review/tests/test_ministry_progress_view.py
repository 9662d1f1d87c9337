"""The ministry's national progress page and its drill-down to one authority: counts per state, overdue
and late, backlog and its age, provincial summary and cases against the quota, in fixed queries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_base
from registry.models import Authority, Base, Campaign, Category
from reports.models import CaseRecommendation, ProvincialSummary
from review.tests.conftest import set_deadline
from submissions.models import Submission

pytestmark = pytest.mark.django_db
URL = reverse("review:ministry_progress")
S = Submission.Status
_names = itertools.count()

# Per authority: how many bases stand in each state ("none" = no material at all).
PLAN = {"none": 2, S.DRAFT: 1, S.SUBMITTED: 2, S.RETURNED: 1, S.APPROVED: 1, S.ACCEPTED: 3}


def grow(campaign: Campaign, authority: Authority, tiny, *, late: int = 0) -> list[Base]:
    """Add bases to the campaign following PLAN; `late` of the accepted ones were submitted late."""
    category = Category.objects.get(code="equipment")
    bases = []
    for state, n in PLAN.items():
        for _ in range(n):
            b = make_base(f"测试基地{next(_names)}·{authority.short_name}", authority, category)
            campaign.bases.add(b)
            bases.append(b)
            if state != "none":
                was_late = state == S.ACCEPTED and late > 0
                late -= was_late
                Submission.objects.create(
                    campaign=campaign, base=b, summary_definition=tiny, status=state, is_late=was_late,
                    status_changed_at=timezone.now() - dt.timedelta(days=4 if state == S.SUBMITTED else 1),
                )  # fmt: skip
    return bases


@pytest.fixture
def authorities(db) -> list[Authority]:
    return list(Authority.objects.exclude(code__in=["miit-430000", "miit-320000"]).order_by("code")[:3])


def test_one_row_per_authority_with_counts_per_state(client, ministry, open_campaign, tiny, authorities):
    a, b, _ = authorities
    open_campaign.bases.clear()
    grow(open_campaign, a, tiny, late=2)
    grow(open_campaign, b, tiny)
    ProvincialSummary.objects.create(campaign=open_campaign, authority=a, status="submitted")
    client.force_login(ministry)
    progress = client.get(URL).context["progress"]
    rows = {r.authority: r for r in progress.rows}
    assert set(rows) == {a, b}  # authorities without participating bases are left out
    row = rows[a]
    assert (row.participating, row.not_started, row.draft, row.submitted, row.returned) == (10, 2, 1, 2, 1)
    assert (row.approved, row.accepted, row.late, row.backlog, row.waiting_days) == (1, 3, 2, 2, 4)
    assert (row.done_pct, row.submitted_pct) == (40, 60)
    assert row.overdue == 0  # the deadline is ten days ahead
    assert (row.summary_label, rows[b].summary_label) == ("已报送", "未开始")
    assert (row.cases, row.quota) == (0, 2)  # 10 × 25% = 2.5 → 2, no five-star base
    t = progress.totals
    assert (t.participating, t.not_started, t.accepted, t.late, t.backlog, t.summaries_submitted) == (
        20, 4, 6, 2, 4, 1,
    )  # fmt: skip
    assert t.done_pct == 40


def test_overdue_counts_bases_that_never_submitted_after_the_deadline(
    client, ministry, open_campaign, tiny, authorities
):
    open_campaign.bases.clear()
    grow(open_campaign, authorities[0], tiny)
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=1))
    client.force_login(ministry)
    row = client.get(URL).context["progress"].rows[0]
    assert row.overdue == 3  # two not started + one draft; the returned one is not overdue


def test_cases_over_the_quota_are_flagged(client, ministry, open_campaign, tiny, authorities, filler):
    a = authorities[0]
    open_campaign.bases.clear()
    bases = grow(open_campaign, a, tiny)
    for b in bases[:3]:
        CaseRecommendation.objects.create(campaign=open_campaign, authority=a, base=b, title=f"案例{b.pk}")
    client.force_login(ministry)
    html = client.get(URL).content.decode()
    row = client.get(URL).context["progress"].rows[0]
    assert (row.cases, row.quota, row.cases_over) == (3, 2, True)
    assert reverse("review:ministry_authority", args=[a.pk]) in html


def test_the_page_runs_a_fixed_number_of_queries(
    client, ministry, open_campaign, tiny, authorities, django_assert_max_num_queries
):
    open_campaign.bases.clear()
    grow(open_campaign, authorities[0], tiny)
    client.force_login(ministry)
    client.get(URL)  # the quota setting is created on first use
    with django_assert_max_num_queries(26) as few:
        assert client.get(URL).status_code == 200
    for authority, _ in itertools.product(authorities, range(4)):
        grow(open_campaign, authority, tiny, late=1)
    with django_assert_max_num_queries(26) as many:
        response = client.get(URL)
    assert response.context["progress"].totals.participating == 10 * 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_without_a_campaign_the_page_says_so(client, ministry):
    client.force_login(ministry)
    assert "当前没有年度评价" in client.get(URL).content.decode()


def test_the_nav_links_the_page_for_the_ministry_only(client, ministry, reviewer, campaign):
    client.force_login(ministry)
    assert f'href="{URL}"' in client.get(reverse("accounts:home")).content.decode()
    client.force_login(reviewer)
    assert f'href="{URL}"' not in client.get(reverse("accounts:home")).content.decode()


# --- drill-down ---------------------------------------------------------------------------------------


def test_the_drill_down_lists_the_authority_bases_with_state_and_links(
    client, ministry, open_campaign, tiny, authorities
):
    a, b, _ = authorities
    open_campaign.bases.clear()
    mine = grow(open_campaign, a, tiny, late=1)
    theirs = grow(open_campaign, b, tiny)
    client.force_login(ministry)
    response = client.get(reverse("review:ministry_authority", args=[a.pk]))
    html = response.content.decode()
    rows = response.context["rows"]
    assert {r.base for r in rows} == set(mine)
    assert not any(t.name in html for t in theirs)
    states = sorted(r.state for r in rows)
    assert states.count("not_started") == 2 and states.count("accepted") == 3
    assert sum(r.is_late for r in rows) == 1 and "逾期提交" in html
    accepted = next(r for r in rows if r.state == "accepted")
    assert reverse("review:ministry_detail", args=[accepted.submission.pk]) in html
    counts = response.context["counts"]
    assert (counts.participating, counts.not_submitted, counts.accepted) == (10, 4, 3)


def test_the_drill_down_runs_a_fixed_number_of_queries(
    client, ministry, open_campaign, tiny, authorities, django_assert_max_num_queries
):
    a = authorities[0]
    open_campaign.bases.clear()
    grow(open_campaign, a, tiny)
    url = reverse("review:ministry_authority", args=[a.pk])
    client.force_login(ministry)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for _ in range(5):
        grow(open_campaign, a, tiny)
    with django_assert_max_num_queries(15) as many:
        assert len(client.get(url).context["rows"]) == 60
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_unknown_authority_is_404(client, ministry, campaign):
    client.force_login(ministry)
    assert client.get(reverse("review:ministry_authority", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "who",
    ["filler", "other_filler", "reviewer", "other_reviewer", "expert", "sysadmin", "secadmin", "auditor"],
)
def test_other_roles_are_refused(request, client, campaign, hunan, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("review:ministry_authority", args=[hunan.pk])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, campaign):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
