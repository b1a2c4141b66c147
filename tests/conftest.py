"""Fixtures: the built handbook (made once per test run, whatever the number of workers), a
local web server for it, and one headless Chromium per worker. Helpers are in support.py.

Every test that needs a browser is marked `browser` (and each of tests/test_office.py `office`),
so `./run check` (`-m "not browser and not office"`) runs the rest: the bank, merging, rendering,
builds and exports."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, Tabs, build, copy_project, once_per_run, serve

BROWSER_FIXTURES = {"browser", "tabs", "page"}
# The builds' cache (parsed banks, compiled templates) in a folder of this run's own, never the
# user's: a test sees no leftovers from earlier runs, and leaves none.
os.environ["HANDBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="handbook-test-cache-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real handbook, built once per test run with --strict."""

    def make(folder: Path) -> None:
        result = build(ROOT / "mkdocs.yml", folder / "site")
        assert result.returncode == 0, result.stderr

    return once_per_run(tmp_path_factory, "site", make) / "site"


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    yield from serve(site)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def tabs(browser, tmp_path_factory) -> Iterator[Tabs]:
    """One context per worker, reused test after test and cleared between (support.Tabs)."""
    blank = tmp_path_factory.mktemp("blank") / "blank.html"
    blank.write_text("<!doctype html><title>blank</title>", encoding="utf-8")
    shared = Tabs(browser, blank)
    yield shared
    shared.close()


@pytest.fixture
def page(tabs: Tabs):
    """A new page, in a context that holds nothing any earlier test left."""
    yield tabs.page()
    tabs.reset()


@pytest.fixture(scope="session")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline edition (mkdocs.offline.yml), built once per test run: it opens from file://."""

    def make(folder: Path) -> None:
        result = build(ROOT / "mkdocs.offline.yml", folder / "offline")
        assert result.returncode == 0, result.stderr

    return once_per_run(tmp_path_factory, "offline", make) / "offline"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def instant(tmp_path_factory):
    """The handbook built with Material's instant navigation on, served over http (one per
    worker: Material navigates instantly only to the pages its sitemap lists, at this address)."""
    root = tmp_path_factory.mktemp("instant")
    config = copy_project(root)
    for url in serve(root / "site"):
        text = re.sub(r"(?m)^site_url:.*$", f"site_url: {url}/", config.read_text(encoding="utf-8"))
        assert "  features:\n" in text
        config.write_text(text.replace("  features:\n", "  features:\n    - navigation.instant\n", 1), encoding="utf-8")
        result = build(config, root / "site")
        assert result.returncode == 0, result.stderr
        yield url
