"""The overview grid for any number of stages: every stage visible without a sideways scroll
at 1280 px (a column each up to 7, a readable width or one principle after another beyond),
every question shown at 390 px, and printed on at most two landscape
sheets for a four-stage, 45-question bank."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from bank import load_bank
from support import ROOT, build, copy_project, first_language_only, languages, list_banks, project_bank, serve

OURS = load_bank(ROOT / "questions.yml", ROOT)


def bank_with_stages(count: int, extra_questions: int = 4) -> str:
    """An organisation bank that leaves `count` stages: ours, fewer by hiding, more by adding."""
    ours = [s.id for s in OURS.stages]
    lines = ["organisation: {name: Grid Test Partnership}"]
    if count < len(ours):
        lines += ["hide:", *[f"  - {s}" for s in ours[count:]]]
    added = [f"stage-{n}" for n in range(len(ours) + 1, count + 1)]
    if added:
        lines.append("stages:")
        lines += [f"  - {{id: {s}, title: Added stage {s[-1]} of the partnership, summary: Later on.}}" for s in added]
        lines.append("questions:")
        principles = [p.id for p in OURS.principles]
        for s in added:
            for n in range(extra_questions):
                lines.append(
                    f"  - {{id: {s}-q{n}, stage: {s}, principle: {principles[n % len(principles)]}, "
                    f"text: 'Question {n + 1} of {s}: how will we check that the partnership still works?'}}"
                )
    return "\n".join(lines) + "\n"


def site_with(tmp_path: Path, bank: str) -> Path:
    """The handbook with this bank added, built in its first language alone: these tests read
    that language's grid, so building the others would be time spent on pages nobody opens."""
    config = copy_project(tmp_path)
    (tmp_path / "grid.yml").write_text(bank)
    list_banks(config, "questions.yml", "grid.yml")
    first_language_only(config)
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    return tmp_path / "site"


# The words of the principles' names, and of their column's heading, wider than the cell that
# holds them: a word the browser has to break in the middle (1 px of rounding allowed).
BROKEN_WORDS = """grid => {
  const broken = [];
  for (const th of grid.querySelectorAll("tbody th, thead th:first-child")) {
    if (th.offsetParent === null) continue;
    const style = getComputedStyle(th);
    const room = th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const word of th.textContent.trim().split(/\\s+/)) {
      const probe = th.appendChild(document.createElement("span"));
      probe.style.whiteSpace = "nowrap";
      probe.textContent = word;
      if (probe.getBoundingClientRect().width > room + 1) broken.push(word);
      probe.remove();
    }
  }
  return broken;
}"""
LAYOUT = (
    """() => {
  const brokenWords = """
    + BROKEN_WORDS
    + """;
  const grid = document.querySelector(".hb-grid");
  const links = [...grid.querySelectorAll("td a")];
  const heads = [...grid.querySelectorAll("thead th")].filter(th => th.offsetParent !== null);
  const box = el => el.getBoundingClientRect();
  return {
    pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
    headsOff: heads.filter(th => box(th).right > window.innerWidth + 0.5 || box(th).width < 120)
      .map(th => th.textContent.trim()),
    linksOff: links.filter(a => box(a).width === 0 || box(a).right > window.innerWidth + 0.5 || box(a).left < 0).length,
    links: links.length,
    heads: heads.length,
    stageLabels: [...grid.querySelectorAll(".hb-grid__stage")].filter(p => p.offsetParent !== null).length,
    brokenWords: brokenWords(grid),
  };
}"""
)


