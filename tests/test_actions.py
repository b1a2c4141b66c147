"""The actions register (checklists/actions/): every action agreed in the active partnership, at
every stage, in one list, the soonest due first; overdue and due-within-14-days actions flagged in
words from the reader's clock; filters by owner and stage; done ticked there and on the checklist;
printed one page per owner; exported as CSV (formula-safe) and as iCalendar, read back with the
real `icalendar` parser.

Questions and stages come from the bank the handbook is built from (support.project_bank()), so a
fork's bank passes too. Answers get in as a user puts them in: typed on a checklist, or imported
from an answers file on Your partnerships. The browser's clock is fixed (Playwright's page.clock),
so "today" is TODAY wherever and whenever the tests run.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import jsonschema
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from support import FOCUSED, ROOT, axe_failures, project_bank, tab_to

BANK = project_bank()
STAGES = [stage.id for stage in BANK.stages]
ON_STAGE = {stage: BANK.ordered_questions(stage) for stage in STAGES}
NUMBERS = BANK.numbers
# Five different questions, three of the first stage and two of the last.
A, B, C = ON_STAGE[STAGES[0]][:3]
D, E = ON_STAGE[STAGES[-1]][-1], ON_STAGE[STAGES[-1]][-2]
TODAY = date(2031, 3, 1)
NOON = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
OLD = "2031-01-01T00:00:00.000Z"
FIXTURES = ROOT / "tests" / "fixtures" / "answers"
SCHEMA = json.loads((ROOT / "schema" / "answers.schema.json").read_text(encoding="utf-8"))
REGISTER = "checklists/actions/"
ROWS = """() => [...document.querySelectorAll('.hb-actions-table tbody tr')].map(tr => ({
  id: tr.dataset.hbId, action: tr.cells[0].textContent, question: tr.querySelector('a').textContent,
  href: tr.querySelector('a').href, stage: tr.querySelector('.hb-actions-stage').textContent,
  owner: tr.cells[2].textContent, due: tr.cells[3].querySelector('time')?.dateTime || '',
  flag: tr.querySelector('.hb-due-flag').textContent,
  ticked: tr.querySelector('[type=checkbox]').checked, done: tr.querySelector('[type=date]').value }))"""


# ------------------------------------------------------------------ helpers


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def words(question) -> str:
    return f"{NUMBERS[question.id]}. {question.text.plain}"


def an_action(text: str, owner: str = "", due: str = "", done: str = "", question: str = "") -> dict:
    action = {"text": text, "owner": owner, "due": due, **({"done": done} if done else {})}
    return {"status": "agreed", "notes": "", "action": action, "updated": OLD, "question": question}


def answers_file(answers: dict, name: str) -> dict:
    return {"format": "partnership-handbook-answers", "version": 3,
            "handbook": {"title": "Leading successful partnerships", "edition": "Version 1"},
            "partnership": {"name": name}, "exported": OLD, "answers": answers, "snapshots": []}  # fmt: skip


def start(page, clock: datetime = NOON) -> None:
    """The browser's clock, fixed from the first page on."""
    page.clock.set_fixed_time(clock)


def load(page, base_url: str, answers: dict, name: str = "Riverside", language: str = "") -> None:
    """Import an answers file on Your partnerships, as a new partnership that becomes the active one."""
    page.goto(f"{base_url}/{language}checklists/partnerships/")
    content = json.dumps(answers_file(answers, name)).encode()
    with page.expect_file_chooser() as chooser:
        page.locator("button[data-hb-do=import]").click()
    chooser.value.set_files(files=[{"name": "actions.json", "mimeType": "application/json", "buffer": content}])
    page.locator("dialog.hb-dialog[open] button[value=new]").click()
    expect(page.locator(".hb-live").first).to_contain_text(name)


def open_register(page, base_url: str, language: str = "") -> None:
    page.goto(f"{base_url}/{language}{REGISTER}")
    page.wait_for_selector(".hb-actions > *", state="attached")


def rows(page) -> list[dict]:
    return page.evaluate(ROWS)


def row(page, question_id: str) -> dict:
    return next(found for found in rows(page) if found["id"] == question_id)


