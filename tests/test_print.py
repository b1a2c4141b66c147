"""Printing for real: each checklist printed to PDF by headless Chromium, read back with pypdf.

A facilitator prints one stage's checklist for a workshop: every question in order, with tick
boxes, lines to write on and a running header and footer, on at most two sheets (one in compact
mode), and nothing of the website around it. The first page of every PDF is saved as a PNG in
test-artifacts/ to look at.
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from bank import load_bank
from conftest import ROOT

BANK = load_bank(ROOT / "questions.yml", ROOT)
NUMBERS = BANK.numbers
STAGES = [stage.id for stage in BANK.stages]
SITE_NAME = "Leading successful partnerships"
CREDIT = "Adapted from Leading successful partnerships, Q (the Health Foundation)"
EDITION = re.compile(r"(Version \S+|Built \d{1,2} [A-Z][a-z]+ \d{4})")
PAPER = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}  # points, portrait

# Text of the website around the checklist, none of which belongs on paper: the toolbar,
# navigation, header, search, footer, the notes fields and the copyright notice.
CHROME = [
    "Print this checklist",
    "Print all stages",
    "Print this overview",
    "Compact print",
    "Export answers",
    "Import answers",
    "Clear answers",
    "Download every question",
    "Ticks and notes are kept in this browser",
    "Skip to content",
    "Table of contents",
    "Search",
    "Previous",
    "Next",
    "About the guidance",
    "Using the checklist",
    "Add your organisation",
    "Notes",
    "What people said",
    "An independent adaptation",
]


def normalise(text: str) -> str:
    """One space between words, plain quotes, no soft hyphens; a line broken after a hyphen rejoined."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    text = re.sub(r"(\w)-\s+(\w)", r"\1-\2", text)
    return " ".join(text.split())


