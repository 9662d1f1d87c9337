"""The evaluation in a real browser: the ministry's analytics with every chart drawn by ECharts, a base
profile, the ratings page, and a base's own published stars. Screenshots at 1366×768."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_base
from evaluation.services import ratings_compute, ratings_publish, scoring_model_load, scoring_run
from evaluation.tests.conftest import fill, set_status
from submissions.models import Submission
from submissions.services import submission_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def rated(
    definitions,
    campaign,
    base,
    sibling_base,
    other_base,
    filler,
    ministry,
    hunan,
    jiangsu,
    equipment,
    software,
):
    extra = [
        make_base(f"装备制造(示例{i})·第{i}示例园区", hunan if i % 2 else jiangsu, equipment, batch=4)
        for i in range(6)
    ]
    campaign.bases.add(*extra)
    for n, b in enumerate([base, sibling_base, other_base, *extra]):
        sub = submission_start(campaign=campaign, base=b, user=None)
        fill(sub, 0.6 + n * 0.15)
        set_status(sub, Submission.Status.SUBMITTED)
    scoring_model_load(campaign=campaign, user=ministry)
    scoring_run(campaign=campaign, user=ministry)
    ratings_compute(campaign=campaign, user=ministry)
    ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate())
    return campaign


def login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))  # away from the login page
    return page, errors


def test_the_analytics_charts_are_drawn(browser, live_server, rated, ministry, base, screenshots):
    page, errors = login(browser, live_server, "ministry")
    page.goto(f"{live_server.url}/evaluation/{rated.pk}/analytics/")
    page.wait_for_selector("[data-chart-option][data-drawn='true']")
    assert page.locator("[data-chart-option]").count() == 5
    assert page.locator("[data-chart-option][data-drawn='true'] canvas").count() == 5
    assert errors == []
    page.screenshot(path=str(screenshots / "evaluation-analytics.png"))
    page.locator("#chart-map").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "evaluation-analytics-map.png"))
    page.select_option("#profile-base", str(base.pk))
    page.click("#profile-go")
    page.wait_for_selector("#opt-dimensions[data-drawn='true']")
    assert page.locator("[data-chart-option][data-drawn='true'] canvas").count() == 5
    page.screenshot(path=str(screenshots / "evaluation-base-profile.png"))
    page.goto(f"{live_server.url}/evaluation/{rated.pk}/ratings/")
    assert page.locator(".rating-table tbody tr").count() == 9
    page.screenshot(path=str(screenshots / "evaluation-ratings.png"))
    page.goto(f"{live_server.url}/evaluation/{rated.pk}/scores/{base.pk}/")
    page.screenshot(path=str(screenshots / "evaluation-score-detail.png"))
    assert errors == []


def test_a_base_sees_its_published_stars(browser, live_server, rated, filler, base, screenshots):
    page, errors = login(browser, live_server, "filler")
    page.click("nav.mainnav >> text=星级评价")
    page.click(f"table a:has-text('{base.name}')")
    # The click only starts the navigation; wait for the detail page instead of counting at once.
    page.wait_for_url(re.compile(r"/evaluation/stars/\d+/$"))
    expect(page.locator("text=本基地").first).to_be_visible()
    page.screenshot(path=str(screenshots / "evaluation-base-stars.png"))
    assert errors == []
