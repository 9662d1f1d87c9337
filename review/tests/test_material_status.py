"""One status per material (review.status over submissions.status): the filler's page, the submit
page, the reviewer's list and the submit service give the same answer, because they read the same
stored check; a stale stored check is recomputed, a fresh one is read as it is."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from definitions.models import Definition, content_checksum
from review.services import submission_submit
from review.status import material_status
from review.tests.conftest import TINY_SUMMARY, cell, make_ready, reload
from submissions.models import NOT_YEARLY, MaterialCheck, Submission
from submissions.status import CHECK_VERSION, material_check

pytestmark = pytest.mark.django_db

# The tiny form with a list that needs two rows (the notice's "至少填写" tables).
WITH_TABLE = copy.deepcopy(TINY_SUMMARY)
WITH_TABLE["sections"][1]["fields"].append(
    {
        "code": "12.1",
        "label": "代表性产品",
        "type": "table",
        "min_rows": 2,
        "max_rows": 3,
        "columns": [{"key": "product", "label": "产品名称", "type": "string", "required": True}],
    }
)
TWO_ROWS = [{"product": "数控机床"}, {"product": "工业机器人"}]


@pytest.fixture
def tiny(db) -> Definition:
    return Definition.objects.create(
        version="t",
        code="summary",
        title="测试汇总表",
        content=WITH_TABLE,
        checksum=content_checksum(WITH_TABLE),
    )


def table(submission: Submission, user, rows) -> None:
    cell(submission, user, "12.1", NOT_YEARLY, rows)


@pytest.fixture
def troubled(material, filler) -> Submission:
    """Sealed when complete, then changed: a table cut to one row and a jump in 销售收入 not explained."""
    table(material, filler, TWO_ROWS)
    make_ready(material, filler)
    table(material, filler, TWO_ROWS[:1])
    cell(material, filler, "1.1", 2021, "300")  # +200 % on last year: a warning
    return material


def test_the_filler_the_reviewer_and_the_submit_service_give_the_same_answer(
    client, troubled, filler, reviewer
):
    client.force_login(filler)
    overview = client.get(reverse("submissions:detail", args=[troubled.pk])).context["forms"][0]
    submit_page = client.get(reverse("review:submit", args=[troubled.pk]))
    blockers = [b.text for b in submit_page.context["blockers"]]
    client.force_login(reviewer)
    row = next(
        r for r in client.get(reverse("review:authority_list")).context["rows"] if r.submission == troubled
    )
    with pytest.raises(ValidationError) as refused:
        submission_submit(submission=troubled, user=filler)

    filler_sees = (overview["required"] - overview["filled"], overview["errors"], overview["unexplained"])
    assert filler_sees == (row.missing, row.errors, row.unexplained) == (1, 0, 1)
    assert (row.warnings, row.report_ok, row.scans_ok, row.ready) == (1, True, False, False)
    assert refused.value.messages == [
        "报表中还有 1 项必填内容未填写完整。",
        "还有 1 条预警未填写情况说明。",
        "汇总表盖章扫描件已过期（材料在盖章后被修改，请重新打印盖章并上传）",
    ]
    assert blockers == [
        "汇总表 · 十三、发展情况：1 项必填内容未填写完整",
        "汇总表 · 一、经济总量：1 条预警未填写情况说明",
        "汇总表盖章扫描件已过期（材料在盖章后被修改，请重新打印盖章并上传）",
    ]
    assert reload(troubled).status == "draft"


def test_each_save_stores_the_check_of_the_new_revision(material, filler):
    before = MaterialCheck.objects.get(submission=material)
    cell(material, filler, "1.1", 2021, "110")
    after = MaterialCheck.objects.get(submission=material)
    assert after.basis["revision"] == reload(material).revision == before.basis["revision"] + 1
    assert after.counts["missing"] == before.counts["missing"] - 1


def test_a_fresh_check_is_read_without_validating_again(material, django_assert_max_num_queries):
    material_check(material)
    loaded = Submission.objects.select_related(
        "campaign", "base__category", "summary_definition", "annex_definition"
    ).get(pk=material.pk)
    with django_assert_max_num_queries(2):  # the stored row, last campaign's material
        material_check(loaded)


def test_a_check_that_no_longer_matches_its_basis_is_recomputed(material, filler):
    table(material, filler, TWO_ROWS)
    make_ready(material, filler)
    assert material_status(reload(material)).ready
    # A writer around the services (a fix in the database, an old code version's row) is caught
    # by the basis: here the row claims another CHECK_VERSION and wrong counts.
    MaterialCheck.objects.filter(submission=material).update(
        basis={"version": CHECK_VERSION - 1}, counts={"errors": 7}
    )
    status = material_status(reload(material))
    assert status.ready and status.counts.errors == 0
    assert MaterialCheck.objects.get(submission=material).basis["version"] == CHECK_VERSION


def test_the_reviewer_s_list_recomputes_a_check_that_is_missing_and_stores_it(client, troubled, reviewer):
    MaterialCheck.objects.filter(submission=troubled).delete()
    client.force_login(reviewer)
    row = next(
        r for r in client.get(reverse("review:authority_list")).context["rows"] if r.submission == troubled
    )
    assert (row.missing, row.errors, row.unexplained, row.scans_ok) == (1, 0, 1, False)
    assert MaterialCheck.objects.get(submission=troubled).counts["missing"] == 1
