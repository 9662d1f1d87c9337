"""Every URL of the site, fetched by each logged-in role: a Content-Security-Policy without inline
script, `Cache-Control: no-store`, and no inline `<script>`, `on*=` handler or `style=` attribute in
any HTML page (the policy would block them and the page would silently break)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from exchange.services import scan_upload_checked
from exchange.tests.conftest import fill_summary
from exchange.tests.printed import printed_upload
from submissions.services import submission_start

# A script element that runs: no src, and not a data block (json_script's type="application/json",
# which browsers never execute and CSP does not govern).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)


def patterns(resolvers: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def concrete(route: str, value: int) -> str | None:
    """A URL for the route with every parameter filled; None for regex routes we cannot fill."""
    if route.startswith("^") or "(?P" in route:
        return None
    filled = re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: "x" if m.group(1) in ("str", "slug") else str(value), route
    )
    return "/" + filled.lstrip("/")


@pytest.fixture
def material(db, campaign, base, filler, sibling_base):
    from definitions.services import definitions_load
    from exchange.tests.conftest import FORMS_2022

    definitions_load(directory=FORMS_2022)
    submission = submission_start(campaign=campaign, base=base, user=filler)
    fill_summary(submission, filler)
    scan_upload_checked(
        submission=submission, user=filler, kind="summary", upload=printed_upload(submission, "summary")
    )
    return submission


@pytest.mark.parametrize(
    "who", ["filler", "reviewer", "ministry", "expert", "sysadmin", "secadmin", "auditor"]
)
def test_every_authenticated_page_has_csp_and_no_store(client, request, material, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = request.getfixturevalue(who)
    client.force_login(user)
    seen_ok = 0
    checked = 0
    for route, _pattern in patterns(get_resolver().url_patterns):
        if "logout" in route:
            continue
        for value in (material.pk, material.campaign_id, 1):
            url = concrete(route, value)
            if url is None:
                continue
            response = client.get(url)
            checked += 1
            csp = response.get("Content-Security-Policy", "")
            assert csp, f"{url} ({who}): no Content-Security-Policy"
            assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, url
            assert "no-store" in response.get("Cache-Control", ""), f"{url} ({who}): cacheable"
            if response.status_code == 200:
                seen_ok += 1
                if response.get("Content-Type", "").startswith("text/html"):
                    html = response.content.decode()
                    for rule, what in (
                        (INLINE_SCRIPT, "inline script"),
                        (HANDLER, "on* handler"),
                        (STYLE_ATTR, "style="),
                    ):
                        match = rule.search(html)
                        assert match is None, (
                            f"{url} ({who}): {what}: {html[match.start() : match.start() + 120]}"
                        )
    assert checked > 40
    assert seen_ok >= 5, f"{who}: only {seen_ok} pages answered 200"


def test_an_anonymous_login_page_has_csp_too(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
