"""Shared fixtures: the built handbook, a local web server for it, and headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

# Debian's chromium by default; CHROMIUM names another Chromium-based browser (e.g. on GitHub runners).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts"


def mkdocs(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the mkdocs command line as a user would; output captured as text."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1764115200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@functools.cache
def bank_files() -> tuple[str, ...]:
    """The bank files mkdocs.yml lists (a fork may add its own after questions.yml)."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return tuple(config.extra.get("question_banks", ["questions.yml"]))


@functools.cache
def project_bank():
    """The merged bank the handbook is built from."""
    from bank import load_banks

    return load_banks([ROOT / name for name in bank_files()], ROOT)


def copy_project(dest: Path) -> Path:
    """A copy of the handbook's sources to change in a test; returns its mkdocs.yml."""
    for name in ("content", "theme_overrides", "hooks", "schema"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "mkdocs.offline.yml", *bank_files()):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, dest / name)
    return dest / "mkdocs.yml"


BANK_LIST = re.compile(r"^  question_banks:\n(?:    [-#].*\n)+", re.M)


def list_banks(config: Path, *names: str) -> None:
    """Make extra.question_banks in a copy's mkdocs.yml list these files only (a fork's own go too)."""
    text = config.read_text()
    assert BANK_LIST.search(text), "mkdocs.yml no longer lists extra.question_banks one file a line"
    listed = "".join(f"    - {name}\n" for name in names)
    config.write_text(BANK_LIST.sub(lambda _: f"  question_banks:\n{listed}", text, count=1))


def build(config: Path, site: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return mkdocs("build", "--strict", "-f", str(config), "-d", str(site), *extra, cwd=config.parent, env=env)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real handbook, built once with --strict."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(ROOT / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    return out


def serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


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


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline edition (mkdocs.offline.yml), built once: it opens from file://."""
    out = tmp_path_factory.mktemp("offline") / "offline"
    result = build(ROOT / "mkdocs.offline.yml", out)
    assert result.returncode == 0, result.stderr
    return out


# What has the keyboard focus: its id, or else its text.
FOCUSED = "document.activeElement.id || document.activeElement.textContent"


def tab_to(page, target: str, back: bool = False, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab) until the element with this id (or text) has focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate(FOCUSED) == target:
            return
    raise AssertionError(f"Tab never reached {target!r}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def instant(tmp_path_factory):
    """The handbook built with Material's instant navigation on, served over http."""
    root = tmp_path_factory.mktemp("instant")
    config = copy_project(root)
    for url in serve(root / "site"):
        # Material navigates instantly only to the pages its sitemap lists: at this very address.
        text = re.sub(r"(?m)^site_url:.*$", f"site_url: {url}/", config.read_text(encoding="utf-8"))
        assert "  features:\n" in text
        config.write_text(text.replace("  features:\n", "  features:\n    - navigation.instant\n", 1), encoding="utf-8")
        result = build(config, root / "site")
        assert result.returncode == 0, result.stderr
        yield url
