"""The partnership workspace in the browser (theme_overrides/assets/js/): answers that record a
discussion, several partnerships, progress, a record to export, import with a preview, review
points, answers to retired questions, printing, and every way storage or a file can go wrong.

Question and stage ids come from the bank the built pages carry (self.handbookBank), never
from this file, so a fork's bank passes too. Each test starts from an empty browser profile.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt
from playwright.sync_api import expect
from pypdf import PdfReader

from support import (
    FOCUSED,
    HISTORY,
    ROOT,
    WORKSPACE,
    axe_failures,
    languages,
    open_page,
    seed,
    serve,
    stored,
    tab_to,
)

JS = ROOT / "theme_overrides" / "assets" / "js"
SCHEMA = json.loads((ROOT / "schema" / "answers.schema.json").read_text(encoding="utf-8"))
FORMAT = "partnership-handbook-answers"
STATUS_LABELS = {
    "open": "Not yet discussed",
    "discussed": "Discussed",
    "agreed": "Agreed",
    "follow-up": "Needs follow-up",
}
OLD_TIME = "2020-01-01T00:00:00.000Z"
NEW_TIME = "2999-01-01T00:00:00.000Z"

# Storage switched off, as a browser that blocks site data does it: touching it throws.
STORAGE_OFF = """Object.defineProperty(window, "localStorage", {
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); } });"""
# Storage full: reading works, every write throws.
STORAGE_FULL = """Storage.prototype.setItem = function () {
  throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };"""
# Storage that takes the handbook's writes but refuses to keep a copy aside.
NO_ROOM_ASIDE = """{ const set = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    if (String(key).includes(":unreadable:")) throw new DOMException("full", "QuotaExceededError");
    return set.call(this, key, value); }; }"""


# ------------------------------------------------------------------ the bank, as the pages carry it


class Book:
    """The merged bank the site was built from, read from the built pages' assets/bank.js."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.questions = data["questions"]
        self.stages = [s["id"] for s in data["stages"]]
        self.stage = self.stages[0]
        self.first, self.second = self.on(self.stage)[:2]
        # A third question of the first stage, under another principle when there is one.
        on_stage = self.on(self.stage)
        self.other = next((q for q in on_stage[2:] if q["principle"] != self.first["principle"]), on_stage[2])
        self.last_stage_question = self.on(self.stages[-1])[-1]

    def on(self, stage: str, principle: str | None = None) -> list[dict]:
        return [q for q in self.questions if q["stage"] == stage and principle in (None, q["principle"])]


@pytest.fixture(scope="module")
def book(browser, base_url) -> Book:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/")
        return Book(page.evaluate("self.handbookBank"))
    finally:
        context.close()


# ------------------------------------------------------------------ helpers


def stage_url(base_url: str, book: Book, stage: str | None = None) -> str:
    return f"{base_url}/checklists/{stage or book.stage}/"


def answer(page, qid: str, status: str | None = None, notes: str | None = None, action: tuple | None = None) -> None:
    """Answer a question on the page as a user would: the status list, then the notes and action."""
    if status:
        page.select_option(f"#hb-status-{qid}", status)
    if notes is not None or action:
        details = page.locator(f"#q-{qid} details")
        if details.get_attribute("open") is None:
            page.click(f"#hb-more-{qid}")
        if notes is not None:
            page.fill(f"#hb-notes-{qid}", notes)
        for key, value in zip(("what", "who", "due"), action or (), strict=False):
            page.fill(f"#hb-{key}-{qid}", value)


def old_answers_key(page) -> str:
    """Where earlier editions kept their one set of answers: named after the site's name (this
    page's handbook-store meta tag), not its root as the workspace is."""
    return page.evaluate("'handbook-answers:' + document.querySelector('meta[name=handbook-store]').content")


def said(page, text: str) -> None:
    """The status line (a polite live region) says this, now or once the action completes."""
    expect(page.locator(".hb-live").first).to_contain_text(text)


def warnings(page) -> str:
    return " ".join(page.locator(".hb-warnings").all_inner_texts())


def workspace(partnerships: dict, active: str | None = None) -> str:
    """A stored workspace as the handbook writes it."""
    full = {
        pid: {
            "name": name,
            "organisation": "",
            "reset": "1970-01-01T00:00:00.000Z",
            "answers": answers,
            "snapshots": [],
        }
        for pid, (name, answers) in partnerships.items()
    }
    return json.dumps({"format": "partnership-handbook-workspace", "version": 1, "active": active or next(iter(full)),
                       "partnerships": full})  # fmt: skip


def an_answer(book_question: dict | None = None, status="discussed", notes="", updated=OLD_TIME, **extra) -> dict:
    return {"status": status, "notes": notes, "action": {"text": "", "owner": "", "due": ""}, "updated": updated,
            "question": book_question["text"] if book_question else "", **extra}  # fmt: skip


def exchange_file(answers: dict, name="Riverside and Northshire", version=2, **extra) -> dict:
    return {"format": FORMAT, "version": version, "handbook": {"title": "Leading successful partnerships",
            "edition": "Version 1"}, "partnership": {"name": name}, "exported": OLD_TIME, "answers": answers,
            "snapshots": [], **extra}  # fmt: skip


def modal(page):
    """The handbook's open dialog (Material's search box has the dialog role too)."""
    return page.locator("dialog.hb-dialog[open]")


def choose_file(page, content: str | bytes, name: str = "answers.json") -> None:
    """Import a file through the page's Import button, as a user would."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import an answers file").click()
    data = content.encode() if isinstance(content, str) else content
    chooser.value.set_files(files=[{"name": name, "mimeType": "application/json", "buffer": data}])


def export(page, button: str) -> tuple[str, str]:
    """Click an export button; the downloaded file's name and text."""
    with page.expect_download() as download:
        page.get_by_role("button", name=button).first.click()
    return download.value.suggested_filename, Path(download.value.path()).read_text(encoding="utf-8")


def pdf_text(page) -> list[str]:
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [" ".join(p.extract_text().split()) for p in pdf.pages]


