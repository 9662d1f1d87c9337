"""A base's profile: every registry field in Chinese, visible only within the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from registry.models import Base, StarRating


def url(base: Base) -> str:
    return reverse("registry:base_detail", args=[base.pk])


class TestWhoMaySee:
    @pytest.mark.parametrize("role_fixture", ["ministry", "reviewer", "filler", "expert"])
    def test_own_scope_sees_the_profile(self, client, request, role_fixture, base):
        client.force_login(request.getfixturevalue(role_fixture))
        response = client.get(url(base))
        assert response.status_code == 200
        assert response.context["base"] == base

    @pytest.mark.parametrize(
        ("role_fixture", "target_fixture"),
        [
            ("filler", "sibling_base"),
            ("filler", "other_base"),
            ("reviewer", "other_base"),
            ("other_reviewer", "base"),
            ("other_reviewer", "sibling_base"),
            ("expert", "sibling_base"),
            ("expert", "other_base"),
            ("other_filler", "base"),
        ],
    )
    def test_it_refuses_bases_outside_scope_as_not_found(self, client, request, role_fixture, target_fixture):
        user = request.getfixturevalue(role_fixture)
        target = request.getfixturevalue(target_fixture)
        client.force_login(user)
        assert client.get(url(target)).status_code == 404

    def test_unknown_id_is_not_found(self, client, ministry):
        client.force_login(ministry)
        assert client.get(reverse("registry:base_detail", args=[999999])).status_code == 404

    @pytest.mark.parametrize("role_fixture", ["sysadmin", "secadmin", "auditor"])
    def test_operators_are_refused(self, client, request, role_fixture, base):
        client.force_login(request.getfixturevalue(role_fixture))
        assert client.get(url(base)).status_code == 403


class TestContent:
    def test_every_registry_field_is_shown_in_chinese(self, client, ministry, hunan, software):
        base = Base.objects.create(
            name="软件和信息服务·长沙示例软件园",
            batch=3,
            authority=hunan,
            category=software,
            series=Base.Series.SPECIAL,
            lead_industry="软件和信息技术服务",
            sub_sectors=["I", "6511", "6513"],
            location="湖南省长沙市",
            industry_flags=["steel", "chemical"],
            producer_services_led=True,
            is_high_tech_zone=True,
            high_tech_zone_name="长沙高新技术产业开发区",
            status=Base.Status.REVOKED,
            revoked_on=dt.date(2021, 6, 30),
        )
        client.force_login(ministry)
        html = client.get(url(base)).content.decode()
        for text in [
            "软件和信息服务·长沙示例软件园",
            "第三批",
            "湖南省工业和信息化主管部门",
            "附表1（软件和信息服务）",
            "特色",
            "软件和信息技术服务",
            "6511",
            "6513",
            "湖南省长沙市",
            "钢铁",
            "化工",
            "是（5.1 填写“单位销售收入能耗”）",
            "是：长沙高新技术产业开发区",
            "已取消称号",
            "2021年6月30日取消称号",
        ]:
            assert text in html, text

    def test_category_without_annex_says_so(self, client, ministry, base):
        client.force_login(ministry)
        assert "无（仅填报汇总表）" in client.get(url(base)).content.decode()

    def test_star_ratings_newest_first_and_campaigns(self, client, filler, base, campaign):
        StarRating.objects.create(base=base, year=2021, stars=4)
        StarRating.objects.create(base=base, year=2022, stars=5)
        client.force_login(filler)
        response = client.get(url(base))
        assert [r.year for r in response.context["star_ratings"]] == [2022, 2021]
        assert response.context["campaigns"] == [campaign]
        html = response.content.decode()
        assert "★★★★★" in html and "5星" in html
        assert "2022年示范基地发展质量评价" in html

    def test_empty_history_is_explained(self, client, filler, base):
        client.force_login(filler)
        html = client.get(url(base)).content.decode()
        assert "暂无已发布的星级评价" in html
        assert "尚未参加年度评价" in html
