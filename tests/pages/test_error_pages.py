"""Error pages speak Chinese, sit in the site's layout and say what to do next."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

LAYOUT = "示范基地发展质量评价信息管理系统"


@pytest.mark.django_db
def test_an_unknown_address_is_a_chinese_404_in_the_layout(client: Client, filler) -> None:
    client.force_login(filler)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在，或您无权查看" in text
    assert LAYOUT in text
    assert "首页" in text and "退出" in text  # logged in: the header and its logout are there


@pytest.mark.django_db
def test_another_bases_material_reads_as_not_found(client: Client, filler, other_filler) -> None:
    client.force_login(filler)
    response = client.get(f"/registry/bases/{other_filler.base_id}/")
    assert response.status_code == 404
    assert "页面不存在，或您无权查看" in response.content.decode()


@pytest.mark.django_db
def test_a_refused_action_is_a_chinese_403_with_its_reason(client: Client, filler) -> None:
    client.force_login(filler)
    response = client.get("/review/")  # the review list is for authority reviewers
    assert response.status_code == 403
    text = response.content.decode()
    assert "无权进行此操作" in text
    assert "审核员" in text  # the reason the page was refused
    assert LAYOUT in text


@pytest.mark.django_db
def test_an_expired_form_says_refresh_and_try_again(filler) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "filler", "password": "x"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "页面已过期，请刷新后重新提交" in text
    assert LAYOUT in text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.pages.boom_urls")
def test_a_server_error_is_a_chinese_500_that_promises_nothing_was_lost(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统暂时出错" in text
    assert "已经保存的内容不会丢失" in text


@pytest.mark.django_db
def test_the_browser_finds_a_favicon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