def watch(page) -> list[str]:
    """Console errors and uncaught exceptions on the page, as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    return errors


# ------------------------------------------------------------------ 1. what an answer is


def test_an_answer_records_status_notes_and_action_and_survives_a_reload(page, base_url, book):
    errors = watch(page)
    url = stage_url(base_url, book)
    open_page(page, url)
    q = book.first["id"]
    # The page says what an answer records, and that it is not a tick.
    assert "not a tick" in page.locator("[data-hb-workspace]").inner_text()
    options = page.locator(f"#hb-status-{q} option").all_inner_texts()
    assert options == list(STATUS_LABELS.values())
    answer(page, q, "agreed", "Ask the council first.\nThen the trust.", ("Draft the vision", "Sam", "2031-04-01"))
    page.reload()
    open_page(page, url)
    assert page.locator(f"#hb-status-{q}").input_value() == "agreed"
    assert page.locator(f"#hb-notes-{q}").input_value() == "Ask the council first.\nThen the trust."
    assert page.locator(f"#hb-what-{q}").input_value() == "Draft the vision"
    assert page.locator(f"#hb-who-{q}").input_value() == "Sam"
    assert page.locator(f"#hb-due-{q}").input_value() == "2031-04-01"
    assert page.locator(f"#q-{q} details").get_attribute("open") is not None, "notes were typed: they show"
    saved = stored(page)["partnerships"]["ours"]["answers"][q]
    assert saved["status"] == "agreed" and saved["action"] == {
        "text": "Draft the vision",
        "owner": "Sam",
        "due": "2031-04-01",
    }
    assert saved["question"] == book.first["text"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", saved["updated"])
    assert not errors, errors


def test_each_control_is_labelled_with_its_question(page, base_url, book):
    open_page(page, stage_url(base_url, book))
    q = book.first["id"]
    number_and_text = " ".join(page.locator(f"#q-{q} > p").first.inner_text().split())
    for control in ("status", "notes", "what", "who", "due", "more"):
        name = page.evaluate(
            "id => { const el = document.getElementById(id); return el.getAttribute('aria-labelledby')"
            ".split(' ').map(i => document.getElementById(i).textContent).join(' ') }",
            f"hb-{control}-{q}",
        )
        assert " ".join(name.split()).endswith(number_and_text), f"{control}: {name!r}"
    assert page.get_by_role("combobox", name=re.compile(rf"^Status {re.escape(number_and_text[:20])}")).count() == 1


@pytest.mark.parametrize("language", languages())
def test_each_question_shows_its_number_in_the_margin(page, base_url, book, language):
    """The number hangs in the margin, left of the question's box: a question drawn only as it
    scrolls into view (content-visibility) must not cut it off, answered or not, in any language."""
    prefix = "" if language == languages()[0] else f"/{language}"
    open_page(page, f"{base_url}{prefix}/checklists/{book.stage}/")
    for q, status in ((book.first["id"], "agreed"), (book.second["id"], None)):
        if status:
            page.select_option(f"#hb-status-{q}", status)
        number = page.locator(f"#q-{q} .hb-number")
        number.scroll_into_view_if_needed()
        box, question = number.bounding_box(), page.locator(f"#q-{q}").bounding_box()
        assert box["x"] < question["x"], "the number stands in the margin"
        # The same spot with the number and without it: the pictures differ if it is drawn.
        shown = page.screenshot(clip=box)
        number.evaluate("n => (n.style.visibility = 'hidden')")
        hidden = page.screenshot(clip=box)
        number.evaluate("n => (n.style.visibility = '')")
        assert shown != hidden, f"the number of {q} is not drawn"


# ------------------------------------------------------------------ 2. progress


def test_progress_per_stage_principle_overview_cell_and_summary(page, base_url, book):
    url = stage_url(base_url, book)
    open_page(page, url)
    first, other = book.first, book.other
    answer(page, first["id"], "discussed")
    answer(page, other["id"], "follow-up")
    # Notes alone are not a discussion: still "not yet discussed".
    answer(page, book.second["id"], notes="Only a thought so far")
    on_stage = book.on(book.stage)
    assert f"2 of {len(on_stage)} questions discussed at this stage" in page.locator("[data-hb-workspace]").inner_text()
    for principle in {first["principle"], other["principle"]}:
        listed = book.on(book.stage, principle)
        done = sum(q["id"] in (first["id"], other["id"]) for q in listed)
        line = page.locator(f'.hb-checklist[data-stage="{book.stage}"][data-principle="{principle}"]').locator(
            "xpath=preceding-sibling::*[1]"
        )
        assert line.inner_text() == f"{done} of {len(listed)} questions discussed."

    open_page(page, f"{base_url}/checklists/")
    cell = page.locator(f'.hb-grid td[data-stage="{book.stage}"][data-principle="{first["principle"]}"]')
    listed = book.on(book.stage, first["principle"])
    done = sum(q["id"] in (first["id"], other["id"]) for q in listed)
    assert cell.locator(".hb-progress").inner_text() == f"{done} of {len(listed)} questions discussed."
    assert f"2 of {len(book.questions)} questions discussed" in page.locator("[data-hb-workspace]").inner_text()

    open_page(page, f"{base_url}/checklists/all/")
    assert (
        f"2 of {len(book.questions)} questions discussed in all stages"
        in page.locator("[data-hb-workspace]").inner_text()
    )
    assert page.locator(f"#hb-status-{other['id']}").input_value() == "follow-up", "one set of answers on every page"

    open_page(page, f"{base_url}/checklists/partnerships/")
    summary = page.locator(".hb-summary").inner_text()
    assert f"2 of {len(book.questions)} questions discussed" in summary
    assert f"Not yet discussed: {len(book.questions) - 2}. Discussed: 1. Agreed: 0. Needs follow-up: 1." in summary
    table = page.locator(".hb-summary table")
    column = 1 + book.stages.index(book.stage)
    row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="All principles", exact=True))
    assert row.locator("td").nth(column - 1).inner_text() == f"2 of {len(on_stage)}"


# ------------------------------------------------------------------ 3. partnerships


def add_partnership(page, name: str) -> None:
    page.fill("#hb-new", name)
    page.get_by_role("button", name="Add it and switch to it").click()


def test_partnerships_keep_their_answers_apart_and_the_bar_switches(page, base_url, book):
    q = book.first["id"]
    url = stage_url(base_url, book)
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.fill("#hb-name", "Riverside")
    page.get_by_role("button", name="Save", exact=True).click()
    add_partnership(page, "Northshire")
    said(page, "Added Northshire")
    open_page(page, url)
    assert "Answers for Northshire" in page.locator("[data-hb-workspace]").inner_text()
    answer(page, q, "agreed", "Northshire's view")
    page.select_option("#hb-switch", label="Riverside")
    assert "Answers for Riverside" in page.locator("[data-hb-workspace]").inner_text()
    said(page, "Showing the answers for Riverside")
    assert page.locator(f"#hb-status-{q}").input_value() == "open"
    assert page.locator(f"#hb-notes-{q}").input_value() == ""
    answer(page, q, "follow-up", "Riverside's view")
    page.reload()
    open_page(page, url)
    assert page.locator(f"#hb-notes-{q}").input_value() == "Riverside's view"
    page.select_option("#hb-switch", label="Northshire")
    assert page.locator(f"#hb-notes-{q}").input_value() == "Northshire's view"
    assert page.locator(f"#hb-status-{q}").input_value() == "agreed"

    open_page(page, f"{base_url}/checklists/partnerships/")
    page.get_by_role("button", name="Switch to Riverside").click()
    assert page.evaluate("document.activeElement.id") == "hb-list", "focus goes to the list after switching"
    page.fill("#hb-name", "Riverside Trust")
    page.fill("#hb-org", "Riverside Council")
    page.get_by_role("button", name="Save", exact=True).click()
    items = page.locator(".hb-partnerships li").all_inner_texts()
    assert any(i.startswith("Riverside Trust (answered by Riverside Council), active: 1 of") for i in items), items
    assert any(i.startswith("Northshire: 1 of") for i in items), items


def test_deleting_asks_first_and_can_be_undone_from_earlier_states(page, base_url, book):
    q = book.first["id"]
    open_page(page, stage_url(base_url, book))
    answer(page, q, "agreed", "Keep me")
    open_page(page, f"{base_url}/checklists/partnerships/")
    add_partnership(page, "Second")
    delete = page.get_by_role("button", name="Delete Our partnership")

    delete.click()
    dialog = page.get_by_role("dialog", name="Delete Our partnership, its 1 answer and review points?")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Cancel", "focus starts on the safe choice"
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Delete Our partnership", "focus comes back"
    assert "ours" in stored(page)["partnerships"]

    delete.click()
    dialog.get_by_role("button", name="Delete Our partnership").click()
    said(page, "Deleted Our partnership")
    assert "ours" not in stored(page)["partnerships"]
    assert page.locator(".hb-partnerships li").count() == 1

    page.reload()
    open_page(page, f"{base_url}/checklists/partnerships/")
    undo = page.locator(".hb-undo li").filter(has_text="Before deleting Our partnership")
    assert undo.count() == 1
    undo.get_by_role("button", name=re.compile("^Put back")).click()
    said(page, "Put back an earlier state. The active partnership is Second.")
    assert stored(page)["partnerships"]["ours"]["answers"][q]["notes"] == "Keep me"
    # Putting back is itself kept, so it can be undone in turn.
    assert page.locator(".hb-undo li").filter(has_text="Before putting back").count() == 1


def test_clearing_asks_first_and_can_be_undone(page, base_url, book):
    q = book.first["id"]
    open_page(page, stage_url(base_url, book))
    answer(page, q, "discussed", "Important")
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.get_by_role("button", name="Clear the active partnership's answers").click()
    modal(page).get_by_role("button", name="Cancel").click()
    assert stored(page)["partnerships"]["ours"]["answers"][q]["notes"] == "Important"
    page.get_by_role("button", name="Clear the active partnership's answers").click()
    modal(page).get_by_role("button", name="Clear the answers").click()
    said(page, "Cleared the 1 answer of Our partnership")
    assert stored(page)["partnerships"]["ours"]["answers"] == {}
    undo = page.locator(".hb-undo li").filter(has_text="Before clearing")
    undo.get_by_role("button", name=re.compile("^Put back")).click()
    assert stored(page)["partnerships"]["ours"]["answers"][q]["notes"] == "Important"


# ------------------------------------------------------------------ 4. a record: export


def test_export_json_follows_the_schema_and_round_trips(browser, base_url, book):
    q, other = book.first["id"], book.other["id"]
    first = browser.new_context(accept_downloads=True)
    page = first.new_page()
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.fill("#hb-name", "Riverside and Northshire")
    page.fill("#hb-org", "Riverside Council")
    page.get_by_role("button", name="Save", exact=True).click()
    open_page(page, stage_url(base_url, book))
    answer(page, q, "agreed", "Agreed at the away day", ("Write it up", "Ana", "2031-05-01"))
    answer(page, other, "follow-up")
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.fill("#hb-snapshot", "Set-up")
    page.get_by_role("button", name="Save review point").click()
    name, text = export(page, "Export answers file (JSON)")
    first.close()

    assert re.fullmatch(r"riverside-and-northshire-answers-\d{4}-\d\d-\d\d\.json", name)
    data = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["version"] == 3 and data["format"] == FORMAT
    assert data["partnership"] == {"name": "Riverside and Northshire"}
    assert data["organisation"] == {"name": "Riverside Council"}
    assert data["handbook"]["edition"] == book.data["edition"]
    assert data["answers"][q]["notes"] == "Agreed at the away day"
    assert data["answers"][q]["question"] == book.first["text"]
    assert data["snapshots"][0]["name"] == "Set-up" and data["snapshots"][0]["answers"][other]["status"] == "follow-up"

    second = browser.new_context()
    page = second.new_page()
    open_page(page, f"{base_url}/checklists/partnerships/")
    choose_file(page, text, name)
    modal(page).get_by_role("button", name="Keep it as a new partnership").click()
    said(page, "now the active one")
    open_page(page, stage_url(base_url, book))
    assert page.locator(f"#hb-notes-{q}").input_value() == "Agreed at the away day"
    assert page.locator(f"#hb-who-{q}").input_value() == "Ana"
    assert "Answers for Riverside and Northshire" in page.locator("[data-hb-workspace]").inner_text()
    second.close()


HOSTILE = "<script>alert(1)</script> *not em* [link](https://x.example) # not a heading\n1. not a list\n    not code"


def test_export_markdown_for_minutes_keeps_text_as_text(page, base_url, book):
    q = book.first["id"]
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.fill("#hb-name", "Riverside <b>& Co</b>")
    page.get_by_role("button", name="Save", exact=True).click()
    open_page(page, stage_url(base_url, book))
    answer(page, q, "agreed", HOSTILE, ("Send *minutes*", "Sam_Jones", "2031-04-01"))
    open_page(page, f"{base_url}/checklists/partnerships/")
    name, text = export(page, "Export for minutes (Markdown)")
    assert re.fullmatch(r"riverside-b-co-b-minutes-\d{4}-\d\d-\d\d\.md", name)

    tokens = MarkdownIt("commonmark").parse(text)
    # Only the structure the export means: headings, paragraphs, one bullet list per question.
    kinds = {t.type for t in tokens}
    assert kinds <= {"heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline",
                     "bullet_list_open", "bullet_list_close", "list_item_open", "list_item_close"}, kinds  # fmt: skip
    inline = [c for t in tokens if t.type == "inline" for c in t.children]
    assert {c.type for c in inline} <= {"text", "strong_open", "strong_close", "hardbreak", "softbreak"}, {
        c.type for c in inline
    }
    html = MarkdownIt("commonmark").render(text)
    plain = (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )
    for line in HOSTILE.split("\n"):
        assert line.strip() in plain, line
    assert "Riverside <b>& Co</b>" in plain and "Send *minutes*; owner: Sam_Jones; due: 2031-04-01" in plain

    # Every question, grouped by stage and principle, with its number, text and status.
    headings = [
        "".join(c.content for c in tokens[i + 1].children) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    stage_titles = [s["title"] for s in book.data["stages"]]
    assert [h for h in headings if h in stage_titles] == stage_titles
    for question in book.questions:
        assert f"{question['number']}. {' '.join(question['text'].split())}" in plain
    assert plain.count("Status: ") == len(book.questions)
    assert "Status: Agreed" in plain and book.data["edition"] in plain


# ------------------------------------------------------------------ 5. import with a preview


@pytest.fixture
def with_local_answers(page, base_url, book):
    """This browser's answers: the first question older than the file's, the other newer."""
    here = {book.first["id"]: an_answer(book.first, "discussed", "old here", OLD_TIME),
            book.other["id"]: an_answer(book.other, "agreed", "newer here", NEW_TIME)}  # fmt: skip
    seed(page, f"{base_url}/checklists/partnerships/", {WORKSPACE: workspace({"ours": ("Our partnership", here)})})
    return page


def incoming(book: Book) -> dict:
    reworded = dict(an_answer(book.second, "agreed", "answered long ago"), question="An older wording of it?")
    return {
        book.first["id"]: an_answer(book.first, "agreed", "from the file", "2025-06-01T10:00:00.000Z"),
        book.other["id"]: an_answer(book.other, "discussed", "older in the file", "2025-06-01T10:00:00.000Z"),
        book.second["id"]: reworded,
        "a-retired-question": an_answer(None, "follow-up", "kept from an old edition", question="What did we retire?"),
    }


def test_import_preview_then_merge_newer_wins(with_local_answers, book):
    page = with_local_answers
    choose_file(page, json.dumps(exchange_file(incoming(book))), "partners.json")
    dialog = page.get_by_role("dialog", name="Import partners.json?")
    text = " ".join(dialog.inner_text().split())
    assert "From Riverside and Northshire, Version 1, exported " in text
    assert ("Answers in it: 4. Newer than the active partnership's in this browser: 1; older: 1; the same: 0; to"
            " questions it has not answered: 2.") in text  # fmt: skip
    retired = dialog.locator("[data-hb-list=retired]")
    assert "no longer in this handbook" in retired.inner_text()
    assert retired.locator("li").all_inner_texts() == ["What did we retire?"]
    reworded = dialog.locator("[data-hb-list=reworded]").locator("li").all_inner_texts()
    assert reworded == [f"Now: {book.second['text']} Then: An older wording of it?"]
    assert dialog.locator("[data-hb-list=snapshots]").is_hidden()
    dialog.get_by_role("button", name="Merge into the active partnership").click()
    said(page, "1 kept from this browser")
    answers = stored(page)["partnerships"]["ours"]["answers"]
    assert answers[book.first["id"]]["notes"] == "from the file"
    assert answers[book.other["id"]]["notes"] == "newer here"
    assert answers["a-retired-question"]["notes"] == "kept from an old edition"
    assert page.locator(".hb-undo li").filter(has_text="Before importing partners.json").count() == 1


def test_import_replace_then_undo_from_earlier_states(with_local_answers, book):
    page = with_local_answers
    choose_file(page, json.dumps(exchange_file(incoming(book))), "partners.json")
    modal(page).get_by_role("button", name="Replace the active partnership's answers").click()
    said(page, "are now those of partners.json")
    answers = stored(page)["partnerships"]["ours"]["answers"]
    assert answers[book.other["id"]]["notes"] == "older in the file", "replace takes the file's, even older ones"
    page.locator(".hb-undo li").filter(has_text="Before importing partners.json").get_by_role(
        "button", name=re.compile("^Put back")
    ).click()
    answers = stored(page)["partnerships"]["ours"]["answers"]
    assert answers[book.other["id"]]["notes"] == "newer here"
    assert answers[book.first["id"]]["notes"] == "old here"
    assert "a-retired-question" not in answers


def test_import_cancelled_changes_nothing(with_local_answers, book):
    page = with_local_answers
    before = stored(page)
    choose_file(page, json.dumps(exchange_file(incoming(book))), "partners.json")
    modal(page).get_by_role("button", name="Cancel").click()
    said(page, "partners.json was not imported. Nothing was changed.")
    assert stored(page) == before
    assert page.evaluate("document.activeElement.textContent") == "Import an answers file"


def test_an_older_format_version_1_file_imports(with_local_answers, book):
    page = with_local_answers
    answers = {
        book.second["id"]: {"done": True, "notes": "ticked in 2024", "updated": "2024-03-01T09:00:00.000Z"},
        book.last_stage_question["id"]: {"done": False, "notes": "", "updated": "2024-03-01T09:00:00.000Z"},
    }
    v1 = {"format": FORMAT, "version": 1, "site": "Leading successful partnerships", "answers": answers}
    choose_file(page, json.dumps(v1), "old.json")
    modal(page).get_by_role("button", name="Merge into the active partnership").click()
    said(page, "Merged old.json")
    answers = stored(page)["partnerships"]["ours"]["answers"]
    assert (
        answers[book.second["id"]]["status"] == "discussed" and answers[book.second["id"]]["notes"] == "ticked in 2024"
    )
    assert answers[book.last_stage_question["id"]]["status"] == "open"


def bad_files(book: Book) -> list[tuple[str, bytes, str]]:
    q = book.first["id"]
    good = an_answer(book.first)

    v1 = {"format": FORMAT, "version": 1}

    def with_answer(**change):
        return json.dumps(exchange_file({q: {**good, **change}})).encode()

    return [
        ("not json", b"{not json", "is not JSON"),
        ("foreign", json.dumps({"a": 1}).encode(), "is not an answers file"),
        ("another format", json.dumps({"format": "other", "version": 1, "answers": {}}).encode(), "is not an answers"),
        ("newer version", json.dumps({**exchange_file({}), "version": 4}).encode(), "format version 4"),
        ("notes an object", with_answer(notes={"a": 1}), f"answers.{q}.notes is not text"),
        ("notes a number", with_answer(notes=42), f"answers.{q}.notes is not text"),
        ("answers null", json.dumps(exchange_file(None)).encode(), "answers is not a set of answers"),
        ("answers a list", json.dumps(exchange_file([])).encode(), "answers is not a set of answers"),
        ("updated not a date", with_answer(updated="yesterday"), f"answers.{q}.updated is not a date"),
        ("unknown status", with_answer(status="done"), f"answers.{q}.status is not one of"),
        ("due not a date", with_answer(action={"text": "x", "owner": "", "due": "soon"}), f"answers.{q}.action.due"),
        ("bad id", json.dumps(exchange_file({"Not An Id": good})).encode(), "not a question id"),
        ("v1 done not boolean", json.dumps({**v1, "answers": {q: {"done": "yes"}}}).encode(), "done is not true"),
    ]  # fmt: skip


FIXTURES = ROOT / "tests" / "fixtures" / "answers"


def test_the_schema_describes_both_versions_and_refuses_what_the_importer_refuses(book):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for fixture in sorted(FIXTURES.glob("*.json")):
        validator.validate(json.loads(fixture.read_text(encoding="utf-8")))
    for label, content, _ in bad_files(book):
        if label != "not json":
            assert not validator.is_valid(json.loads(content)), f"the schema takes a file the importer refuses: {label}"


@pytest.mark.parametrize("version", [1, 2])
def test_the_example_files_import(with_local_answers, version):
    page = with_local_answers
    choose_file(page, (FIXTURES / f"version-{version}.json").read_text(encoding="utf-8"), f"version-{version}.json")
    modal(page).get_by_role("button", name="Keep it as a new partnership").click()
    said(page, f"Imported version-{version}.json as a new partnership")
    answers = stored(page)["partnerships"][stored(page)["active"]]["answers"]
    assert answers["a-question"]["status"] == ("discussed" if version == 1 else "agreed")
    assert answers["another-question"]["status"] == ("open" if version == 1 else "follow-up")


@pytest.mark.parametrize("case", range(13))
def test_a_malformed_or_foreign_file_is_refused_whole(with_local_answers, book, case):
    page = with_local_answers
    label, content, message = bad_files(book)[case]
    before = stored(page)
    # A good answer beside the bad one is not taken either: the whole file is refused.
    choose_file(page, content, f"{label}.json")
    said(page, f"{label}.json was not imported.")
    line = page.locator(".hb-live").first.inner_text()
    assert message in line and line.endswith("Nothing was changed."), line
    assert modal(page).count() == 0
    assert stored(page) == before


def test_prototype_names_in_a_file_are_data_never_the_prototype(with_local_answers, book):
    page = with_local_answers
    good = an_answer(book.second, "agreed", "a real answer", NEW_TIME)
    # Ids that name members of every object: they are answers to (retired) questions like any other.
    text = (
        f'{{"format": "{FORMAT}", "version": 2, "handbook": {{"title": "x", "edition": "y"}},'
        f' "partnership": {{"name": "P"}}, "exported": "{OLD_TIME}", "answers": {{'
        f' "constructor": {json.dumps(an_answer(None, "agreed", "to constructor", question="Constructor?"))},'
        f' "hasownproperty": {json.dumps(an_answer(None, "discussed", "to hasOwnProperty"))},'
        f' "{book.second["id"]}": {json.dumps(good)}}}}}'
    )
    choose_file(page, text, "proto.json")
    assert "Answers in it: 3." in modal(page).inner_text()
    modal(page).get_by_role("button", name="Merge into the active partnership").click()
    said(page, "Merged proto.json")
    answers = stored(page)["partnerships"]["ours"]["answers"]
    assert set(answers) == {book.first["id"], book.other["id"], book.second["id"], "constructor", "hasownproperty"}
    assert answers["constructor"]["notes"] == "to constructor"
    assert page.evaluate("({}).polluted === undefined && Object.prototype.status === undefined")
    # A key that could reach the prototype is not a question id: the whole file is refused.
    polluting = text.replace('"constructor":', '"__proto__": {"polluted": true}, "constructor":')
    choose_file(page, polluting, "polluting.json")
    said(page, "polluting.json was not imported.")
    assert "not a question id" in page.locator(".hb-live").first.inner_text()
    assert page.evaluate("({}).polluted === undefined")


# ------------------------------------------------------------------ 6. storage that fails


def test_storage_switched_off_keeps_answers_on_the_page_and_export_has_them(page, base_url, book):
    page.add_init_script(STORAGE_OFF)
    errors = watch(page)
    open_page(page, stage_url(base_url, book))
    assert "Storage is switched off" in warnings(page)
    answer(page, book.first["id"], "agreed", "Only in memory")
    assert "1 of" in page.locator("[data-hb-workspace]").inner_text()
    _, text = export(page, "Export answers file")
    assert json.loads(text)["answers"][book.first["id"]]["notes"] == "Only in memory"
    # Material's own scripts read storage too and throw; none of ours may.
    assert not [e for e in errors if "/assets/js/" in e], errors


def test_storage_full_keeps_answers_on_the_page_says_so_and_export_has_them(page, base_url, book):
    url = stage_url(base_url, book)
    page.goto(url)
    saved = {book.second["id"]: an_answer(book.second, "discussed", "saved before it filled up")}
    page.evaluate(
        "([k, v]) => localStorage.setItem(k, v)", [WORKSPACE, workspace({"ours": ("Our partnership", saved)})]
    )
    page.add_init_script(STORAGE_FULL)
    open_page(page, url)
    assert warnings(page) == ""
    answer(page, book.first["id"], "follow-up", "Typed while full")
    assert "storage is full" in warnings(page)
    _, text = export(page, "Export answers file")
    exported = json.loads(text)["answers"]
    assert exported[book.first["id"]]["notes"] == "Typed while full"
    assert exported[book.second["id"]]["notes"] == "saved before it filled up"


def corrupt_values(book: Book) -> list[tuple[str, str, bool]]:
    """Stored values (label, raw, whether the good answer beside the bad one still loads)."""
    q, good = book.first["id"], book.second["id"]

    def beside(bad: dict) -> str:
        answers = {q: {**an_answer(book.first), **bad}, good: an_answer(book.second, "agreed", "readable")}
        return workspace({"ours": ("Ours", answers)})

    return [
        ("not json", "{not json", False),
        ("notes an object", beside({"notes": {"a": 1}}), True),
        ("notes a number", beside({"notes": 42}), True),
        ("updated not a date", beside({"updated": "yesterday"}), True),
        (
            "answers null",
            json.dumps({"active": "ours", "partnerships": {"ours": {"name": "Ours", "answers": None}}}),
            False,
        ),
        (
            "answers a list",
            json.dumps({"active": "ours", "partnerships": {"ours": {"name": "Ours", "answers": []}}}),
            False,
        ),
        ("partnerships null", json.dumps({"partnerships": None}), False),
    ]


@pytest.mark.parametrize("case", range(7))
def test_unreadable_stored_answers_are_set_aside_checked_and_the_rest_load(page, base_url, book, case):
    label, raw, rest = corrupt_values(book)[case]
    errors = watch(page)
    url = stage_url(base_url, book)
    seed(page, url, {WORKSPACE: raw})
    assert "could not be read" in warnings(page), label
    aside = page.evaluate("Object.keys(localStorage).filter(k => k.includes(':unreadable:'))")
    assert len(aside) == 1 and aside[0].startswith(WORKSPACE + ":unreadable:")
    assert aside[0] in warnings(page), "the page says where the copy is"
    assert page.evaluate("k => localStorage.getItem(k)", aside[0]) == raw, "the copy is exact"
    if rest:
        assert page.locator(f"#hb-notes-{book.second['id']}").input_value() == "readable"
    # The page still works, and what it now saves is readable.
    answer(page, book.other["id"], "agreed", "after the repair")
    assert (
        stored(page)["partnerships"][next(iter(stored(page)["partnerships"]))]["answers"][book.other["id"]]["status"]
        == "agreed"
    )
    page.reload()
    open_page(page, url)
    assert page.locator(f"#hb-notes-{book.other['id']}").input_value() == "after the repair"
    assert not errors, errors


def test_an_unreadable_value_is_never_written_over_when_no_copy_can_be_kept(page, base_url, book):
    url = stage_url(base_url, book)
    raw = json.dumps({"partnerships": {"ours": {"name": "Ours", "answers": {book.first["id"]: {"notes": {"a": 1}}}}}})
    page.goto(url)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [WORKSPACE, raw])
    page.add_init_script(NO_ROOM_ASIDE)
    open_page(page, url)
    assert "No copy could be kept" in warnings(page)
    assert "stay on this page only" in warnings(page)
    answer(page, book.second["id"], "agreed", "typed anyway")
    assert page.evaluate("k => localStorage.getItem(k)", WORKSPACE) == raw, "the unreadable value is untouched"
    _, text = export(page, "Export answers file")
    assert json.loads(text)["answers"][book.second["id"]]["notes"] == "typed anyway"


def test_answers_kept_before_partnerships_become_the_first_partnership(page, base_url, book):
    url = stage_url(base_url, book)
    old = {"format": FORMAT, "version": 1, "answers": {
        book.first["id"]: {"done": True, "notes": "from before", "updated": "2024-01-01T00:00:00.000Z"},
        book.second["id"]: {"done": True, "notes": {"a": 1}, "updated": "2024-01-01T00:00:00.000Z"}}}  # fmt: skip
    page.goto(url)  # the key is in its meta tag
    seed(page, url, {old_answers_key(page): json.dumps(old)})
    assert "Answers for Our partnership" in page.locator("[data-hb-workspace]").inner_text()
    assert page.locator(f"#hb-status-{book.first['id']}").input_value() == "discussed"
    assert page.locator(f"#hb-notes-{book.first['id']}").input_value() == "from before"
    assert "1 of the answers an earlier version of this handbook saved could not be read" in warnings(page)
    assert page.evaluate("k => localStorage.getItem(k)", old_answers_key(page)) == json.dumps(old), (
        "the old set is kept"
    )


@pytest.mark.parametrize("raw", ['{"answers": []}', '{"answers": null}', "{not json", "null"])
def test_an_unreadable_old_set_is_left_alone_and_said(page, base_url, book, raw):
    errors = watch(page)
    url = stage_url(base_url, book)
    page.goto(url)  # the key is in its meta tag
    seed(page, url, {old_answers_key(page): raw})
    assert "All of the answers an earlier version of this handbook saved could not be read" in warnings(page)
    answer(page, book.first["id"], "agreed")
    page.reload()
    open_page(page, url)
    assert page.locator(f"#hb-status-{book.first['id']}").input_value() == "agreed", "new answers save"
    assert page.evaluate("k => localStorage.getItem(k)", old_answers_key(page)) == raw
    assert not errors, errors


# ------------------------------------------------------------------ 7. two tabs


def test_two_tabs_keep_each_others_answers(page, base_url, book):
    url = stage_url(base_url, book)
    q, other = book.first["id"], book.other["id"]
    open_page(page, url)
    second = page.context.new_page()
    open_page(second, url)

    answer(page, q, "agreed", "typed in the first tab")
    answer(second, other, "discussed", "typed in the second tab")
    # Each tab shows the other's answer, and both are stored.
    second.wait_for_function(f"document.getElementById('hb-notes-{q}').value === 'typed in the first tab'")
    page.wait_for_function(f"document.getElementById('hb-notes-{other}').value === 'typed in the second tab'")
    page.wait_for_function(
        "([k, a, b]) => { const w = JSON.parse(localStorage.getItem(k)).partnerships.ours.answers;"
        " return w[a]?.notes === 'typed in the first tab' && w[b]?.notes === 'typed in the second tab' }",
        arg=[WORKSPACE, q, other],
    )

    # Another tab saves an older copy (it had not seen this tab's edit yet): this tab's newer
    # answer is neither overwritten here nor lost from storage.
    answer(second, q, notes="newer, from the second tab")
    page.evaluate("document.activeElement.blur()")  # the user has moved to the second tab
    stale = workspace({"ours": ("Our partnership", {q: an_answer(book.first, "open", "stale", OLD_TIME)})})
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [WORKSPACE, stale])
    second.wait_for_function(
        "([k, a]) => JSON.parse(localStorage.getItem(k)).partnerships.ours.answers[a].notes"
        " === 'newer, from the second tab'",
        arg=[WORKSPACE, q],
    )
    assert second.locator(f"#hb-notes-{q}").input_value() == "newer, from the second tab"
    page.wait_for_function(f"document.getElementById('hb-notes-{q}').value === 'newer, from the second tab'")


def test_a_tab_keeps_its_partnership_while_another_tab_switches(page, base_url, book):
    q, other = book.first["id"], book.other["id"]
    url = stage_url(base_url, book)
    seed(page, url, {WORKSPACE: workspace({"p1": ("Riverside", {}), "p2": ("Northshire", {})}, "p1")})
    answer(page, q, notes="started in the first tab")
    second = page.context.new_page()
    open_page(second, url)
    assert "Answers for Riverside" in second.locator("[data-hb-workspace]").inner_text()
    second.select_option("#hb-switch", label="Northshire")
    answer(second, other, notes="Northshire, from the second tab")
    # The first tab has taken in the second tab's save (its own copy has the new answer) ...
    page.wait_for_function(
        "([a]) => self.handbook.store.workspace.partnerships.p2.answers[a]?.notes"
        " === 'Northshire, from the second tab'",
        arg=[other],
    )
    # ... and still shows, and writes to, the partnership it was on; its field kept the text.
    assert "Answers for Riverside" in page.locator("[data-hb-workspace]").inner_text()
    assert page.locator("#hb-switch").input_value() == "p1"
    page.locator(f"#hb-notes-{q}").press_sequentially(", finished there")
    page.wait_for_function(
        "([k, a]) => JSON.parse(localStorage.getItem(k)).partnerships.p1.answers[a]?.notes"
        " === 'started in the first tab, finished there'",
        arg=[WORKSPACE, q],
    )
    saved = stored(page)["partnerships"]
    assert q not in saved["p2"]["answers"], "nothing the first tab typed went to the second tab's partnership"
    assert saved["p2"]["answers"][other]["notes"] == "Northshire, from the second tab"
    assert "Answers for Northshire" in second.locator("[data-hb-workspace]").inner_text()
    assert second.locator(f"#hb-notes-{q}").input_value() == ""
    # A reload keeps each tab on its own partnership.
    page.reload()
    open_page(page, url)
    assert "Answers for Riverside" in page.locator("[data-hb-workspace]").inner_text()
    second.close()


def test_a_tab_whose_partnership_another_tab_deletes_says_so(page, base_url, book):
    q = book.first["id"]
    url = stage_url(base_url, book)
    seed(page, url, {WORKSPACE: workspace({"p1": ("Riverside", {q: an_answer(book.first, notes="Riverside's notes")}),
                                           "p2": ("Northshire", {})}, "p1")})  # fmt: skip
    other = page.context.new_page()
    open_page(other, f"{base_url}/checklists/partnerships/")
    other.get_by_role("button", name="Delete Riverside").click()
    modal(other).get_by_role("button", name="Delete Riverside").click()
    said(page, "The partnership shown here was deleted in another tab. Showing the answers for Northshire")
    assert "Answers for Northshire" in page.locator("[data-hb-workspace]").inner_text()
    assert page.locator(f"#hb-notes-{q}").input_value() == ""
    # What was deleted is among the earlier states, to put back.
    history = stored(page, HISTORY)
    assert "Riverside's notes" in json.dumps(history)
    other.close()


def test_answers_saved_under_the_sites_name_by_an_earlier_edition_move_to_its_address(page, base_url, book):
    q = book.first["id"]
    url = stage_url(base_url, book)
    page.goto(url)
    old_key = page.evaluate("'handbook-workspace:' + document.querySelector('meta[name=handbook-store]').content")
    assert old_key != WORKSPACE, "the earlier key was the site's name, not its address"
    raw = workspace({"ours": ("Riverside", {q: an_answer(book.first, "agreed", "kept from before")})})
    page.evaluate(
        "([k, v]) => { localStorage.clear(); localStorage.setItem(k, v); sessionStorage.clear() }", [old_key, raw]
    )
    open_page(page, url)
    assert "Answers for Riverside" in page.locator("[data-hb-workspace]").inner_text()
    assert page.locator(f"#hb-notes-{q}").input_value() == "kept from before"
    assert stored(page)["partnerships"]["ours"]["answers"][q]["notes"] == "kept from before"
    assert page.evaluate("k => localStorage.getItem(k)", old_key) == raw, "the earlier copy is left as it was"


def test_two_copies_of_the_handbook_on_one_host_keep_separate_answers(browser, site, book, tmp_path):
    for copy in ("one", "two"):
        shutil.copytree(site, tmp_path / copy)
    q = book.first["id"]
    context = browser.new_context()
    try:
        page = context.new_page()
        for host in serve(tmp_path):
            open_page(page, f"{host}/one/checklists/{book.stage}/")
            answer(page, q, "agreed", "only in the first copy")
            page.wait_for_function(
                "k => localStorage.getItem(k)?.includes('only in the first copy')", arg="handbook-workspace:/one/"
            )
            open_page(page, f"{host}/two/checklists/{book.stage}/")
            assert page.locator(f"#hb-status-{q}").input_value() == "open"
            assert page.locator(f"#hb-notes-{q}").input_value() == ""
            answer(page, q, notes="only in the second copy")
            open_page(page, f"{host}/one/checklists/{book.stage}/")
            assert page.locator(f"#hb-notes-{q}").input_value() == "only in the first copy"
    finally:
        context.close()


# ------------------------------------------------------------------ 8. review points


def test_review_points_and_what_changed_between_them(page, base_url, book):
    q, other = book.first["id"], book.other["id"]
    url = stage_url(base_url, book)
    open_page(page, url)
    answer(page, q, "discussed", "First thoughts")
    open_page(page, f"{base_url}/checklists/partnerships/")
    assert "has no review points yet" in page.locator(".hb-snapshots").inner_text()
    assert page.locator("[data-hb-form=diff]").is_hidden()
    assert page.locator("#hb-snapshot").get_attribute("list") == "hb-snapshot-names"
    suggestions = page.locator("#hb-snapshot-names option").evaluate_all("os => os.map(o => o.value)")
    assert suggestions == ["Set-up", "Delivery", "Evaluation"]
    page.fill("#hb-snapshot", "Set-up")
    page.get_by_role("button", name="Save review point").click()
    said(page, "Saved the review point Set-up")

    open_page(page, url)
    answer(page, q, "agreed", "Agreed in March", ("Sign the agreement", "Jo", "2031-03-31"))
    answer(page, other, "follow-up")
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.fill("#hb-snapshot", "Delivery")
    page.keyboard.press("Enter")
    assert page.locator(".hb-snapshots li").count() == 2

    page.select_option("#hb-from", "0")
    page.select_option("#hb-to", "1")
    page.get_by_role("button", name="Show what changed").click()
    diff = page.locator(".hb-diff")
    assert diff.locator("h3").inner_text().startswith("2 questions changed from Set-up")
    first = diff.locator("ol > li").filter(has_text=book.first["text"])
    changes = first.locator("li").all_inner_texts()
    assert changes == ["Status: “Discussed” → “Agreed”", "Notes: “First thoughts” → “Agreed in March”",
                       "Action: none → “Sign the agreement; owner: Jo; due: 2031-03-31”"]  # fmt: skip
    assert diff.locator("ol > li").filter(has_text=book.other["text"]).locator("li").all_inner_texts() == [
        "Status: “Not yet discussed” → “Needs follow-up”"
    ]

    page.select_option("#hb-from", "1")
    page.select_option("#hb-to", "now")
    page.get_by_role("button", name="Show what changed").click()
    assert diff.locator("h3").inner_text() == "Nothing changed from Delivery to now."
    said(page, "Nothing changed from Delivery to now.")


# ------------------------------------------------------------------ 9. the bank changes


def test_answers_to_retired_and_reworded_questions_are_kept_marked_and_exported(page, base_url, book):
    url = stage_url(base_url, book)
    answers = {
        book.first["id"]: an_answer(book.first, "agreed", "said of the old wording", question="The old wording?"),
        "a-question-we-retired": an_answer(None, "follow-up", "still matters", question="Did we retire this?"),
    }
    seed(page, url, {WORKSPACE: workspace({"ours": ("Riverside", answers)})})
    reworded = page.locator(f"#q-{book.first['id']} .hb-answer__reworded")
    assert reworded.inner_text() == "Reworded since this was answered. It then read: “The old wording?”"
    assert page.locator(f"#q-{book.second['id']} .hb-answer__reworded").is_hidden()
    # Answering a question again records its current wording.
    answer(page, book.first["id"], notes="said again")
    assert reworded.is_hidden()

    open_page(page, f"{base_url}/checklists/retired/")
    app = page.locator('[data-hb-app="retired"]')
    assert "Riverside has 1 answer to questions no longer in this handbook." in app.inner_text()
    assert app.locator("h2").inner_text() == "Did we retire this?"
    assert "Status: Needs follow-up" in app.inner_text() and "still matters" in app.inner_text()

    open_page(page, f"{base_url}/checklists/partnerships/")
    _, text = export(page, "Export answers file (JSON)")
    assert json.loads(text)["answers"]["a-question-we-retired"]["notes"] == "still matters"
    _, minutes = export(page, "Export for minutes (Markdown)")
    assert "## Answers to questions no longer in the handbook" in minutes and "still matters" in minutes


# ------------------------------------------------------------------ 10. print


def test_print_names_the_partnership_and_puts_answers_in_place_of_lines(page, base_url, book):
    q = book.first["id"]
    tricky = 'Riverside "North" \\ Co'
    open_page(page, f"{base_url}/checklists/partnerships/")
    page.fill("#hb-name", tricky)
    page.get_by_role("button", name="Save", exact=True).click()
    url = stage_url(base_url, book)
    open_page(page, url)
    header = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hb-partnership')")
    assert header.strip() == '" · Riverside \\"North\\" \\\\ Co"'
    address = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hb-address')")
    assert address.strip() == json.dumps(url)
    blank = pdf_text(page)
    answer(page, q, "agreed", "Shared vision agreed with the hospice", ("Draft the vision", "Sam", "2031-04-01"))
    printed = pdf_text(page)
    text = " ".join(printed)
    site_name = page.evaluate("document.querySelector('meta[name=handbook-store]').content")
    for n, sheet in enumerate(printed, 1):
        assert f"{site_name} · {tricky}" in sheet, f"page {n}: the partnership is not in the running header"
    assert "Shared vision agreed with the hospice" in text
    assert "Status: Agreed" in text and "Agreed action: Draft the vision; owner: Sam; due: 2031-04-01" in text
    assert text.count("Status:") == 1, "unanswered questions print as blank forms"
    assert len(printed) <= len(blank) + 1
    # Nothing of the screen's answer controls reaches paper.
    for words in ("Not yet discussed", "Notes and agreed action", "Who will do it", "Export answers file", "Switch to"):
        assert words not in text, words


def test_blank_forms_print_without_a_partnership_name_until_there_is_one(page, base_url, book):
    """A facilitator printing blank forms in a fresh browser gets no '· Our partnership' on
    paper; the first answer (or a name) puts the partnership's name in the header."""
    url = stage_url(base_url, book)
    open_page(page, url)
    site_name = page.evaluate("document.querySelector('meta[name=handbook-store]').content")
    for sheet in pdf_text(page):
        assert site_name in sheet and "Our partnership" not in sheet
    answer(page, book.first["id"], "discussed")
    for n, sheet in enumerate(pdf_text(page), 1):
        assert f"{site_name} · Our partnership" in sheet, f"page {n}"


