"""The registry list: scope per role, search, filters, sorting, pagination, fixed query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_base
from registry.models import Base

URL = reverse("registry:base_list")


def names(response) -> list[str]:
    return [base.name for base in response.context["page"].object_list]


class TestScope:
    def test_ministry_sees_every_base(self, client, ministry, base, sibling_base, other_base):
        client.force_login(ministry)
        response = client.get(URL)
        assert response.status_code == 200
        assert set(names(response)) == {base.name, sibling_base.name, other_base.name}

    def test_reviewer_sees_only_own_authoritys_bases(self, client, reviewer, base, sibling_base, other_base):
        client.force_login(reviewer)
        assert set(names(client.get(URL))) == {base.name, sibling_base.name}

    def test_filler_sees_only_own_base(self, client, filler, base, sibling_base, other_base):
        client.force_login(filler)
        assert names(client.get(URL)) == [base.name]

    def test_expert_sees_only_assigned_bases(self, client, expert, base, sibling_base, other_base):
        client.force_login(expert)
        assert names(client.get(URL)) == [base.name]

    def test_reviewer_authority_filter_offers_only_own_authority(self, client, reviewer, hunan, jiangsu):
        client.force_login(reviewer)
        options = list(client.get(URL).context["form"].fields["authority"].queryset)
        assert options == [hunan]

    def test_tampered_authority_filter_does_not_widen_scope(
        self, client, reviewer, jiangsu, other_base, base
    ):
        client.force_login(reviewer)
        response = client.get(URL, {"authority": jiangsu.pk})
        assert other_base.name not in names(response)
        assert response.context["form"].errors["authority"]

    @pytest.mark.parametrize("role_fixture", ["sysadmin", "secadmin", "auditor"])
    def test_operators_are_refused(self, client, request, role_fixture, base):
        client.force_login(request.getfixturevalue(role_fixture))
        assert client.get(URL).status_code == 403

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(URL)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class TestSearchAndFilters:
    @pytest.fixture(autouse=True)
    def login(self, client, ministry):
        client.force_login(ministry)

    def test_search_matches_name_lead_industry_and_location(self, client, many_bases):
        by_location = names(client.get(URL, {"q": "湘潭"}))
        assert len(by_location) == len([i for i in range(120) if i % 7 == 0])
        by_industry = names(client.get(URL, {"q": "电子信息"}))
        assert len(by_industry) == len([i for i in range(120) if i % 5 == 0])
        assert names(client.get(URL, {"q": "基地007"})) == ["批量示范基地007"]

    def test_filters_combine(self, client, many_bases, hunan, software):
        response = client.get(
            URL, {"authority": hunan.pk, "category": software.pk, "batch": 4, "series": "advantage"}
        )
        expected = {
            b.name
            for b in many_bases
            if b.authority == hunan and b.category == software and b.batch == 4 and b.series == "advantage"
        }
        assert expected
        assert set(names(response)) == expected

    def test_status_filter(self, client, base, sibling_base):
        sibling_base.status = Base.Status.REVOKED
        sibling_base.revoked_on = "2021-06-30"
        sibling_base.save(update_fields=["status", "revoked_on"])
        assert names(client.get(URL, {"status": "revoked"})) == [sibling_base.name]
        assert names(client.get(URL, {"status": "active"})) == [base.name]

    def test_batch_options_are_the_batches_in_scope(self, client, base, other_base):
        choices = client.get(URL).context["form"].fields["batch"].choices
        assert choices == [("", "全部"), (1, "第一批"), (3, "第三批")]

    def test_sort_by_name_descending(self, client, base, sibling_base, other_base):
        result = names(client.get(URL, {"sort": "-name"}))
        assert result == sorted(result, reverse=True)

    def test_default_order_is_batch_then_name(self, client, base, sibling_base, other_base):
        assert names(client.get(URL)) == [base.name, sibling_base.name, other_base.name]

    def test_unknown_sort_falls_back_to_default(self, client, base, sibling_base):
        assert client.get(URL, {"sort": "password"}).status_code == 200


class TestPagination:
    @pytest.fixture(autouse=True)
    def login(self, client, ministry):
        client.force_login(ministry)

    def test_fifty_per_page_with_total_count(self, client, many_bases):
        response = client.get(URL)
        assert len(names(response)) == 50
        assert response.context["page"].paginator.count == 120
        assert "示范基地 <strong>120</strong> 个" in response.content.decode()

    def test_last_page_holds_the_rest(self, client, many_bases):
        assert len(names(client.get(URL, {"page": 3}))) == 20

    def test_page_links_keep_the_filters(self, client, many_bases, hunan):
        response = client.get(URL, {"authority": hunan.pk, "q": "批量", "sort": "-name"})
        html = response.content.decode()
        assert f"?authority={hunan.pk}&amp;q=%E6%89%B9%E9%87%8F&amp;sort=-name&amp;page=2" in html

    def test_sort_links_keep_filters_and_restart_at_page_one(self, client, many_bases, hunan):
        html = client.get(URL, {"authority": hunan.pk, "page": 2}).content.decode()
        assert f"?authority={hunan.pk}&amp;sort=name" in html
        assert "page=2&amp;sort" not in html

    def test_out_of_range_page_shows_the_last_page(self, client, many_bases):
        assert client.get(URL, {"page": 99}).context["page"].number == 3


@pytest.mark.parametrize("role_fixture", ["ministry", "reviewer"])
def test_query_count_does_not_grow_with_bases(
    client, request, role_fixture, many_bases, hunan, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(role_fixture))
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"q": "批量", "sort": "authority", "authority": hunan.pk})
    assert response.status_code == 200
    assert len(names(response)) == 50


@pytest.mark.parametrize("role_fixture", ["ministry", "reviewer"])
def test_three_bases_cost_as_many_queries_as_twelve(client, request, role_fixture, base, hunan, equipment):
    client.force_login(request.getfixturevalue(role_fixture))
    client.get(URL)  # warm up the session
    for i in range(3):
        make_base(f"增长示范基地{i:02d}", hunan, equipment)
    with CaptureQueriesContext(connection) as few:
        shown = len(names(client.get(URL)))
    for i in range(3, 12):
        make_base(f"增长示范基地{i:02d}", hunan, equipment)
    with CaptureQueriesContext(connection) as many:
        assert len(names(client.get(URL))) == shown + 9
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_shows_each_base_s_industry_marker(client, ministry, base, other_base):
    client.force_login(ministry)
    html = client.get(URL).content.decode()
    row = html.split(f">{base.name}</a>", 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge" title="行业标记：决定 5.5、8.5、18.10 是否填写">装备制造</span>' in row


def test_a_filler_sees_its_base_without_the_filter_form(client, filler, base):
    client.force_login(filler)
    html = client.get(reverse("registry:base_list")).content.decode()
    assert base.name in html and 'role="search"' not in html


def test_a_reviewer_with_several_bases_keeps_the_filter_form(client, reviewer, base, sibling_base):
    client.force_login(reviewer)
    assert 'role="search"' in client.get(reverse("registry:base_list")).content.decode()
