"""Analytics: charts with their numbers as tables and downloads; the ministry only; fixed queries."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from conftest import make_base
from evaluation.services import ratings_compute, scoring_run
from evaluation.tests.conftest import fill, set_status
from submissions.models import Submission
from submissions.services import submission_start


@pytest.fixture
def scored(materials, scoring_model, campaign, ministry):
    scoring_run(campaign=campaign, user=ministry)
    ratings_compute(campaign=campaign, user=ministry)


def option(body: str, chart: str) -> dict:
    import html

    start = body.index(f'id="opt-{chart}"')
    start = body.index('data-chart-option="', start) + len('data-chart-option="')
    return json.loads(html.unescape(body[start : body.index('"', start)]))


def test_the_overview_has_every_chart_with_its_data(client, ministry, scored, campaign):
    client.force_login(ministry)
    body = client.get(reverse("evaluation:analytics", args=[campaign.pk])).content.decode()
    for chart in ("authority", "category", "stars", "ranking", "map"):
        assert f'id="opt-{chart}"' in body
    authority = option(body, "authority")
    assert authority["xAxis"]["data"] == ["湖南", "江苏"]  # 长沙 + 株洲 (1200) before 苏州 (500)
    assert authority["series"][0]["data"] == [1000.0, 500.0]
    assert option(body, "map")["series"][0]["map"] == "china"
    assert "vendor/echarts/echarts.min.js" in body and "js/analytics.js" in body
    assert "<script>" not in body and 'type="application/json"' not in body  # no inline script


def test_each_chart_downloads_as_csv_and_xlsx(client, ministry, scored, campaign):
    client.force_login(ministry)
    url = reverse("evaluation:analytics", args=[campaign.pk])
    response = client.get(url, {"download": "category", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "名称" and {r[0] for r in rows[1:]} == {"装备制造", "软件和信息服务"}
    response = client.get(url, {"download": "ranking", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "示范基地"
    assert sheet.max_row >= 5
    assert client.get(url, {"download": "nope"}).status_code == 404
    exports = Event.objects.filter(action="evaluation.analytics_export").order_by("seq")
    assert [(e.actor, e.data["chart"], e.data["format"]) for e in exports] == [
        (ministry, "category", "csv"),
        (ministry, "ranking", "xlsx"),
    ]


def test_a_base_profile_shows_three_year_trends_beside_peers(client, ministry, scored, campaign, base):
    client.force_login(ministry)
    body = client.get(reverse("evaluation:base_analytics", args=[campaign.pk, base.pk])).content.decode()
    trend = option(body, "trend-1.1")
    assert trend["xAxis"]["data"] == ["2019年", "2020年", "2021年"]
    assert trend["series"][0]["data"][1:] == [540.0, 600.0]  # 450·1.2, 500·1.2
    assert trend["series"][1]["name"] == "同类型中位数"
    assert "opt-dimensions" in body


@pytest.mark.parametrize("role", ["filler", "reviewer", "other_reviewer", "expert", "sysadmin", "auditor"])
def test_only_the_ministry_sees_analytics(request, client, role, campaign, base):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:analytics", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluation:base_analytics", args=[campaign.pk, base.pk])).status_code == 404


def test_analytics_use_a_fixed_number_of_queries(
    client, ministry, scored, campaign, django_assert_max_num_queries
):
    client.force_login(ministry)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("evaluation:analytics", args=[campaign.pk])).status_code == 200


def test_analytics_cost_the_same_queries_however_many_bases(
    client,
    ministry,
    materials,
    scoring_model,
    campaign,
    base,
    hunan,
    equipment,
    django_assert_max_num_queries,
):
    """The overview and a base's profile read every base in fixed queries: more scored bases, the
    same count (bench/bench_growth.py measures it at 50, 500 and 5000)."""
    overview = reverse("evaluation:analytics", args=[campaign.pk])
    profile = reverse("evaluation:base_analytics", args=[campaign.pk, base.pk])
    client.force_login(ministry)

    def counts() -> tuple[int, int]:
        scoring_run(campaign=campaign, user=ministry)
        ratings_compute(campaign=campaign, user=ministry)
        client.get(overview)  # warm up the session
        found = []
        for url in (overview, profile):
            with django_assert_max_num_queries(30) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found[0], found[1]

    few = counts()
    for i in range(8):
        b = make_base(f"装备制造(测试{i})·示例园区{i}", hunan, equipment)
        campaign.bases.add(b)
        sub = submission_start(campaign=campaign, base=b, user=None)
        fill(sub, 0.5 + i / 10)
        set_status(sub, Submission.Status.SUBMITTED)
    assert counts() == few