def test_compact_print_is_remembered(page, base_url, book):
    url = stage_url(base_url, book)
    open_page(page, url)
    page.check('input[data-hb-action="compact"]')
    page.reload()
    open_page(page, url)
    assert page.locator('input[data-hb-action="compact"]').is_checked()
    assert page.evaluate("document.documentElement.classList.contains('hb-compact')")


# ------------------------------------------------------------------ 11. fits the site


def test_instant_navigation_keeps_answers_bar_and_progress(page, instant, book):
    errors = watch(page)
    q = book.first["id"]
    open_page(page, f"{instant}/checklists/{book.stage}/")
    # Material takes over link clicks once it has read the sitemap (it navigates only within it).
    page.wait_for_function("performance.getEntriesByType('resource').some(e => e.name.endsWith('/sitemap.xml'))")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.evaluate("window.hbSamePage = true")
    answer(page, q, "agreed", "Before navigating")

    page.locator("a.md-nav__link[href$='partnerships/']").filter(has_text="Your partnerships").first.click()
    page.wait_for_url("**/checklists/partnerships/")
    page.locator(".hb-partnerships li").first.wait_for()
    assert page.evaluate("window.hbSamePage === true"), "the page was reloaded: instant navigation is not on"
    assert "1 of" in page.locator(".hb-partnerships li").first.inner_text()
    add_partnership(page, "Northshire")

    page.locator(f"a.md-nav__link[href$='{book.stage}/']").first.click()
    page.wait_for_url(f"**/checklists/{book.stage}/")
    page.locator(f"#hb-status-{q}").wait_for()
    assert page.evaluate("window.hbSamePage === true")
    bar = page.locator("[data-hb-workspace]")
    assert "Answers for Northshire" in bar.inner_text() and "0 of" in bar.inner_text()
    page.select_option("#hb-switch", label="Our partnership")
    assert page.locator(f"#hb-notes-{q}").input_value() == "Before navigating"
    assert "1 of" in bar.inner_text()
    assert page.locator(".hb-question .hb-answer").count() == len(book.on(book.stage)), "controls added once"
    assert page.locator(".hb-progress").count() == len({x["principle"] for x in book.on(book.stage)})
    header = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hb-address')")
    assert header.strip() == json.dumps(f"{instant}/checklists/{book.stage}/"), "the footer follows the page"
    assert not errors, errors


