"""The API's docs page (/api/v1/docs) really works under the site's CSP: Swagger UI loads from our
static files, lists every operation, no Content-Security-Policy violation is reported, and a call
made from the page with a token answers."""

from __future__ import annotations

import pytest

from api.tests.conftest import make_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_docs_page_renders_every_operation_under_the_csp(browser, live_server, filler, base, screenshots):
    token = make_token(filler)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "数据接口" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".swagger-ui .opblock").count() == 13
    # Nothing from outside the site (no CDN).
    assert all(url.startswith(live_server.url) for url in requests), requests
    page.screenshot(path=str(screenshots / "api-docs.png"), full_page=False)
    # Authorize with the token and try one call from the page.
    page.click("button.authorize")
    page.fill(".auth-container input", token)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".btn-done")
    page.click("#operations-名录-api_endpoints_bases")
    page.click("button.try-out__btn")
    page.click("button.execute")
    page.wait_for_selector(".live-responses-table tbody .response-col_status", timeout=10_000)
    assert page.inner_text(".live-responses-table tbody .response-col_status").strip().startswith("200")
    assert base.name in page.inner_text(".live-responses-table tbody .response-col_description")
    page.screenshot(path=str(screenshots / "api-docs-try-out.png"), full_page=True)
    assert problems == []
