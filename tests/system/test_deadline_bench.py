"""What the deadline benchmark (bench/deadline.py) reads of the pages it plays: the scans page's
state of an upload, which its fillers wait on before they submit, as the page's own script does
(static/js/scan_check.js polls `.scan-check[data-state-url]`). Should the page change, the benchmark's
fillers would stop waiting and their submissions be refused; these tests say so first."""

from __future__ import annotations

from itertools import islice

import pytest
from django.test import TestCase
from django.urls import reverse

from bench.deadline import (
    CHECK,
    SETUP,
    Stats,
    autosave_raw,
    floor_during,
    kind_figures,
    pauses,
    ratios,
    same_stretch_ratios,
    scan_box,
)
from definitions.services import definitions_load
from exchange.models import SealedScan
from exchange.services import scan_check
from exchange.tests.conftest import FORMS_2022, fill_summary, pdf_bytes, upload
from exchange.tests.printed import printed_pdf, scanned
from submissions.services import submission_start


@pytest.fixture
def material(db, campaign, base, filler, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    definitions_load(directory=FORMS_2022)
    submission = submission_start(campaign=campaign, base=base, user=filler)
    fill_summary(submission, filler)
    return submission


def _page(client, submission) -> str:
    response = client.get(reverse("exchange:scans", args=[submission.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _upload(client, submission, content: bytes, *, run_check: bool) -> None:
    # The check runs once the request's transaction commits (huey runs tasks at once in tests);
    # without `run_check` the upload stays 正在核验, as while the consumer has not reached it.
    with TestCase.captureOnCommitCallbacks(execute=run_check):
        response = client.post(
            reverse("exchange:scans", args=[submission.pk]),
            {"kind": "summary", "summary-file": upload("汇总表盖章.pdf", content)},
        )
    assert response.status_code == 302


def test_the_bench_waits_on_the_state_the_scans_page_polls_and_sees_the_verdict(client, filler, material):
    client.force_login(filler)
    assert scan_box(_page(client, material), "summary") == ("missing", "")
    _upload(client, material, scanned(printed_pdf(material, "summary")), run_check=False)
    scan = SealedScan.objects.get(submission=material, kind="summary")
    verdict, url = scan_box(_page(client, material), "summary")
    assert (verdict, url) == ("checking", reverse("exchange:scan_check_state", args=[material.pk, scan.pk]))
    assert client.get(url).json()["finished"] is False
    # The report's document has no upload: the summary's box is read, not the page's first one.
    assert scan_box(_page(client, material), "report") == ("missing", "")

    scan_check(scan_id=scan.pk)
    state = client.get(url).json()
    assert state["finished"] is True and state["check_status"] == SealedScan.Check.ACCEPTED
    assert scan_box(_page(client, material), "summary") == ("accepted", "")


def test_a_refused_scan_reads_as_refused(client, filler, material):
    client.force_login(filler)
    _upload(client, material, pdf_bytes("not the print"), run_check=True)
    assert SealedScan.objects.get(submission=material).is_refused
    assert scan_box(_page(client, material), "summary") == ("refused", "")


def test_each_round_types_a_new_figure_a_few_hundredths_up():
    assert [autosave_raw("1234.5", r) for r in range(3)] == ["1234.51", "1234.52", "1234.53"]
    assert autosave_raw("87", 0) == "87.01"


def test_the_scripts_the_bench_runs_in_the_database_compile():
    # They run in a subprocess of the benchmark only; a slip would show at its first minute.
    compile(SETUP, "bench-setup", "exec")
    compile(CHECK, "bench-check", "exec")


def test_a_fillers_pauses_keep_the_mean_think_time_but_do_not_move_in_lock_step():
    first, again, other = (list(islice(pauses(seed, 0.5), 2000)) for seed in (1, 1, 2))
    assert first == again  # seeded: runs are alike
    assert first != other  # two fillers do not pause alike
    assert all(0.25 <= x <= 0.75 for x in first)
    assert abs(sum(first) / len(first) - 0.5) < 0.02


def test_the_floor_is_compared_over_the_stretch_the_other_kind_ran_in():
    stats = Stats()
    # The rush: autosaves from t=10 to t=12, the floor slow beside them; then the quiet wait.
    for t in (10.0, 11.0, 11.5):
        stats.add("autosave", 0.5, True, started=t)
    for t, seconds in ((9.0, 0.001), (10.2, 0.100), (11.9, 0.120), (12.4, 0.002), (30.0, 0.001)):
        stats.add("floor", seconds, True, started=t)
    # From the first autosave's start to the last one's answer (12.0): the floor's two in between.
    assert floor_during(stats, "autosave") == [0.100, 0.120]
    assert floor_during(stats, "section") == []
    figures = kind_figures(stats, "autosave")
    assert (figures["n"], figures["floor_n_during"], figures["floor_p95_during"]) == (3, 2, 0.120)


def test_the_ratios_with_goals_divide_by_the_floor_of_the_whole_run():
    kinds = {
        "section": {"p95": 0.8, "floor_p95_during": 0.1, "floor_n_during": 20},
        "autosave": {"p95": 0.6, "floor_p95_during": 0.2, "floor_n_during": 20},
        "review_list": {"p95": 0.3, "floor_p95_during": 0.05, "floor_n_during": 90},
        "floor": {"p95": 0.02},
    }
    assert ratios({"kinds": kinds}) == pytest.approx(
        {"form_page_p95_vs_floor": 40.0, "autosave_p95_vs_floor": 30.0, "review_list_p95_vs_floor": 15.0}
    )
    assert same_stretch_ratios({"kinds": kinds}) == pytest.approx(
        {"form_page_p95_vs_floor": 8.0, "autosave_p95_vs_floor": 3.0, "review_list_p95_vs_floor": 6.0}
    )
