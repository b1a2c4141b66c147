"""The test harness itself: browser tests share one context per worker (support.Tabs), so what
one test stores must not reach the next, and a context that cannot be cleared is replaced.
These tests drive `tabs` by hand, as the `page` fixture does between tests."""

from __future__ import annotations

import datetime

from support import axe_failures, contrast_failures, project_bank

STAGE = project_bank().stages[0].id
# Everything a page can keep, written on the handbook's origin.
KEEP = """async () => {
  localStorage.setItem("hb-test-left", "1");
  sessionStorage.setItem("hb-test-left", "1");
  document.cookie = "hbtestleft=1; path=/";
  await new Promise((done, failed) => {
    const opening = indexedDB.open("hb-test-left", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("things");
    opening.onsuccess = () => { opening.result.close(); done(); };
    opening.onerror = () => failed(opening.error);
  });
  await (await caches.open("hb-test-left")).put("/hb-test-left", new Response("1"));
}"""
# What a page finds kept on its origin.
FOUND = """async () => ({
  local: Object.keys(localStorage).sort(),
  session: Object.keys(sessionStorage).sort(),
  cookies: document.cookie,
  databases: (await indexedDB.databases()).map(db => db.name).sort(),
  caches: globalThis.caches ? (await caches.keys()).sort() : [],
})"""


def test_what_one_test_stores_does_not_reach_the_next_and_the_context_is_kept(tabs, browser, base_url, tmp_path):
    url = f"{base_url}/checklists/{STAGE}/"
    # What the page itself keeps on its first load in a context no test has touched.
    fresh = browser.new_context()
    try:
        first = fresh.new_page()
        first.goto(url)
        on_load = first.evaluate(FOUND)
    finally:
        fresh.close()

    try:
        page = tabs.page()
        context = tabs.context
        page.goto(url)
        page.evaluate(KEEP)
        assert page.evaluate(FOUND)["databases"], "the test wrote no IndexedDB database"
        second = context.new_page()
        second.goto(url)
        local = tmp_path / "local.html"
        local.write_text("<!doctype html><title>local</title>", encoding="utf-8")
        second.goto(local.as_uri())
        second.evaluate("localStorage.setItem('hb-test-left', '1')")
        tabs.reset()

        assert tabs.context is context, "a context that could be cleared was replaced"
        assert [p for p in context.pages if p is not tabs.keeper] == [], "a test's tab was left open"
        after = tabs.page()
        after.goto(url)
        assert after.evaluate(FOUND) == on_load
        after.goto(local.as_uri())
        assert after.evaluate("localStorage.length") == 0
    finally:
        tabs.reset()


def test_a_context_whose_clock_was_fixed_is_replaced_and_the_next_page_has_the_real_date(tabs, base_url):
    try:
        page = tabs.page()
        context = tabs.context
        page.clock.set_fixed_time(datetime.datetime(2031, 3, 10, 12, 0, tzinfo=datetime.UTC))
        page.goto(f"{base_url}/checklists/{STAGE}/")
        assert page.evaluate("new Date().getFullYear()") == 2031
        tabs.reset()

        assert tabs.context is not context
        after = tabs.page()
        after.goto(f"{base_url}/checklists/{STAGE}/")
        assert after.evaluate("new Date().getFullYear()") == datetime.datetime.now(datetime.UTC).year
    finally:
        tabs.reset()


def test_the_accessibility_check_finds_what_it_should_each_time_it_runs_on_a_page(page):
    """The axe helpers report a planted failure, on the first run and on the runs after it that
    reuse the copy of axe the page holds; the contrast-only check reports only contrast."""
    page.set_content(
        "<!doctype html><html lang='en'><title>t</title><main><h1>t</h1>"
        "<img src='data:,' id='no-alt'><p id='faint' style='color:#ddd;background:#fff'>faint</p></main>"
    )

    def rules(failures: list[str]) -> set[str]:  # "where: rule (impact): help" starts each
        return {failure.split(": ", 1)[1].split(" ", 1)[0] for failure in failures}

    first = axe_failures(page, "planted")
    assert {"image-alt", "color-contrast"} <= rules(first)
    assert axe_failures(page, "planted") == first
    assert rules(contrast_failures(page, "planted")) == {"color-contrast"}
    assert rules(axe_failures(page, "part", include=["#faint"])) == {"color-contrast"}
