"""Printing for real: each checklist printed to PDF by headless Chromium, read back with pypdf.

A facilitator prints one stage's checklist for a workshop: every question in order, with tick
boxes, lines to write on and a running header and footer, on at most two sheets (one in compact
mode), and nothing of the website around it. The first page of every PDF is saved as a PNG in
test-artifacts/ to look at.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from support import project_bank

BANK = project_bank()
NUMBERS = BANK.numbers
STAGES = [stage.id for stage in BANK.stages]
SITE_NAME = "Leading successful partnerships"
CREDIT = "Adapted from Leading successful partnerships, Q (the Health Foundation)"
EDITION = re.compile(r"(Version \S+|Built \d{1,2} [A-Z][a-z]+ \d{4})")
PAPER = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}  # points, portrait

# Text of the website around a stage's checklist, none of which belongs on paper: the toolbar,
# navigation, header, search, footer, the quotes panel and the copyright notice.
CHROME = [
    "Print this checklist",
    "Compact print",
    "Download every question",
    "Table of contents",
    "Previous",
    "Next",
    "About the guidance",
    "Using the checklist",
    "Your partnerships",
    "Add your organisation",
    "What people said",
    "An independent adaptation",
]
# How many questions a printed sheet holds, with lines to write on and in compact mode: a stage
# prints on as few sheets as its questions need (our stages: two with lines, one compact).
PER_SHEET = {False: 8, True: 20}
# The most questions of one principle the form keeps on one sheet (handbook.css, print).
KEPT_TOGETHER = 4


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

    # As few sheets as the questions need: two with lines for our stages, one compact.
    most = max(1, math.ceil(len(questions) / PER_SHEET[compact]))
    assert len(printed.pages) <= most, f"{stage} on {paper}: {len(printed.pages)} pages for {len(questions)} questions"

    # A principle's heading is never the last thing on a page, and a short list of its questions
    # stays on one page; a longer one may break between questions rather than waste a sheet.
    principles = {normalise(p.title) for p in BANK.principles}
    for n, lines in enumerate(printed.lines, 1):
        for i, line in enumerate(lines):
            if line in principles:
                assert any(re.match(r"\d+\. ", later) for later in lines[i + 1 :]), (
                    f"{stage} ({paper}): {line!r} is left alone at the foot of page {n}"
                )
    for principle in BANK.principles:
        listed = BANK.questions_for(stage, principle.id)
        pages = {p for q in listed for p in printed.page_of(numbered(q))}
        if len(listed) <= KEPT_TOGETHER:
            assert len(pages) <= 1, f"{stage} ({paper}): the questions of {principle.title!r} split over pages"


def test_compact_print_leaves_out_hints_and_summaries(printout):
    full = " ".join(printout(f"checklists/{STAGES[0]}/").pages)
    compact = " ".join(printout(f"checklists/{STAGES[0]}/", compact=True).pages)
    summary = normalise(BANK.principles[0].summary)
    assert summary in full and summary not in compact


@pytest.mark.parametrize("stage", STAGES)
def test_chrome_check_would_catch_the_website(browser, base_url, stage):
    """The control for assert_no_chrome: every piece of chrome it looks for is on the stage's page
    on screen (in the rendered text, wherever the sidebars happen to be scrolled)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{base_url}/checklists/{stage}/")
        page.wait_for_selector("[data-hb-js]:not([hidden])")
        text = normalise(page.inner_text("body"))
    finally:
        context.close()
    missing = [words for words in CHROME if not re.search(rf"\b{re.escape(words)}\b", text)]
    if not BANK.quotes_for(stage=stage):
        missing.remove("What people said")
    assert not missing