def stored_action(page, question_id: str) -> dict:
    workspace = json.loads(page.evaluate("localStorage.getItem('handbook-workspace:/')"))
    return workspace["partnerships"][workspace["active"]]["answers"][question_id]["action"]


def said(page, text: str) -> None:
    expect(page.locator(".hb-live").first).to_contain_text(text)


def exported(page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(e.stack or str(e)))
    return errors


def type_action(page, question, what: str, who: str, due: str) -> None:
    """Agree an action on the question's checklist, as a user types it."""
    page.click(f"#hb-more-{question.id}")
    page.fill(f"#hb-what-{question.id}", what)
    page.fill(f"#hb-who-{question.id}", who)
    page.fill(f"#hb-due-{question.id}", due)


# ------------------------------------------------------------------ the list


def test_every_action_of_every_stage_is_listed_by_due_date_linked_to_its_question(page, base_url):
    errors = watch(page)
    start(page)
    open_register(page, base_url)
    assert page.locator(".hb-actions").inner_text() == (
        "Our partnership has no agreed actions yet: agree them on each stage's checklist, "
        "under “Notes and agreed action”."
    )
    page.goto(f"{base_url}/checklists/{STAGES[0]}/")
    type_action(page, A, "Draft the shared vision", "Sam", day(10))
    type_action(page, B, "Agree the budget", "Ali", day(10))
    type_action(page, C, "Name a sponsor", "Sam", "")
    page.goto(f"{base_url}/checklists/{STAGES[-1]}/")
    type_action(page, D, "Plan the evaluation", "Jo", day(30))
    type_action(page, E, "Book the away day", "Ali", day(-3))

    open_register(page, base_url)
    listed = rows(page)
    # By due date; the same date in the order of the stages and their questions; no date last.
    assert [r["id"] for r in listed] == [E.id, A.id, B.id, D.id, C.id]
    assert [r["action"] for r in listed] == [
        "Book the away day", "Draft the shared vision", "Agree the budget", "Plan the evaluation", "Name a sponsor"
    ]  # fmt: skip
    assert [r["due"] for r in listed] == [day(-3), day(10), day(10), day(30), ""]
    assert [r["owner"] for r in listed] == ["Ali", "Sam", "Ali", "Jo", "Sam"]
    for found, question in zip(listed, [E, A, B, D, C], strict=True):
        assert found["question"] == words(question)
        assert found["href"] == f"{base_url}/checklists/{question.stage}/#q-{question.id}"
        assert found["stage"] == BANK.get("stages", question.stage).title
    assert page.locator(".hb-actions tbody tr").nth(4).locator("td").nth(2).inner_text() == "No date"
    assert page.locator("[data-hb-summary]").inner_text() == "5 actions: 1 overdue, 2 due within 14 days, 0 done."

    # A question's link opens it on its stage's checklist, its action there.
    page.get_by_role("link", name=words(E), exact=True).click()
    page.wait_for_url(f"{base_url}/checklists/{E.stage}/#q-{E.id}")
    expect(page.locator(f"#hb-what-{E.id}")).to_have_value("Book the away day", timeout=20_000)
    assert not errors, errors


def test_overdue_and_due_soon_are_flagged_in_words_by_the_readers_own_clock(browser, base_url):
    actions = {
        A.id: an_action("Yesterday's", "Sam", day(-1)),
        B.id: an_action("Today's", "Sam", day(0)),
        C.id: an_action("In two weeks", "Sam", day(14)),
        D.id: an_action("In fifteen days", "Sam", day(15)),
        E.id: an_action("Late but done", "Sam", day(-5), done=day(-2)),
    }
    flags = {}
    # Noon in London is already tomorrow in Auckland: each reader's own today counts.
    for zone in ("Europe/London", "Pacific/Auckland"):
        context = browser.new_context(timezone_id=zone)
        try:
            page = context.new_page()
            start(page)
            load(page, base_url, actions)
            open_register(page, base_url)
            flags[zone] = {r["id"]: r["flag"] for r in rows(page)}
            summary = page.locator("[data-hb-summary]").inner_text()
            if zone == "Europe/London":
                assert summary == "5 actions: 1 overdue, 2 due within 14 days, 1 done."
                # Flagged in words, and marked beside the row for the eye, not by colour alone.
                overdue = page.locator(f'tr[data-hb-id="{A.id}"]')
                assert overdue.get_attribute("data-hb-flag") == "overdue"
                assert overdue.locator("strong").inner_text() == "Overdue"
        finally:
            context.close()
    assert flags["Europe/London"] == {A.id: "Overdue", B.id: "Due within 14 days", C.id: "Due within 14 days",
                                      D.id: "", E.id: ""}  # fmt: skip
    assert flags["Pacific/Auckland"] == {A.id: "Overdue", B.id: "Overdue", C.id: "Due within 14 days",
                                         D.id: "Due within 14 days", E.id: ""}  # fmt: skip