def test_offline_edition_keeps_answers_from_file_urls(browser, offline, book):
    context = browser.new_context(accept_downloads=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors = watch(page)
    q = book.first["id"]
    try:
        open_page(page, (offline / "checklists" / f"{book.stage}.html").as_uri())
        answer(page, q, "agreed", "Written offline")
        page.reload()
        open_page(page, page.url)
        assert page.locator(f"#hb-notes-{q}").input_value() == "Written offline"
        address = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--hb-address')")
        assert "file:" not in address, "a file:// page never prints a local path"
        page.get_by_role("link", name="Your partnerships").first.click()
        page.wait_for_url("**/checklists/partnerships.html")
        page.locator(".hb-partnerships li").first.wait_for()
        _, text = export(page, "Export answers file (JSON)")
        assert json.loads(text)["answers"][q]["notes"] == "Written offline"
        # Unzipped elsewhere, or its folder moved: the same answers.
        moved = offline.parent / "moved" / "handbook"
        shutil.copytree(offline, moved, dirs_exist_ok=True)
        open_page(page, (moved / "checklists" / f"{book.stage}.html").as_uri())
        assert page.locator(f"#hb-notes-{q}").input_value() == "Written offline"
    finally:
        context.close()
    leaving = [url for url in requests if not url.startswith(("file:", "data:", "blob:"))]
    assert not leaving, leaving
    assert not errors, errors


def test_tools_in_use_pass_axe_and_request_nothing_off_the_origin(browser, base_url, book):

    failures: list[str] = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, accept_downloads=True)
        requests: list[str] = []
        context.on("request", lambda r, requests=requests: requests.append(r.url))
        page = context.new_page()
        errors = watch(page)
        try:
            url = stage_url(base_url, book)
            answers = {book.second["id"]: an_answer(book.second, "agreed", question="Old words?"),
                       "a-retired-one": an_answer(None, "discussed", "kept", question="Retired?")}  # fmt: skip
            seed(page, url, {WORKSPACE: workspace({"ours": ("Riverside", answers), "other": ("Northshire", {})})})
            answer(page, book.first["id"], "follow-up", "Ask again", ("Call", "Jo", "2031-01-01"))
            closed = page.locator(".hb-answer details:not([open]) > summary")
            while closed.count():
                closed.first.click()
            failures += axe_failures(page, f"stage page in use ({scheme})")
            open_page(page, f"{base_url}/checklists/")
            failures += axe_failures(page, f"overview with progress ({scheme})")
            open_page(page, f"{base_url}/checklists/all/")
            failures += axe_failures(page, f"all stages with progress ({scheme})")
            open_page(page, f"{base_url}/checklists/retired/")
            failures += axe_failures(page, f"retired answers ({scheme})")
            open_page(page, f"{base_url}/checklists/partnerships/")
            page.fill("#hb-snapshot", "Set-up")
            page.get_by_role("button", name="Save review point").click()
            page.get_by_role("button", name="Show what changed").click()
            page.get_by_role("button", name="Delete Northshire").click()
            modal(page).get_by_role("button", name="Delete Northshire").click()
            failures += axe_failures(page, f"partnerships page in use ({scheme})")
            choose_file(page, json.dumps(exchange_file(incoming(book))), "partners.json")
            modal(page).wait_for()
            failures += axe_failures(page, f"import preview ({scheme})")
        finally:
            context.close()
        outside = [u for u in requests if not u.startswith((base_url + "/", "data:", "blob:"))]
        assert not outside, outside
        assert not errors, errors
    assert not failures, f"{len(failures)} accessibility violations:\n\n" + "\n\n".join(failures)


