"""The dashboards in headless Chromium: charts drawn, filters applied, bars lead to the items."""
# ruff: noqa: F811 (pytest fixtures imported from tests/browser.py are parameters here)

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

from dashboards.demo_data import Sizes, generate  # noqa: E402
from tests.browser import ARTIFACTS, browser, logged_in_page  # noqa: E402, F401
from tracker.models import Item, ItemOwner, Unit  # noqa: E402
from tracker.models.items import lead_owner  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = ["overview", "units", "leaders", "documents", "calendar", "projects", "lights"]
PATHS = {"overview": "", **{name: f"{name}/" for name in PAGES[1:]}}


@pytest.fixture
def demo(users):
    generate(Sizes(items=800, units=24, leaders=8, seed=11))
    return users


def wait_for_charts(page):
    page.wait_for_selector(".chart.js-plotly-plot .main-svg")
    page.wait_for_function(
        "[...document.querySelectorAll('.chart')].every(c => c.querySelector('svg.main-svg'))"
    )


@pytest.mark.parametrize("name", PAGES)
def test_every_dashboard_page_draws_its_charts_without_console_errors(
    name, demo, live_server, logged_in_page
):
    page = logged_in_page(demo["leader"])
    response = page.goto(f"{live_server.url}/dashboards/{PATHS[name]}")
    assert response.status == 200
    wait_for_charts(page)
    charts = page.locator(".chart")
    assert charts.count() >= 1
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg.main-svg").count() >= 1
    # Chinese labels reach the SVG as text (the screenshots show they are not tofu).
    labels = "".join(page.locator(".chart svg text").all_text_contents())
    assert re.search(r"[\u4e00-\u9fff]", labels)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)
    assert page.errors == []


def test_a_unit_filter_changes_the_figures(demo, live_server, logged_in_page):
    unit = Unit.objects.filter(item_roles__isnull=False).order_by("name").first()
    expected = Item.objects.filter(
        pk__in=ItemOwner.objects.filter(unit=unit).values("item_id")
    ).count()
    page = logged_in_page(demo["leader"])
    page.goto(f"{live_server.url}/dashboards/")
    wait_for_charts(page)
    total = page.locator('.key-figure[data-state="total"] .key-value')
    assert int(total.inner_text()) == Item.objects.count()
    before = page.locator("#chart-states").evaluate("el => JSON.stringify(el.data)")

    with page.expect_navigation():
        page.select_option("select[name=unit]", str(unit.pk))  # applies on change
    wait_for_charts(page)
    assert f"unit={unit.pk}" in page.url
    assert int(total.inner_text()) == expected < Item.objects.count()
    assert page.locator("#chart-states").evaluate("el => JSON.stringify(el.data)") != before
    assert page.errors == []


def test_clicking_a_bar_opens_the_item_list_for_that_unit_and_state(
    demo, live_server, logged_in_page
):
    page = logged_in_page(demo["leader"])
    page.goto(f"{live_server.url}/dashboards/units/")
    wait_for_charts(page)
    # The top bar is the unit with the most overdue items; its first segment is "overdue".
    top = page.evaluate(
        "() => { const d = document.getElementById('chart-units').data[0];"
        " return {unit: d.y[d.y.length - 1], n: d.x[d.x.length - 1]}; }"
    )
    unit = Unit.objects.get(name=top["unit"])
    overdue = (
        Item.objects.annotate(lead=lead_owner("unit_id"))
        .filter(lead=unit.pk)
        .with_state()
        .filter(state=Item.State.OVERDUE)
        .count()
    )
    assert top["n"] == overdue > 0

    bars = page.locator("#chart-units .trace.bars").first.locator(".point path")
    box = bars.nth(bars.count() - 1).bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    url = urlparse(page.url)
    assert url.path == "/items/"
    assert parse_qs(url.query) == {"lead": [str(unit.pk)], "state": ["overdue"]}
    assert f"共 {overdue} 项" in page.content()


