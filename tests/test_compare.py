"""The compare page (theme_overrides/assets/js/compare.js): a facilitator loads partners' answers
files, sees them side by side per stage, where they differ and where to start, prints a "where we
differ" sheet, and keeps the comparison as Markdown or as a file that loads again.

The three partners' exports are generated here from the merged bank the site is built from
(project_bank()), so a fork's questions and stages are compared too. Each test starts from an
empty browser profile and loads its own files.
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
import re
import unicodedata
from html import unescape
from pathlib import Path

import jsonschema
import pytest
import rjsmin
from markdown_it import MarkdownIt
from playwright.sync_api import expect
from pypdf import PdfReader
from referencing import Registry, Resource

from support import FOCUSED, ROOT, axe_failures, project_bank, tab_to

BANK = project_bank()
STAGES = [s.id for s in BANK.stages]
STAGE_TITLES = {s.id: s.title for s in BANK.stages}
NUMBERS = BANK.numbers
# Every question in page order: stage by stage, by principle within a stage.
QUESTIONS = [q for stage in STAGES for q in BANK.ordered_questions(stage)]
TEXT = {q.id: q.text.plain for q in QUESTIONS}
STAGE_OF = {q.id: q.stage for q in QUESTIONS}
SCHEMA_DIR = ROOT / "schema"
JS = ROOT / "theme_overrides" / "assets" / "js" / "compare.js"

FORMAT = "partnership-handbook-answers"
SITE = "Leading successful partnerships"
SCALE = ["open", "discussed", "follow-up", "agreed"]
EXPORTED = "2026-03-02T10:00:00.000Z"

# The three partners: each answers on its own, within the same partnership.
PARTNERS = ("Riverside Council", "Northshire Trust", "Hospice at Home")
FILES = ("riverside.json", "northshire.json", "hospice.json")
# The partners' statuses for a question, by its place in its stage (None: no answer). Every
# stage starts with a question all agree on, then one where they differ.
PATTERN = [
    ("agreed", "agreed", "agreed"),  # all agree
    ("discussed", "discussed", "follow-up"),  # differ: 2 statuses, 1 step apart
    ("agreed", "discussed", None),  # differ: 3 statuses, 3 steps
    (None, None, None),  # nobody has discussed it: they agree, all "Not yet discussed"
    ("agreed", None, "agreed"),  # differ: 2 statuses, 3 steps
    ("follow-up", "discussed", "open"),  # differ: 3 statuses, 2 steps
]


def statuses(qid: str) -> tuple[str | None, ...]:
    stage = BANK.ordered_questions(STAGE_OF[qid])
    return PATTERN[[q.id for q in stage].index(qid) % len(PATTERN)]


def differs(qid: str) -> bool:
    """Partners differ when their statuses differ, no answer counting as not yet discussed."""
    return len({s or "open" for s in statuses(qid)}) > 1


def spread(qid: str) -> tuple[int, int]:
    """How many statuses, then how far apart on the scale."""
    found = [SCALE.index(s or "open") for s in statuses(qid)]
    return len(set(found)), max(found) - min(found)


def note(partner: int, qid: str) -> str:
    return (f"{PARTNERS[partner]} on {qid}: we talked this through at our board and would like the partners "
            f"to settle it together at the next workshop.")  # fmt: skip


def an_answer(partner: int, qid: str, status: str, **extra) -> dict:
    agreed = status == "agreed" and partner == 0
    action = {"text": "Write it into the terms", "owner": "Sam", "due": "2031-04-01"} if agreed else {}
    return {"status": status, "notes": note(partner, qid), "action": {"text": "", "owner": "", "due": "", **action},
            "updated": "2026-03-01T09:00:00.000Z", "question": TEXT.get(qid, ""), **extra}  # fmt: skip


def exchange(partner: int, edition: str, answers: dict | None = None, **extra) -> dict:
    """A partner's answers file as the handbook exports it (format version 2)."""
    if answers is None:
        answers = {q.id: an_answer(partner, q.id, s) for q in QUESTIONS if (s := statuses(q.id)[partner])}
    return {"format": FORMAT, "version": 2, "handbook": {"title": SITE, "edition": edition},
            "partnership": {"name": "Riverside and Northshire partnership"},
            "organisation": {"name": PARTNERS[partner]}, "exported": EXPORTED, "answers": answers,
            "snapshots": [], **extra}  # fmt: skip


@pytest.fixture(scope="module")
def edition(site) -> str:
    """The edition of the built handbook, as its pages carry it."""
    source = (site / "assets" / "bank.js").read_text(encoding="utf-8")
    return json.loads(source.removeprefix("self.handbookBank = ").rstrip().rstrip(";"))["edition"]


@pytest.fixture
def exports(edition) -> list[tuple[str, str]]:
    """The three partners' files: (file name, text)."""
    return [(FILES[i], json.dumps(exchange(i, edition), indent=2)) for i in range(3)]


# ------------------------------------------------------------------ helpers


def compare_url(base_url: str) -> str:
    return f"{base_url}/checklists/compare/"


def open_compare(page, url: str) -> None:
    page.goto(url)
    ready(page)


def ready(page) -> None:
    page.wait_for_selector('[data-hb-app="compare"] [data-hb-js]:not([hidden])')


def as_files(files: list[tuple[str, str]]) -> list[dict]:
    return [{"name": name, "mimeType": "application/json", "buffer": text.encode()} for name, text in files]