def test_filters_by_owner_and_stage_work_from_the_keyboard(page, base_url):
    start(page)
    load(page, base_url, {
        A.id: an_action("Sam's first", "Sam", day(3)),
        B.id: an_action("Sam's second, typed in lower case", " sam ", day(4)),
        D.id: an_action("Sam's last", "Sam", day(5)),
        C.id: an_action("Ali's", "Ali", day(6)),
        E.id: an_action("Nobody's yet", "", day(7)),
    })  # fmt: skip
    open_register(page, base_url)
    owners = page.locator("#hb-owner option").all_inner_texts()
    assert owners == ["Everyone", "Ali", "Sam", "No owner given"], "one Sam, however typed"
    stages = page.locator("#hb-stage option:not([hidden])").all_inner_texts()
    assert stages == ["All stages", *(stage.title for stage in BANK.stages)]
    assert page.get_by_label("Owner").count() == 1 and page.get_by_label("Stage").count() == 1

    tab_to(page, "hb-owner")
    page.keyboard.press("ArrowDown")
    assert [r["action"] for r in rows(page)] == ["Ali's"]
    said(page, "Showing 1 of 5 actions.")
    page.keyboard.press("ArrowDown")
    assert [r["action"] for r in rows(page)] == ["Sam's first", "Sam's second, typed in lower case", "Sam's last"]
    page.keyboard.press("ArrowDown")
    assert [r["action"] for r in rows(page)] == ["Nobody's yet"]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "hb-stage"
    page.keyboard.press("ArrowDown")
    first_stage = [r["action"] for r in rows(page)]
    assert first_stage == ["Sam's first", "Sam's second, typed in lower case"] + (
        ["Sam's last"] if len(STAGES) == 1 else []
    )
    said(page, f"Showing {len(first_stage)} of 5 actions.")
    if len(STAGES) > 1:
        page.keyboard.press("ArrowDown")
        if STAGES[1] != STAGES[-1]:
            assert page.locator(".hb-actions").inner_text() == "No actions match these filters."
            said(page, "No actions match these filters.")
    # Back to everything: the filters say what they show.
    page.select_option("#hb-owner", label="Everyone")
    page.select_option("#hb-stage", label="All stages")
    assert len(rows(page)) == 5
    assert page.locator("[data-hb-summary]").inner_text() == "5 actions: 0 overdue, 5 due within 14 days, 0 done."


# ------------------------------------------------------------------ done