def test_keyboard_alone_answers_exports_and_deletes(page, base_url, book):
    q = book.first["id"]
    open_page(page, stage_url(base_url, book))
    tab_to(page, f"hb-status-{q}")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"#hb-status-{q}").input_value() == "discussed"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == f"hb-more-{q}"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == f"hb-notes-{q}"
    page.keyboard.type("Typed by keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("An action")
    assert stored(page)["partnerships"]["ours"]["answers"][q]["action"]["text"] == "An action"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"

    open_page(page, f"{base_url}/checklists/partnerships/")
    tab_to(page, "hb-new")
    page.keyboard.type("Northshire")
    page.keyboard.press("Enter")
    said(page, "Added Northshire")
    tab_to(page, "Export answers file (JSON)")
    with page.expect_download():
        page.keyboard.press("Enter")
    tab_to(page, "Delete Northshire", back=True)
    page.keyboard.press("Enter")
    expect(modal(page)).to_be_visible()
    assert page.evaluate(FOCUSED) == "Cancel"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "Delete Northshire"
    page.keyboard.press("Enter")
    said(page, "Deleted Northshire")
    assert page.evaluate(FOCUSED) == "hb-list"


# ------------------------------------------------------------------ 12. small


BUDGET = 12 * 1024


def test_the_browser_code_stays_within_its_size_budget(site):
    """What a page downloads of the workspace's code (one file: the modules, joined in load
    order by the build) is at most 12 KB gzipped; every module is in it."""
    from bundle import BUNDLES

    workspace = BUNDLES["assets/handbook.js"].modules
    assert {p.stem for p in JS.glob("*.js")} <= {name for bundle in BUNDLES.values() for name in bundle.modules}
    assert all((JS / f"{name}.js").is_file() for name in workspace)
    delivered = (site / "assets" / "handbook.js").read_text(encoding="utf-8")
    starts = [delivered.index(f"/*! assets/js/{name}.js */") for name in workspace]
    assert starts == sorted(starts), "modules out of their load order"
    size = len(gzip.compress(delivered.encode(), 9))
    assert size <= BUDGET, f"{size} bytes gzipped, over {BUDGET}"
    assert not (site / "assets" / "js").exists(), "the modules are published beside their bundle"


def test_the_browser_code_is_classic_scripts_without_dependencies():
    for file in JS.glob("*.js"):
        code = file.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|export)\b", code, re.M), f"{file.name} is a module"
        assert not re.search(r"\b(fetch|XMLHttpRequest|importScripts|eval|innerHTML|outerHTML)\b", code), file.name