def choose(page, files: list[tuple[str, str]]) -> None:
    """Load files through the file picker, as a user would: click it, pick them."""
    with page.expect_file_chooser() as chooser:
        page.get_by_label("Answers files or a saved comparison (JSON)").click()
    assert chooser.value.is_multiple(), "the picker takes several files at once"
    chooser.value.set_files(files=as_files(files))


def drop(page, files: list[tuple[str, str]], where: str = "[data-hb-drop] p:last-child") -> None:
    """Drag files onto the drop area (or elsewhere) and drop them, with a DataTransfer built in the page."""
    page.evaluate(
        """([files, where]) => {
          const data = new DataTransfer();
          for (const [name, text] of files) data.items.add(new File([text], name, {type: "application/json"}));
          const target = document.querySelector(where);
          for (const type of ["dragenter", "dragover", "drop"])
            target.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        [files, where],
    )


def report(page) -> str:
    return " ".join(page.locator(".hb-compare-report").inner_text().split())


def reported(page, text: str) -> None:
    expect(page.locator(".hb-compare-report")).to_contain_text(text)


def loaded(page, count: int) -> None:
    reported(page, f"Comparing {count} partners")


def stage_section(page, stage: str):
    return page.locator(".hb-compare-stage").filter(has=page.locator(f"#hb-stage-{stage}"))


def row(page, qid: str):
    return page.locator(f"#hb-row-{qid}")


def words(text: str) -> str:
    """One space between words; ligatures (a PDF's "ﬀ") as letters."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


# The browser's clock in tests that check the date: a run across midnight reads one day.
TODAY = datetime.datetime(2026, 3, 14, 12, 0, tzinfo=datetime.UTC)


def today() -> str:
    return f"{TODAY.day} {TODAY:%B %Y}"


def export(page, button: str) -> tuple[str, str]:
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    return download.value.suggested_filename, Path(download.value.path()).read_text(encoding="utf-8")


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    return errors


def with_three(page, base_url, exports) -> None:
    page.clock.set_fixed_time(TODAY)
    open_compare(page, compare_url(base_url))
    choose(page, exports)
    loaded(page, 3)


# ------------------------------------------------------------------ 1. loading


def test_three_files_by_the_picker_show_under_their_names_side_by_side(page, base_url, exports):
    errors = watch(page)
    open_compare(page, compare_url(base_url))
    assert page.locator(".hb-compare-results").is_hidden(), "nothing to compare yet"
    assert report(page) == ""
    choose(page, exports)
    loaded(page, 3)
    everyone = f"{PARTNERS[0]}, {PARTNERS[1]} and {PARTNERS[2]}"
    assert report(page) == f"Loaded {FILES[0]}, {FILES[1]} and {FILES[2]}. Comparing 3 partners: {everyone}."
    # Each file under its organisation's name, in a field labelled for that file.
    for name, partner in zip(FILES, PARTNERS, strict=True):
        assert page.get_by_label(f"Name for {name}").input_value() == partner
    about = page.locator(".hb-partners li").first.inner_text()
    assert "Riverside and Northshire partnership, answered by Riverside Council" in about

    for stage in STAGES:
        table = stage_section(page, stage).get_by_role("table")
        assert table.locator("caption").inner_text() == f"{STAGE_TITLES[stage]}: each partner's answer to each question"
        assert table.get_by_role("columnheader").all_inner_texts() == ["Question", *PARTNERS]
        assert table.locator("thead th[scope=col]").count() == 1 + len(PARTNERS)
        headers = [words(t) for t in table.locator("tbody th[scope=row]").all_inner_texts()]
        expected = [f"{NUMBERS[q.id]}. {words(TEXT[q.id])}" for q in BANK.ordered_questions(stage)]
        assert [h.removesuffix(" Differs") for h in headers] == expected

    # Each cell: the partner's status, notes and agreed action; no answer said as such.
    q = next(q.id for q in QUESTIONS if statuses(q.id) == PATTERN[2])
    cells = row(page, q).locator("td").all_inner_texts()
    action = "Agreed action: Write it into the terms; owner: Sam; due: 2031-04-01"
    assert words(cells[0]) == f"Agreed Notes: {note(0, q)} {action}"
    assert words(cells[1]) == f"Discussed Notes: {note(1, q)}"
    assert words(cells[2]) == "Not yet discussed (no answer)"
    assert not errors, errors


def test_files_dropped_on_the_marked_area_load(page, base_url, exports):
    open_compare(page, compare_url(base_url))
    zone = page.locator("[data-hb-drop]")
    assert "drop them in this box" in zone.inner_text()
    assert zone.get_by_label("Answers files or a saved comparison (JSON)").count() == 1, "the area holds the picker"
    # Files dropped beside the area are not taken, nor opened by the browser in place of the page.
    drop(page, exports[:2], "h1")
    drop(page, exports[:2])
    loaded(page, 2)
    assert report(page).startswith(f"Loaded {FILES[0]} and {FILES[1]}.")
    drop(page, exports[2:])
    loaded(page, 3)
    assert [page.get_by_label(f"Name for {f}").input_value() for f in FILES] == list(PARTNERS)
    assert stage_section(page, STAGES[0]).get_by_role("columnheader").all_inner_texts() == ["Question", *PARTNERS]


def test_renaming_a_partner_renames_its_column_sheet_and_printed_header(page, base_url, exports):
    with_three(page, base_url, exports)
    field = page.get_by_label(f"Name for {FILES[1]}")
    field.fill("Northshire NHS Foundation Trust")
    headers = stage_section(page, STAGES[0]).get_by_role("columnheader")
    expect(headers.nth(2)).to_have_text("Northshire NHS Foundation Trust")
    assert "Northshire NHS Foundation Trust" in page.locator(".hb-sheet").text_content()
    header = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hb-compare-for')")
    assert header.strip() == '"Where we differ: Riverside Council, Northshire NHS Foundation Trust and Hospice at Home"'
    # An emptied name falls back to the file's own, never to a blank column.
    field.fill("  ")
    expect(headers.nth(2)).to_have_text(PARTNERS[1])


# ------------------------------------------------------------------ 2. side by side


def test_rows_where_partners_differ_are_marked_in_words_and_counted_per_stage(page, base_url, exports):
    with_three(page, base_url, exports)
    for stage in STAGES:
        section = stage_section(page, stage)
        ids = [q.id for q in BANK.ordered_questions(stage)]
        differing = [q for q in ids if differs(q)]
        count = f"{len(ids)} question{'s' if len(ids) != 1 else ''}"
        assert section.locator(".hb-compare-count").inner_text() == (
            f"Partners differ on {len(differing)} of {count} at this stage."
        )
        for q in ids:
            header = row(page, q).get_by_role("rowheader")
            # The mark is a word, not a colour: it is in the row's header, read with each cell.
            assert ("Differs" in header.inner_text()) == (q in differing), q
    assert 0 < sum(differs(q.id) for q in QUESTIONS) < len(QUESTIONS), "the partners differ on some questions only"


def test_the_filter_shows_only_the_rows_where_partners_differ(page, base_url, exports):
    with_three(page, base_url, exports)
    rows = page.locator(".hb-side tbody tr")
    assert rows.count() == len(QUESTIONS)
    page.get_by_label("Show only the questions where partners differ").check()
    shown = rows.evaluate_all("rows => rows.map(r => r.id.replace('hb-row-', ''))")
    assert shown == [q.id for q in QUESTIONS if differs(q.id)]
    # The counts still speak of the whole stage.
    stage = STAGES[0]
    total = len(BANK.ordered_questions(stage))
    assert f"of {total} question" in stage_section(page, stage).locator(".hb-compare-count").inner_text()
    page.get_by_label("Show only the questions where partners differ").uncheck()
    assert rows.count() == len(QUESTIONS)


# ------------------------------------------------------------------ 3. where to start


def test_where_to_start_agreement_by_principle_and_stage_and_widest_spread_first(page, base_url, exports):
    with_three(page, base_url, exports)
    summary = page.locator(".hb-compare-summary")
    agree_all = sum(not differs(q.id) for q in QUESTIONS)
    assert summary.locator("p").first.inner_text() == (
        f"Partners agree on {agree_all} of {len(QUESTIONS)} questions and differ on {len(QUESTIONS) - agree_all}."
    )
    table = summary.get_by_role("table")
    assert table.get_by_role("columnheader").all_inner_texts() == ["Principle", *STAGE_TITLES.values(), "All stages"]

    def agree(stage=None, principle=None) -> str:
        found = [q.id for q in QUESTIONS if stage in (None, q.stage) and principle in (None, q.principle)]
        return f"{sum(not differs(q) for q in found)} of {len(found)}" if found else "none"

    for principle in [*BANK.principles, None]:
        title = principle.title if principle else "All principles"
        pid = principle.id if principle else None
        line = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=title, exact=True))
        cells = line.locator("td")
        assert cells.all_inner_texts() == [*(agree(s, pid) for s in STAGES), agree(None, pid)], title

    # Widest spread first: most statuses, then furthest apart on the scale, then page order.
    ranked = sorted((q.id for q in QUESTIONS if differs(q.id)), key=lambda q: tuple(-n for n in spread(q)))
    items = page.locator(".hb-spread li")
    listed = items.evaluate_all("items => items.map(li => li.querySelector('a').hash.replace('#hb-row-', ''))")
    assert listed == ranked[:10]
    first = ranked[0]
    assert words(items.first.inner_text()) == words(
        f"{STAGE_TITLES[STAGE_OF[first]]}, {NUMBERS[first]}. {TEXT[first]} (3 statuses). "
        f"Not yet discussed: {PARTNERS[2]}; Discussed: {PARTNERS[1]}; Agreed: {PARTNERS[0]}."
    )
    if len(ranked) > 10:
        assert f"And {len(ranked) - 10} other question" in page.locator(".hb-spread").inner_text()
    # Each item leads to its row.
    items.first.get_by_role("link").click()
    assert page.evaluate("location.hash") == f"#hb-row-{first}"