def test_ticking_done_records_today_by_keyboard_survives_a_reload_and_shows_on_the_checklist(page, base_url):
    errors = watch(page)
    start(page)
    load(page, base_url, {A.id: an_action("Draft the shared vision, with the board", "Sam", day(5))})
    open_register(page, base_url)
    assert row(page, A.id)["flag"] == "Due within 14 days"
    tab_to(page, f"hb-tick-{A.id}")
    name = page.evaluate(
        "id => document.getElementById(id).getAttribute('aria-labelledby').split(' ')"
        ".map(i => document.getElementById(i).textContent).join(' ')",
        f"hb-tick-{A.id}",
    )
    assert name == "Done Draft the shared vision, with the board", "the box is named after its action"
    page.keyboard.press("Space")
    said(page, "Marked done on 1 March 2031: Draft the shared vision, with the board")
    assert stored_action(page, A.id) == {"text": "Draft the shared vision, with the board", "owner": "Sam",
                                         "due": day(5), "done": day(0)}  # fmt: skip
    found = row(page, A.id)
    assert (found["ticked"], found["done"], found["flag"]) == (True, day(0), "")
    assert page.evaluate(FOCUSED) == f"hb-tick-{A.id}", "the focus stays on the box"
    assert page.locator("[data-hb-summary]").inner_text() == "1 action: 0 overdue, 0 due within 14 days, 1 done."
    # The date it was done can be changed: the next field, from the keyboard.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == f"hb-done-{A.id}"
    page.fill(f"#hb-done-{A.id}", day(-1))
    assert stored_action(page, A.id)["done"] == day(-1)

    page.reload()
    page.wait_for_selector(".hb-actions-table")
    assert row(page, A.id)["ticked"] and row(page, A.id)["done"] == day(-1)
    # The stage's checklist shows the same done date, and can change it too.
    page.goto(f"{base_url}/checklists/{A.stage}/")
    expect(page.locator(f"#hb-done-{A.id}")).to_have_value(day(-1), timeout=20_000)
    assert page.get_by_label("Done on").first.get_attribute("id") == f"hb-done-{A.id}"
    page.fill(f"#hb-done-{A.id}", day(-2))
    open_register(page, base_url)
    assert row(page, A.id)["done"] == day(-2)

    # Unticked: not done, no date, and flagged again.
    page.uncheck(f"#hb-tick-{A.id}")
    said(page, "Marked not done: Draft the shared vision, with the board")
    assert "done" not in stored_action(page, A.id)
    found = row(page, A.id)
    assert (found["ticked"], found["done"], found["flag"]) == (False, "", "Due within 14 days")
    page.goto(f"{base_url}/checklists/{A.stage}/")
    expect(page.locator(f"#hb-done-{A.id}")).to_have_value("", timeout=20_000)
    assert not errors, errors


def test_a_tick_in_one_tab_shows_in_another_and_storage_full_keeps_it_on_the_page(page, base_url):
    start(page)
    load(page, base_url, {A.id: an_action("Call the trust", "Sam", day(2)), B.id: an_action("Write to the council")})
    open_register(page, base_url)
    other = page.context.new_page()
    other.clock.set_fixed_time(NOON)
    open_register(other, base_url)
    page.check(f"#hb-tick-{A.id}")
    expect(other.locator(f"#hb-tick-{A.id}")).to_be_checked()
    expect(other.locator(f"#hb-done-{A.id}")).to_have_value(day(0))
    # Storage full: the tick stays on the page, which says so, as every page of the workspace does.
    other.evaluate("""() => { Storage.prototype.setItem = function () {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); }; }""")
    other.check(f"#hb-tick-{B.id}")
    expect(other.locator(".hb-warnings")).to_contain_text("This browser's storage is full.")
    assert row(other, B.id)["ticked"] and row(other, B.id)["done"] == day(0)
    assert "done" not in stored_action(other, B.id)


# ------------------------------------------------------------------ files from before


@pytest.mark.parametrize("version", [1, 2, 3])
def test_actions_in_files_made_before_the_done_date_import_unchanged(page, base_url, version):
    source = (FIXTURES / f"version-{version}.json").read_text(encoding="utf-8")
    given = json.loads(source)
    jsonschema.Draft202012Validator(SCHEMA).validate(given)
    start(page)
    open_register(page, base_url)
    read = page.evaluate("source => handbook.answers.readFile(source).answers", source)
    for qid, answer in given["answers"].items():
        expected = answer.get("action", {"text": "", "owner": "", "due": ""})
        assert read[qid]["action"] == expected, f"version {version}, {qid}"
    with_action = {qid: a["action"] for qid, a in given["answers"].items() if (a.get("action") or {}).get("text")}

    page.goto(f"{base_url}/checklists/partnerships/")
    with page.expect_file_chooser() as chooser:
        page.locator("button[data-hb-do=import]").click()
    chooser.value.set_files(files=[{"name": "old.json", "mimeType": "application/json", "buffer": source.encode()}])
    page.locator("dialog.hb-dialog[open] button[value=new]").click()
    said(page, "Imported old.json as a new partnership")
    open_register(page, base_url)
    listed = rows(page)
    assert [r["id"] for r in listed] == sorted(with_action, key=lambda q: (not with_action[q]["due"], q))
    for found in listed:
        action = with_action[found["id"]]
        assert found["action"] == action["text"] and found["due"] == action["due"]
        assert found["owner"] == (action["owner"] or "No owner given")
        assert not found["ticked"] and found["done"] == ""
        # Their questions are not in this bank: listed under the retired answers, with the words then.
        assert found["stage"] == "No longer in the handbook"
        assert found["question"] == given["answers"][found["id"]]["question"]
        assert found["href"] == f"{base_url}/checklists/retired/"
        assert stored_action(page, found["id"]) == action
    if not with_action:
        assert "has no agreed actions yet" in page.locator(".hb-actions").inner_text()


