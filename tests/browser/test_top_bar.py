"""The red bar at the top on the screens civil servants use (1024 to 1366 pixels wide): every link and
退出 stay on the bar, and the page never scrolls sideways. The ministry has the most links; a base's
filler the longest unit name."""

from __future__ import annotations

import pytest

from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1024, 1280, 1366, 1920)


@pytest.mark.parametrize("username", ["ministry", "reviewer", "filler"])
def test_the_bar_keeps_every_link_and_logout_on_screen(
    browser, live_server, ministry, reviewer, filler, screenshots, username
):
    page, _ = login(browser, live_server, username)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 600})
        page.goto(f"{live_server.url}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        bar = page.locator("header.topbar").bounding_box()
        assert bar is not None and bar["x"] == 0 and bar["width"] == width
        items = page.locator("header.topbar a, header.topbar button:text-is('退出')")
        assert items.count() > 3
        for item in items.all():
            box = item.bounding_box()
            assert box is not None, item.inner_text()
            # Inside the red bar, so white on red, and inside the window.
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, item.inner_text(), box)
            assert bar["y"] <= box["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"], (
                width, item.inner_text(), box, bar,
            )  # fmt: skip
        page.screenshot(path=str(screenshots / f"top-bar-{username}-{width}.png"))
    assert page.get_attribute("header.topbar .unit", "title")  # a unit name cut short is read in full