def plain(markdown: str) -> str:
    """A question's text as printed: inline Markdown links and emphasis reduced to their words."""
    return normalise(re.sub(r"[*_`]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)))


def numbered(question) -> str:
    return f"{NUMBERS[question.id]}. {plain(question.text)}"


@dataclass(frozen=True)
class Printed:
    path: str
    paper: str
    compact: bool
    pages: tuple[str, ...]  # each page's extracted text, normalised
    lines: tuple[tuple[str, ...], ...]  # each page's text line by line, normalised
    sizes: tuple[tuple[float, float], ...]  # each page's media box (width, height) in points

    def page_of(self, text: str) -> list[int]:
        return [n for n, page in enumerate(self.pages) if text in page]


@pytest.fixture(scope="module")
def printout(browser, base_url, artifacts):
    """Print a page of the site once per (path, paper, compact) and read the PDF back."""

    @cache
    def printout(path: str, paper: str = "A4", compact: bool = False) -> Printed:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{base_url}/{path}")
            if compact:
                # As a facilitator would: the toolbar's checkbox puts hb-compact on <html>.
                page.check('input[data-hb-action="compact"]')
                assert page.evaluate("document.documentElement.classList.contains('hb-compact')")
            # The paper is the printer's: the CSS names no size, except landscape for the overview.
            pdf = page.pdf(format=paper, prefer_css_page_size=path == "checklists/")
        finally:
            context.close()
        name = "print-" + (path.strip("/").replace("/", "-") or "home") + f"-{paper}" + ("-compact" if compact else "")
        _save(pdf, artifacts / name)
        reader = PdfReader(io.BytesIO(pdf))
        texts = [page.extract_text() for page in reader.pages]
        return Printed(
            path=path,
            paper=paper,
            compact=compact,
            pages=tuple(normalise(t) for t in texts),
            lines=tuple(tuple(normalise(line) for line in t.splitlines() if line.strip()) for t in texts),
            sizes=tuple((float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages),
        )

    return printout


def _save(pdf: bytes, stem: Path) -> None:
    """Keep the PDF, and its first page as a PNG, as test artefacts."""
    stem.with_suffix(".pdf").write_bytes(pdf)
    for old in stem.parent.glob(f"{stem.name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(stem.with_suffix(".pdf")), str(stem)],
        check=True,
        capture_output=True,
    )


def assert_no_chrome(printed: Printed) -> None:
    text = " ".join(printed.pages)
    found = [words for words in CHROME if re.search(rf"\b{re.escape(words)}\b", text)]
    assert not found, f"{printed.path} ({printed.paper}) prints site chrome: {found}"


def assert_running_header_and_footer(printed: Printed, base_url: str, title: str) -> None:
    address = f"{base_url}/{printed.path}"
    for n, page in enumerate(printed.pages, 1):
        where = f"{printed.path} ({printed.paper}), page {n}"
        assert SITE_NAME in page and title in page, f"{where}: running header missing"
        assert CREDIT in page, f"{where}: source credit missing"
        assert address in page, f"{where}: the address it was opened at is missing"
        assert EDITION.search(page), f"{where}: version or build date missing"
        assert f"Page {n} of {len(printed.pages)}" in page, f"{where}: page number missing"


def assert_paper(printed: Printed, landscape: bool = False) -> None:
    width, height = PAPER[printed.paper]
    expected = (height, width) if landscape else (width, height)
    for size in printed.sizes:
        assert size == pytest.approx(expected, abs=1.5), f"{printed.path}: page size {size}, not {printed.paper}"


# -----------------------------------------------------------------------------
# One stage's checklist
# -----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("compact", [False, True], ids=["notes", "compact"])
@pytest.mark.parametrize("stage", STAGES)
def test_stage_checklist_prints_as_a_paper_form(printout, base_url, stage, compact, paper):
    printed = printout(f"checklists/{stage}/", paper, compact)
    title = BANK.get("stages", stage).title
    questions = BANK.ordered_questions(stage)

    # Every question, numbered, in the order of the page.
    text = " ".join(printed.pages)
    position = 0
    for question in questions:
        found = text.find(numbered(question), position)
        assert found >= 0, f"{stage} ({paper}): question {numbered(question)!r} missing or out of order"
        position = found

    # Hints small on the form, gone in compact mode; quotes never.
    for question in questions:
        if question.hint:
            assert (plain(question.hint) in text) is not compact, f"{stage}: hint of {question.id}"
    for quote in BANK.quotes_for(stage):
        assert " ".join(plain(quote.text).split()[:6]) not in text, f"{stage}: the quotes' panel prints"

    assert_no_chrome(printed)
    assert_running_header_and_footer(printed, base_url, title)
    assert_paper(printed)

    # Two sheets at most with room to write, one without.
    if compact:
        assert len(printed.pages) == 1, f"{stage} compact on {paper}: {len(printed.pages)} pages"
    else:
        assert len(printed.pages) <= 2, f"{stage} with notes on {paper}: {len(printed.pages)} pages"

    # A principle's heading is never the last thing on a page, and its questions stay on one
    # page (each principle's questions fit on one sheet in this bank).
    principles = {normalise(p.title) for p in BANK.principles}
    for n, lines in enumerate(printed.lines, 1):
        for i, line in enumerate(lines):
            if line in principles:
                assert any(re.match(r"\d+\. ", later) for later in lines[i + 1 :]), (
                    f"{stage} ({paper}): {line!r} is left alone at the foot of page {n}"
                )
    for principle in BANK.principles:
        pages = {p for q in BANK.questions_for(stage, principle.id) for p in printed.page_of(numbered(q))}
        assert len(pages) <= 1, f"{stage} ({paper}): the questions of {principle.title!r} split over pages"


def test_compact_print_leaves_out_hints_and_summaries(printout):
    full = " ".join(printout("checklists/considering/").pages)
    compact = " ".join(printout("checklists/considering/", compact=True).pages)
    summary = normalise(BANK.principles[0].summary)
    assert summary in full and summary not in compact


def test_chrome_check_would_catch_the_website(browser, base_url):
    """The control for assert_no_chrome: printed with screen styles on a sheet wide enough for the
    sidebars, the site's chrome is found (all but what only other pages or the keyboard show)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/checklists/considering/")
        page.emulate_media(media="screen")
        pdf = page.pdf(width="1400px", height="1000px")
    finally:
        context.close()
    text = normalise(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    found = {words for words in CHROME if re.search(rf"\b{re.escape(words)}\b", text)}
    assert set(CHROME) - found == {"Print all stages", "Print this overview", "Skip to content"}


def test_typed_notes_print_in_place_of_the_lines(browser, base_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/checklists/considering/")
        page.click("#q-vision-and-mission .hb-notes summary")
        page.fill("#hb-notes-vision-and-mission", "Agreed at the board on 3 March")
        text = normalise(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages))
    finally:
        context.close()
    assert "Agreed at the board on 3 March" in text
    assert not re.search(r"\bNotes\b", text)


def test_without_javascript_the_footer_shows_the_canonical_address(browser, base_url):
    """handbook.js prints the address the page was opened at; without it, the canonical URL."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/checklists/approaching/")
        canonical = page.get_attribute('link[rel="canonical"]', "href")
        pages = [normalise(p.extract_text()) for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]
    finally:
        context.close()
    assert canonical and canonical.endswith("/checklists/approaching/")
    for n, text in enumerate(pages, 1):
        assert canonical in text, f"page {n}: canonical address missing"
        assert base_url not in text


# -----------------------------------------------------------------------------
# All stages, and the overview
# -----------------------------------------------------------------------------


@pytest.mark.parametrize("compact", [False, True], ids=["notes", "compact"])
def test_all_stages_start_each_stage_on_a_new_page(printout, base_url, compact):
    printed = printout("checklists/all/", "A4", compact)
    assert_no_chrome(printed)
    assert_running_header_and_footer(printed, base_url, "All stages")
    assert_paper(printed)

    first_pages = []
    for stage in BANK.stages:
        # The stage's title is the first line of content on its page, after the header and footer.
        starts = [n for n, lines in enumerate(printed.lines) if normalise(stage.title) in lines]
        assert len(starts) == 1, f"{stage.title!r} printed on pages {starts}"
        lines = printed.lines[starts[0]]
        content = [line for line in lines if not _margin_line(line, base_url)]
        assert content[0] == normalise(stage.title), f"{stage.title!r} does not start page {starts[0] + 1}"
        questions = BANK.ordered_questions(stage.id)
        # Its questions are all there, from that page on, and start on it.
        pages = [printed.page_of(numbered(q)) for q in questions]
        assert all(pages), f"{stage.title}: questions missing"
        assert pages[0][0] == starts[0]
        first_pages.append(starts[0])
    assert first_pages == sorted(first_pages) and first_pages[0] == 0
    # Each stage takes as many pages as on its own page.
    for stage, start, end in zip(STAGES, first_pages, [*first_pages[1:], len(printed.pages)], strict=True):
        alone = printout(f"checklists/{stage}/", "A4", compact)
        assert end - start == len(alone.pages), f"{stage}: {end - start} pages here, {len(alone.pages)} alone"


def _margin_line(line: str, base_url: str) -> bool:
    return (
        line.startswith(SITE_NAME)
        or line == CREDIT
        or line.startswith(base_url)
        or bool(EDITION.fullmatch(line))
        or bool(re.fullmatch(r"Page \d+ of \d+", line))
    )


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_overview_prints_on_one_landscape_page(printout, base_url, paper):
    printed = printout("checklists/", paper)
    assert len(printed.pages) == 1, f"the overview takes {len(printed.pages)} pages on {paper}"
    width, height = printed.sizes[0]
    assert width > height, "the overview is not landscape"
    assert_paper(printed, landscape=True)
    assert_no_chrome(printed)
    assert_running_header_and_footer(printed, base_url, "Overview")
    text = printed.pages[0]
    for stage in BANK.stages:
        assert normalise(stage.title) in text
        for question in BANK.ordered_questions(stage.id):
            assert plain(question.text) in text, f"overview: {question.id} missing"