@pytest.mark.parametrize("stages", [1, 2, 3, 4, 5, 6, 7, 9, 12])
def test_every_stage_and_question_shows_on_wide_and_narrow_screens(tmp_path, browser, artifacts, stages):
    site = site_with(tmp_path, bank_with_stages(stages))
    questions = len(re.findall(r"<td data-stage[^>]*>.*?</td>", (site / "checklists" / "index.html").read_text(), re.S))
    assert questions == stages * len(OURS.principles)
    for base in serve(site):
        for width, height in ((1280, 800), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{base}/checklists/")
            layout = page.evaluate(LAYOUT)
            page.screenshot(path=artifacts / f"overview-{stages}-stages-{width}.png", full_page=True)
            context.close()
            assert not layout["pageScrolls"], f"{stages} stages at {width} px: the page scrolls sideways"
            assert layout["linksOff"] == 0, f"{stages} stages at {width} px: {layout['linksOff']} questions cut off"
            assert not layout["brokenWords"], f"{stages} stages at {width} px: words broken {layout['brokenWords']}"
            stacked = layout["heads"] == 0
            if width == 1280 and stages <= 7:
                # A column per stage, every one in view and wide enough to read.
                assert layout["heads"] == stages + 1 and not layout["headsOff"], layout
            elif not stacked:
                assert layout["heads"] == stages + 1 and not layout["headsOff"], layout
            if stacked or (width == 390 and stages > 1):
                # One principle after another, each cell naming its stage.
                assert stacked and layout["stageLabels"] == stages * len(OURS.principles), layout


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_four_stages_and_45_questions_print_on_two_landscape_sheets_at_most(tmp_path, browser, artifacts, paper):
    extra = 45 - len(OURS.questions)
    site = site_with(tmp_path, bank_with_stages(4, extra_questions=extra))
    for base in serve(site):
        page = browser.new_page()
        page.goto(f"{base}/checklists/")
        pdf = page.pdf(format=paper, prefer_css_page_size=True)
        page.close()
    (artifacts / f"print-overview-4-stages-{paper}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in reader.pages))
    assert len(reader.pages) <= 2, f"{len(reader.pages)} sheets on {paper}"
    assert all(p.mediabox.width > p.mediabox.height for p in reader.pages), "not landscape"
    for n in range(extra):
        assert f"Question {n + 1} of stage-4" in text
    for question in OURS.questions:
        assert " ".join(question.text.plain.split()[:6]) in text, question.id


@pytest.mark.parametrize("code", languages())
def test_no_principle_name_breaks_inside_a_word_on_a_desktop_screen(page, base_url, code):
    """The principles' column is as wide as their longest word, in every language."""
    prefix = "" if code == languages()[0] else f"{code}/"
    for width in (1024, 1280, 1600):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{base_url}/{prefix}checklists/")
        layout = page.evaluate(LAYOUT)
        assert layout["heads"] > 1, f"{code} at {width} px: the grid is not in columns"
        assert not layout["brokenWords"], f"{code} at {width} px: words broken {layout['brokenWords']}"


def test_a_language_whose_principle_heading_is_one_long_word_keeps_it_whole(tmp_path, browser, artifacts):
    """The principles' column fits its own heading too, whatever the language calls it (German,
    say, "Partnerschaftsgrundsätze"), though every principle's name has shorter words."""
    config = copy_project(tmp_path)
    table = tmp_path / "theme_overrides" / "locales" / f"{languages()[0]}.yml"
    text = table.read_text(encoding="utf-8")
    heading = re.search(r"^grid:\n(?:  .*\n)*?  principle: (.*)$", text, re.M)
    assert heading, "no grid.principle in the strings table"
    long_word = "Partnerschaftsgrundsätze"  # 24 letters, the most the column widens for
    assert project_bank().widest_principle_word() < len(long_word), "a principle's name already has a word as long"
    table.write_text(text[: heading.start(1)] + long_word + text[heading.end(1) :], encoding="utf-8")
    first_language_only(config)
    result = build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for base in serve(tmp_path / "site"):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{base}/checklists/")
        layout = page.evaluate(LAYOUT)
        page.screenshot(path=artifacts / "overview-long-principle-heading-1280.png", full_page=True)
        context.close()
        assert layout["heads"] > 1, "the grid is not in columns"
        assert not layout["brokenWords"], f"words broken: {layout['brokenWords']}"
