"""A section page costs a fixed number of queries, however many items and values it shows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from review.path import todo_path, todo_path_counts
from review.status import material_status
from submissions.services import CellChange, values_save
from submissions.status import checked_findings

# The page itself, plus the material status the guided path reads (check, report, scans, explanations)
# and the last return for the return banner: fixed, whatever the number of values.
MAX_QUERIES = 15


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_section_page_uses_a_fixed_number_of_queries(
    client, submission, filler, django_assert_max_num_queries
):
    client.force_login(filler)
    small = reverse("submissions:section", args=[submission.pk, "summary", "十四"])  # one text item
    large = reverse("submissions:section", args=[submission.pk, "summary", "一"])  # 19 items × 3 years
    queries_for(client, small)  # warm the session
    empty_small, empty_large = queries_for(client, small), queries_for(client, large)

    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code=code, year=year, raw="10")
            for code in ("1.1", "1.2", "1.3", "1.4", "1.6", "1.7", "1.8", "1.9")
            for year in (2021, 2020, 2019)
        ],
    )
    assert queries_for(client, large) == empty_large == empty_small
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(large)


def test_overview_and_save_use_a_fixed_number_of_queries(
    client, submission, filler, django_assert_max_num_queries
):
    client.force_login(filler)
    overview = reverse("submissions:detail", args=[submission.pk])
    queries_for(client, overview)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(overview)


def test_section_page_reads_nothing_twice(client, submission, filler):
    """The material's check, explanations and previous material are read once and shared by the
    page and the guided path's counts (review.status.material_status takes them)."""
    client.force_login(filler)
    url = reverse("submissions:section", args=[submission.pk, "summary", "一"])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == len(set(sql)), sql
    # Session, user, the material with its definitions, its check, last year's material, the
    # explanations, the section's cells, the report, the scans, the unread count.
    assert len(sql) <= 10, sql


def test_section_page_counts_are_the_guided_paths(submission, filler):
    """The page counts what is left without building the guided path's items: the same counts."""
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="10"),
            CellChange(form="summary", code="1.1a", year=2021, raw="20"),  # a part larger than its whole
            CellChange(form="summary", code="1.2", year=2021, raw="abc"),  # not a number
            CellChange(form="summary", code="1.1", year=2020, raw="1"),  # a jump: a warning
        ],
    )
    status = material_status(submission)
    expected = todo_path(status).counts
    assert expected.missing and expected.error and expected.other
    assert todo_path_counts(status) == expected
    assert todo_path_counts(status, checked_findings(status.check)) == expected


def test_an_autosave_reads_explanations_only_for_a_section_with_findings(client, submission, filler):
    """The answer carries the findings of the saving page's section alone: explanations are read when
    that section shows a finding, and not for a section left without one."""
    client.force_login(filler)

    def saved_with_queries(section: str, code: str, year: int, raw: str) -> tuple[dict, list[str]]:
        url = reverse("submissions:save", args=[submission.pk]) + f"?form=summary&section={section}"
        body = {"changes": [{"form": "summary", "code": code, "year": year, "raw": raw}]}
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json(), [q["sql"] for q in ctx.captured_queries]

    def explanation_reads(sql: list[str]) -> int:
        return sum('FROM "submissions_warningexplanation"' in q for q in sql)

    # The save itself reads the explanations when it checks the material (nothing kept between
    # requests here: the test's transaction never commits); the answer only where it shows findings.
    answer, quiet = saved_with_queries("十四", "14.1", 0, "本基地的特色与亮点。")
    assert answer["cells"][0]["status"] == "saved" and not answer["findings"]["marks"]
    answer, shown = saved_with_queries("一", "1.2", 2021, "abc")  # not a number: an error shown there
    assert answer["findings"]["marks"]
    assert explanation_reads(shown) == explanation_reads(quiet) + 1
    assert len(shown) == len(quiet) + 1
