"""The guided path (review.path) and its pages: every item left, in the order of the forms; the next
one after a position; other bases' material is not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.path import todo_path
from review.status import material_status
from review.tests.conftest import cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def partial(material, filler):
    cell(material, filler, "1.1", 2021, "200")
    cell(material, filler, "1.1a", 2021, "90")
    cell(material, filler, "1.1a", 2020, "80")
    return material


def test_items_come_in_the_order_of_the_forms_with_the_report_and_scans_last(partial):
    path = todo_path(material_status(partial))
    assert [(i.kind, i.code, i.year) for i in path.items[:2]] == [
        ("missing", "1.1", 2020),
        ("missing", "13.1", 0),
    ]
    assert [i.kind for i in path.items[2:]] == ["report", "scan", "scan"]
    assert path.counts.text == "2 项待填 · 3 项报告或扫描件问题"


def test_the_next_item_follows_the_position_and_wraps_round(partial):
    path = todo_path(material_status(partial))
    assert path.after("summary|一").code == "1.1"  # from the start of a section
    assert path.after("summary|一|1.1|2020").code == "13.1"  # past the cell itself
    assert path.after("summary|十三|13.1|0").kind == "report"
    assert path.after("nonsense") == path.items[0]


def test_next_redirects_to_the_cell_and_todo_lists_everything(client, filler, partial):
    client.force_login(filler)
    response = client.get(reverse("submissions:next", args=[partial.pk]) + "?after=summary|一")
    assert response["Location"].endswith("#c-summary-1_1-2020")
    html = client.get(reverse("submissions:todo", args=[partial.pk])).content.decode()
    assert "2 项待填" in html and "发展情况报告" in html


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer"])
def test_other_bases_material_is_not_found(request, client, partial, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("submissions:todo", args=[partial.pk])).status_code == 404
    assert client.get(reverse("submissions:next", args=[partial.pk])).status_code == 404
