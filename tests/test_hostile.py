"""Bank text is data, never code: hostile text in every text field of the bank builds, and
runs nothing, loads nothing and breaks out of nothing.

Two ways in: a table of known attacks, every one in every text field at once; and a
property-based test (Hypothesis) that draws hostile strings from attack fragments and
arbitrary Unicode. Each built site is checked statically (no `on*` attribute, no
`javascript:` or `data:` URL, no `<script>` we did not write, no element that loads from
another host) and in Chromium (no dialog opens and no request leaves the origin, on the
pages and in search results).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import KIND
from support import ROOT, build, copy_project, list_banks, serve

# Known attacks on the places bank text lands: HTML, attributes, Markdown, links, CSS strings,
# JSON in a script, templates and our own shortcodes and placeholders.
ATTACKS = [
    "<script>alert('script')</script>",
    '"><img src=x onerror=alert("attr")>',
    "'><svg onload=alert('svg')>",
    "[click](javascript:alert('link'))",
    "[click](JaVaScRiPt:alert('case'))",
    "[click](&#106;avascript:alert('entity'))",
    "[click](javascript&colon;alert('colon'))",
    "[click](data:text/html,<script>alert('data')</script>)",
    "[click](//tracker.example/p)",
    "<javascript:alert('autolink')>",
    "*x*{: onmouseover=alert('attr_list') }",
    "## x { onclick=alert('heading') }",
    "![pixel](https://tracker.example/pixel.png)",
    "<img src=https://tracker.example/i.png>",
    "</style><script>alert('style')</script>",
    '"; } body { background: url(https://tracker.example/c.png) } x { content: "',
    "</script><script>alert('json')</script>",
    "\u2028alert('separator')\u2029",
    "{{ config }}{% raw %}",
    "<!-- md:quote augst-day-job -->",
    "<!-- hb:00000000:0 -->",
    "hb-site:people.md",
    "[^ref-cook-2015]",
    '=HYPERLINK("https://tracker.example","x")',
    "@SUM(1+1)",
]


def text_fields(data: dict) -> Iterator[tuple[dict, str]]:
    """Every text field of every entry, as (entry, key): what a contributor can write."""
    if isinstance(data.get("organisation"), dict):
        yield data["organisation"], "name"
    for section, kind in KIND.items():
        for entry in data.get(section) or ():
            for key, value in entry.items():
                if isinstance(value, str) and key not in ("id", "after", "url") and not _names_an_entry(kind, key):
                    yield entry, key
    reword = data.get("reword") or {}
    for key in reword:
        yield reword, key


def _names_an_entry(kind, key: str) -> bool:
    return any(ref.field == key for ref in kind.refs)


def hostile_project(tmp_path: Path, texts: Iterator[str]) -> Path:
    """The handbook with every text field of our bank, and of an organisation bank that adds,
    hides and rewords, replaced by the next hostile text."""
    config = copy_project(tmp_path)
    ours = yaml.safe_load((ROOT / "questions.yml").read_text())
    fork = yaml.safe_load((ROOT / "tests" / "fixtures" / "org-bank.yml").read_text())
    for data in (ours, fork):
        for entry, key in list(text_fields(data)):
            entry[key] = next(texts)
    (tmp_path / "questions.yml").write_text(yaml.safe_dump(ours, allow_unicode=True, sort_keys=False))
    (tmp_path / "org.yml").write_text(yaml.safe_dump(fork, allow_unicode=True, sort_keys=False))
    list_banks(config, "questions.yml", "org.yml")
    return config


def cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


# -----------------------------------------------------------------------------
# What a built site may hold
# -----------------------------------------------------------------------------


class _Loads(HTMLParser):
    """Script tags, event handler attributes, URLs with a scheme, and what makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.bad_urls: list[str] = []
        self.fetches: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        canonical = tag == "link" and dict(attrs).get("rel") == "canonical"  # names the page; fetches nothing
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value[:60]}>")
            if name in ("href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href"):
                if re.match(r"\s*(javascript|data|vbscript)\s*:", value, re.I):
                    self.bad_urls.append(f"<{tag} {name}={value[:60]}>")
                if (name != "href" or tag == "link") and not canonical:
                    self.fetches.append(value)
            if name == "style" and "url(" in value:
                self.fetches.append(value)
        if tag == "script":
            src = dict(attrs).get("src")
            self.scripts.append(f"src={src}" if src else "inline")
            self._script = "" if not src else None
        if tag in ("iframe", "object", "embed", "img", "svg", "video", "audio", "base", "meta") and tag != "meta":
            self.fetches.append(f"<{tag}>")

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts[-1] = "inline:" + _inline_kind(self._script)
            self._script = None