# ------------------------------------------------------------------ 4. print


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_sheet_prints_alone_landscape_with_every_difference_and_names_and_date_on_every_page(
    page, base_url, exports, artifacts, paper
):
    with_three(page, base_url, exports)
    pdf = page.pdf(format=paper, prefer_css_page_size=True)
    stem = artifacts / f"compare-sheet-{paper}"
    stem.with_suffix(".pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [words(p.extract_text()) for p in reader.pages]
    text = " ".join(pages)
    width, height = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}[paper]
    for n, sheet in enumerate(reader.pages, 1):
        assert (float(sheet.mediabox.width), float(sheet.mediabox.height)) == pytest.approx((height, width), abs=1.5), (
            f"page {n} is not landscape {paper}"
        )
    assert len(pages) > 1, "the check on every page needs a sheet of more than one page"
    for n, sheet in enumerate(pages, 1):
        assert f"Where we differ: {PARTNERS[0]}, {PARTNERS[1]} and {PARTNERS[2]}" in sheet, f"page {n}: partners"
        assert today() in sheet, f"page {n}: the date"
        assert f"Page {n} of {len(pages)}" in sheet
    # Every question where partners differ, each partner's answer and notes; none of the others.
    flat = text.replace(" ", "")
    for q in QUESTIONS:
        printed = words(f"{NUMBERS[q.id]}. {TEXT[q.id]}").replace(" ", "") in flat
        assert printed == differs(q.id), f"{q.id}: printed {printed}, differs {differs(q.id)}"
        for partner, status in enumerate(statuses(q.id)):
            if differs(q.id) and status:
                assert note(partner, q.id).replace(" ", "") in flat, f"{q.id}: notes of {PARTNERS[partner]}"
    # Nothing of the page around the sheet: no picker, buttons, filter, navigation or site footer.
    for chrome in ("Answers files or a saved comparison", "Name for", "Show only the questions", "Export for minutes",
                   "Save the comparison", "Where to start", "Table of contents", "Previous", "Next",
                   "Your partnerships", "Compare partners' answers", "Load the partners"):  # fmt: skip
        assert chrome not in text, chrome