# ------------------------------------------------------------------ print


def test_the_register_prints_one_page_per_owner(page, base_url, artifacts):
    start(page)
    load(page, base_url, {
        A.id: an_action("Draft the shared vision", "Samira Okafor", day(-2)),
        B.id: an_action("Agree the budget", "Alun Pritchard", day(20), done=day(-1)),
        C.id: an_action("Name a sponsor", "samira okafor", day(9)),
        D.id: an_action("Plan the evaluation"),
    })  # fmt: skip
    open_register(page, base_url)
    pdf = page.pdf(format="A4")
    stem = artifacts / "print-actions-per-owner"
    stem.with_suffix(".pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(stem.with_suffix(".pdf")), str(stem)], check=True)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    owners = {"Alun Pritchard": ["Agree the budget"], "Samira Okafor": ["Draft the shared vision", "Name a sponsor"],
              "No owner given": ["Plan the evaluation"]}  # fmt: skip
    assert len(pages) == len(owners), pages
    for text, (owner, theirs) in zip(pages, owners.items(), strict=True):
        assert [name for name in owners if name in text] == [owner], text
        assert all(action in text for action in theirs), text
        others = [action for name, listed in owners.items() if name != owner for action in listed]
        assert not any(action in text for action in others), text
        assert "of Riverside, as at 1 March 2031" in text
        assert "Actions register" in text and "Riverside" in text, "the running header"
        assert "Owner" not in text and "Export" not in text, "nothing of the screen's controls"
    assert "Overdue" in pages[1] and "Due within 14 days" in pages[1]
    assert "Done on 28 February 2031" in pages[0]
    assert "Not done" in pages[2]


# ------------------------------------------------------------------ CSV


def test_the_csv_keeps_formulas_as_text_quotes_doubled_and_welsh_letters(page, base_url):
    start(page)
    load(page, base_url, {
        A.id: an_action('=HYPERLINK("https://evil.example","Click")', "+44 1234 567890", day(3)),
        B.id: an_action("@SUM(A1:A9)", "-Sam", day(4)),
        C.id: an_action("\tTabbed in", "Siân Llŷr", day(5), done=day(-1)),
        D.id: an_action('Tell the “board”, and say "thanks"\nthen file it', "Ŵyn", ""),
        "a-question-since-retired": an_action("Kept from before", "Sam", day(6), question="=1+1, we asked?"),
    })  # fmt: skip
    open_register(page, base_url)
    name, raw = exported(page, "Export as a spreadsheet (CSV)")
    assert re.fullmatch(r"riverside-actions-2031-03-01\.csv", name)
    said(page, "Exported 5 actions of Riverside as a spreadsheet.")
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\r\n" in text
    assert '""thanks""' in text, "quotes doubled"
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == ["Stage", "No.", "Question", "Action", "Owner", "Due", "Done on", "As at 1 March 2031",
                        "Question id"]  # fmt: skip
    by_id = {line[8]: line for line in table[1:]}
    assert list(by_id) == [A.id, B.id, C.id, "a-question-since-retired", D.id], "the register's order"
    assert by_id[A.id][3:6] == ['\'=HYPERLINK("https://evil.example","Click")', "'+44 1234 567890", day(3)]
    assert by_id[B.id][3:5] == ["'@SUM(A1:A9)", "'-Sam"]
    assert by_id[C.id][3:7] == ["'\tTabbed in", "Siân Llŷr", day(5), day(-1)]
    assert by_id[D.id][3:5] == ['Tell the “board”, and say "thanks"\nthen file it', "Ŵyn"]
    retired = by_id["a-question-since-retired"]
    assert retired[:3] == ["No longer in the handbook", "", "'=1+1, we asked?"], "answer text stays text too"
    assert by_id[A.id][:3] == [BANK.get("stages", A.stage).title, str(NUMBERS[A.id]), A.text.plain]
    assert by_id[A.id][7] == "Due within 14 days" and by_id[C.id][7] == ""
    for line in table[1:]:
        for value in line:
            assert not re.match(r"[=+\-@\t\r]", value), f"a cell a spreadsheet would run: {value!r}"