def _inline_kind(script: str) -> str:
    """Material's inline scripts, by what they start with; anything else is named in full."""
    script = script.strip()
    for known in ("__md_scope", "var __md_scope", "{", "document$"):
        if script.startswith(known):
            return known
    return script[:80]


def loads(path: Path) -> _Loads:
    parser = _Loads()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def assert_inert(site: Path, baseline: dict[str, list[str]]) -> None:
    problems = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        found = loads(page)
        problems += [f"{rel}: handler {h}" for h in found.handlers]
        problems += [f"{rel}: URL {u}" for u in found.bad_urls]
        if found.scripts != baseline.get(rel, found.scripts):
            problems.append(f"{rel}: scripts {found.scripts} instead of {baseline[rel]}")
        outside = [u for u in found.fetches if re.search(r"(https?:)?//", u) or u.startswith("<")]
        problems += [f"{rel}: loads {u}" for u in outside if u not in ("<svg>",)]
    assert not problems, "\n".join(problems[:40])


@pytest.fixture(scope="module")
def baseline(site) -> dict[str, list[str]]:
    """The script tags of each page of the real handbook: what a hostile bank may not change."""
    return {p.relative_to(site).as_posix(): loads(p).scripts for p in site.rglob("*.html")}


# -----------------------------------------------------------------------------
# In the browser
# -----------------------------------------------------------------------------

PAGES_TO_VISIT = ["", "checklists/", "checklists/all/", "people/", "principles/goals/", "references/",
                  "using-the-checklist/", "checklists/partnerships/", "checklists/compare/",
                  "checklists/retired/"]  # fmt: skip


def browse(browser, site: Path, stage: str, search_for: str) -> list[str]:
    """Visit the pages and a search; return what ran or left the origin."""
    problems: list[str] = []
    for base in serve(site):
        context = browser.new_context()
        local = (base, "data:", "blob:")
        context.on("request", lambda r, local=local: None if r.url.startswith(local) else problems.append(r.url))
        page = context.new_page()
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        try:
            for path in [*PAGES_TO_VISIT, f"checklists/{stage}/"]:
                page.goto(f"{base}/{path}")
                page.wait_for_load_state("load")
            page.locator("input.md-search__input").click()
            page.keyboard.type(search_for)
            page.locator(".md-search-result__meta").wait_for()
            page.emulate_media(media="print")
        finally:
            context.close()
    return problems