# ------------------------------------------------------------------ 5. keep it

HOSTILE_NAME = 'Riverside <img src=x onerror="alert(1)"> *Co* [x](https://x.example) "quoted" \\'
HOSTILE_NOTE = "<script>alert(1)</script> *not em* [link](https://x.example) # not a heading\n1. not a list\n    code?"


def test_markdown_for_minutes_lists_the_differences_and_keeps_hostile_text_as_text(page, base_url, edition):
    files = [(FILES[i], json.dumps(exchange(i, edition))) for i in range(3)]
    q = next(q.id for q in QUESTIONS if differs(q.id))
    hostile = exchange(0, edition)
    hostile["answers"][q]["notes"] = HOSTILE_NOTE
    files[0] = (FILES[0], json.dumps(hostile))
    with_three(page, base_url, files)
    page.get_by_label(f"Name for {FILES[0]}").fill(HOSTILE_NAME)
    name, text = export(page, "Export for minutes (Markdown)")
    assert name == f"where-we-differ-{TODAY:%Y-%m-%d}.md"

    tokens = MarkdownIt("commonmark").parse(text)
    kinds = {t.type for t in tokens}
    assert kinds <= {"heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline",
                     "bullet_list_open", "bullet_list_close", "list_item_open", "list_item_close"}, kinds  # fmt: skip
    inline = {c.type for t in tokens if t.type == "inline" for c in t.children}
    assert inline <= {"text", "strong_open", "strong_close", "hardbreak", "softbreak"}, inline
    html = MarkdownIt("commonmark").render(text)
    plain = words(unescape(re.sub(r"<[^>]+>", " ", html)))
    assert words(HOSTILE_NAME) in plain
    for line in HOSTILE_NOTE.split("\n"):
        assert line.strip() in plain, line

    headings = [
        unescape("".join(c.content for c in tokens[i + 1].children))
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    assert headings == ["Where we differ", "Partners", *STAGE_TITLES.values()]
    assert today() in plain and edition in plain and SITE in plain
    for partner in PARTNERS[1:]:
        assert plain.count(f"{partner}:") == 1 + sum(differs(q.id) for q in QUESTIONS), partner
    for stage in STAGES:
        ids = [x.id for x in BANK.ordered_questions(stage)]
        assert f"Partners differ on {sum(map(differs, ids))} of {len(ids)} questions at this stage." in plain
    for question in QUESTIONS:
        assert (f"{NUMBERS[question.id]}. {words(TEXT[question.id])}" in plain) == differs(question.id), question.id


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A schema of schema/, with the other schemas there to resolve its references."""
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.json")}
    registry = Registry().with_resources((n, Resource.from_contents(s)) for n, s in schemas.items())
    jsonschema.Draft202012Validator.check_schema(schemas[name])
    return jsonschema.Draft202012Validator(schemas[name], registry=registry, format_checker=jsonschema.FormatChecker())


def test_a_saved_comparison_reloads_in_a_fresh_browser_with_its_names(browser, base_url, exports):
    first = browser.new_context(accept_downloads=True)
    page = first.new_page()
    with_three(page, base_url, exports)
    page.get_by_label(f"Name for {FILES[2]}").fill("St Anne's Hospice")
    page.get_by_label("Show only the questions where partners differ").check()
    before = {part: page.locator(part).inner_text() for part in (".hb-compare-summary", ".hb-spread", ".hb-side")}
    name, text = export(page, "Save the comparison (JSON)")
    first.close()
    assert re.fullmatch(r"comparison-\d{4}-\d\d-\d\d\.json", name)
    saved = json.loads(text)
    schema_validator("comparison.schema.json").validate(saved)
    assert [p["name"] for p in saved["partners"]] == [*PARTNERS[:2], "St Anne's Hospice"]
    assert [p["file"] for p in saved["partners"]] == list(FILES)
    # Each partner's answers as they were read: every answer, partnership and organisation name, edition
    # and time, as a current answers file (only what was read, so nothing odd in a file goes along).
    original, kept = json.loads(exports[0][1]), saved["partners"][0]["answers"]
    schema_validator("answers.schema.json").validate(kept)
    for field in ("answers", "handbook", "partnership", "organisation", "exported"):
        if isinstance(original.get(field), dict):
            assert {k: v for k, v in kept[field].items() if k in original[field]} == original[field], field
        elif field in original:
            assert kept[field] == original[field], field

    second = browser.new_context()
    page = second.new_page()
    try:
        open_compare(page, compare_url(base_url))
        choose(page, [(name, text)])
        loaded(page, 3)
        assert [page.get_by_label(f"Name for {f}").input_value() for f in FILES] == [*PARTNERS[:2], "St Anne's Hospice"]
        page.get_by_label("Show only the questions where partners differ").check()
        after = {part: page.locator(part).inner_text() for part in before}
        assert after == before
    finally:
        second.close()


# ------------------------------------------------------------------ 6. awkward input


def test_answers_from_another_edition_say_per_row_what_changed_since(page, base_url, edition):
    reworded, unanswered = QUESTIONS[0].id, QUESTIONS[1].id
    # A question the first partner (same edition) left unanswered.
    skipped = next(q.id for q in QUESTIONS if statuses(q.id)[0] is None)
    old = exchange(2, "Version 0.9")
    old["answers"] = {k: v for k, v in old["answers"].items() if k != unanswered}
    old["answers"][reworded] = an_answer(2, reworded, "agreed", question="How we used to ask the first question?")
    old["answers"]["a-question-we-retired"] = an_answer(2, "a-question-we-retired", "follow-up",
                                                        question="A question since retired?")  # fmt: skip
    files = [(FILES[0], json.dumps(exchange(0, edition))), (FILES[1], json.dumps(exchange(1, edition))),
             ("old-edition.json", json.dumps(old))]  # fmt: skip
    with_three(page, base_url, files)
    assert "From another edition of the handbook" in page.locator(".hb-partners li").nth(2).inner_text()
    assert "another edition" not in page.locator(".hb-partners li").first.inner_text()

    cells = row(page, reworded).locator("td")
    then = "Reworded since: answered when the question read “How we used to ask the first question?”"
    assert then in cells.nth(2).inner_text()
    assert "Reworded" not in cells.nth(0).inner_text()
    # A question the older file has no answer to may be newer than its edition: said in its cell.
    assert "may have been added since" in row(page, unanswered).locator("td").nth(2).inner_text()
    assert words(row(page, skipped).locator("td").nth(0).inner_text()) == "Not yet discussed (no answer)"
    gone = row(page, "a-question-we-retired")
    assert "No longer in this handbook" in gone.get_by_role("rowheader").inner_text()
    assert "A question since retired?" in gone.get_by_role("rowheader").inner_text()
    assert words(gone.locator("td").nth(2).inner_text()).startswith("Needs follow-up")
    assert page.locator(".hb-compare-stage .hb-compare-count").last.inner_text() == (
        "Partners differ on 1 of 1 question no longer in this handbook."
    )


def test_a_malformed_or_foreign_file_is_named_and_the_others_still_load(page, base_url, exports, edition):
    q = QUESTIONS[0].id
    bad_notes = exchange(0, edition, {q: {**an_answer(0, q, "agreed"), "notes": {"a": 1}}})
    newer = {"format": "partnership-handbook-comparison", "version": 9, "partners": []}
    files = [exports[0], ("broken.json", "{not json"), ("foreign.json", json.dumps({"a": 1})),
             ("bad-notes.json", json.dumps(bad_notes)), ("newer.json", json.dumps(newer)), exports[1]]  # fmt: skip
    open_compare(page, compare_url(base_url))
    choose(page, files)
    loaded(page, 2)
    text = report(page)
    assert f"Loaded {FILES[0]} and {FILES[1]}." in text
    assert "broken.json was not loaded. It is not JSON." in text
    assert "foreign.json was not loaded. It is not an answers file" in text
    assert f"bad-notes.json was not loaded. answers.{q}.notes is not text." in text
    assert "newer.json was not loaded. It is a comparison in format version 9" in text
    assert stage_section(page, STAGES[0]).get_by_role("columnheader").all_inner_texts() == ["Question", *PARTNERS[:2]]


def test_the_same_file_twice_is_said_and_compared_once(page, base_url, exports):
    open_compare(page, compare_url(base_url))
    choose(page, [exports[0], ("riverside-copy.json", exports[0][1]), exports[1]])
    loaded(page, 2)
    assert f"riverside-copy.json is the same file as {FILES[0]}: it is compared once." in report(page)
    # Chosen again later, it is still compared once.
    choose(page, [exports[1]])
    reported(page, f"{FILES[1]} is loaded already: it is compared once.")
    assert page.locator(".hb-partners li").count() == 2
    assert stage_section(page, STAGES[0]).get_by_role("columnheader").count() == 3


def test_a_file_with_no_answers_for_a_stage_is_said_at_that_stage(page, base_url, exports, edition):
    if len(STAGES) < 2:
        pytest.skip("one stage only")
    first_only = exchange(2, edition)
    first_only["answers"] = {k: v for k, v in first_only["answers"].items() if STAGE_OF[k] == STAGES[0]}
    with_three(page, base_url, [*exports[:2], (FILES[2], json.dumps(first_only))])
    said = f"{PARTNERS[2]} has no answers for this stage: each of its questions counts as Not yet discussed."
    assert said not in stage_section(page, STAGES[0]).inner_text()
    for stage in STAGES[1:]:
        assert said in stage_section(page, stage).inner_text(), stage
        assert f"{PARTNERS[0]} has no answers" not in stage_section(page, stage).inner_text()


def test_one_file_alone_says_comparing_needs_two(page, base_url, exports):
    open_compare(page, compare_url(base_url))
    choose(page, exports[:1])
    reported(page, "Comparing needs at least two files: load another partner's answers file.")
    assert page.locator(".hb-compare-results").is_hidden()
    choose(page, exports[1:2])
    loaded(page, 2)
    assert page.locator(".hb-compare-results").is_visible()
    # Removing one says so again, and focus goes to the list of partners.
    page.get_by_role("button", name=f"Remove {FILES[0]}").click()
    reported(page, f"Removed {FILES[0]}.")
    assert report(page).endswith("Comparing needs at least two files: load another partner's answers file.")
    assert page.evaluate("document.activeElement.id") == "hb-partners"
    assert page.locator(".hb-compare-results").is_hidden()


def test_more_than_eight_files_keeps_the_first_eight_and_says_so(page, base_url, edition):
    files = []
    for n in range(9):
        data = exchange(n % 3, edition)
        data["organisation"] = {"name": f"Partner {n + 1}"}
        files.append((f"partner-{n + 1}.json", json.dumps(data)))
    open_compare(page, compare_url(base_url))
    choose(page, files)
    loaded(page, 8)
    assert "partner-9.json was not loaded: at most 8 files can be compared at once." in report(page)
    headers = stage_section(page, STAGES[0]).get_by_role("columnheader").all_inner_texts()
    assert headers == ["Question", *(f"Partner {n}" for n in range(1, 9))]


def test_hostile_names_notes_and_question_texts_show_as_text_and_never_run(page, base_url, edition):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    q = QUESTIONS[1].id
    hostile = exchange(0, edition)
    hostile["organisation"] = {"name": HOSTILE_NAME}
    old_text = "<b>old</b> <img src=x onerror=alert(2)>?"
    hostile["answers"][q] = an_answer(0, q, "agreed", notes=HOSTILE_NOTE, question=old_text)
    hostile["answers"]["gone-question"] = an_answer(
        0, "gone-question", "agreed", question="<img src=y onerror=alert(3)>"
    )
    others = [(FILES[i], json.dumps(exchange(i, edition))) for i in (1, 2)]
    with_three(page, base_url, [(FILES[0], json.dumps(hostile)), *others])
    app = page.locator('[data-hb-app="compare"]')
    assert page.get_by_label(f"Name for {FILES[0]}").input_value() == HOSTILE_NAME
    assert stage_section(page, STAGES[0]).get_by_role("columnheader").nth(1).inner_text() == HOSTILE_NAME
    assert "<script>alert(1)</script> *not em*" in row(page, q).locator("td").first.inner_text()
    assert "“<b>old</b> <img src=x onerror=alert(2)>?”" in row(page, q).locator("td").first.inner_text()
    assert "<img src=y onerror=alert(3)>" in row(page, "gone-question").get_by_role("rowheader").inner_text()
    assert app.locator("img, script, b, a[href^='https']").count() == 0, "markup in a file became elements"
    header = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hb-compare-for')")
    assert header.strip().startswith('"Where we differ: Riverside <img src=x onerror=\\"alert(1)\\"> *Co*')
    assert not dialogs, dialogs


# ------------------------------------------------------------------ 7. accessible and private


def test_the_page_in_use_passes_axe_light_and_dark_and_requests_nothing_off_the_origin(browser, base_url, exports):

    old = exchange(1, "Version 0.9")
    old["answers"]["gone-question"] = an_answer(1, "gone-question", "agreed", question="Since retired?")
    files = [exports[0], (FILES[1], json.dumps(old)), exports[2]]
    failures: list[str] = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, accept_downloads=True)
        requests: list[str] = []
        context.on("request", lambda r, requests=requests: requests.append(r.url))
        page = context.new_page()
        errors = watch(page)
        try:
            open_compare(page, compare_url(base_url))
            failures += axe_failures(page, f"compare page, empty ({scheme})")
            choose(page, [*files, ("broken.json", "{")])
            loaded(page, 3)
            failures += axe_failures(page, f"compare page, three partners ({scheme})")
            page.get_by_label("Show only the questions where partners differ").check()
            failures += axe_failures(page, f"compare page, filtered ({scheme})")
            export(page, "Save the comparison (JSON)")
            export(page, "Export for minutes (Markdown)")
        finally:
            context.close()
        outside = [u for u in requests if not u.startswith((base_url + "/", "data:", "blob:"))]
        assert not outside, outside
        assert not errors, errors
    assert not failures, f"{len(failures)} accessibility violations:\n\n" + "\n\n".join(failures)


def test_keyboard_alone_loads_renames_filters_exports_prints_and_removes(page, base_url, exports):
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1 }")
    # Playwright takes over file pickers once something listens: before the key opens one.
    page.on("filechooser", lambda _: None)
    open_compare(page, compare_url(base_url))
    tab_to(page, "hb-files")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is visible"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=as_files(exports))
    loaded(page, 3)
    tab_to(page, "hb-partner-0")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Riverside")
    expect(stage_section(page, STAGES[0]).get_by_role("columnheader").nth(1)).to_have_text("Riverside")
    tab_to(page, "hb-only-differ")
    page.keyboard.press("Space")
    assert page.locator(".hb-side tbody tr").count() == sum(differs(q.id) for q in QUESTIONS)
    # A table scrolls sideways on a narrow screen: its box takes focus, named by its caption.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == f"hb-caption-{STAGES[0]}"
    tab_to(page, "Print where we differ")
    page.keyboard.press("Enter")
    assert page.evaluate("window.printed") == 1
    for button in ("Export for minutes (Markdown)", "Save the comparison (JSON)"):
        tab_to(page, button)
        with page.expect_download():
            page.keyboard.press("Enter")
    tab_to(page, f"Remove {FILES[2]}", back=True)
    page.keyboard.press("Enter")
    reported(page, f"Removed {FILES[2]}.")
    assert page.evaluate(FOCUSED) == "hb-partners"


def test_the_offline_edition_compares_from_a_file_url(browser, offline, exports):
    context = browser.new_context(accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors = watch(page)
    try:
        open_compare(page, (offline / "checklists" / "compare.html").as_uri())
        choose(page, exports)
        loaded(page, 3)
        assert stage_section(page, STAGES[0]).get_by_role("columnheader").all_inner_texts() == ["Question", *PARTNERS]
        _, minutes = export(page, "Export for minutes (Markdown)")
        assert "# Where we differ" in minutes
    finally:
        context.close()
    leaving = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
    assert not leaving, leaving
    assert not errors, errors


def navigate(page, name: str, path: str) -> None:
    """Follow a link of the navigation; Material swaps the page in without loading it."""
    page.locator("a.md-nav__link").filter(has_text=name).first.click()
    page.wait_for_url(f"**/{path}")
    page.wait_for_function("document.querySelector('.md-content h1') !== null")


def instantly(page, url: str) -> None:
    page.goto(url)
    # Material takes over link clicks once it has read the sitemap (it navigates only within it).
    page.wait_for_function("performance.getEntriesByType('resource').some(e => e.name.endsWith('/sitemap.xml'))")
    page.evaluate("window.hbSamePage = true")


def test_instant_navigation_away_and_back_keeps_the_comparison(page, instant, exports):
    errors = watch(page)
    instantly(page, compare_url(instant))
    ready(page)
    choose(page, exports)
    loaded(page, 3)
    page.get_by_label(f"Name for {FILES[0]}").fill("Riverside")
    navigate(page, "Your partnerships", "checklists/partnerships/")
    navigate(page, "Compare partners' answers", "checklists/compare/")
    assert page.evaluate("window.hbSamePage === true"), "the page was reloaded: instant navigation is not on"
    loaded(page, 3)
    headers = stage_section(page, STAGES[0]).get_by_role("columnheader")
    assert headers.all_inner_texts() == ["Question", "Riverside", *PARTNERS[1:]]
    page.get_by_label(f"Name for {FILES[1]}").fill("Northshire")
    expect(headers.nth(2)).to_have_text("Northshire")
    assert not errors, errors


def test_instant_navigation_to_the_compare_page_from_another_page_compares(page, instant, exports):
    instantly(page, f"{instant}/checklists/partnerships/")
    navigate(page, "Compare partners' answers", "checklists/compare/")
    assert page.evaluate("window.hbSamePage === true")
    page.get_by_label("Answers files or a saved comparison (JSON)").set_input_files(as_files(exports))
    loaded(page, 3)


# ------------------------------------------------------------------ a long comparison

LONG = 450  # questions added to the first stage: more than two pages of its table (compare.js's PAGE)
PAGE = 200
WIDE = 300  # the one long question where the partners are furthest apart: beyond the first page


def long_bank(site) -> tuple[str, list[str]]:
    """The built bank.js with LONG questions more at the first stage; their ids, in page order."""
    source = (site / "assets" / "bank.js").read_text(encoding="utf-8")
    bank = json.loads(source.removeprefix("self.handbookBank = ").rstrip().rstrip(";"))
    model = next(q for q in bank["questions"] if q["stage"] == STAGES[0])
    start = max(q["number"] for q in bank["questions"])
    added = [{**model, "id": f"long-{n}", "number": start + n, "text": f"Long question {n}?"}
             for n in range(1, LONG + 1)]  # fmt: skip
    bank["questions"] += added
    return f"self.handbookBank = {json.dumps(bank)};\n", [q["id"] for q in added]


def long_files(edition: str, ids: list[str]) -> list[tuple[str, str]]:
    """Two partners who agree on every long question but the WIDE-th, where they are furthest apart."""

    def answers(partner: int) -> dict:
        return {qid: an_answer(partner, qid, "agreed" if n == WIDE and partner == 0 else "discussed")
                for n, qid in enumerate(ids, 1) if not (n == WIDE and partner == 1)}  # fmt: skip

    return [(FILES[i], json.dumps(exchange(i, edition, answers(i)))) for i in range(2)]


def compare_long(page, base_url: str, site, edition: str) -> list[str]:
    """The compare page on the long bank (bank.js routed), the two partners' files chosen at
    once; the page's errors, as they come."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    bank_js, ids = long_bank(site)
    page.route("**/assets/bank.js", lambda route: route.fulfill(body=bank_js, content_type="text/javascript"))
    open_compare(page, compare_url(base_url))
    page.get_by_label("Answers files or a saved comparison (JSON)").set_input_files(as_files(long_files(edition, ids)))
    return errors


def test_a_long_stage_shows_its_rows_a_page_at_a_time_and_the_agenda_reaches_any_of_them(page, base_url, site, edition):
    errors = compare_long(page, base_url, site, edition)
    loaded(page, 2)
    section = stage_section(page, STAGES[0])
    rows = section.locator("tbody tr")
    total = len(BANK.ordered_questions(STAGES[0])) + LONG
    more = section.locator(".hb-compare-more")
    # The first page of rows, and a line that says so, with the button for the next page.
    expect(rows).to_have_count(PAGE)
    expect(more).to_contain_text(f"The table shows the first {PAGE} of {total} questions.")
    button = more.get_by_role("button", name=f"Show {PAGE} more: {STAGE_TITLES[STAGES[0]]}")
    button.click()
    expect(rows).to_have_count(2 * PAGE)
    expect(more).to_contain_text(f"The table shows the first {2 * PAGE} of {total} questions.")
    assert page.evaluate("document.activeElement.dataset.hbMore") == STAGES[0], "focus stays on the button"
    # The last page: the button goes, and focus moves to the first question it showed.
    more.get_by_role("button", name=f"Show {total - 2 * PAGE} more: {STAGE_TITLES[STAGES[0]]}").press("Enter")
    expect(rows).to_have_count(total)
    expect(more).to_be_hidden()
    assert page.evaluate("document.activeElement.closest('tr')?.rowIndex") == 2 * PAGE + 1  # after the head row
    assert page.locator("tbody[aria-busy]").count() == 0, "no table is left busy"
    # Another view of the comparison starts from the first page again.
    page.get_by_label("Show only the questions where partners differ").check()
    page.get_by_label("Show only the questions where partners differ").uncheck()
    expect(rows).to_have_count(PAGE)
    # The question furthest apart heads the agenda; its row is not shown yet, and the link shows it.
    wide = f"long-{WIDE}"
    assert row(page, wide).count() == 0
    link = page.locator(".hb-spread li a").first
    assert link.get_attribute("href") == f"#hb-row-{wide}"
    link.click()
    expect(row(page, wide)).to_be_in_viewport()
    assert page.evaluate("location.hash") == f"#hb-row-{wide}"
    shown = rows.count()
    assert total - LONG + WIDE <= shown < total, "shown up to the question, not all of them"
    assert not errors, errors


def test_links_and_typing_on_a_long_comparison_leave_each_row_once_in_order(page, base_url, site, edition):
    """A comparison of more than 400 rows draws in short tasks. The agenda's link to a row not yet
    shown, a name typed key by key, and the link again, each done at once without waiting for the
    tables: each stage's table ends with its rows once each, in page order, as many as it says,
    and the link has gone to its row. (The clicks land when Playwright finds them actionable, so
    this checks the end state; it does not force a click into the middle of a draw.)"""
    errors = compare_long(page, base_url, site, edition)
    # At once, not waiting for the tables: the agenda's first link (a row beyond the first page),
    # then a new name typed key by key, then the link again.
    page.locator(".hb-spread li a").first.click()
    name = page.get_by_label(f"Name for {FILES[0]}")
    name.fill("")
    name.press_sequentially("Riverside", delay=0)
    page.locator(".hb-spread li a").first.click()
    wide = f"long-{WIDE}"
    expect(row(page, wide)).to_be_attached()
    expect(page.locator("tbody[aria-busy]")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"#hb-row-{wide}$"))
    order = page.evaluate(
        "stage => handbook.bank.questions.filter((q) => q.stage === stage).map((q) => q.id)", STAGES[0]
    )
    body = stage_section(page, STAGES[0]).locator("tbody")
    shown = body.evaluate("body => [...body.rows].map((row) => row.id.replace('hb-row-', ''))")
    assert shown == order[: len(shown)], "each row once, in page order"
    assert len(shown) == int(body.get_attribute("data-hb-rows"))
    assert wide in shown
    expect(stage_section(page, STAGES[0]).get_by_role("columnheader").nth(1)).to_have_text("Riverside")
    assert not errors, errors


# ------------------------------------------------------------------ the code


def test_the_compare_code_is_a_small_classic_script_that_makes_no_markup_from_text(site):
    code = JS.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|export)\b", code, re.M), "a module: file:// refuses it"
    # Text from a file never becomes markup; nothing is sent anywhere.
    markup = r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|eval|Function"
    network = r"fetch|XMLHttpRequest|sendBeacon|WebSocket|EventSource|importScripts"
    assert not re.findall(rf"\b({markup}|{network})\b", code)
    assert "handbook.ui.onPage" in code, "registers with the page helpers"
    delivered = (site / "assets" / "compare.js").read_text(encoding="utf-8")
    # Minified, not rewritten: the delivered file holds the module without comments or spacing.
    assert "/*! assets/js/compare.js */" in delivered
    assert rjsmin.jsmin(code) in delivered
    # The page's own bundle (the record, the comparison, the agreed position) stays small.
    assert len(gzip.compress(delivered.encode(), 9)) <= 10 * 1024