def test_the_overview_fits_a_phone_screen(demo, live_server, logged_in_page):
    page = logged_in_page(demo["leader"], width=390, height=844)
    page.goto(f"{live_server.url}/dashboards/")
    wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview-phone.png"), full_page=True)
    assert page.errors == []


# A target to click on each chart: the biggest clickable point, its page position and the
# drill-down link and count it carries (computed from the drawn figure itself).
TARGET_JS = """
(id) => {
  const el = document.getElementById(id);
  const rect = el.getBoundingClientRect();
  const box = {left: rect.left + window.scrollX, top: rect.top + window.scrollY};
  let best = null;
  const consider = (value, url, where) => {
    if (url && (best === null || value > best.value)) { best = {value, url, ...where}; }
  };
  const cells = {};
  el.data.forEach((trace, t) => {
    const cd = trace.customdata;
    if (!cd) { return; }
    if (trace.type === 'pie') {  // a point inside the ring at the slice's middle angle
      const slices = el.calcdata[t], centre = slices[0];
      slices.forEach((s) => {
        const [mx, my] = s.pxmid, len = Math.hypot(mx, my) || 1, r = centre.r * 0.8;
        consider(s.v, cd[s.i], {x: box.left + centre.cx + mx / len * r,
                                y: box.top + centre.cy + my / len * r});
      });
    } else if (trace.type === 'heatmap') {
      const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
      trace.z.forEach((row, j) => row.forEach((v, i) => {
        if (!cd[j][i]) { return; }
        const x = box.left + xa._offset + xa.l2p(xa.d2l(trace.x[i]));
        const y = box.top + ya._offset + ya.l2p(ya.d2l(trace.y[j]));
        cells[`${j},${i}`] = [v, cd[j][i], {x, y}];  // a later trace is drawn on top
      }));
    } else if (trace.type === 'bar') {
      const values = trace.orientation === 'h' ? trace.x : trace.y;
      cd.forEach((c, i) => {
        const url = Array.isArray(c) ? c[c.length - 1] : c;
        const value = Array.isArray(c) ? 1 : values[i];
        consider(value, url, {trace: t, index: i});
      });
    }
  });
  Object.values(cells).forEach(([v, url, where]) => consider(v, url, where));
  return best;
}
"""


def click_target(page, chart_id, target):
    chart = page.locator(f"#{chart_id}")
    if "x" in target:  # page coordinates: scroll the point to the middle of the window
        page.evaluate(f"window.scrollTo({target['x']} - 600, {target['y']} - 400)")
        scroll = page.evaluate("[window.scrollX, window.scrollY]")
        page.mouse.click(target["x"] - scroll[0], target["y"] - scroll[1])
        return
    bar = (
        chart.locator(".trace.bars")
        .nth(target["trace"])
        .locator(".point path")
        .nth(target["index"])
    )
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


CHARTS = [
    ("overview", "chart-states"),
    ("units", "chart-units"),
    ("leaders", "chart-leaders"),
    ("documents", "chart-documents"),
    ("calendar", "chart-calendar"),
    ("calendar", "chart-months"),
    ("projects", "chart-categories"),
    ("projects", "chart-gantt"),
    ("lights", "chart-light-units"),
    ("lights", "chart-light-leaders"),
    ("lights", "chart-grades"),
]


def test_clicking_each_chart_opens_the_matching_item_list(demo, live_server, logged_in_page):
    page = logged_in_page(demo["leader"], width=1366, height=900)
    for name, chart_id in CHARTS:
        page.goto(f"{live_server.url}/dashboards/{PATHS[name]}")
        wait_for_charts(page)
        target = page.evaluate(TARGET_JS, chart_id)
        assert target, chart_id
        with page.expect_navigation(timeout=10_000):
            click_target(page, chart_id, target)
        assert page.url == live_server.url + target["url"], chart_id
        if urlparse(target["url"]).path == "/items/":
            assert f"共 {target['value']} 项" in page.content(), chart_id
        else:  # a Gantt bar opens its project
            assert page.locator("h1").count() == 1
    assert page.errors == []