# -----------------------------------------------------------------------------
# The table of known attacks
# -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def attacked(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("attacked")
    config = hostile_project(root, cycle(ATTACKS))
    result = build(config, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_known_attacks_build_inert(attacked, baseline):
    assert_inert(attacked, baseline)


def test_known_attacks_run_nothing_in_the_browser(attacked, browser):
    assert not browse(browser, attacked, "considering", "script")


def test_known_attacks_show_as_text(attacked):
    """Shown literally, as typed: what the reader sees is the text of the attack."""
    page = (attacked / "checklists" / "considering" / "index.html").read_text()
    shown = html.unescape(re.sub(r"<[^>]+>", "", page[page.index("<article") :]))
    attacks = ["<script>alert('script')</script>", "[click](javascript:alert('link'))"]
    attacks += ["![pixel](https://tracker.example/pixel.png)", "*x*{: onmouseover=alert('attr_list') }"]
    for attack in attacks:
        assert attack in shown.replace("<em>x</em>", "*x*") or attack.replace("*x*", "x") in shown, attack


def test_links_to_a_page_are_named_as_the_page_is_titled(attacked):
    """A footer link's accessible name is the title it shows (WCAG 2.5.3), escaped once."""
    link = re.compile(r'<a [^>]*class="md-footer__link[^"]*" aria-label="([^"]*)">(.*?)</a>', re.S)
    seen = 0
    for path in attacked.rglob("*.html"):
        for label, inside in link.findall(path.read_text(encoding="utf-8")):
            shown = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", inside).split()))
            direction, _, title = shown.partition(" ")
            assert " ".join(html.unescape(label).split()) == f"{direction}: {title}", path
            seen += 1
    assert seen


# Markdown, as a contributor might hide it in any text: the export hands our HTML to an engine
# as Markdown (references go into footnotes), where none of it may become syntax.
MARKDOWN_ATTACK = ("[click](javascript:alert('link')) ![pixel](https://tracker.example/pixel.png) "
                   "{: onclick=alert('attr') } [^ref-cook-2015] <b>bold</b>")  # fmt: skip


def test_the_export_builds_inert_without_hooks(tmp_path, baseline):
    """`./run export` gives another engine the parts inside Markdown: built by MkDocs with no
    hooks, a bank's Markdown runs nothing, loads nothing and shows as written, footnotes included."""
    config = hostile_project(tmp_path / "project", cycle([MARKDOWN_ATTACK]))
    out = tmp_path / "export"
    exported = subprocess.run([sys.executable, str(ROOT / "hooks" / "export.py"), str(out), "-f", str(config)],
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    result = build(out / "mkdocs.yml", out / "site")
    assert result.returncode == 0, result.stderr
    assert_inert(out / "site", baseline)
    for page in ("references", "principles/goals", "checklists/considering"):
        shown = html.unescape(re.sub(r"<[^>]+>", "", (out / "site" / page / "index.html").read_text()))
        assert MARKDOWN_ATTACK in shown, f"{page}: the bank's text is not shown as written"


def test_downloads_keep_text_exact_and_spreadsheets_safe(attacked):
    rows = list(csv.DictReader(io.StringIO((attacked / "questions.csv").read_text(encoding="utf-8-sig"))))
    data = json.loads((attacked / "questions.json").read_text())
    texts = {q["id"]: q["text"] for q in data["questions"]}
    formulas = [r for r in rows if texts[r["id"]].startswith(("=", "+", "-", "@"))]
    assert formulas, "the table of attacks should reach a question's text"
    for row in formulas:
        assert row["text"] == "'" + texts[row["id"]], row["id"]
    assert not [r for r in rows for cell in r.values() if cell.startswith(("=", "+", "-", "@"))]


# -----------------------------------------------------------------------------
# Property: any hostile text
# -----------------------------------------------------------------------------

# A reproducible few in CI (and no example database, so no run depends on an earlier one);
# HANDBOOK_HYPOTHESIS=explore searches far more, randomly.
SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci", max_examples=6, derandomize=True, database=None, deadline=None, suppress_health_check=SLOW_IS_FINE
)
settings.register_profile("explore", max_examples=200, database=None, deadline=None, suppress_health_check=SLOW_IS_FINE)
settings.load_profile(os.environ.get("HANDBOOK_HYPOTHESIS", "ci"))

FRAGMENTS = [
    *"<>\"'&;`*_[](){}:!#\\|=@+% \n\t\u2028\u202e\x00\x85",
    *["&#", "-->", "<!--", "javascript:", "data:", "//", "on", "md:", "hb-site:", "alert(1)", "script", "img", "src"],
    *["href", "style", "url("],
]
any_characters = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
hostile_text = (
    st.lists(st.sampled_from(FRAGMENTS + ATTACKS) | any_characters, min_size=1, max_size=8)
    .map("".join)
    .filter(lambda s: s.strip())
)


@given(texts=st.lists(hostile_text, min_size=5, max_size=5))
def test_any_hostile_text_builds_inert(tmp_path_factory, browser, baseline, texts):
    root = tmp_path_factory.mktemp("hostile")
    config = hostile_project(root, cycle(texts))
    result = build(config, root / "site")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert_inert(root / "site", baseline)
    assert not browse(browser, root / "site", "considering", "a")
