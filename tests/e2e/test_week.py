"""Every role's week in Chromium (issue 15): nothing leaves the school's server, the favicon is
the app's own, first screens show whole labels, and a refresh keeps a demo sign-in."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from pdcore.ui.navigation import PAGES
from tests.e2e.conftest import assert_no_exception, demo_sign_in, go_to, wait_for_app

pytestmark = pytest.mark.e2e

# Text a person reads that the browser cut with an ellipsis ("Google Certificati...").
CUT_LABELS_JS = """
() => {
  const cut = [];
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  for (const el of main.querySelectorAll('*')) {
    if (!el.offsetParent || !el.innerText || !el.innerText.trim()) continue;
    const style = getComputedStyle(el);
    if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      cut.push(el.innerText.trim().slice(0, 80));
    }
  }
  return cut;
}
"""


# Every chart and table in sight has drawn (they load after the script run), no placeholder.
DRAWN_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || main.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]'))
    return false;
  const drawn = (sel) => [...main.querySelectorAll(sel)]
    .filter(e => e.offsetParent !== null)  // a hidden tab's charts draw when it opens
    .every(e => e.querySelector('canvas, svg'));
  return drawn('[data-testid="stVegaLiteChart"]') && drawn('[data-testid="stDataFrame"]');
}
"""


def _outside(url: str) -> bool:
    parts = urlparse(url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    return parts.hostname not in ("127.0.0.1", "localhost")


@pytest.mark.parametrize("role", ["Teacher", "Coach", "Admin"])
def test_every_page_stays_on_the_school_server_with_whole_labels(app_server, new_user, shot, role):
    page = new_user(app_server.url)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    demo_sign_in(page, role)
    links = page.locator('[data-testid="stSidebarNav"] a').all()
    titles = [link.inner_text().strip().split("\n")[-1] for link in links]  # after the icon
    assert titles, "the sidebar lists the role's pages"
    cut: dict[str, list[str]] = {}
    for title in titles:
        go_to(page, title)
        # Widgets and charts draw after the run ends: wait until none is a placeholder.
        page.wait_for_function(DRAWN_JS)
        page.wait_for_timeout(1500)  # lazily loaded elements (a chart) mount a moment later
        assert_no_exception(page)
        shot(page, f"{role} {title}")
        if found := page.evaluate(CUT_LABELS_JS):
            cut[title] = found
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert icon and "gstatic" not in icon and not (icon.startswith("http") and _outside(icon)), icon
    outside = sorted({url for url in requests if _outside(url)})
    assert outside == [], f"requests left the school's server: {outside}"
    assert cut == {}, f"labels cut on the first screen: {cut}"
    known = {title for _path, title, *_ in PAGES}
    assert set(titles) <= known


def test_a_refresh_keeps_the_demo_sign_in(app_server, new_user):
    page = new_user(app_server.url)
    demo_sign_in(page, "Teacher")
    go_to(page, "My cohort")
    page.reload()
    wait_for_app(page)
    page.get_by_role("button", name="Sign out").wait_for()
    assert page.get_by_role("heading", level=1).first.inner_text() in ("My cohort", "Welcome, Ana")
