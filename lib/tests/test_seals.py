"""lib.seals: what a page's code says, and which scans show every page of the current version."""

from __future__ import annotations

from lib.seals import PageSeal, seal_check, seal_parse, seal_text

FP = "ab" * 32
OLD = "cd" * 32


def codes(*seals: PageSeal) -> list[list[str]]:
    return [[seal_text(s)] for s in seals]


def page(
    n: int, total: int = 3, fingerprint: str = FP, submission: int = 7, kind: str = "summary"
) -> PageSeal:
    return PageSeal(kind, submission, fingerprint, n, total)


def check(scanned, kind: str = "summary"):
    return seal_check(kind=kind, submission=7, fingerprint=FP, scanned=scanned)


def test_the_code_round_trips_in_qr_alphanumeric_characters():
    seal = page(2)
    text = seal_text(seal)
    assert text == f"SFJD1:S:7:{FP.upper()}:2:3"
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert seal_parse(text) == seal


def test_other_codes_are_not_ours():
    assert seal_parse("https://example.cn") is None
    assert seal_parse(f"SFJD1:S:7:{FP.upper()}:4:3") is None  # page beyond the total
    assert seal_parse(f"SFJD1:X:7:{FP.upper()}:1:3") is None


def test_every_page_in_any_order_is_accepted():
    verdict = check(codes(page(3), page(1), page(2)))
    assert verdict.accepted and verdict.pages == 3 and verdict.reasons == ()


def test_an_unreadable_extra_page_is_reported_but_not_refused():
    verdict = check([*codes(page(1), page(2), page(3)), []])
    assert verdict.accepted and verdict.unreadable == (4,)


def test_missing_pages_are_named():
    verdict = check(codes(page(1), page(3, total=3)))
    assert not verdict.accepted
    assert "缺少当前版本的第2页（共3页，识别到2页）" in verdict.message


def test_an_older_version_is_refused_with_both_fingerprints():
    verdict = check(codes(page(1, fingerprint=OLD), page(2, fingerprint=OLD), page(3, fingerprint=OLD)))
    assert not verdict.accepted
    assert (
        "旧版本" in verdict.message
        and "CDCD-CDCD-CDCD" in verdict.message
        and "ABAB-ABAB-ABAB" in verdict.message
    )


def test_a_page_of_an_older_version_among_current_ones_is_refused():
    verdict = check(codes(page(1), page(2, fingerprint=OLD), page(2), page(3)))
    assert not verdict.accepted and "旧版本" in verdict.message


def test_another_materials_page_is_refused():
    verdict = check(codes(page(1), page(2), page(3), page(1, submission=8)))
    assert not verdict.accepted and "其他示范基地或其他年度" in verdict.message


def test_the_other_document_is_refused_and_named():
    verdict = check(codes(page(1, kind="report"), page(2, kind="report")))
    assert not verdict.accepted and "发展情况报告的页面" in verdict.message


def test_no_code_at_all_is_refused():
    verdict = check([[], ["some other code"]])
    assert not verdict.accepted and "未能在扫描件中识别出本系统打印的汇总表页面二维码" in verdict.message