def test_without_javascript_the_footer_shows_the_canonical_address(browser, base_url):
    """The browser code prints the address the page was opened at; without it, the canonical URL."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/checklists/{STAGES[-1]}/")
        canonical = page.get_attribute('link[rel="canonical"]', "href")
        pages = [normalise(p.extract_text()) for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]
    finally:
        context.close()
    assert canonical and canonical.endswith(f"/checklists/{STAGES[-1]}/")
    for n, text in enumerate(pages, 1):
        assert canonical in text, f"page {n}: canonical address missing"
        assert base_url not in text


PAPER_FORM = """() => [...document.querySelectorAll(".hb-question")].map(q => {
  const box = getComputedStyle(q.querySelector(".hb-number"), "::after");
  const own = getComputedStyle(q);
  const after = getComputedStyle(q, "::after");
  const line = (width) => parseFloat(width) > 0;
  return {
    id: q.id,
    box: box.content !== "none" && parseFloat(box.width) > 8 && line(box.borderTopWidth),
    // Three lines: the box after the question (top and bottom borders) and the question's own.
    lines: after.display === "block" && line(after.borderTopWidth) && line(after.borderBottomWidth)
      && line(own.borderBottomWidth) && parseFloat(after.marginTop) > 20 && parseFloat(own.paddingBottom) > 20,
  };
})"""


@pytest.mark.parametrize("stage", STAGES)
def test_without_javascript_paper_still_has_boxes_and_lines(browser, base_url, stage):
    """The static page carries what a printer needs: every question has its tick box and its
    ruled lines on paper, drawn by CSS, with the browser code switched off."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/checklists/{stage}/")
        page.emulate_media(media="print")
        form = page.evaluate(PAPER_FORM)
    finally:
        context.close()
    assert [q["id"] for q in form] == [f"q-{q.id}" for q in BANK.ordered_questions(stage)]
    assert all(q["box"] and q["lines"] for q in form), [q for q in form if not (q["box"] and q["lines"])]


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


# The printable area of a landscape sheet inside the overview's @page margins (handbook.css), mm.
LANDSCAPE_AREA = {"A4": (297 - 2 * 12, 210 - 17 - 19), "Letter": (279.4 - 2 * 12, 215.9 - 17 - 19)}


def printed_height(browser, base_url: str, path: str, paper: str) -> float:
    """How tall a landscape page's content is when laid out for print at the sheet's width, in mm."""
    width, _ = LANDSCAPE_AREA[paper]
    context = browser.new_context(viewport={"width": round(width * 96 / 25.4), "height": 600})
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.goto(f"{base_url}/{path}")
        return page.evaluate("document.querySelector('article').getBoundingClientRect().height") * 25.4 / 96
    finally:
        context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_overview_prints_on_one_landscape_page_when_the_grid_fits(printout, browser, base_url, paper):
    """Our grid fits one landscape sheet; a fork's bigger grid breaks between principles' rows,
    with the stages' heads on every page."""
    printed = printout("checklists/", paper)
    assert all(width > height for width, height in printed.sizes), "the overview is not landscape"
    assert_paper(printed, landscape=True)
    assert_no_chrome(printed)
    assert_running_header_and_footer(printed, base_url, "Overview")

    height, room = printed_height(browser, base_url, "checklists/", paper), LANDSCAPE_AREA[paper][1]
    if height < 0.97 * room:
        assert len(printed.pages) == 1, (
            f"the overview takes {len(printed.pages)} pages on {paper}, {height:.0f} of {room:.0f} mm"
        )
    elif height > 1.03 * room:
        assert len(printed.pages) > 1
    text = " ".join(printed.pages)
    for page in printed.pages:
        for stage in BANK.stages:
            assert normalise(stage.title) in page, f"{stage.title!r} is not at the head of every page"
    for stage in BANK.stages:
        position = 0
        for question in BANK.ordered_questions(stage.id):
            position = text.find(plain(question.text), position)
            assert position >= 0, f"overview: {question.id} missing or out of order"
    for principle in BANK.principles:
        row = {p for stage in BANK.stages for q in BANK.questions_for(stage.id, principle.id)
               for p in printed.page_of(plain(q.text))}  # fmt: skip
        assert len(row) <= 1, f"overview ({paper}): the row of {principle.title!r} splits over pages"
