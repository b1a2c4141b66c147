"""What the tests share: running MkDocs as a user would, copies of the project to change,
builds made once per test run, a web server for a built site, the keyboard, and axe-core.

Fixtures live in conftest.py and use these; test modules import from here, never from
conftest (pytest loads conftest itself, and importing it twice makes two copies).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

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
    # No GPU here: without these, Chromium emulates one in software, a third of each page load.
    "--disable-gpu",
    "--disable-extensions",
    "--mute-audio",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
# A fixed build date, so that two builds of the same files compare equal.
BUILD_DATE = "1764115200"


# ------------------------------------------------------------------ MkDocs, as a user runs it


def mkdocs(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, cores: set[int] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the mkdocs command line as a user would; output captured as text. `cores`: the
    CPUs it may run on (all of this process's by default), as on a smaller machine."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": BUILD_DATE, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
    )


def build(
    config: Path, site: Path, *extra: str, env: dict[str, str] | None = None, cores: set[int] | None = None
) -> subprocess.CompletedProcess[str]:
    return mkdocs(
        "build", "--strict", "-f", str(config), "-d", str(site), *extra, cwd=config.parent, env=env, cores=cores
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


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages mkdocs.yml lists, the first the bank's own (a fork may add one)."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return tuple(config.extra.get("languages") or [config.theme["language"]])


def translation_files() -> list[str]:
    """Every bank's translation into every other language, as the project has them."""
    return [
        f"{name.rpartition('.')[0]}.{code}.yml"
        for name in bank_files()
        for code in languages()[1:]
        if (ROOT / f"{name.rpartition('.')[0]}.{code}.yml").is_file()
    ]


def copy_project(dest: Path) -> Path:
    """A copy of the handbook's sources to change in a test; returns its mkdocs.yml."""
    for name in ("content", "theme_overrides", "hooks", "schema"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("mkdocs.yml", "mkdocs.offline.yml", *bank_files(), *translation_files()):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, dest / name)
    return dest / "mkdocs.yml"


BANK_LIST = re.compile(r"^  question_banks:\n(?:    [-#].*\n)+", re.M)


def list_banks(config: Path, *names: str) -> None:
    """Make extra.question_banks in a copy's mkdocs.yml list these files only (a fork's own go
    too), each with a translation into every other language: the project's own where the bank
    file is the project's, as it is, else a stand-in that repeats the bank's text (translate())."""
    text = config.read_text()
    assert BANK_LIST.search(text), "mkdocs.yml no longer lists extra.question_banks one file a line"
    listed = "".join(f"    - {name}\n" for name in names)
    config.write_text(BANK_LIST.sub(lambda _: f"  question_banks:\n{listed}", text, count=1))
    for name in names:
        bank = config.parent / name
        ours = ROOT / name
        if ours.is_file() and ours.read_bytes() == bank.read_bytes() and name in bank_files():
            continue
        for code in languages()[1:]:
            translate(bank, code)


LANGUAGE_LIST = re.compile(r"^  languages:\n(?:    [-#].*\n)+", re.M)


def first_language_only(config: Path) -> None:
    """Make a copy build its first language alone (extra.languages), as the benchmark's "one"
    variant does: for tests that open only the first language's pages, at half the build."""
    text = config.read_text(encoding="utf-8")
    assert LANGUAGE_LIST.search(text), "mkdocs.yml no longer lists extra.languages one code a line"
    config.write_text(LANGUAGE_LIST.sub(f"  languages:\n    - {languages()[0]}\n", text, count=1), encoding="utf-8")
    for code in languages()[1:]:
        # A language's guidance pages are in a folder of its own; without the language they are not pages.
        shutil.rmtree(config.parent / "content" / code, ignore_errors=True)


def retranslate(bank: Path) -> None:
    """After a test edits a bank file: its translations made again to match (see translate())."""
    for code in languages()[1:]:
        translate(bank, code)