def test_the_csv_builder_escapes_each_cell(page, base_url):
    open_register(page, base_url)
    made = page.evaluate(
        """handbook.actions.csv([["=1+1", "+1", "-1", "@A1", "\\tx", "\\rx", 'a "b"', "ok, fine", ""]])"""
    )
    assert made == '\ufeff"\'=1+1","\'+1","\'-1","\'@A1","\'\tx","\'\rx","a ""b""","ok, fine",""\r\n'


# ------------------------------------------------------------------ iCalendar


LONG = "Agree the budget, the staffing; and the venue \\ the rooms\nthen tell the board, in writing"


def test_the_calendar_file_imports_under_a_real_parser_folded_and_escaped(page, base_url):
    start(page)
    load(page, base_url, {
        A.id: an_action(LONG, "Siân Llŷr-Jones", day(6)),
        B.id: an_action("Send the minutes", "Ali", day(-2), done=day(-1)),
        C.id: an_action("Undated, so in no calendar", "Sam"),
    })  # fmt: skip
    open_register(page, base_url)
    name, raw = exported(page, "Export to a calendar (.ics)")
    assert name == "riverside-actions-2031-03-01.ics"
    said(page, "Exported 2 dated actions of Riverside as a calendar file. 1 action without a date is not in it.")

    # RFC 5545's lines: CRLF, at most 75 octets, folded between characters, never inside one.
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines), [line for line in lines if len(line) > 75]
    for line in lines:
        line.decode("utf-8")  # each physical line whole characters: raises if a fold cut one
    assert any(line.startswith(b" ") for line in lines), "a long line is folded"
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert (
        "Agree the budget\\, the staffing\\; and the venue \\\\ the rooms then tell the board\\, in writing" in unfolded
    )
    assert "\\nOwner: Siân Llŷr-Jones\\n" in unfolded

    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert len(events) == 2 and not calendar.walk("VTODO")
    first, done = sorted(events.values(), key=lambda event: event["DTSTART"].dt)[::-1]
    assert str(first["SUMMARY"]) == " ".join(LONG.split())
    assert first["DTSTART"].dt == TODAY + timedelta(days=6) and not isinstance(first["DTSTART"].dt, datetime)
    assert first["DTEND"].dt == TODAY + timedelta(days=7), "an all-day event"
    description = str(first["DESCRIPTION"]).split("\n")
    assert description[:3] == [f"Question: {words(A)}", f"Stage: {BANK.get('stages', A.stage).title}",
                               "Owner: Siân Llŷr-Jones"]  # fmt: skip
    assert description[3] == str(first["URL"]) == f"{base_url}/checklists/{A.stage}/#q-{A.id}"
    assert first["DTSTAMP"].dt.tzinfo is not None
    assert str(done["SUMMARY"]) == "Done: Send the minutes"
    assert "Done on 28 February 2031" in str(done["DESCRIPTION"])
    assert all(A.id in uid or B.id in uid for uid in events)

    # The same actions keep their UIDs from one export to the next, so a calendar updates them.
    page.reload()
    page.wait_for_selector(".hb-actions-table")
    _, again = exported(page, "Export to a calendar (.ics)")
    assert {str(event["UID"]) for event in icalendar.Calendar.from_ical(again).walk("VEVENT")} == set(events)


def test_the_calendar_builder_folds_on_character_boundaries(page, base_url):
    open_register(page, base_url)
    for text in ["ŵ" * 100, "a" + "😀" * 40, "x" * 200, "ab" + "ŷ" * 37]:
        folded = page.evaluate("text => handbook.actions.fold('SUMMARY:' + text)", text).encode("utf-8")
        lines = folded.split(b"\r\n")
        assert all(len(line) <= 75 for line in lines)
        assert all(line.startswith(b" ") for line in lines[1:])
        assert b"".join([lines[0], *(line[1:] for line in lines[1:])]).decode("utf-8") == "SUMMARY:" + text
        assert all(line.decode("utf-8") for line in lines)
        # Full lines: a fold comes only when the next character would not fit.
        assert all(len(line) > 75 - 4 for line in lines[:-1])