def translate(bank: Path, language: str, words=lambda text: text) -> Path:
    """A translation file for a bank file, giving each translated field `words(text)` for its text:
    the text as it is by default, for tests about anything but the words (a whole language's
    pseudo-translation: tests/fixtures/add_language.py)."""
    import yaml

    from model import KIND

    data = yaml.safe_load(bank.read_text(encoding="utf-8")) or {}
    first = languages()[0]
    out: dict = {"language": language}
    for section, kind in KIND.items():
        entries = {}
        for entry in data.get(section) or ():
            fields = {
                name: {first: str(entry[name]), language: words(str(entry[name]))}
                for name in kind.translated
                if isinstance(entry, dict) and isinstance(entry.get(name), str) and entry[name].strip()
            }
            if fields and isinstance(entry.get("id"), str):
                entries[entry["id"]] = fields
        if entries:
            out[section] = entries
    rewords = {qid: {first: str(text), language: words(str(text))} for qid, text in (data.get("reword") or {}).items()}
    if rewords:
        out["reword"] = rewords
    target = bank.with_name(f"{bank.name.rpartition('.')[0]}.{language}.yml")
    target.write_text(yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=1_000_000), encoding="utf-8")
    return target


# ------------------------------------------------------------------ made once per test run


def once_per_run(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder that `make` fills once per test run, shared by every pytest-xdist worker:
    the first to ask makes it while the others wait, so a site is built once, not once per worker."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    with FileLock(str(shared / f"{name}.lock")):
        done = folder / ".made"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder


# ------------------------------------------------------------------ serving a built site


def serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A page closed while it loads drops its connection: nothing went wrong, so no traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == NO_PAGE:  # a page of the origin's own that runs no script (seed())
            body = b'<!doctype html><title>blank</title><link rel="icon" href="data:,">'  # no favicon request
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


# ------------------------------------------------------------------ the browser tools, opened and seeded

# What a page shows once its browser code has run: the workspace bar, or a tools page's body.
TOOLS_SHOWN = "[data-hb-workspace]:not([hidden]), .hb-app > :not(.hb-app__needs)"
# The keys the handbook served at / keeps its workspace, its earlier states and a tab's partnership under.
WORKSPACE = "handbook-workspace:/"
HISTORY = "handbook-history:/"
TAB = "handbook-tab:/"
# A path no built site has: the test server answers it with a blank page, which runs no script.
NO_PAGE = "/__blank-for-tests__"
# Long texts are made in the page, not sent down the test's connection (megabytes are slow
# there): "@@90000@@" in a seeded value stands for 90,000 letters n. expand() is the same in Python.
_LONG = re.compile(r"@@(\d+)@@")
EXPAND = r"v => v.replace(/@@(\d+)@@/g, (_, n) => 'n'.repeat(Number(n)))"
_SEED = f"""([local, session]) => {{
  const expand = {EXPAND};
  localStorage.clear();
  sessionStorage.clear();
  for (const [k, v] of Object.entries(local)) localStorage.setItem(k, expand(v));
  for (const [k, v] of Object.entries(session)) sessionStorage.setItem(k, v);
}}"""


def open_page(page, url: str) -> None:
    """Open a page and wait for the browser code to have shown its tools."""
    page.goto(url)
    page.wait_for_selector(TOOLS_SHOWN, state="attached")


def seed(page, url: str, local: dict[str, str], session: dict[str, str] | None = None) -> None:
    """Empty the Web Storage of url's origin, put these raw values in it (localStorage, and this
    tab's sessionStorage), then open url afresh, as in a new tab. The values go in from the test
    server's blank page (NO_PAGE), where none of the handbook's scripts runs to read or rewrite
    them first; another server, or a file:// page, has no such page, so there they go in from url."""
    parts = urllib.parse.urlsplit(url)
    blank = f"{parts.scheme}://{parts.netloc}{NO_PAGE}"
    if parts.scheme == "file" or not page.goto(blank).ok:
        page.goto(url)
    page.evaluate(_SEED, [local, session or {}])
    open_page(page, url)


def expand(text: str) -> str:
    return _LONG.sub(lambda match: "n" * int(match[1]), text)


def stored(page, key: str = WORKSPACE):
    """The value this origin keeps under a localStorage key, read as JSON (None when there is none)."""
    raw = page.evaluate("k => localStorage.getItem(k)", key)
    return None if raw is None else json.loads(raw)


# ------------------------------------------------------------------ the keyboard

# What has the keyboard focus: its id, or else its text.
FOCUSED = "document.activeElement.id || document.activeElement.textContent"


def tab_to(page, target: str, back: bool = False, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab) until the element with this id (or text) has focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate(FOCUSED) == target:
            return
    raise AssertionError(f"Tab never reached {target!r}")


# ------------------------------------------------------------------ accessibility

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


@functools.cache
def _axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def _run_axe(page, context: dict | None, options: dict) -> list[dict]:
    """axe-core's violations, from the copy the page already has (a page checked in both schemes,
    or part by part, parses axe's half a megabyte once, not at every run)."""
    if not page.evaluate("typeof axe === 'object' && typeof axe.run === 'function'"):
        page.evaluate(_axe_source())
    run = "([context, options]) => axe.run(context || document, options).then(results => results.violations)"
    return page.evaluate(run, [context, options])


def axe_failures(page, where: str, include: list[str] | None = None) -> list[str]:
    """axe-core's WCAG 2.0-2.2 A and AA violations on the page as it is now, readably; with
    `include`, only within the elements it selects (a part of a page tested whole elsewhere)."""
    return [_described(violation, where) for violation in axe_violations(page, include=include)]


def axe_violations(page, exclude: list[str] | None = None, include: list[str] | None = None) -> list[dict]:
    """axe-core's raw violations on the page as it is now, outside the elements `exclude` selects."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000)
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    if include:
        context = {**(context or {}), "include": [[selector] for selector in include]}
    return _run_axe(page, context, AXE_OPTIONS)


def other_scheme(page) -> str:
    """Switch Material's colour scheme with its own toggle, as a reader does; the scheme now."""
    before = page.evaluate("document.body.dataset.mdColorScheme")
    page.locator("form[data-md-component=palette] label:not([hidden])").first.click()
    page.wait_for_function(f"document.body.dataset.mdColorScheme !== {before!r}", timeout=5_000)
    return page.evaluate("document.body.dataset.mdColorScheme")


def contrast_failures(page, where: str) -> list[str]:
    """Only axe's colour-contrast rule: all that differs between a page's colour schemes, whose
    markup is the same, so a page checked whole in one scheme needs only this in the other."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000)
    options = {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]}
    violations = _run_axe(page, None, options)
    return [_described(violation, where) for violation in violations]


def _described(violation: dict, where: str) -> str:
    lines = [f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:6]:
        lines.append(f"    at {' > '.join(map(str, node['target']))}")
        lines.append(f"       {' '.join(node['html'].split())[:160]}")
        lines.extend(f"       {line.strip()}" for line in node["failureSummary"].splitlines()[1:3])
    if len(violation["nodes"]) > 6:
        lines.append(f"    ... and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


# ------------------------------------------------------------------ browser storage, measured

FILLER = "hb-test-filler"  # not one of the handbook's keys: another site's data, as far as it knows
ROOM = """() => {
  // The room left beside what is stored, in characters: filled with probes, largest first
  // (each size until one no longer fits), then the probes removed.
  const probes = [];
  let room = 0;
  for (let size = 2 ** 20; size >= 1; size = Math.floor(size / 4)) {
    for (;;) {
      const key = `hb-test-probe-${probes.length}`;
      try { localStorage.setItem(key, "p".repeat(size)); } catch { break; }
      probes.push(key);
      room += key.length + size;
    }
  }
  for (const key of probes) localStorage.removeItem(key);
  return room;
}"""


def room(page) -> int:
    return page.evaluate(ROOM)


def fill_storage(page, leave: int) -> None:
    """Fill this origin's storage with another key until only about `leave` characters are free."""
    page.evaluate("k => localStorage.removeItem(k)", FILLER)
    free = room(page)
    assert free > leave + len(FILLER)
    page.evaluate("([k, n]) => localStorage.setItem(k, 'f'.repeat(n))", [FILLER, free - leave - len(FILLER)])
    assert abs(room(page) - leave) < 64


# ------------------------------------------------------------------ search, as a reader uses it

SEARCH_READY = """() => {
  const meta = document.querySelector(".md-search-result__meta");
  const said = JSON.parse(document.getElementById("__config").textContent).translations;
  return meta && meta.textContent.trim() === said["search.result.placeholder"];
}"""


def type_search(page, words: str) -> None:
    """Material's search box, given `words` once its index is ready, and searched for once:
    Material searches on each key released, so typed key by key an earlier prefix's results can
    be the ones on screen, and words put in before the index is ready are not searched for.
    The words go in whole, then one key that changes nothing (End) is released."""
    box = page.locator("input.md-search__input")
    box.click()
    page.wait_for_function(SEARCH_READY)
    box.fill(words)
    box.press("End")


# ------------------------------------------------------------------ one browser context, reused


class Tabs:
    """One browser context per worker, shared by the tests one after another, with one page kept
    open in it (a context's first renderer is most of the cost of a new one), on a blank page of
    the last origin it checked. Between tests, `reset()` closes the test's pages and clears
    everything they kept: each origin's storage of every kind, the HTTP cache, cookies and
    permissions. It then checks, from the kept page, that each origin's storage reads empty. A
    context that fails that check, or that had Playwright's clock installed (context-wide, and it
    cannot be taken out), is closed and a new one made."""

    # Storage a page can see: Web Storage, IndexedDB and Cache Storage (in a secure context).
    STORED = """async () => localStorage.length + sessionStorage.length
      + (await indexedDB.databases()).length
      + (globalThis.caches ? (await caches.keys()).length : 0)"""
    # Playwright's clock leaves this on every page of a context it was installed in.
    CLOCK = "'__pwClock' in globalThis"

    def __init__(self, browser, blank: Path) -> None:
        self.browser = browser
        self.blank = blank  # an empty HTML file, to check file:// storage from
        self.context = None
        self.keeper = None
        self.at: str | None = None  # the origin the kept page is on
        self.origins: set[str] = set()

    def page(self):
        if self.context is None:
            self.context = self.browser.new_context(accept_downloads=True)
            self.context.on("request", lambda request: self._seen(request.url))
            self.keeper = self.context.new_page()
        return self.context.new_page()

    def reset(self) -> None:
        if self.context is None:
            return
        try:
            for page in self.context.pages:
                if page is not self.keeper:
                    page.close()
            if not self.keeper.evaluate(self.CLOCK) and self._cleared():
                return
        except Exception:  # whatever broke, a new context is the cure
            pass
        self.close()

    def close(self) -> None:
        if self.context is not None:
            with contextlib.suppress(Exception):  # the browser may have gone first
                self.context.close()
        self.context = self.keeper = self.at = None
        self.origins = set()

    def _seen(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("http", "https", "file"):
            self.origins.add(f"{parts.scheme}://{parts.netloc}")

    def _cleared(self) -> bool:
        cdp = self.context.new_cdp_session(self.keeper)
        try:
            for origin in self.origins:
                cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
            cdp.send("Network.clearBrowserCache")
        finally:
            cdp.detach()
        self.context.clear_cookies()
        self.context.clear_permissions()
        # The kept page stays on the last origin it checked, whose storage it sees live: the
        # usual test, on one origin, costs no page load here.
        try:
            for origin in sorted(self.origins, key=lambda origin: origin != self.at):
                if origin != self.at:
                    # A path no site has: the test server's blank page (another server's 404).
                    self.keeper.goto(self.blank.as_uri() if origin == "file://" else origin + NO_PAGE)
                    self.at = origin
                if self.keeper.evaluate(self.STORED):
                    return False
        finally:
            self.origins = set()
        return True