# ------------------------------------------------------------------ Welsh


def test_the_welsh_register_works_the_same_in_welsh(page, base_url):
    errors = watch(page)
    start(page)
    load(page, base_url, {A.id: an_action("Drafftio'r weledigaeth", "Siân", day(-1)),
                          D.id: an_action("Cynllunio'r gwerthuso", "", day(3))}, language="cy/")  # fmt: skip
    open_register(page, base_url, "cy/")
    assert page.title().startswith("Cofrestr camau gweithredu")
    assert page.locator("h1").inner_text().startswith("Cofrestr camau gweithredu")
    assert page.locator("nav").get_by_role("link", name="Cofrestr camau gweithredu").count() >= 1
    bank = page.evaluate("self.handbookBank")
    number_and_text = {q["id"]: f"{q['number']}. {q['text']}" for q in bank["questions"]}
    listed = rows(page)
    assert [r["id"] for r in listed] == [A.id, D.id]
    assert listed[0]["flag"] == "Yn hwyr" and listed[1]["flag"] == "I'w wneud o fewn 14 diwrnod"
    assert listed[1]["owner"] == "Dim perchennog wedi'i nodi"
    assert listed[0]["question"] == number_and_text[A.id]
    assert listed[0]["href"] == f"{base_url}/cy/checklists/{A.stage}/#q-{A.id}"
    assert page.locator("[data-hb-summary]").inner_text() == (
        "2 gam gweithredu: 1 yn hwyr, 1 i'w gwneud o fewn 14 diwrnod, 0 wedi'u gwneud."
    )
    assert page.get_by_label("Perchennog").count() == 1 and page.get_by_label("Cam", exact=True).count() == 1
    page.get_by_role("checkbox", name="Wedi'i wneud Drafftio'r weledigaeth").check()
    # The day as the page writes dates in Welsh (Intl, where the browser has Welsh data).
    today = page.evaluate("handbook.i18n.day('2031-03-01')")
    said(page, f"Wedi'i farcio'n gyflawn ar {today}: Drafftio'r weledigaeth")
    assert stored_action(page, A.id)["done"] == day(0)
    page.select_option("#hb-owner", label="Siân")
    said(page, "Yn dangos 1 o 2 gam gweithredu.")
    _, raw = exported(page, "Allforio fel taenlen (CSV)")
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:4] == ["Cam", "Rhif", "Cwestiwn", "Cam gweithredu"]
    _, ics = exported(page, "Allforio i galendr (.ics)")
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Wedi'i wneud: Drafftio'r weledigaeth"
    assert str(event["URL"]) == f"{base_url}/cy/checklists/{A.stage}/#q-{A.id}"
    # The same answers in both languages: the English register shows the tick.
    open_register(page, base_url)
    assert row(page, A.id)["ticked"]
    assert not errors, errors


# ------------------------------------------------------------------ accessibility


def test_the_register_in_use_passes_axe_in_light_and_dark(browser, base_url):
    failures: list[str] = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            start(page)
            load(page, base_url, {
                A.id: an_action("Overdue one", "Sam", day(-3)),
                B.id: an_action("Soon one", "Ali", day(2)),
                C.id: an_action("Done one", "Sam", day(-9), done=day(-8)),
                D.id: an_action("No date yet"),
                "a-retired-question": an_action("From before", "Jo", day(40), question="Retired?"),
            })  # fmt: skip
            open_register(page, base_url)
            assert len(rows(page)) == 5
            failures += axe_failures(page, f"actions register ({scheme})")
            page.select_option("#hb-owner", label="Sam")
            failures += axe_failures(page, f"actions register, filtered ({scheme})")
            page.select_option("#hb-stage", label="No longer in the handbook")
            failures += axe_failures(page, f"actions register, nothing matches ({scheme})")
        finally:
            context.close()
    assert not failures, f"{len(failures)} accessibility violations:\n\n" + "\n\n".join(failures)
